// ResourceSampler on the live /proc: a busy loop shows as process CPU, a kept buffer as RSS, a missing pid as reasons.
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ResourceSampler, type ResourceField, sleep } from '@logperf/core';

const MB = 1024 * 1024;
const RATES: ResourceField[] = [
  'processCpuPercent',
  'processCpuPercentOfMachine',
  'systemCpuPercent',
  'diskUtilPercent',
  'diskReadBytesPerSecond',
  'diskWriteBytesPerSecond',
  'networkRxBytesPerSecond',
  'networkTxBytesPerSecond',
  'loopbackRxBytesPerSecond',
  'loopbackTxBytesPerSecond',
  'processIoReadBytesPerSecond',
  'processIoWriteBytesPerSecond',
];
const TMPFS_MAGIC = 0x01021994;

/** Sends `bytes` through a TCP connection on 127.0.0.1 and resolves once all have arrived. */
async function sendOverLoopback(bytes: number): Promise<void> {
  let received = 0;
  let done = () => {};
  const arrived = new Promise<void>((resolve) => (done = resolve));
  const server = createServer((socket) =>
    socket.on('data', (chunk: Buffer) => (received += chunk.length) >= bytes && done()),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  client.end(Buffer.alloc(bytes, 3));
  await arrived;
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
}

describe.runIf(process.platform === 'linux')('ResourceSampler', () => {
  it('has levels but no rates on the first sample', async () => {
    const first = await new ResourceSampler().sample();
    for (const field of RATES) {
      expect(first[field]).toBeNull();
      expect(first.unavailable[field]).toBe('first sample');
    }
    expect(first.systemMemoryTotalBytes).toBe(totalmem());
    expect(first.memoryPercent).toBeGreaterThan(0);
    expect(first.memoryPercent).toBeLessThan(100);
    expect(first.systemMemoryUsedBytes).toBeCloseTo(((first.memoryPercent ?? 0) / 100) * totalmem(), -3);
    // process.memoryUsage() reads the kernel's RSS too (from /proc/self/stat); it may have moved a little since.
    expect(Math.abs((first.rssBytes ?? 0) - process.memoryUsage().rss)).toBeLessThan(32 * MB);
  });

  it('sees ~300 ms of busy loop as process CPU, and a kept 100 MB buffer as RSS', async () => {
    const sampler = new ResourceSampler();
    // getrusage (process.cpuUsage) over a span that brackets the two samples: an independent count of the same CPU time.
    const usageBefore = process.cpuUsage();
    const wallBefore = performance.now();
    const first = await sampler.sample();
    // Burn CPU time rather than wall time, so a loaded machine stretches the loop instead of thinning it (bounded at 3 s).
    const start = process.cpuUsage();
    const giveUpAt = Date.now() + 3000;
    while (Date.now() < giveUpAt) {
      const used = process.cpuUsage(start);
      if (used.user + used.system >= 300_000) break;
    }
    const ballast = Buffer.alloc(100 * MB, 7);
    const second = await sampler.sample();
    const used = process.cpuUsage(usageBefore);
    const rusagePercent = ((used.user + used.system) / 1000 / (performance.now() - wallBefore)) * 100;
    expect(second.unavailable).toEqual({});
    // Over 50% of a core, unless competing processes really held this one below ~70% (then /proc must agree with getrusage).
    expect(second.processCpuPercent).toBeGreaterThan(Math.min(50, rusagePercent - 20));
    expect(Math.abs((second.processCpuPercent ?? 0) - rusagePercent)).toBeLessThan(20);
    // One thread is busy; V8 and libuv helper threads add a little, never a whole second core.
    expect(second.processCpuPercent).toBeLessThan(180);
    expect(second.processCpuPercentOfMachine).toBeCloseTo((second.processCpuPercent ?? 0) / cpus().length, 6);
    expect(second.systemCpuPercent).toBeGreaterThan(0);
    expect(second.systemCpuPercent).toBeLessThanOrEqual(100);
    expect(second.rssBytes).toBeGreaterThan((first.rssBytes ?? 0) + 90 * MB);
    expect(second.loopbackRxBytesPerSecond).toBeGreaterThanOrEqual(0);
    expect(second.networkRxBytesPerSecond).toBeGreaterThanOrEqual(second.loopbackRxBytesPerSecond ?? 0);
    expect(second.diskUtilPercent).toBeGreaterThanOrEqual(0);
    expect(second.diskUtilPercent).toBeLessThanOrEqual(100);
    expect(ballast[ballast.length - 1]).toBe(7);
  });

  it('counts 8 MB sent over 127.0.0.1 as loopback, and leaves it out of the totals when asked', async () => {
    const all = new ResourceSampler();
    const external = new ResourceSampler({ excludeLoopback: true });
    const [allFirst, externalFirst] = await Promise.all([all.sample(), external.sample()]);
    await sendOverLoopback(8 * MB);
    const [allSecond, externalSecond] = await Promise.all([all.sample(), external.sample()]);
    const bytes = (rate: number | null, first: { atMs: number }, second: { atMs: number }) =>
      ((rate ?? 0) * (second.atMs - first.atMs)) / 1000;
    const loopback = bytes(allSecond.loopbackRxBytesPerSecond, allFirst, allSecond);
    expect(loopback).toBeGreaterThan(7.5 * MB);
    expect(bytes(allSecond.networkRxBytesPerSecond, allFirst, allSecond)).toBeGreaterThan(7.5 * MB);
    const externalRx = bytes(externalSecond.networkRxBytesPerSecond, externalFirst, externalSecond);
    expect(externalRx).toBeGreaterThanOrEqual(0);
    expect(externalRx).toBeLessThan(bytes(allSecond.networkRxBytesPerSecond, allFirst, allSecond) - 7 * MB);
  });

  it.skipIf(statfsSync(tmpdir()).type === TMPFS_MAGIC)(
    'counts 8 MB written and fsynced as process and disk writes',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'logperf-io-'));
      try {
        const sampler = new ResourceSampler();
        const first = await sampler.sample();
        const fd = openSync(join(dir, 'blob'), 'w');
        writeSync(fd, Buffer.alloc(8 * MB, 1));
        fsyncSync(fd);
        closeSync(fd);
        const second = await sampler.sample();
        const seconds = (second.atMs - first.atMs) / 1000;
        expect((second.processIoWriteBytesPerSecond ?? 0) * seconds).toBeGreaterThan(7 * MB);
        expect((second.diskWriteBytesPerSecond ?? 0) * seconds).toBeGreaterThan(7 * MB);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('answers with reasons, not a throw, for a process that does not exist', async () => {
    const sampler = new ResourceSampler({ pid: 2147483646 });
    await sampler.sample();
    await sleep(50); // at least a few 10 ms CPU ticks for the system figure
    const second = await sampler.sample();
    expect(second.processCpuPercent).toBeNull();
    expect(second.unavailable.processCpuPercent).toBe('/proc/2147483646/stat: ENOENT');
    expect(second.rssBytes).toBeNull();
    expect(second.unavailable.rssBytes).toBe('/proc/2147483646/status: ENOENT');
    expect(second.unavailable.processIoWriteBytesPerSecond).toBe('/proc/2147483646/io: ENOENT');
    expect(second.systemMemoryTotalBytes).toBe(totalmem());
    expect(second.systemCpuPercent).toBeGreaterThanOrEqual(0);
  });
});
