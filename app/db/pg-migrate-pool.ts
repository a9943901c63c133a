// prisma migrate with @prisma/adapter-pg fails on columns of PostgreSQL's `name` type
// ("Column type 'name' could not be deserialized", prisma/prisma#27403): the schema engine's
// catalog queries return them. Reporting `name` (OID 19) as `text` (OID 25) is exact, since
// `name` is a short string; only the migration tooling (prisma.config.ts) uses this pool.
import pg from "pg";

const NAME_OID = 19;
const TEXT_OID = 25;

type QueryResultLike = { fields?: { dataTypeID: number }[] };

function relabel<T>(result: T): T {
  for (const r of (Array.isArray(result) ? result : [result]) as QueryResultLike[]) {
    for (const field of r?.fields ?? []) if (field.dataTypeID === NAME_OID) field.dataTypeID = TEXT_OID;
  }
  return result;
}

export function migratePool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString });
  pool.on("error", () => undefined); // an idle connection dropped by the server is simply replaced
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const last = args[args.length - 1];
      if (typeof last === "function") {
        args[args.length - 1] = (error: unknown, result: unknown) => (last as (e: unknown, r: unknown) => void)(error, error ? result : relabel(result));
        return query(...args);
      }
      const out = query(...args) as Promise<unknown> | undefined;
      return out && typeof out.then === "function" ? out.then(relabel) : out;
    };
  });
  return pool;
}
