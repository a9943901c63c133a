// Studio gallery block: asks the app proxy for the product's published Studio images and
// shows each job's final image (WebP where the browser takes it, JPEG otherwise). The
// image URLs expire (about 15 minutes), so a failed image reloads the list once.
(function () {
  "use strict";

  function byFormat(images, format) {
    for (var i = 0; i < images.length; i++) {
      if (images[i].meta && images[i].meta.format === format) return images[i];
    }
    return null;
  }

  function pictureOf(job, alt, onError) {
    var jpeg = byFormat(job.images, "jpeg");
    var webp = byFormat(job.images, "webp");
    var main = jpeg || webp || job.images[0];
    if (!main) return null;
    var picture = document.createElement("picture");
    if (webp && webp !== main) {
      var source = document.createElement("source");
      source.type = "image/webp";
      source.srcset = webp.image_url;
      picture.appendChild(source);
    }
    var img = document.createElement("img");
    img.src = main.image_url;
    img.alt = alt;
    img.loading = "lazy";
    img.decoding = "async";
    if (main.meta && main.meta.width && main.meta.height) {
      img.width = main.meta.width;
      img.height = main.meta.height;
    }
    img.addEventListener("error", onError, { once: true });
    picture.appendChild(img);
    return picture;
  }

  function show(root, jobs) {
    var grid = root.querySelector(".studio-gallery__grid");
    var alt = root.getAttribute("data-alt") || "";
    var retried = false;
    var retry = function () {
      if (retried || root.getAttribute("data-retried")) return;
      retried = true;
      root.setAttribute("data-retried", "1");
      load(root);
    };
    var pictures = [];
    jobs.forEach(function (job) {
      var picture = pictureOf(job, alt, retry);
      if (picture) pictures.push(picture);
    });
    grid.textContent = "";
    grid.removeAttribute("aria-busy");
    pictures.forEach(function (picture) {
      grid.appendChild(picture);
    });
    if (pictures.length > 0) return;
    // The merchant sees why the block is empty in the theme editor; shoppers see nothing.
    if (window.Shopify && window.Shopify.designMode) {
      var note = document.createElement("p");
      note.className = "studio-gallery__empty";
      note.textContent = root.getAttribute("data-empty");
      grid.appendChild(note);
    } else {
      root.hidden = true;
    }
  }

  function load(root) {
    fetch(root.getAttribute("data-endpoint"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("Studio gallery: HTTP " + response.status);
        return response.json();
      })
      .then(function (body) {
        show(root, body.jobs || []);
      })
      .catch(function () {
        root.hidden = true;
      });
  }

  document.querySelectorAll("[data-studio-gallery]").forEach(load);
})();
