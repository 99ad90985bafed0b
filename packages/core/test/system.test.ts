import { describe, expect, it } from 'vitest';
import { EventLoopMonitor, GcMonitor, parseDiskStats, parseMemInfo, parseNetDev, parseProcessCpuTicks, parseProcessIo, parseRssBytes, parseSystemCpu, ResourceSampler } from '@logperf/core';

describe('/proc parsers', () => {
  it('reads system and process CPU ticks', () => {
    expect(parseSystemCpu('cpu  4705 150 1120 16250 520 0 30 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n')).toEqual({ totalTicks: 22775, idleTicks: 16770 });
    const stat = '1234 (node worker (x)) S 1 1234 1234 0 -1 4194304 5000 0 0 0 250 75 0 0 20 0 11 0 100 1000000 5000';
    expect(parseProcessCpuTicks(stat)).toBe(325);
  });

  it('reads memory, RSS and process I/O in bytes', () => {
    expect(parseMemInfo('MemTotal:       24000000 kB\nMemFree:         1000000 kB\nMemAvailable:   18000000 kB\n')).toEqual({ totalBytes: 24000000 * 1024, availableBytes: 18000000 * 1024 });
    expect(parseRssBytes('Name:\tnode\nVmRSS:\t  123456 kB\n')).toBe(123456 * 1024);
    expect(parseProcessIo('rchar: 10\nwchar: 20\nread_bytes: 4096\nwrite_bytes: 8192\n')).toEqual({ readBytes: 4096, writeBytes: 8192 });
  });

  it('keeps whole disks only and reads io_ticks', () => {
    const text = [
      ' 253       0 vda 1000 0 50000 400 2000 0 80000 900 0 1500 1300 0 0 0 0',
      ' 253       1 vda1 900 0 40000 300 1900 0 70000 800 0 1400 1100 0 0 0 0',
      '   7       0 loop0 10 0 100 1 0 0 0 0 0 5 1 0 0 0 0',
    ].join('\n');
    expect(parseDiskStats(text)).toEqual([{ device: 'vda', sectorsRead: 50000, sectorsWritten: 80000, ioTicksMs: 1500 }]);
  });

  it('reads bytes per network interface', () => {
    const text = 'Inter-|   Receive |  Transmit\n face |bytes packets|bytes\n    lo: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0\n  eth0: 300 3 0 0 0 0 0 0 400 4 0 0 0 0 0 0\n';
    expect(parseNetDev(text)).toEqual([{ iface: 'lo', rxBytes: 1000, txBytes: 2000 }, { iface: 'eth0', rxBytes: 300, txBytes: 400 }]);
  });
});

describe('live readers', () => {
  it('sees a busy loop as process CPU and a kept 100 MB buffer as RSS', async () => {
    const sampler = new ResourceSampler();
    const first = await sampler.sample();
    expect(first.processCpuPercent).toBeNull();
    expect(first.unavailable.processCpuPercent).toMatch(/first sample/);
    const until = Date.now() + 400;
    while (Date.now() < until) Math.sqrt(Math.random());
    const ballast = Buffer.alloc(100 * 1024 * 1024, 1);
    const second = await sampler.sample();
    expect(second.processCpuPercent).toBeGreaterThan(40);
    expect(second.systemCpuPercent).toBeGreaterThan(0);
    expect(second.rssBytes).toBeGreaterThan((first.rssBytes ?? 0) + 90 * 1024 * 1024);
    expect(second.memoryPercent).toBeGreaterThan(0);
    expect(ballast[ballast.length - 1]).toBe(1);
  });

  it('measures a blocked event loop', async () => {
    const monitor = new EventLoopMonitor();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const until = Date.now() + 200;
    while (Date.now() < until) Math.sqrt(Math.random());
    await new Promise((resolve) => setTimeout(resolve, 30));
    const snapshot = monitor.snapshot();
    monitor.stop();
    expect(snapshot.lagMaxMs).toBeGreaterThanOrEqual(150);
    expect(snapshot.utilization).toBeGreaterThan(0.3);
  });

  it('counts garbage collections', async () => {
    const monitor = new GcMonitor();
    let keep: unknown[] = [];
    for (let round = 0; round < 50 && monitor.snapshot().count === 0; round++) {
      keep = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `x${i}` }));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // The snapshot in the loop condition consumed the counts; allocate once more and read them.
    for (let i = 0; i < 5; i++) keep = Array.from({ length: 200_000 }, (_, j) => ({ j }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const snapshot = monitor.snapshot();
    monitor.stop();
    expect(keep.length).toBe(200_000);
    expect(snapshot.count).toBeGreaterThan(0);
    expect(snapshot.totalPauseMs).toBeGreaterThan(0);
  });
});
