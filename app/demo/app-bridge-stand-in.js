// Studio's local preview: a small stand-in for Shopify's App Bridge script. Served at
// /demo/app-bridge.js only when STUDIO_DEMO=1 (never in production). Like App Bridge it
//  - defines `window.shopify` (idToken, toast, resourcePicker, loading, config),
//  - adds `Authorization: Bearer <fresh session token>` to same-origin fetch requests,
//  - hides <ui-nav-menu>, <ui-title-bar>, <s-app-nav> and hands their content to the admin
//    frame around the app (the /demo shell), which shows them and sends clicks back,
//  - answers Shopify's session-token bounce page by reloading with a fresh id_token.
// Tokens come from /demo/session-token, the preview's stand-in for the admin.
(() => {
  "use strict";
  if (window.shopify) return;

  const script = document.currentScript;
  const apiKey = (script && script.getAttribute("data-api-key")) || "";
  const query = new URLSearchParams(location.search);
  const remember = (name) => {
    const value = query.get(name);
    try {
      if (value) sessionStorage.setItem(`studio-demo:${name}`, value);
      return value || sessionStorage.getItem(`studio-demo:${name}`) || "";
    } catch {
      return value || "";
    }
  };
  const shop = remember("shop");
  const host = remember("host");
  const framed = window.parent !== window;
  const nativeFetch = window.fetch.bind(window);

  // ---- styles (a constructed sheet: no nodes are added to the server-rendered document) ----
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(`
      ui-nav-menu, ui-title-bar, ui-save-bar, ui-modal, s-app-nav { display: none !important; }
      .studio-demo-toasts { position: fixed; left: 50%; bottom: 24px; transform: translateX(-50%); z-index: 10000;
        display: flex; flex-direction: column; align-items: center; gap: 8px; pointer-events: none; }
      .studio-demo-toast { pointer-events: auto; display: flex; align-items: center; gap: 12px; max-width: 480px;
        padding: 10px 12px 10px 16px; border-radius: 12px; background: #1a1a1a; color: #fff;
        font: 500 13px/20px Inter, -apple-system, "Segoe UI", Roboto, sans-serif;
        box-shadow: 0 8px 20px -4px rgba(0,0,0,.3); }
      .studio-demo-toast[data-error] { background: #8e1f0b; }
      .studio-demo-toast button { all: unset; cursor: pointer; padding: 2px 6px; border-radius: 6px; color: #fff; font-size: 16px; line-height: 16px; }
      .studio-demo-toast button:focus-visible { outline: 2px solid #fff; }
      .studio-demo-picker { border: none; border-radius: 16px; padding: 0; width: min(520px, calc(100vw - 32px));
        box-shadow: 0 20px 40px rgba(0,0,0,.25); font: 13px/20px Inter, -apple-system, "Segoe UI", Roboto, sans-serif; color: #303030; }
      .studio-demo-picker::backdrop { background: rgba(0,0,0,.5); }
      .studio-demo-picker header { display: flex; justify-content: space-between; align-items: center; padding: 12px 16px; background: #f3f3f3; border-bottom: 1px solid #e3e3e3; }
      .studio-demo-picker h2 { margin: 0; font-size: 14px; font-weight: 650; }
      .studio-demo-picker .note { margin: 0; padding: 12px 16px; background: #fff8db; border-bottom: 1px solid #e3e3e3; }
      .studio-demo-picker ul { list-style: none; margin: 0; padding: 4px 0; }
      .studio-demo-picker label { display: flex; align-items: center; gap: 12px; padding: 8px 16px; cursor: pointer; }
      .studio-demo-picker label:hover { background: #f7f7f7; }
      .studio-demo-picker img { width: 40px; height: 40px; border-radius: 8px; border: 1px solid #e3e3e3; object-fit: cover; }
      .studio-demo-picker footer { display: flex; justify-content: flex-end; gap: 8px; padding: 12px 16px; border-top: 1px solid #e3e3e3; }
      .studio-demo-picker footer button { font: 600 12px/16px inherit; font-family: inherit; padding: 6px 12px; border-radius: 8px; border: 1px solid #d4d4d4; background: #fff; cursor: pointer; }
      .studio-demo-picker footer button[value="select"] { background: #303030; border-color: #303030; color: #fff; }
      .studio-demo-picker .close { all: unset; cursor: pointer; font-size: 18px; padding: 2px 6px; border-radius: 6px; }
      .studio-demo-picker button:focus-visible { outline: 2px solid #005bd3; outline-offset: 1px; }
    `);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  } catch {
    /* very old browser: the elements stay visible, nothing breaks */
  }

  // ---- session tokens ----
  let token = "";
  let tokenExpiresAt = 0;
  let pendingToken = null;
  function idToken() {
    if (token && tokenExpiresAt - Date.now() > 15_000) return Promise.resolve(token);
    pendingToken ??= nativeFetch("/demo/session-token", { method: "POST", headers: { Accept: "application/json" } })
      .then((response) => {
        if (!response.ok) throw new Error(`The preview could not mint a session token (HTTP ${response.status})`);
        return response.json();
      })
      .then((body) => {
        token = body.token;
        tokenExpiresAt = body.expires_at * 1000;
        return token;
      })
      .finally(() => {
        pendingToken = null;
      });
    return pendingToken;
  }

  // ---- fetch: same-origin requests carry a fresh session token, as App Bridge does ----
  window.fetch = async function studioDemoFetch(input, init) {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (url.origin !== location.origin || url.pathname.startsWith("/demo/")) return nativeFetch(input, init);
    const headers = new Headers(init && init.headers !== undefined ? init.headers : input instanceof Request ? input.headers : undefined);
    if (!headers.has("Authorization")) headers.set("Authorization", `Bearer ${await idToken()}`);
    const response = await nativeFetch(input, { ...init, headers });
    // The server asks for a retry with a new token when the one sent was refused (e.g. expired).
    const bodyless = !(init && init.body) && !(input instanceof Request && input.body);
    if (response.status === 401 && response.headers.has("X-Shopify-Retry-Invalid-Session-Request") && bodyless) {
      token = "";
      headers.set("Authorization", `Bearer ${await idToken()}`);
      return nativeFetch(input, { ...init, headers });
    }
    const reauthorize = response.headers.get("X-Shopify-API-Request-Failure-Reauthorize-Url");
    if (response.status === 401 && reauthorize) location.assign(reauthorize);
    return response;
  };

  // ---- toasts ----
  let toastRegion = null;
  let toastCounter = 0;
  function region() {
    if (!toastRegion || !toastRegion.isConnected) {
      toastRegion = document.createElement("div");
      toastRegion.className = "studio-demo-toasts";
      toastRegion.setAttribute("role", "status");
      toastRegion.setAttribute("aria-live", "polite");
      document.body.appendChild(toastRegion);
    }
    return toastRegion;
  }
  const toast = {
    show(message, options = {}) {
      const id = `studio-demo-toast-${++toastCounter}`;
      const item = document.createElement("div");
      item.className = "studio-demo-toast";
      item.id = id;
      if (options.isError) item.setAttribute("data-error", "");
      const text = document.createElement("span");
      text.textContent = String(message);
      const close = document.createElement("button");
      close.type = "button";
      close.setAttribute("aria-label", "Dismiss notification");
      close.textContent = "×";
      close.addEventListener("click", () => toast.hide(id));
      item.append(text, close);
      region().appendChild(item);
      setTimeout(() => toast.hide(id), options.duration ?? 5000);
      return id;
    },
    hide(id) {
      document.getElementById(id)?.remove();
    },
  };

  // ---- resource picker: demo products (the preview is not connected to a store) ----
  const swatch = (fill, shape) =>
    `data:image/svg+xml,${encodeURIComponent(
      `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="80"><rect width="80" height="80" fill="#f4f4f4"/>${shape.replaceAll("FILL", fill)}</svg>`,
    )}`;
  const DEMO_PRODUCTS = [
    { id: "gid://shopify/Product/9000000001", title: "Ceramic mug", handle: "ceramic-mug", image: swatch("#c0392b", '<rect x="22" y="24" width="30" height="34" rx="4" fill="FILL"/><path d="M52 32h6a6 6 0 0 1 0 12h-6" stroke="FILL" stroke-width="4" fill="none"/>') },
    { id: "gid://shopify/Product/9000000002", title: "Canvas tote bag", handle: "canvas-tote-bag", image: swatch("#2c3e50", '<path d="M30 30a10 10 0 0 1 20 0" stroke="FILL" stroke-width="3" fill="none"/><rect x="20" y="30" width="40" height="32" rx="3" fill="FILL"/>') },
    { id: "gid://shopify/Product/9000000003", title: "Brass desk lamp", handle: "brass-desk-lamp", image: swatch("#b7950b", '<path d="M28 24h24l6 16H22z" fill="FILL"/><rect x="38" y="40" width="4" height="18" fill="FILL"/><rect x="28" y="58" width="24" height="5" rx="2" fill="FILL"/>') },
  ];

  function resourcePicker(options = {}) {
    if (options.type !== "product") {
      toast.show("The local preview can only pick products");
      return Promise.resolve(undefined);
    }
    const multiple = options.multiple === true || typeof options.multiple === "number";
    return new Promise((resolve) => {
      const dialog = document.createElement("dialog");
      dialog.className = "studio-demo-picker";
      dialog.setAttribute("aria-labelledby", "studio-demo-picker-title");
      const rows = DEMO_PRODUCTS.map(
        (product, index) => `<li><label><input type="${multiple ? "checkbox" : "radio"}" name="product" value="${index}">` +
          `<img src="${product.image}" alt=""><span>${product.title}</span></label></li>`,
      ).join("");
      dialog.innerHTML =
        `<form method="dialog"><header><h2 id="studio-demo-picker-title">${multiple ? "Select products" : "Select product"}</h2>` +
        `<button class="close" value="cancel" aria-label="Close">×</button></header>` +
        `<p class="note">Local preview: these demo products are not in a Shopify store, so Studio can't fetch their images.</p>` +
        `<ul>${rows}</ul><footer><button value="cancel">Cancel</button><button value="select">Select</button></footer></form>`;
      document.body.appendChild(dialog);
      dialog.addEventListener("close", () => {
        const chosen = dialog.returnValue === "select"
          ? [...dialog.querySelectorAll("input:checked")].map((input) => DEMO_PRODUCTS[Number(input.value)])
          : [];
        dialog.remove();
        if (chosen.length === 0) return resolve(undefined);
        resolve(
          chosen.map((product) => ({
            id: product.id,
            title: product.title,
            handle: product.handle,
            status: "ACTIVE",
            images: [{ id: `${product.id}/image`, altText: product.title, originalSrc: product.image }],
            variants: [],
          })),
        );
      });
      dialog.showModal();
    });
  }

  // ---- title bar and navigation, shown by the admin frame around the app ----
  const describe = () => {
    const bar = document.querySelector("ui-title-bar");
    const nav = document.querySelector("ui-nav-menu, s-app-nav");
    return {
      path: location.pathname + location.search,
      titleBar: bar && {
        title: bar.getAttribute("title") || "",
        items: [...bar.children].map((el, index) => ({
          index,
          text: (el.textContent || "").trim(),
          variant: el.getAttribute("variant") || "",
          tone: el.getAttribute("tone") || "",
          disabled: el.hasAttribute("disabled") || el.hasAttribute("loading"),
        })),
      },
      nav: nav ? [...nav.querySelectorAll("a")].map((a, index) => ({ index, text: (a.textContent || "").trim(), href: a.getAttribute("href") || "", rel: a.getAttribute("rel") || "" })) : [],
    };
  };
  let lastState = "";
  let syncQueued = false;
  const sync = () => {
    syncQueued = false;
    const state = describe();
    const json = JSON.stringify(state);
    if (json === lastState) return;
    lastState = json;
    if (framed) window.parent.postMessage({ source: "studio-demo-app", type: "state", state }, location.origin);
  };
  const queueSync = () => {
    if (syncQueued) return;
    syncQueued = true;
    setTimeout(sync, 30);
  };
  new MutationObserver(queueSync).observe(document.documentElement, { subtree: true, childList: true, attributes: true, characterData: true });
  window.addEventListener("popstate", queueSync);
  window.addEventListener("load", queueSync);

  const activate = (element) => {
    if (!element) return;
    if (element.tagName === "A") element.dispatchEvent(new CustomEvent("shopify:navigate", { bubbles: true }));
    else element.click();
  };
  window.addEventListener("message", (event) => {
    if (event.origin !== location.origin || event.source !== window.parent) return;
    const message = event.data;
    if (!message || message.source !== "studio-demo-shell") return;
    if (message.type === "title-bar") activate(document.querySelector("ui-title-bar")?.children[message.index]);
    if (message.type === "nav") activate(document.querySelector("ui-nav-menu, s-app-nav")?.querySelectorAll("a")[message.index]);
    if (message.type === "sync") {
      lastState = "";
      queueSync();
    }
  });

  // Links into the Shopify admin (shopify://admin/…) need a real store.
  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[href^="shopify:"]') : null;
    if (!link) return;
    event.preventDefault();
    toast.show("Opening Shopify admin pages needs a real store");
  });

  // Shopify's bounce page (/auth/session-token?shopify-reload=…): reload with a fresh token.
  if (location.pathname.endsWith("/auth/session-token")) {
    const reload = query.get("shopify-reload");
    if (reload) {
      idToken().then((fresh) => {
        const target = new URL(reload, location.href);
        if (target.origin !== location.origin) return;
        target.searchParams.set("id_token", fresh);
        location.replace(target.href);
      });
    }
  }

  window.shopify = {
    config: { apiKey, shop, host, locale: "en" },
    environment: { embedded: framed, mobile: false, pos: false },
    origin: location.origin,
    idToken,
    toast,
    resourcePicker,
    loading() {},
    saveBar: { show: async () => {}, hide: async () => {}, toggle: async () => {}, leaveConfirmation: async () => {} },
    modal: { show: async () => {}, hide: async () => {}, toggle: async () => {} },
    user: async () => ({ id: 1, name: "Demo merchant", accountAccessLevel: "OWNER" }),
  };
})();
