import { describe, expect, it } from 'vitest';
import type { BusRecord } from '../src/backends/bus/bus.js';
import { SendQueue } from '../src/backends/bus/send-queue.js';
import { sleep } from '@logperf/core';

const records = (n: number, tag: string): BusRecord[] =>
  Array.from({ length: n }, (_, i) => ({ key: `${tag}${i}`, value: Buffer.from('v') }));

describe('SendQueue', () => {
  it('keeps one request in flight and coalesces the callers that arrive meanwhile', async () => {
    const requests: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const queue = new SendQueue(async (batch) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      requests.push(batch.length);
      await sleep(10);
      inFlight--;
    });
    await Promise.all([queue.add(records(5, 'a')), queue.add(records(7, 'b')), queue.add(records(3, 'c'))]);
    expect(maxInFlight).toBe(1);
    expect(requests).toEqual([5, 10]);
  });

  it('splits at the request limit and rejects exactly the callers of a failed request', async () => {
    let call = 0;
    const queue = new SendQueue(async () => {
      await Promise.resolve();
      if (call++ === 1) throw new Error('broker said no');
    }, 10);
    const results = await Promise.allSettled([
      queue.add(records(8, 'a')),
      queue.add(records(6, 'b')),
      queue.add(records(3, 'c')),
      queue.add(records(9, 'd')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
  });
});
