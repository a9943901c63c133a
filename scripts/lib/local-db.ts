// Writes to a local SQLite database outside the app (test servers, `npm run demo`).
import { createClient } from "@libsql/client";

/** The Shopify offline Session row that makes the server accept the shop's session tokens. */
export async function seedOfflineSession(dbFile: string, shop: string, scope: string, accessToken = "shpat_local_token") {
  const client = createClient({ url: `file:${dbFile}` });
  try {
    await client.execute({
      sql: `INSERT OR REPLACE INTO "Session" (id, shop, state, isOnline, scope, accessToken) VALUES (?, ?, '', 0, ?, ?)`,
      args: [`offline_${shop}`, shop, scope, accessToken],
    });
  } finally {
    client.close();
  }
}
