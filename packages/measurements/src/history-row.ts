// The monitor's history as it crosses a table: a node's resource sample, the node in a stored second, and the second
// itself (one schema each, the types inferred), plus the row as the table holds it with its version.
import { z } from 'zod';
import { fromColumns } from './history-codec.js';

/** A figure a node may not measure: null then; rows written before a figure was kept read it as null. */
const figure = z.number().nullable().default(null);

export const nodeSampleSchema = z.object({
  atMs: z.number(),
  cpuPercent: figure,
  systemCpuPercent: figure,
  memoryPercent: figure,
  ioUtilPercent: figure,
  /** Bytes/s through the host's interfaces (loopback has no link speed, so no utilisation %). */
  networkRxBytesPerSecond: figure,
  networkTxBytesPerSecond: figure,
  eventLoopLagP99Ms: figure,
  gcPauseMs: figure,
  eventsPerSecond: figure,
  /** The node process's resident memory (absent in history rows written before it was kept). */
  rssBytes: z.number().nullable().optional(),
  /** The embedded store's bytes (in memory when storeInMemory), null where the node has none. */
  storeBytes: z.number().nullable().optional(),
  /** Per-minute aggregates written before this schema averaged the flag into a number (the share of its seconds). */
  storeInMemory: z
    .union([z.boolean(), z.number().transform((share) => share > 0)])
    .nullable()
    .optional(),
  /** Per backend kind (store, cache, bus), how long the oldest call in progress has waited, ms (0: none waiting). */
  waitsMs: z.record(z.string(), z.number()).nullable().optional(),
});
export type NodeSample = z.output<typeof nodeSampleSchema>;

export const historyNodeSchema = nodeSampleSchema.omit({ atMs: true }).extend({
  id: z.string(),
  role: z.string(),
  up: z.boolean(),
});
export type HistoryNode = z.output<typeof historyNodeSchema>;

/** Who waited in PostgreSQL that second: by wait event, and lock requests on the store's own table. */
export const historyPostgresSchema = z.object({
  byEvent: z.record(z.string(), z.number()),
  storeTableLocks: z.object({ waiting: z.number(), longestWaitMs: z.number().nullable() }),
});
export type HistoryPostgres = z.output<typeof historyPostgresSchema>;

export const historyRowSchema = z.object({
  atMs: z.number(),
  throughput: z.number(),
  queueDepth: z.number().nullable(),
  nodes: z.array(historyNodeSchema),
  /** Per component, the HDR histogram of that second (compressed base64). */
  latency: z.record(z.string(), z.string()),
  /** PostgreSQL waits sampled that second (absent in rows written before they were kept; null: not sampled). */
  postgres: historyPostgresSchema.nullable().optional(),
});
export type HistoryRow = z.output<typeof historyRowSchema>;

/**
 * 3: nodes and latency in the packed column (history-codec.ts); 2: a version column, nodes may carry
 * rssBytes/storeBytes; rows without a version are 1.
 */
export const HISTORY_ROW_VERSION = 3;

/** A row of monitor_history (or of its per-minute aggregates) as the database client returns it. */
export const storedHistoryRowSchema = z.object({
  at: z.date(),
  version: z.number().int().nullish(),
  throughput: z.coerce.number(),
  /** bigint: pg returns it as a string. */
  queue_depth: z.coerce.number().nullable(),
  /** Rows before version 3 keep nodes and latency as jsonb; from 3 they are null and `packed` holds both. */
  nodes: z.array(historyNodeSchema).nullish(),
  latency: z.record(z.string(), z.string()).nullish(),
  packed: z.instanceof(Uint8Array).nullish(),
});

/** Reads a stored row (any version); a row this version cannot read is an error naming the field. */
export function readHistoryRow(raw: unknown): { version: number; row: HistoryRow } {
  const parsed = storedHistoryRowSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `unreadable monitor history row (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown shape'})`,
    );
  }
  const r = parsed.data;
  const { postgres, ...columns } = fromColumns({
    packed: r.packed ?? null,
    nodes: r.nodes ?? null,
    latency: r.latency ?? null,
  });
  return {
    version: r.version ?? 1,
    row: {
      atMs: r.at.getTime(),
      throughput: r.throughput,
      queueDepth: r.queue_depth,
      ...columns,
      ...(postgres ? { postgres } : {}),
    },
  };
}
