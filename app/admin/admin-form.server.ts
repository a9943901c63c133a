// The admin pages' small actions (cancel, publish, add to product, rerun; the login page) post plain forms.
// Anything else — another method, a JSON or empty body — is refused with a 4xx the page's
// fetcher can show, instead of failing in `request.formData()` as a 500.
import { json } from "@remix-run/node";

/** The form an admin action was posted, or a thrown 405/415/400 response. */
export async function readAdminForm(request: Request): Promise<FormData> {
  if (request.method !== "POST") throw json({ ok: false, message: "Method Not Allowed" }, { status: 405, headers: { Allow: "POST" } });
  const type = (request.headers.get("content-type") ?? "").toLowerCase();
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")) {
    throw json({ ok: false, message: "Post the page's form" }, { status: 415 });
  }
  try {
    return await request.formData();
  } catch {
    throw json({ ok: false, message: "The form couldn't be read. Reload the page and try again." }, { status: 400 });
  }
}
