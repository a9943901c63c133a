import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalQuery, hmacMessage, signRequest } from "~/api/hmac-signature";

describe("HMAC canonical message", () => {
  it("drops hmac/signature, decodes form-style, sorts by key then value in code-unit order", () => {
    expect(canonicalQuery("?timestamp=1&shop=a.myshopify.com&hmac=x&signature=y&b=2&b=1&a=%20z+q&%C3%A9=1&Z=0")).toBe(
      "Z=0&a= z q&b=1&b=2&shop=a.myshopify.com&timestamp=1&é=1",
    );
    expect(canonicalQuery("")).toBe("");
  });

  it("is METHOD\\nPATH\\nQUERY\\nBODY with the raw body bytes", () => {
    const body = Buffer.from([0xff, 0x00, 0x41]);
    const message = hmacMessage("post", "/v1/jobs", "?shop=s.myshopify.com&timestamp=5", body);
    expect(message.equals(Buffer.concat([Buffer.from("POST\n/v1/jobs\nshop=s.myshopify.com&timestamp=5\n"), body]))).toBe(true);
    expect(signRequest("k", "POST", "/v1/jobs", "?shop=s.myshopify.com&timestamp=5", body)).toBe(
      createHmac("sha256", "k").update(message).digest("base64"),
    );
  });
});
