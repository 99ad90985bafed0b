// Bottleneck rules against real induced conditions in a separate node process: a CPU hog, memory ballast, busy
// processes beside the node that take the host's cores; a healthy node stays silent.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { createLogger, loadConfig, parseMemInfo, sleep } from '@logperf/core';
import { createBackends, startGateway, startProcessor, type Store } from '@logperf/cluster';
import { afterEach, describe, expect, it } from 'vitest';
import { startFixture } from '../../../packages/cluster/test/fixture-process.js';
import { startMonitor } from '../src/start-monitor.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/faulty-node.ts', import.meta.url));
const logger = createLogger('induced-faults', 'silent');

const startNode = (env: Record<string, string>) => startFixture(FIXTURE, [], env);

describe('bottleneck rules on induced conditions', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  async function watch(env: Record<string, string>, thresholds?: Record<string, number>) {
    const node = await startNode(env);
    cleanup.push(async () => {
      node.child.kill('SIGTERM');
      await new Promise((resolve) => node.child.once('exit', resolve));
    });
    const config = loadConfig(
      {
        LOGPERF_PGLITE_DIR: 'memory://',
        ...(thresholds ? { LOGPERF_MONITOR_THRESHOLDS: JSON.stringify(thresholds) } : {}),
      },
      {},
    );
    const monitor = await startMonitor({
      config,
      logger,
      port: 0,
      nodeUrls: [node.url],
      dashboardHtml: async () => '',
      scrapeIntervalMs: 500,
    });
    cleanup.push(() => monitor.close());
    return {
      monitor,
      verdicts: async (windowSeconds: number) =>
        (
          (await (await fetch(`${monitor.url}/api/performance/bottlenecks?windowSeconds=${windowSeconds}`)).json()) as {
            bottlenecks: { rule: string; value: number; affectedNodes: string[] }[];
          }
        ).bottlenecks,
    };
  }

  it('a node burning 90% of a core is named by the CPU rule', async () => {
    const { verdicts } = await watch({ FAULT: 'cpu' });
    await sleep(5000);
    const cpu = (await verdicts(4)).find((v) => v.rule === 'cpu');
    expect(cpu?.value).toBeGreaterThan(75);
    expect(cpu?.affectedNodes[0]).toMatch(/^faulty-cpu-/);
  }, 60_000);

  it('memory ballast pushes host memory over a threshold set just above the current level', async () => {
    const { totalBytes, availableBytes } = parseMemInfo(readFileSync('/proc/meminfo', 'utf8'));
    const usedPercent = (1 - availableBytes / totalBytes) * 100;
    const threshold = usedPercent + 2;
    const ballastMb = Math.ceil((totalBytes * 0.05) / 1024 / 1024);
    const { verdicts } = await watch({ FAULT: 'memory', BALLAST_MB: String(ballastMb) }, { memoryPercent: threshold });
    await sleep(5000);
    const memory = (await verdicts(4)).find((v) => v.rule === 'memory');
    expect(memory?.value).toBeGreaterThan(threshold);
  }, 60_000);

  it('throttled store writes make the consumer group fall behind, and the lag rules say so', async () => {
    const config = loadConfig({ LOGPERF_PGLITE_DIR: 'memory://' }, {});
    const backends = await createBackends(config);
    const real = backends.store;
    // Every batch waits 1 s before it is written: the store, not the processor, is the limit (≤ 1,000 events/s).
    const throttled: Store = {
      ...real,
      kind: real.kind,
      insertBatch: async (rows) => (await sleep(1000), real.insertBatch(rows)),
      health: () => real.health(),
      close: () => real.close(),
      counts: () => real.counts(),
      init: () => real.init(),
      existingIds: (ids) => real.existingIds(ids),
      fetchByIds: (ids) => real.fetchByIds(ids),
      truncate: () => real.truncate(),
    };
    const processor = await startProcessor({ config, backends: { ...backends, store: throttled }, logger, port: 0 });
    const queue = async () =>
      ((await (await fetch(`${monitor.url}/api/performance/metrics`)).json()) as { cluster: { queueDepth: number } })
        .cluster.queueDepth;
    const gateway = await startGateway({ config, backends, logger, port: 0 });
    const monitor = await startMonitor({
      config,
      logger,
      port: 0,
      nodeUrls: [gateway.url, processor.url],
      bus: backends.bus,
      dashboardHtml: async () => '',
      scrapeIntervalMs: 500,
    });
    cleanup.push(
      () => backends.close(),
      () => processor.close(),
      () => gateway.close(),
      () => monitor.close(),
    );
    const until = Date.now() + 6000;
    while (Date.now() < until) {
      const body = Array.from({ length: 500 }, (_, i) =>
        JSON.stringify({
          id: randomUUID(),
          level: 'INFO',
          message: `m${i}`,
          source: 'throttled',
          timestamp: Date.now(),
        }),
      ).join('\n');
      await fetch(`${gateway.url}/api/logs`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-ndjson' },
      });
      await sleep(50);
    }
    expect(await queue()).toBeGreaterThan(1000);
    const verdicts = (
      (await (await fetch(`${monitor.url}/api/performance/bottlenecks?windowSeconds=10`)).json()) as {
        bottlenecks: { rule: string; evidence: string }[];
      }
    ).bottlenecks;
    expect(verdicts.map((v) => v.rule)).toEqual(expect.arrayContaining(['queue', 'consumer-lag']));
    expect(verdicts.find((v) => v.rule === 'consumer-lag')?.evidence).toMatch(/^WARN: lag grew from \d+ to \d+/);
  }, 60_000);

  it('two busy processes beside a healthy node: the host-CPU rule names the host, the node-CPU rule stays silent', async () => {
    const { verdicts } = await watch({ FAULT: 'none' });
    // One busy loop per core, each ending by itself after 10 s.
    const burners = Array.from({ length: availableParallelism() }, () =>
      spawn(process.execPath, ['-e', 'const end = Date.now() + 10_000; while (Date.now() < end);'], {
        stdio: 'ignore',
      }),
    );
    const stopped = (b: (typeof burners)[number]) =>
      new Promise<void>((resolve) => {
        if (b.exitCode !== null || b.signalCode !== null) return resolve();
        b.once('exit', () => resolve());
        b.kill();
      });
    cleanup.push(() => Promise.all(burners.map(stopped)));
    await sleep(5000);
    const found = await verdicts(4);
    const host = found.find((v) => v.rule === 'host-cpu');
    expect(host?.value).toBeGreaterThan(85);
    expect(host?.affectedNodes[0]).toMatch(/^faulty-none-/);
    expect(found.find((v) => v.rule === 'cpu')).toBeUndefined();
  }, 60_000);

  it('a healthy node raises nothing', async () => {
    const { verdicts } = await watch({ FAULT: 'none' });
    await sleep(5000);
    // The host is shared with whatever else runs on it: a saturated host is a true host-CPU verdict, judged above.
    expect((await verdicts(4)).filter((v) => v.rule !== 'host-cpu')).toEqual([]);
  }, 60_000);
});
