import { expect, it } from 'vitest';
import { createMemoryBus } from '../src/backends/bus/memory-bus.js';
import { busContract } from './bus.contract.js';
import { waitFor } from './wait-for.js';

busContract('memory', () => Promise.resolve(createMemoryBus({ partitions: 6 })), {
  settleMs: 10,
  deliveryTimeoutMs: 5_000,
});

it('memory bus rejects produce past its backlog bound instead of growing without limit', async () => {
  const bus = createMemoryBus({ partitions: 2, maxBacklog: 10 });
  await bus.produce(Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: Buffer.from('x') })));
  await expect(bus.produce([{ key: 'k', value: Buffer.from('x') }])).rejects.toMatchObject({ code: 'OVERLOADED' });
  await bus.close();
});

it('memory bus bounds its backlog in bytes too, and frees them once every group has committed', async () => {
  const bus = createMemoryBus({ partitions: 2, maxBacklogBytes: 10_000 });
  const record = (i: number) => ({ key: `k${i}`, value: Buffer.alloc(1000 - `k${i}`.length) }); // 1,000 bytes with its key
  await bus.produce(Array.from({ length: 10 }, (_, i) => record(i)));
  await expect(bus.produce([record(10)])).rejects.toMatchObject({ code: 'OVERLOADED' });
  const consumer = await bus.consume({ groupId: 'g', maxBatchSize: 100, maxWaitMs: 5 }, async () => {});
  await waitFor(async () => (await bus.lag('g')).every((p) => p.lag === 0), 5000, 'committed');
  await bus.produce(Array.from({ length: 10 }, (_, i) => record(i + 10)));
  await consumer.close();
  await bus.close();
});
