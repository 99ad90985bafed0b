// What a generator thread is told to run and what it answers: one owner for the messages between a worker and its
// coordinator (a local thread today; a remote `logperf worker` speaks the same).
import { z } from 'zod';
import type { ShapeSpec } from './pacer.js';
import type { TargetSpec } from './target.js';
import { secondReportSchema } from './second-report.js';

const shapeSpecSchema: z.ZodType<ShapeSpec> = z.lazy(() =>
  z.union([
    z.object({ kind: z.literal('constant'), ratePerSecond: z.number(), durationMs: z.number() }),
    z.object({
      kind: z.literal('linear'),
      fromPerSecond: z.number(),
      toPerSecond: z.number(),
      durationMs: z.number(),
    }),
    z.object({ kind: z.literal('sequence'), shapes: z.array(shapeSpecSchema) }),
  ]),
);

export const workOrderSchema = z.object({
  testId: z.string(),
  plan: z.array(z.object({ name: z.string(), shape: shapeSpecSchema })),
  segment: z.object({ index: z.number().int().min(0), count: z.number().int().min(1) }),
  target: z.union([
    z.object({
      kind: z.literal('http'),
      url: z.string(),
      connections: z.number().int().min(1),
      timeoutMs: z.number().positive(),
      testId: z.string(),
      /** The deployment's token, sent to the gateway as a bearer token (a worker on another host needs it too). */
      apiToken: z.string().optional(),
    }),
    z.object({
      kind: z.literal('kafka'),
      bus: z.custom<Extract<TargetSpec, { kind: 'kafka' }>['bus']>((v) => typeof v === 'object' && v !== null),
      timeoutMs: z.number().positive(),
    }),
  ]),
  eventMix: z.object({
    levels: z.record(z.string(), z.number()),
    messageMedianBytes: z.number(),
    messageSigma: z.number(),
    sources: z.number(),
    traceShare: z.number(),
  }),
  batchSize: z.number().int().min(1),
  maxLingerMs: z.number().min(0),
  maxInFlight: z.number().int().min(1),
  lateThresholdMs: z.number().positive(),
  dropAfterMs: z.number().positive(),
  timeoutMs: z.number().positive(),
});
export type WorkOrder = z.output<typeof workOrderSchema>;

/** The worker's own cost: CPU of its thread (from /proc/thread-self/stat, null where there is none) and its loop. */
export const workerCostSchema = z.object({
  cpuMs: z.number().nullable(),
  cpuSource: z.string(),
  /** The thread's CPU priority: raised ahead of the measured system where the host allows it. */
  priority: z.string(),
  eventLoopUtilization: z.number(),
  sent: z.number(),
});
export type WorkerCost = z.output<typeof workerCostSchema>;

/** How a worker's attack on its segment ended (AttackOutcome). */
export const attackOutcomeSchema = z.object({
  elapsedMs: z.number(),
  stoppedEarly: z.boolean(),
  generatorLateAtMs: z.number().nullable(),
  targetLimitedAtMs: z.number().nullable(),
  maxScheduleLagMs: z.number(),
});

/** Coordinator → worker: start at the schedule's time zero (shared by every worker of the test), or stop. */
export type CoordinatorMessage = { type: 'start'; startAtEpochMs: number } | { type: 'stop' };

export const workerMessageSchema = z.discriminatedUnion('type', [
  /** Target open, ready for the start. */
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('report'),
    reports: z.array(secondReportSchema),
    /** No later report touches a second before this one: the coordinator may summarise them. */
    sealBeforeSecond: z.number(),
    cost: workerCostSchema,
  }),
  z.object({
    type: z.literal('done'),
    reports: z.array(secondReportSchema),
    cost: workerCostSchema,
    outcome: attackOutcomeSchema,
  }),
  z.object({ type: z.literal('failed'), message: z.string() }),
]);
export type WorkerMessage = z.output<typeof workerMessageSchema>;
