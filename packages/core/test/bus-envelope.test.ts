import { decodeBusRecord, encodeBusRecord, testIdSchema } from '@logperf/core';
import { describe, expect, it } from 'vitest';

const event = {
  id: '0b7e8e2c-3f7a-4f43-9d0e-7c1c1b0c8a11',
  level: 'INFO',
  message: 'hello',
  source: 'api',
  timestamp: 1_764_000_000_000,
};

describe('bus envelope', () => {
  it('wraps the event text unchanged and decodes it with its acceptance time and test id', () => {
    const text =
      '{"id":"0b7e8e2c-3f7a-4f43-9d0e-7c1c1b0c8a11", "level":"INFO","message":"hello","source":"api","timestamp":1764000000000}';
    const value = encodeBusRecord(text, { acceptedAt: 1_764_000_000_005, testId: 'run-1' });
    expect(value.toString()).toContain(text);
    expect(decodeBusRecord(value)).toEqual({ acceptedAt: 1_764_000_000_005, testId: 'run-1', event });
  });

  it('omits the test id when there is none', () => {
    const decoded = decodeBusRecord(encodeBusRecord(JSON.stringify(event), { acceptedAt: 1_764_000_000_005 }));
    expect(decoded).toEqual({ acceptedAt: 1_764_000_000_005, event });
  });

  it('rejects what the event schema rejects: ISO timestamps, unknown fields, broken JSON', () => {
    const meta = { acceptedAt: 1_764_000_000_005 };
    expect(
      decodeBusRecord(encodeBusRecord(JSON.stringify({ ...event, timestamp: '2025-11-24T16:00:00Z' }), meta)),
    ).toBeUndefined();
    expect(decodeBusRecord(encodeBusRecord(JSON.stringify({ ...event, extra: 1 }), meta))).toBeUndefined();
    expect(decodeBusRecord(Buffer.from('{"acceptedAt":1,'))).toBeUndefined();
    expect(decodeBusRecord(Buffer.from(JSON.stringify(event)))).toBeUndefined();
  });

  it('accepts short printable test ids only', () => {
    expect(testIdSchema.safeParse('3f1c-run_7').success).toBe(true);
    for (const bad of ['', 'has space', 'nul\u0000', 'é', 'x'.repeat(65)])
      expect(testIdSchema.safeParse(bad).success).toBe(false);
  });
});
