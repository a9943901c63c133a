// Session tokens as Shopify's admin mints them for an embedded app (HS256 JWT signed with the app's
// secret), for the local preview's demo shop only.
import { createHmac, randomUUID } from "node:crypto";

export interface MintOptions {
  shop: string;
  apiKey: string;
  secret: string;
  /** Shopify's tokens live one minute. */
  ttlSeconds?: number;
  userId?: string;
  sessionId?: string;
  now?: number;
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString("base64url");

export function mintSessionToken(options: MintOptions): { token: string; expiresAt: number } {
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const exp = iat + (options.ttlSeconds ?? 60);
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = base64url(
    JSON.stringify({
      iss: `https://${options.shop}/admin`,
      dest: `https://${options.shop}`,
      aud: options.apiKey,
      sub: options.userId ?? "1",
      exp,
      nbf: iat,
      iat,
      jti: randomUUID(),
      sid: options.sessionId ?? randomUUID(),
    }),
  );
  const signature = createHmac("sha256", options.secret).update(`${header}.${payload}`).digest("base64url");
  return { token: `${header}.${payload}.${signature}`, expiresAt: exp };
}
