import { describe, expect, it } from 'vitest';
import { Waits } from '../src/node/waits.js';

describe('backend calls in progress', () => {
  it('report the oldest call still in progress per kind, and 0 once all returned', async () => {
    const waits = new Waits();
    const endFirst = waits.begin('store', 1_000);
    const endSecond = waits.begin('store', 4_000);
    waits.begin('bus', 9_000);
    expect(waits.snapshot(10_000)).toEqual({
      store: { inProgress: 2, oldestMs: 9_000 },
      bus: { inProgress: 1, oldestMs: 1_000 },
    });
    endFirst();
    expect(waits.snapshot(10_000).store).toEqual({ inProgress: 1, oldestMs: 6_000 });
    endSecond();
    expect(waits.snapshot(10_000).store).toEqual({ inProgress: 0, oldestMs: 0 });
  });

  it('end a call that throws', async () => {
    const waits = new Waits();
    await expect(waits.around('cache', () => Promise.reject(new Error('paused')))).rejects.toThrow('paused');
    expect(waits.snapshot().cache).toEqual({ inProgress: 0, oldestMs: 0 });
  });
});
