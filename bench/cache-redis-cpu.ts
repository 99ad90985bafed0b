// Benchmark: CPU per event of the cache write, in Redis and in this client, for our one-call script (record()) against
// the two-round-trip pipelines it replaced (SET NX EX per id, then LPUSH the new ones + LTRIM), on a private Redis.
// Usage: npx tsx bench/cache-redis-cpu.ts [--events 200000] [--batch 500] [--sources 8]
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseProcessCpuTicks, readClockTicksPerSecond } from '@logperf/core';
import { Redis } from 'ioredis';
import { startPrivateRedis } from '../apps/cli/test/faults/private-services.js';
import { RECENT_PER_SOURCE } from '../packages/cluster/src/backends/cache/cache.js';
import { createRedisCache } from '../packages/cluster/src/backends/cache/redis-cache.js';
import { backendPids } from './process-cpu.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    batch: { type: 'string', default: '500' },
    sources: { type: 'string', default: '8' },
  },
});
const total = Number(values.events);
const batch = Number(values.batch);
const sources = Number(values.sources);

const server = await startPrivateRedis();
const [redisPid] = [...(await backendPids({ kafkaPort: -1, postgresPort: -1, redisPort: server.port })).keys()];
if (redisPid === undefined) throw new Error('private redis-server not found in /proc');
const { ticksPerSecond } = await readClockTicksPerSecond();
const redisCpuUs = async () =>
  (parseProcessCpuTicks(await readFile(`/proc/${redisPid}/stat`, 'utf8')) * 1e6) / ticksPerSecond;
const selfCpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const batches = () =>
  Array.from({ length: total / batch }, () =>
    Array.from({ length: batch }, (_, i) => {
      const id = randomUUID();
      const event = { id, level: 'INFO', message: `bench event ${'x'.repeat(120)}`, source: `bench-${i % sources}` };
      return { id, source: event.source, event };
    }),
  );

const script = createRedisCache({ url: server.url });
const client = new Redis(server.url);
const variants: Record<string, (b: ReturnType<typeof batches>[number]) => Promise<unknown>> = {
  'record() script, one call': (b) => script.record(b.map((e) => ({ ...e, toJson: () => JSON.stringify(e.event) }))),
  'two pipelines (before)': async (b) => {
    const marks = client.pipeline();
    for (const e of b) marks.set(`log:${e.id}`, '1', 'EX', 120, 'NX');
    const fresh = (await marks.exec())!.map(([, reply]) => reply === 'OK');
    const lists = client.pipeline();
    const bySource = new Map<string, string[]>();
    b.forEach((e, i) => {
      if (fresh[i])
        bySource.set(e.source, [
          ...(bySource.get(e.source) ?? []),
          JSON.stringify({ id: e.id, json: JSON.stringify(e.event) }),
        ]);
    });
    for (const [source, entries] of bySource) {
      lists.lpush(`recent:${source}`, ...entries.slice(-RECENT_PER_SOURCE));
      lists.ltrim(`recent:${source}`, 0, RECENT_PER_SOURCE - 1);
    }
    await lists.exec();
  },
};

for (let round = 1; round <= 3; round++) {
  for (const [name, write] of Object.entries(variants)) {
    const work = batches();
    const [r0, c0, t0] = [await redisCpuUs(), selfCpuUs(), performance.now()];
    for (const b of work) await write(b);
    const [r1, c1, t1] = [await redisCpuUs(), selfCpuUs(), performance.now()];
    console.log(
      `round ${round} ${name.padEnd(28)} redis ${((r1 - r0) / total).toFixed(2)} µs/event  client ${((c1 - c0) / total).toFixed(2)} µs/event  ${Math.round(total / ((t1 - t0) / 1000))} events/s`,
    );
  }
}
await script.close();
client.disconnect();
await server.destroy();
