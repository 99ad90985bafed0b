// A swallowed error is counted per kind and logged once, not lost.
import { describe, expect, it } from 'vitest';
import { recordSwallowedError, swallowedErrors } from '../src/swallowed-errors.js';

describe('swallowed errors', () => {
  it('counts each kind with its last message and times', () => {
    const kind = `test.kind-${process.pid}-${Date.now()}`;
    recordSwallowedError(kind, new Error('first'), 1000);
    recordSwallowedError(kind, new Error('second'), 2000);
    recordSwallowedError(kind, 'third', 3000);
    expect(swallowedErrors()[kind]).toEqual({ count: 3, lastMessage: 'third', firstAtMs: 1000, lastAtMs: 3000 });
  });
});
