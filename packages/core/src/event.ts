// The log event: the one schema every boundary (HTTP, bus, store) validates against.
import { z } from 'zod';
import { storableText } from './text.js';

export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** Timestamps outside [2000-01-01, 2200-01-01) are almost certainly unit mistakes (seconds, µs). */
const MIN_TIMESTAMP_MS = Date.UTC(2000, 0, 1);
const MAX_TIMESTAMP_MS = Date.UTC(2200, 0, 1);

const epochMs = z
  .number()
  .refine(Number.isFinite, 'timestamp must be a finite number')
  .refine(
    (ms) => ms >= MIN_TIMESTAMP_MS && ms < MAX_TIMESTAMP_MS,
    'timestamp must be epoch milliseconds between 2000 and 2200',
  );
const isoTimestamp = z.iso
  .datetime({ offset: true })
  .transform((iso) => Date.parse(iso))
  .pipe(epochMs);

const attributeValue = z.union([storableText.max(4096), z.number(), z.boolean(), z.null()]);

export const logEventSchema = z.strictObject({
  id: z.uuid(),
  level: z.enum(LOG_LEVELS),
  message: storableText.refine(
    (m) => m.length <= MAX_MESSAGE_BYTES && Buffer.byteLength(m) <= MAX_MESSAGE_BYTES,
    `message exceeds ${MAX_MESSAGE_BYTES} bytes`,
  ),
  source: storableText.min(1).max(256),
  timestamp: z.union([epochMs, isoTimestamp]),
  traceId: storableText.min(1).max(128).optional(),
  attributes: z.record(storableText.max(256), attributeValue).optional(),
});

/** A validated event; `timestamp` is always epoch milliseconds. */
export type LogEvent = z.output<typeof logEventSchema>;

/** A validated event as it travels on the bus and into the store: `timestamp` is epoch ms only. */
export const normalisedEventSchema = logEventSchema.extend({ timestamp: epochMs });
export { epochMs as epochMsSchema };

export interface EventIssue {
  index: number;
  path: string;
  reason: string;
}

/** Validates a batch; returns the events, or every issue found (index, field path, reason). */
export function validateEvents(
  inputs: readonly unknown[],
  maxIssues = 100,
): { events: LogEvent[]; issues: EventIssue[] } {
  const events: LogEvent[] = [];
  const issues: EventIssue[] = [];
  inputs.forEach((input, index) => {
    const parsed = logEventSchema.safeParse(input);
    if (parsed.success) {
      events.push(parsed.data);
      return;
    }
    for (const issue of parsed.error.issues) {
      if (issues.length < maxIssues) issues.push({ index, path: issue.path.join('.'), reason: issue.message });
    }
  });
  return { events, issues };
}
