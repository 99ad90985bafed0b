// The parts of a node's GET /api/node/stats that other processes read (monitor, load generator), as one zod schema:
// a reader parses, never casts, so a node answering something else is an error with a reason, not a wrong figure.
import { z } from 'zod';

const figure = z.number().finite().nullable().optional();

export const nodeStatsSchema = z.looseObject({
  id: z.string().min(1).max(200),
  role: z.string().min(1).max(64),
  /** The process: nodes of one process (`logperf up`) share it, and their CPU and RSS. */
  pid: z.number().int().positive().optional(),
  events: z.looseObject({ total: z.number().finite().min(0).optional(), perSecond: figure }).optional(),
  resources: z
    .looseObject({
      processCpuPercent: figure,
      systemCpuPercent: figure,
      memoryPercent: figure,
      rssBytes: figure,
      diskUtilPercent: figure,
      networkRxBytesPerSecond: figure,
      networkTxBytesPerSecond: figure,
    })
    .optional(),
  eventLoop: z.looseObject({ lagP99Ms: figure }).optional(),
  gc: z.looseObject({ totalPauseMs: figure, maxPauseMs: figure }).optional(),
  /** Per component, the cumulative HDR histogram (compressed base64). */
  latency: z.record(z.string().max(64), z.looseObject({ histogram: z.string().max(1_000_000).optional() })).optional(),
  runningTest: z.unknown().optional(),
  /** Backend calls in progress per kind (store, cache, bus) and the oldest one's age: a stall while it lasts. */
  waits: z
    .record(
      z.string().max(64),
      z.looseObject({ inProgress: z.number().int().min(0), oldestMs: z.number().finite().min(0) }),
    )
    .optional(),
  /** A processor's per-test figures, keyed by the envelope's test id (the events each load test sent). */
  tests: z
    .record(
      z.string().max(64),
      z.looseObject({
        stored: z.number().int().min(0),
        endToEnd: z.looseObject({ histogram: z.string().max(1_000_000) }),
      }),
    )
    .optional(),
  /** The embedded store of a processor (PGlite): its folder or memory://, and its size. */
  store: z
    .looseObject({
      where: z.string().max(4096).optional(),
      sizeBytes: z.number().finite().min(0).nullable().optional(),
    })
    .nullable()
    .optional(),
  /** A processor's consumer-group members; a stalled one names the partitions it holds without moving them. */
  processor: z
    .looseObject({
      members: z.array(z.looseObject({ stalledPartitions: z.array(z.number().int().min(0)).optional() })).optional(),
    })
    .optional(),
});
export type NodeStats = z.output<typeof nodeStatsSchema>;
