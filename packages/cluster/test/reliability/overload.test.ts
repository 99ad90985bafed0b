// Overload: the gateway, in its own process, driven open-loop at 3× its measured capacity. It must shed with 429/503 and
// Retry-After, keep its RSS and the latency of what it accepts bounded, and serve a normal rate normally afterwards.
// LOGPERF_OVERLOAD_SECONDS sets the overload phase (CI: 10 s; issue 9 asks 30 s: LOGPERF_OVERLOAD_SECONDS=30).
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readRssBytes, sleep } from '@logperf/core';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture } from '../fixture-process.js';
import { countByStatus, latencyOf, ndjsonBodies, openLoop } from './open-loop.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/overload-gateway.ts', import.meta.url));
const OVERLOAD_SECONDS = Number(process.env.LOGPERF_OVERLOAD_SECONDS ?? '10');
const BATCH = 1000;

const startGateway = (...args: string[]) => startFixture(FIXTURE, args);

/** Closed loop, `concurrency` requests at a time, for `ms`: the batches per second the gateway acknowledges when not overloaded. */
async function capacity(url: string, bodies: readonly string[], ms: number, concurrency: number): Promise<number> {
  const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
  let acknowledged = 0;
  const until = performance.now() + ms;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = w; performance.now() < until; i += concurrency) {
        const res = await pool.request({
          method: 'POST',
          path: '/api/logs',
          body: bodies[i % bodies.length]!,
          headers: { 'content-type': 'application/x-ndjson' },
        });
        await res.body.dump();
        if (res.statusCode === 202) acknowledged++;
      }
    }),
  );
  const elapsed = performance.now() - start;
  await pool.close();
  return (acknowledged / elapsed) * 1000;
}

/** Samples the child's VmRSS every 250 ms until stopped; resolves to the samples. */
function sampleRss(pid: number): { stop: () => number[] } {
  const samples: number[] = [];
  const timer = setInterval(() => void readRssBytes(pid).then((r) => r.ok && samples.push(r.value)), 250);
  return { stop: () => (clearInterval(timer), samples) };
}

describe(`gateway at 3× capacity for ${OVERLOAD_SECONDS} s`, () => {
  let gateway: { child: ChildProcess; url: string };
  const bodies = ndjsonBodies(50, BATCH);

  beforeAll(async () => {
    gateway = await startGateway();
  });
  afterAll(async () => {
    gateway.child.kill('SIGTERM');
    await new Promise((resolve) => gateway.child.once('exit', resolve));
  });

  it('sheds with 429/503 + Retry-After, keeps RSS and accepted latency bounded, and recovers', async () => {
    await capacity(gateway.url, bodies, 1000, 8); // warm-up (JIT)
    const capacityBatches = await capacity(gateway.url, bodies, 3000, 8);
    const baselineRss = (await readRssBytes(gateway.child.pid!)) as { ok: true; value: number };
    const before = await openLoop({
      url: gateway.url,
      batchesPerSecond: capacityBatches * 0.25,
      durationMs: 3000,
      bodies,
      connections: 32,
    });
    const beforeLatency = latencyOf(before.answers);

    const rss = sampleRss(gateway.child.pid!);
    const overload = await openLoop({
      url: gateway.url,
      batchesPerSecond: capacityBatches * 3,
      durationMs: OVERLOAD_SECONDS * 1000,
      bodies,
      connections: 512,
    });
    const rssSamples = rss.stop();
    const byStatus = countByStatus(overload.answers);
    const accepted = overload.answers.filter((a) => a.status === 202);
    const refused = overload.answers.filter((a) => a.status === 429 || a.status === 503);
    const acceptedLatency = latencyOf(accepted);
    const maxRss = Math.max(...rssSamples);

    await sleep(2000);
    const after = await openLoop({
      url: gateway.url,
      batchesPerSecond: capacityBatches * 0.25,
      durationMs: 5000,
      bodies,
      connections: 32,
    });
    const afterLatency = latencyOf(after.answers);

    // The same offer to the same gateway without admission control, in the same run (the machine is shared: a ratio).
    const unguarded = await startGateway('--unguarded');
    await capacity(unguarded.url, bodies, 1000, 8); // warm-up (JIT)
    const withoutAdmission = await openLoop({
      url: unguarded.url,
      batchesPerSecond: capacityBatches * 3,
      durationMs: OVERLOAD_SECONDS * 1000,
      bodies,
      connections: 512,
    });
    unguarded.child.kill('SIGTERM');
    await new Promise((resolve) => unguarded.child.once('exit', resolve));
    const unguardedLatency = latencyOf(withoutAdmission.answers.filter((a) => a.status === 202));

    console.log(
      JSON.stringify({
        capacityEventsPerSecond: Math.round(capacityBatches * BATCH),
        offeredEventsPerSecond: Math.round(capacityBatches * 3 * BATCH),
        overloadSeconds: OVERLOAD_SECONDS,
        byStatus,
        driverNotSent: overload.notSent,
        acceptedEventsPerSecond: Math.round((accepted.length * BATCH) / (overload.elapsedMs / 1000)),
        acceptedLatencyMs: { p50: acceptedLatency.p50, p99: acceptedLatency.p99, max: acceptedLatency.max },
        withoutAdmission: {
          byStatus: countByStatus(withoutAdmission.answers),
          p50: unguardedLatency.p50,
          p99: unguardedLatency.p99,
        },
        rssMiB: { before: Math.round(baselineRss.value / 1048576), max: Math.round(maxRss / 1048576) },
        normalRate: {
          before: { byStatus: countByStatus(before.answers), p99Ms: beforeLatency.p99 },
          after: { byStatus: countByStatus(after.answers), p99Ms: afterLatency.p99 },
        },
      }),
    );

    // Sheds: part of the offer refused, every refusal with Retry-After, nothing else failing.
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((a) => a.retryAfter !== undefined && Number(a.retryAfter) >= 1)).toBe(true);
    expect(accepted.length + refused.length).toBe(overload.answers.length);
    // Keeps doing useful work while shedding (the driver takes one of the two cores): at least a quarter of its capacity accepted.
    expect(accepted.length / (overload.elapsedMs / 1000)).toBeGreaterThan(capacityBatches * 0.25);
    // Bounded: admission never makes the accepted tail worse than taking everything (p99 at most the unguarded p99),
    // p99 stays under half the phase (timed from the intended send, so it includes the shared machine's stalls), and RSS
    // stays within 256 MiB of where it started. The median used to be compared too (0.35–0.54 of the unguarded one):
    // since the gateway forwards raw lines its capacity rose from ~190,000 to ~570,000 events/s, this one-process driver
    // no longer offers 3× of it (thousands of batches not sent in time), and both medians are the driver's own queueing
    // (850 vs 867 ms here); a driver spread over processes would bring that comparison back (docs/RELIABILITY.md).
    expect(unguardedLatency.p99).toBeGreaterThan(0);
    expect(acceptedLatency.p99).toBeLessThanOrEqual(unguardedLatency.p99);
    expect(acceptedLatency.p99).toBeLessThan((OVERLOAD_SECONDS * 1000) / 2);
    expect(maxRss - baselineRss.value).toBeLessThan(256 * 1024 * 1024);
    // Recovers: a normal stream (a quarter of capacity) is all accepted again, as it was before, and answered within 2 s
    // (the machine is shared, so the bound is loose; the figures before and after are printed side by side).
    expect(countByStatus(before.answers)).toEqual({ '202': before.answers.length });
    expect(countByStatus(after.answers)).toEqual({ '202': after.answers.length });
    expect(afterLatency.p99).toBeLessThan(2000);
  }, 180_000);
});
