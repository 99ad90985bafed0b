// The messages between the coordinator (the load generator on :8081) and remote `logperf worker` processes over Kafka:
// one owner for their shapes, the topic names and the check of protocol version and token. A local generator thread
// speaks work-order.ts over its message port; a remote worker carries the same work order and second reports here.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { secondReportSchema } from './second-report.js';
import { attackOutcomeSchema, workerCostSchema, workOrderSchema } from './work-order.js';

/** Bumped on any change a worker of the previous version would misread; both sides ignore other versions. */
export const PROTOCOL_VERSION = 1;

const base = {
  protocol: z.number().int(),
  testId: z.string().min(1),
  /** HMAC-SHA256 of the test id under LOGPERF_API_TOKEN (proves the token without putting it on the topic), or null. */
  auth: z.string().nullable(),
};

/** Lobby (one topic, every worker reads it): a test wants workers. Repeated until the test starts. */
export const announcementSchema = z.object({
  ...base,
  type: z.literal('announce'),
  controlTopic: z.string(),
  resultsTopic: z.string(),
  groupId: z.string(),
  segments: z.number().int().min(1),
  sessionTimeoutMs: z.number().int().positive(),
});
export type Announcement = z.output<typeof announcementSchema>;

/** Who held a segment when the test started: that member runs it from the schedule's zero, any other resumes. */
const ownerSchema = z.object({ memberId: z.string(), generation: z.number().int() });

/** Control topic, partition p = segment p: its work order, then the start, then maybe a stop and the end. */
export const controlMessageSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('order'), order: workOrderSchema }),
  z.object({ ...base, type: z.literal('start'), startAtEpochMs: z.number(), owner: ownerSchema }),
  z.object({ ...base, type: z.literal('stop') }),
  /** The coordinator has its result: workers leave the test's group. */
  z.object({ ...base, type: z.literal('end') }),
]);
export type ControlMessage = z.output<typeof controlMessageSchema>;

const fromWorker = {
  ...base,
  segment: z.number().int().min(0),
  /** The worker's name in results. */
  worker: z.string(),
  /** Its consumer-group member id and the group generation in which it holds the segment (the fencing token). */
  memberId: z.string(),
  generation: z.number().int(),
};

/** Results topic: what the workers say about their segments. */
export const workerReportSchema = z.discriminatedUnion('type', [
  z.object({
    ...fromWorker,
    type: z.literal('claim'),
    /** Schedule time (ms since its zero) from which this owner runs the segment; 0 = from the start. */
    resumeAtMs: z.number().min(0),
    /** Where the worker answers HTTP (for a clock-offset estimate), or null. */
    url: z.string().nullable(),
  }),
  z.object({
    ...fromWorker,
    type: z.literal('report'),
    reports: z.array(secondReportSchema),
    sealBeforeSecond: z.number(),
    cost: workerCostSchema,
  }),
  z.object({
    ...fromWorker,
    type: z.literal('done'),
    reports: z.array(secondReportSchema),
    cost: workerCostSchema,
    outcome: attackOutcomeSchema,
  }),
]);
export type WorkerReport = z.output<typeof workerReportSchema>;

export interface TestTopics {
  lobby: string;
  control: string;
  results: string;
  group: string;
}

export function topicsFor(prefix: string, testId: string): TestTopics {
  return {
    lobby: lobbyTopic(prefix),
    control: `${prefix}.${testId}.control`,
    results: `${prefix}.${testId}.results`,
    group: `${prefix}.${testId}.workers`,
  };
}

export const lobbyTopic = (prefix: string) => `${prefix}.lobby`;

export function authFor(token: string | undefined, testId: string): string | null {
  return token === undefined ? null : createHmac('sha256', token).update(`logperf-worker:${testId}`).digest('hex');
}

/** Why a message must be ignored (other protocol version, missing or wrong token), or null if it may be used. */
export function rejection(message: z.output<z.ZodObject<typeof base>>, token: string | undefined): string | null {
  if (message.protocol !== PROTOCOL_VERSION)
    return `protocol version ${message.protocol}, this side speaks ${PROTOCOL_VERSION}`;
  if (token === undefined) return null;
  const expected = Buffer.from(authFor(token, message.testId)!, 'hex');
  const given = Buffer.from(message.auth ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? null
    : 'missing or wrong token (LOGPERF_API_TOKEN differs)';
}

/** Parses one Kafka record's JSON value with `schema`, or says why it cannot. */
export function decode<T>(schema: z.ZodType<T>, value: Buffer): { ok: true; value: T } | { ok: false; error: string } {
  try {
    const parsed = schema.safeParse(JSON.parse(value.toString('utf8')));
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: parsed.error.message };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
