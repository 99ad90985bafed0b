import { expect, it } from 'vitest';
import { createMemoryBus } from '../src/backends/bus/memory-bus.js';
import { busContract } from './bus.contract.js';

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
