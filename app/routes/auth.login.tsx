// Where Shopify's library sends a visitor it cannot place in a shop (no or a bad `shop`):
// ask for the store's domain, then hand over to Shopify's install/login flow.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { login } from "~/shopify.server";
import { readAdminForm } from "~/admin/admin-form.server";

type LoginErrors = { shop?: string };

function explain(errors: Awaited<ReturnType<typeof login>>): LoginErrors {
  if (errors.shop === "MISSING_SHOP") return { shop: "Enter your store's domain." };
  if (errors.shop === "INVALID_SHOP") return { shop: "That isn't a store domain: use your-store.myshopify.com." };
  return {};
}

// (login() throws the redirect into Shopify when the shop is good; otherwise it says why not;
// the page keeps what was typed, to be corrected)
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const shop = new URL(request.url).searchParams.get("shop");
  return { errors: shop === null ? {} : explain(await login(request)), shop: shop ?? "" };
};
export const action = async ({ request }: ActionFunctionArgs) => {
  // (the library reads the body itself and fails on one that is not a form: hand it a clean one)
  const field = (await readAdminForm(request)).get("shop");
  const shop = typeof field === "string" ? field : "";
  return { errors: explain(await login(new Request(request.url, { method: "POST", body: new URLSearchParams({ shop }) }))), shop };
};

export default function Login() {
  const { errors, shop } = useActionData<typeof action>() ?? useLoaderData<typeof loader>();
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 480, margin: "4rem auto", lineHeight: 1.5 }}>
      <h1>Log in to Studio</h1>
      <Form method="post">
        <label htmlFor="shop">Store domain</label>
        <div style={{ display: "flex", gap: 8, marginTop: 4 }}>
          <input key={shop} id="shop" name="shop" type="text" defaultValue={shop} autoComplete="on" placeholder="your-store.myshopify.com" style={{ flex: 1, padding: 6 }} aria-invalid={Boolean(errors.shop)} aria-describedby="shop-error" />
          <button type="submit">Log in</button>
        </div>
        {errors.shop ? (
          <p id="shop-error" role="alert" style={{ color: "#b3261e" }}>
            {errors.shop}
          </p>
        ) : null}
      </Form>
    </main>
  );
}
