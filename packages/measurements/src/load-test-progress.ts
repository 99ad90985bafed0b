// The running test's progress, as the load generator serves it (GET /api/loadtest/:id while running, and the
// `runningTest` of its /api/node/stats) and the monitor and CLI read it: one schema, parsed, never cast.
import { z } from 'zod';

export const loadTestProgressSchema = z.looseObject({
  testId: z.string().max(200),
  testName: z.string().max(200),
  status: z.literal('running'),
  elapsedSeconds: z.number(),
  durationSeconds: z.number(),
  intendedRatePerSecond: z.number(),
  /** Acknowledged in the last full second. */
  achievedRatePerSecond: z.number(),
  p99Ms: z.number(),
  sent: z.number(),
  acknowledged: z.number(),
  errors: z.number(),
  dropped: z.number(),
  late: z.number(),
});
export type LoadTestProgress = z.output<typeof loadTestProgressSchema>;
