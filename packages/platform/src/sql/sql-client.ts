// A minimal SQL client (the part of a pg pool and PGlite both offer), for services that keep their own tables, and
// their migrations.

/** The part of pg.Pool and PGlite both offer. */
export interface SqlClient {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  close(): Promise<void>;
}

/**
 * Creates a service's tables under one advisory lock for every logperf service on the database: PostgreSQL's
 * CREATE TABLE IF NOT EXISTS is not safe when two sessions run it at once (the loser fails on pg_type's unique
 * index), which services started together did. A DO block is one statement, hence one transaction that holds the
 * lock to its end, and it runs alike on pg and PGlite.
 */
export async function migrate(sql: SqlClient, statements: readonly string[]): Promise<void> {
  const body = statements.map((s) => `${s.trim().replace(/;$/, '')};`).join('\n');
  await sql.query(
    `DO $migrate$ BEGIN PERFORM pg_advisory_xact_lock(hashtext('logperf.migrations'));\n${body}\nEND $migrate$`,
  );
}
