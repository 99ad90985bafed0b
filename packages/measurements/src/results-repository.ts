// Keeps load-test results in the store's database (PGlite or PostgreSQL), so a restart keeps the history.
import { z } from 'zod';
import { migrate, type SqlClient } from './sql.js';

/**
 * A row of loadtest_results. `result` is a LoadTestResultBody once the test ended ({ progress: null } while it runs);
 * it carries its own version (resultVersion), so a reader parses it with storedLoadTestResultSchema.
 */
export const storedResultSchema = z.object({
  testId: z.string(),
  testName: z.string(),
  kind: z.string(),
  status: z.string(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  passed: z.boolean().nullable(),
  result: z.unknown(),
});
export type StoredResult = z.output<typeof storedResultSchema>;

interface Row {
  test_id: string;
  test_name: string;
  kind: string;
  status: string;
  started_at: Date;
  finished_at: Date | null;
  passed: boolean | null;
  result: unknown;
}

const toStored = (row: Row): StoredResult => ({
  testId: row.test_id,
  testName: row.test_name,
  kind: row.kind,
  status: row.status,
  startedAt: row.started_at.getTime(),
  finishedAt: row.finished_at?.getTime() ?? null,
  passed: row.passed,
  result: row.result,
});

export class ResultsRepository {
  constructor(private readonly sql: SqlClient) {}

  async init(): Promise<void> {
    await migrate(this.sql, [
      `CREATE TABLE IF NOT EXISTS loadtest_results (
      test_id text PRIMARY KEY, test_name text NOT NULL, kind text NOT NULL, status text NOT NULL,
      started_at timestamptz NOT NULL, finished_at timestamptz, passed boolean, result jsonb NOT NULL)`,
    ]);
  }

  async save(r: StoredResult): Promise<void> {
    await this.sql.query(
      `INSERT INTO loadtest_results (test_id, test_name, kind, status, started_at, finished_at, passed, result)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
       ON CONFLICT (test_id) DO UPDATE SET status = EXCLUDED.status, finished_at = EXCLUDED.finished_at, passed = EXCLUDED.passed, result = EXCLUDED.result`,
      [
        r.testId,
        r.testName,
        r.kind,
        r.status,
        new Date(r.startedAt),
        r.finishedAt === null ? null : new Date(r.finishedAt),
        r.passed,
        JSON.stringify(r.result),
      ],
    );
  }

  async get(testId: string): Promise<StoredResult | undefined> {
    const { rows } = await this.sql.query<Row>('SELECT * FROM loadtest_results WHERE test_id = $1', [testId]);
    return rows[0] && toStored(rows[0]);
  }

  async latest(): Promise<StoredResult | undefined> {
    const { rows } = await this.sql.query<Row>(
      "SELECT * FROM loadtest_results WHERE status <> 'running' ORDER BY started_at DESC LIMIT 1",
    );
    return rows[0] && toStored(rows[0]);
  }

  /** Newest first, without the bulky result body. */
  async list(limit: number, offset: number): Promise<Omit<StoredResult, 'result'>[]> {
    const { rows } = await this.sql.query<Row>(
      'SELECT test_id, test_name, kind, status, started_at, finished_at, passed, NULL AS result FROM loadtest_results ORDER BY started_at DESC LIMIT $1 OFFSET $2',
      [limit, offset],
    );
    return rows.map((row) => {
      const { result: _result, ...summary } = toStored(row);
      return summary;
    });
  }

  /** A test left 'running' by a crash is marked so at start-up instead of looking alive forever. */
  async markInterrupted(): Promise<number> {
    const { rows } = await this.sql.query<{ test_id: string }>(
      "UPDATE loadtest_results SET status = 'interrupted', finished_at = now() WHERE status = 'running' RETURNING test_id",
    );
    return rows.length;
  }
}
