// The one envelope of a bus record: the event as the gateway received it, plus when it was accepted and for which test.
// Written by the gateway (and the load generator's bus target), read by the processors; the event schema stays strict.
import { z } from 'zod';
import { epochMsSchema, normalisedEventSchema } from './event.js';

/** The HTTP header a load test sends its id in; the gateway copies it into the envelope. */
export const TEST_ID_HEADER = 'x-logperf-test-id';

/** Short and printable (visible ASCII, no spaces): it becomes a key of per-test figures and a label in reports. */
export const testIdSchema = z.string().regex(/^[\x21-\x7e]{1,64}$/, 'test id must be 1–64 visible ASCII characters');

export const busEnvelopeSchema = z.strictObject({
  acceptedAt: epochMsSchema,
  testId: testIdSchema.optional(),
  event: normalisedEventSchema,
});
export type BusEnvelope = z.output<typeof busEnvelopeSchema>;

export interface EnvelopeMeta {
  acceptedAt: number;
  testId?: string | undefined;
}

/**
 * Wraps the event's JSON text without parsing or re-serialising it. `eventJson` must be one JSON object whose
 * timestamp is already epoch ms (the gateway passes the bytes it validated, or the normalised event re-serialised).
 */
export function encodeBusRecord(eventJson: string, meta: EnvelopeMeta): Buffer {
  const test = meta.testId === undefined ? '' : `,"testId":${JSON.stringify(meta.testId)}`;
  return Buffer.from(`{"acceptedAt":${meta.acceptedAt}${test},"event":${eventJson}}`);
}

/** Parses and validates a record's value once; undefined when it is not a valid envelope (a poison record). */
export function decodeBusRecord(value: Buffer): BusEnvelope | undefined {
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = busEnvelopeSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
