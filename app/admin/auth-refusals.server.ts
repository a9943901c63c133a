// authenticate.admin and .webhook answer most refusals with a Response, but throw plain errors
// for some (an exit-iframe destination they distrust, a token whose dest is not a shop, a token
// exchange Shopify did not answer, a signed payload that is not JSON). Those become clear
// 4xx/503 responses here, not 500s.
import { HttpMaxRetriesError, HttpRequestError, HttpResponseError, SessionStorageError, ShopifyError } from "@shopify/shopify-api";

const SHOPIFY_UNREACHABLE = "Shopify didn't answer while Studio signed you in. Reload the page in a moment.";
const text = (status: number, body: string) => new Response(body, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });

/** `error` as the Response to throw, or null for a failure of ours (left a 500). */
export function authRefusal(error: unknown): Response | null {
  if (error instanceof HttpRequestError || error instanceof HttpResponseError || error instanceof HttpMaxRetriesError) {
    return text(503, SHOPIFY_UNREACHABLE);
  }
  if (error instanceof ShopifyError && !(error instanceof SessionStorageError)) return text(400, `Bad request: ${error.message}`);
  return null;
}

/**
 * Runs an admin authentication; its Responses pass through, refusals become Responses. (The
 * library answers a failed token exchange, or a failed after-auth call to Shopify, with a bare
 * 500: that is Shopify out of reach, a 503 with a line to read.)
 */
export async function authenticatedOrRefused<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Response) throw error.status === 500 ? text(503, SHOPIFY_UNREACHABLE) : error;
    throw authRefusal(error) ?? error;
  }
}

/**
 * A webhook whose HMAC checks out but whose payload the library cannot read (not JSON, a
 * shop header that is not a shop) is refused with a 400; a bad HMAC is the library's 401.
 */
export async function verifiedWebhookOrRefused<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Response) throw error;
    if (error instanceof SyntaxError || error instanceof ShopifyError) throw text(400, "Bad webhook payload");
    throw error;
  }
}
