import { describe, expect, it } from 'vitest';
import { logEventSchema, MAX_MESSAGE_BYTES, validateEvents } from '@logperf/core';

const valid = {
  id: '0b7f3c2e-8a4d-4e1b-9c3f-1d2e3f4a5b6c',
  level: 'WARN',
  message: 'disk almost full',
  source: 'node-7',
  timestamp: 1_764_000_000_000,
};

describe('log event schema', () => {
  it('accepts epoch ms and ISO-8601 timestamps and normalises both to epoch ms', () => {
    expect(logEventSchema.parse(valid).timestamp).toBe(1_764_000_000_000);
    expect(logEventSchema.parse({ ...valid, timestamp: '2025-11-24T16:00:00.000Z' }).timestamp).toBe(
      Date.UTC(2025, 10, 24, 16),
    );
    expect(logEventSchema.parse({ ...valid, timestamp: '2025-11-24T17:00:00+01:00' }).timestamp).toBe(
      Date.UTC(2025, 10, 24, 16),
    );
  });

  it.each([
    ['unknown level', { level: 'FATAL' }, 'level'],
    ['lower-case level', { level: 'info' }, 'level'],
    ['id that is not a UUID', { id: '1234' }, 'id'],
    ['NaN timestamp', { timestamp: Number.NaN }, 'timestamp'],
    ['infinite timestamp', { timestamp: Number.POSITIVE_INFINITY }, 'timestamp'],
    ['timestamp in seconds', { timestamp: 1_764_000_000 }, 'timestamp'],
    ['non-ISO timestamp', { timestamp: 'yesterday' }, 'timestamp'],
    ['empty source', { source: '' }, 'source'],
    ['NUL in message', { message: 'a\u0000b' }, 'message'],
    ['lone surrogate', { message: 'a\ud800b' }, 'message'],
    ['nested attribute', { attributes: { a: { b: 1 } } }, 'attributes.a'],
    ['unknown field', { severity: 'high' }, ''],
  ])('rejects %s', (_name, change, path) => {
    const result = logEventSchema.safeParse({ ...valid, ...change });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('accepts a message of exactly 64 KiB and rejects one byte more (counted in UTF-8 bytes)', () => {
    expect(logEventSchema.safeParse({ ...valid, message: 'x'.repeat(MAX_MESSAGE_BYTES) }).success).toBe(true);
    expect(logEventSchema.safeParse({ ...valid, message: 'x'.repeat(MAX_MESSAGE_BYTES + 1) }).success).toBe(false);
    expect(logEventSchema.safeParse({ ...valid, message: 'é'.repeat(MAX_MESSAGE_BYTES / 2 + 1) }).success).toBe(false);
  });

  it('reports index, path and reason for every invalid event of a batch', () => {
    const { events, issues } = validateEvents([valid, { ...valid, level: 'X' }, 42]);
    expect(events).toHaveLength(1);
    expect(issues.map((i) => [i.index, i.path])).toEqual([
      [1, 'level'],
      [2, ''],
    ]);
    expect(issues[0]?.reason).toMatch(/TRACE/);
  });
});
