// sleep: resolves once its wait has passed on the timer clock, not before; a negative wait is no wait.
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { sleep } from '@logperf/core';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const settled = (promise: Promise<void>) => {
  let done = false;
  void promise.then(() => (done = true));
  return () => done;
};

it('resolves after the wait and not before', async () => {
  const done = settled(sleep(100));
  await vi.advanceTimersByTimeAsync(99);
  expect(done()).toBe(false);
  await vi.advanceTimersByTimeAsync(1);
  expect(done()).toBe(true);
});

it('treats a deadline already passed as no wait', async () => {
  const done = settled(sleep(-500));
  await vi.advanceTimersByTimeAsync(1);
  expect(done()).toBe(true);
});
