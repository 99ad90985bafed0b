// Benchmark: the PostgreSQL store's write path (insertBatch: one INSERT … SELECT FROM unnest … ON CONFLICT DO NOTHING
// per batch) against `psql \copy` of the same number of rows, in one run; beside them the write-path variants the
// issue asks about, each into its own fresh table: batch sizes, concurrent writers, multi-row VALUES, and COPY into a
// staging table followed by INSERT … SELECT … ON CONFLICT (the only COPY that keeps exactly-once by id).
// Usage: npx tsx bench/store-write.ts [--events 50000] [--batch 1000] [--writers 1] [--variants all|ours|timestamps]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createStore, type StoredEventInput } from '@logperf/cluster';
import { loadConfig } from '@logperf/core';
import pg from 'pg';
import { copyReference, psql } from './copy-reference.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '50000' },
    batch: { type: 'string', default: '1000' },
    writers: { type: 'string', default: '1' },
    variants: { type: 'string', default: 'all' },
  },
});
const total = Number(values.events);
const DATABASE_URL = process.env.LOGPERF_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const suffix = `${Date.now()}_${process.pid}`;

function events(n: number): StoredEventInput[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    level: 'INFO' as const,
    message: `bench event ${i} ${'x'.repeat(120)}`,
    source: `bench-${i % 8}`,
    timestamp: now,
    ingestedAt: now,
  }));
}

const chunks = <T>(list: T[], size: number) =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

/** Our store's insertBatch, `writers` batches in flight at once (as that many processors would). */
async function ours(batch: number, writers: number) {
  const table = `bench_store_${suffix}_${batch}_${writers}`;
  const store = await createStore(
    loadConfig({ ...process.env, LOGPERF_STORE: 'postgres', LOGPERF_STORE_TABLE: table }),
  );
  const batches = chunks(events(total), batch);
  const start = performance.now();
  let next = 0;
  let inserted = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (next < batches.length) {
        const result = await store.insertBatch(batches[next++]!);
        inserted += result.inserted;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  // Replaying one batch must insert nothing: the exactly-once guarantee the variants have to keep.
  const replay = (await store.insertBatch(batches[0]!)).inserted;
  await store.sql().query(`DROP TABLE ${table}`);
  await store.close();
  return {
    name: `insertBatch (unnest), batch ${batch}, ${writers} writer(s)`,
    inserted,
    replayInserted: replay,
    eventsPerSecond: Math.round(total / seconds),
  };
}

/** Multi-row INSERT … VALUES ($1..$8), (…) … ON CONFLICT DO NOTHING, batch rows per statement. */
async function multiRow(batch: number) {
  const table = `bench_store_values_${suffix}`;
  const store = await createStore(
    loadConfig({ ...process.env, LOGPERF_STORE: 'postgres', LOGPERF_STORE_TABLE: table }),
  );
  await store.close();
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  const batches = chunks(events(total), batch);
  const start = performance.now();
  for (const rows of batches) {
    const params: unknown[] = [];
    const tuples = rows.map((e, i) => {
      params.push(
        e.id,
        e.level,
        e.message,
        e.source,
        new Date(e.timestamp).toISOString(),
        null,
        null,
        new Date(e.ingestedAt).toISOString(),
      );
      const b = i * 8;
      return `($${b + 1}::uuid,$${b + 2},$${b + 3},$${b + 4},$${b + 5}::timestamptz,$${b + 6},$${b + 7}::jsonb,$${b + 8}::timestamptz)`;
    });
    await client.query(
      `INSERT INTO ${table} (id, level, message, source, event_ts, trace_id, attributes, ingested_at) VALUES ${tuples.join(',')} ON CONFLICT (id) DO NOTHING`,
      params,
    );
  }
  const seconds = (performance.now() - start) / 1000;
  await client.query(`DROP TABLE ${table}`);
  await client.end();
  return { name: `multi-row INSERT … VALUES, batch ${batch}`, eventsPerSecond: Math.round(total / seconds) };
}

/** The same unnest statement, but timestamps sent as epoch-ms numbers and converted by PostgreSQL (to_timestamp). */
async function unnestEpoch(batch: number) {
  const table = `bench_store_epoch_${suffix}`;
  const store = await createStore(
    loadConfig({ ...process.env, LOGPERF_STORE: 'postgres', LOGPERF_STORE_TABLE: table }),
  );
  await store.close();
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  const sql = `INSERT INTO ${table} (id, level, message, source, event_ts, trace_id, attributes, ingested_at)
SELECT id, level, message, source, to_timestamp(event_ms / 1000), trace_id, attributes::jsonb, to_timestamp(ingested_ms / 1000)
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::text[], $7::text[], $8::float8[])
  AS u(id, level, message, source, event_ms, trace_id, attributes, ingested_ms)
ON CONFLICT (id) DO NOTHING`;
  const batches = chunks(events(total), batch);
  const start = performance.now();
  for (const rows of batches) {
    await client.query(sql, [
      rows.map((e) => e.id),
      rows.map((e) => e.level),
      rows.map((e) => e.message),
      rows.map((e) => e.source),
      rows.map((e) => e.timestamp),
      rows.map(() => null),
      rows.map(() => null),
      rows.map((e) => e.ingestedAt),
    ]);
  }
  const seconds = (performance.now() - start) / 1000;
  await client.query(`DROP TABLE ${table}`);
  await client.end();
  return {
    name: `unnest with epoch-ms timestamps (to_timestamp in SQL), batch ${batch}, 1 writer`,
    eventsPerSecond: Math.round(total / seconds),
  };
}

/** psql: COPY into a temporary staging table, then INSERT … SELECT … ON CONFLICT DO NOTHING, in one session. */
async function copyStaged() {
  const table = `bench_store_copy_${suffix}`;
  const now = new Date().toISOString();
  const lines = events(total).map(
    (e, i) => `${e.id}\tINFO\tbench event ${i} ${'x'.repeat(120)}\t${e.source}\t${now}\t\\N\t\\N\t${now}`,
  );
  await psql([
    '-c',
    `CREATE TABLE ${table} (id uuid PRIMARY KEY, level text NOT NULL, message text NOT NULL, source text NOT NULL, event_ts timestamptz NOT NULL, trace_id text, attributes jsonb, ingested_at timestamptz NOT NULL, stored_at timestamptz NOT NULL DEFAULT now())`,
  ]);
  const script = `BEGIN;\nCREATE TEMP TABLE stage (id uuid, level text, message text, source text, event_ts timestamptz, trace_id text, attributes jsonb, ingested_at timestamptz) ON COMMIT DROP;\nCOPY stage FROM STDIN;\n${lines.join('\n')}\n\\.\nINSERT INTO ${table} (id, level, message, source, event_ts, trace_id, attributes, ingested_at) SELECT * FROM stage ON CONFLICT (id) DO NOTHING;\nCOMMIT;\n`;
  const start = performance.now();
  await psql(['-f', '-'], script);
  const seconds = (performance.now() - start) / 1000;
  await psql(['-c', `DROP TABLE ${table}`]);
  return {
    name: 'psql COPY → staging table → INSERT … SELECT … ON CONFLICT (one transaction)',
    eventsPerSecond: Math.round(total / seconds),
  };
}

const batch = Number(values.batch);
const writers = Number(values.writers);
const main = await ours(batch, writers);
const reference = await copyReference(total);
const ratio = main.eventsPerSecond / reference.rowsPerSecond;
const variants =
  values.variants === 'timestamps'
    ? [
        await ours(1000, 1),
        await unnestEpoch(1000),
        await ours(1000, 1),
        await unnestEpoch(1000),
        await ours(1000, 1),
        await unnestEpoch(1000),
      ]
    : values.variants === 'all'
      ? [
          await ours(250, 1),
          await ours(5000, 1),
          await ours(1000, 2),
          await ours(1000, 4),
          await multiRow(1000),
          await copyStaged(),
        ]
      : [];
console.log(
  JSON.stringify(
    {
      bench: 'store-write',
      events: total,
      ours: main,
      reference: {
        name: 'psql \\copy of the same number of rows (no conflict check)',
        rowsPerSecond: Math.round(reference.rowsPerSecond),
      },
      ratio: Number(ratio.toFixed(3)),
      variants,
    },
    null,
    2,
  ),
);
console.log(
  `| ${new Date().toISOString().slice(0, 10)} | \`npx tsx bench/store-write.ts --events ${total} --batch ${batch} --writers ${writers}\` | ${main.eventsPerSecond} | ${Math.round(reference.rowsPerSecond)} | ${ratio.toFixed(3)} |`,
);
