// Samples one process's and the machine's resources from /proc; every rate is the delta to the previous sample.
import { performance } from 'node:perf_hooks';
import {
  readClockTicksPerSecond,
  readDiskStats,
  readMemInfo,
  readNetDev,
  readProcessCpuTicks,
  readProcessIo,
  readRssBytes,
  readSystemCpu,
  type CpuTimes,
  type DiskCounters,
  type NetCounters,
  type Reading,
} from './proc.js';

export interface ResourceSnapshot {
  /** Wall-clock time of the sample (epoch ms); rates use a monotonic clock. */
  atMs: number;
  /** Of one core: 200 means two cores busy. */
  processCpuPercent: number | null;
  /** processCpuPercent divided by the CPUs online (0–100). */
  processCpuPercentOfMachine: number | null;
  /** Non-idle share of all CPUs' time (iowait counts as idle). */
  systemCpuPercent: number | null;
  /** 1 − MemAvailable/MemTotal, in percent. */
  memoryPercent: number | null;
  rssBytes: number | null;
  systemMemoryTotalBytes: number | null;
  /** MemTotal − MemAvailable. */
  systemMemoryUsedBytes: number | null;
  /** The busiest physical disk's share of time with I/O in flight. */
  diskUtilPercent: number | null;
  diskReadBytesPerSecond: number | null;
  diskWriteBytesPerSecond: number | null;
  /** Summed over interfaces; `lo` included unless the sampler was built with `excludeLoopback`. */
  networkRxBytesPerSecond: number | null;
  networkTxBytesPerSecond: number | null;
  /** `lo` alone: all traffic between services on one host. */
  loopbackRxBytesPerSecond: number | null;
  loopbackTxBytesPerSecond: number | null;
  processIoReadBytesPerSecond: number | null;
  processIoWriteBytesPerSecond: number | null;
  /** Why a figure is null, by field name; a field is in here exactly when it is null. */
  unavailable: Partial<Record<ResourceField, string>>;
}

export type ResourceField = Exclude<keyof ResourceSnapshot, 'atMs' | 'unavailable'>;

export interface ResourceSamplerOptions {
  /** Process to follow; default this one. */
  pid?: number;
  /** Leave `lo` out of networkRx/Tx (it is always reported on its own as loopbackRx/Tx). */
  excludeLoopback?: boolean;
}

interface Counters {
  monoMs: number;
  cpu: Reading<CpuTimes>;
  processTicks: Reading<number>;
  disks: Reading<DiskCounters[]>;
  net: Reading<NetCounters[]>;
  processIo: Reading<{ readBytes: number; writeBytes: number }>;
}

const SECTOR_BYTES = 512;
const NO_DISK = 'no physical disk in /proc/diskstats';
const ok = <T>(value: T): Reading<T> => ({ ok: true, value });
const fail = (reason: string): Reading<never> => ({ ok: false, reason });
const map = <T, U>(r: Reading<T>, f: (value: T) => U): Reading<U> => (r.ok ? ok(f(r.value)) : r);

/** Sum of per-item deltas over items present in both samples, so a device that appears adds no history. */
function sumDeltas<T>(now: T[], before: T[], key: (item: T) => string, pick: (item: T) => number): number {
  const previous = new Map(before.map((item) => [key(item), pick(item)]));
  return now.reduce((sum, item) => sum + Math.max(0, pick(item) - (previous.get(key(item)) ?? pick(item))), 0);
}

export class ResourceSampler {
  private readonly pid: number;
  private readonly excludeLoopback: boolean;
  private previous: Counters | undefined;

  constructor(options: ResourceSamplerOptions = {}) {
    this.pid = options.pid ?? process.pid;
    this.excludeLoopback = options.excludeLoopback ?? false;
  }

  async sample(): Promise<ResourceSnapshot> {
    const [cpu, processTicks, mem, rss, disks, net, processIo, clock] = await Promise.all([
      readSystemCpu(),
      readProcessCpuTicks(this.pid),
      readMemInfo(),
      readRssBytes(this.pid),
      readDiskStats(),
      readNetDev(),
      readProcessIo(this.pid),
      readClockTicksPerSecond(),
    ]);
    const now: Counters = { monoMs: performance.now(), cpu, processTicks, disks, net, processIo };
    const before = this.previous;
    this.previous = now;
    const seconds = before ? (now.monoMs - before.monoMs) / 1000 : 0;

    /** Combines a counter from both samples into a figure, or says why there is none. */
    const delta = <T>(
      pick: (c: Counters) => Reading<T>,
      compute: (current: T, previous: T) => number | string,
    ): Reading<number> => {
      const current = pick(now);
      if (!current.ok) return current;
      if (!before) return fail('first sample');
      const previous = pick(before);
      if (!previous.ok) return fail(`previous sample: ${previous.reason}`);
      if (seconds <= 0) return fail('no time elapsed since the previous sample');
      const value = compute(current.value, previous.value);
      return typeof value === 'string' ? fail(value) : ok(value);
    };
    const perSecond = <T>(pick: (c: Counters) => Reading<T>, count: (value: T) => number) =>
      delta(pick, (current, previous) => Math.max(0, count(current) - count(previous)) / seconds);
    const netPerSecond = (only: (n: NetCounters) => boolean, bytes: (n: NetCounters) => number) =>
      delta(
        (c) => map(c.net, (list) => list.filter(only)),
        (current, previous) =>
          current.length === 0
            ? 'no matching interface in /proc/net/dev'
            : sumDeltas(current, previous, (n) => n.iface, bytes) / seconds,
      );
    const diskPerSecond = (sectors: (d: DiskCounters) => number) =>
      delta(
        (c) => c.disks,
        (current, previous) =>
          current.length === 0
            ? NO_DISK
            : (sumDeltas(current, previous, (d) => d.device, sectors) * SECTOR_BYTES) / seconds,
      );
    const external = (n: NetCounters) => !(this.excludeLoopback && n.iface === 'lo');

    const cores = cpu.ok ? cpu.value.cpuCount : 0;
    const processCpuPercent = delta(
      (c) => c.processTicks,
      (current, previous) => (Math.max(0, current - previous) / clock.ticksPerSecond / seconds) * 100,
    );
    const figures: Record<ResourceField, Reading<number>> = {
      processCpuPercent,
      processCpuPercentOfMachine: !cpu.ok
        ? cpu
        : cores === 0
          ? fail('/proc/stat: no per-CPU lines')
          : map(processCpuPercent, (percent) => percent / cores),
      systemCpuPercent: delta(
        (c) => c.cpu,
        (current, previous) => {
          const total = current.totalTicks - previous.totalTicks;
          return total > 0
            ? ((total - (current.idleTicks - previous.idleTicks)) / total) * 100
            : 'no CPU ticks elapsed between samples';
        },
      ),
      memoryPercent: map(mem, (m) => (1 - m.availableBytes / m.totalBytes) * 100),
      rssBytes: rss,
      systemMemoryTotalBytes: map(mem, (m) => m.totalBytes),
      systemMemoryUsedBytes: map(mem, (m) => m.totalBytes - m.availableBytes),
      diskUtilPercent: delta(
        (c) => c.disks,
        (current, previous) => {
          const utils = current.flatMap((d) => {
            const old = previous.find((p) => p.device === d.device);
            return old ? [Math.min(100, (Math.max(0, d.ioTicksMs - old.ioTicksMs) / (seconds * 1000)) * 100)] : [];
          });
          return utils.length > 0 ? Math.max(...utils) : NO_DISK;
        },
      ),
      diskReadBytesPerSecond: diskPerSecond((d) => d.sectorsRead),
      diskWriteBytesPerSecond: diskPerSecond((d) => d.sectorsWritten),
      networkRxBytesPerSecond: netPerSecond(external, (n) => n.rxBytes),
      networkTxBytesPerSecond: netPerSecond(external, (n) => n.txBytes),
      loopbackRxBytesPerSecond: netPerSecond(
        (n) => n.iface === 'lo',
        (n) => n.rxBytes,
      ),
      loopbackTxBytesPerSecond: netPerSecond(
        (n) => n.iface === 'lo',
        (n) => n.txBytes,
      ),
      processIoReadBytesPerSecond: perSecond(
        (c) => c.processIo,
        (io) => io.readBytes,
      ),
      processIoWriteBytesPerSecond: perSecond(
        (c) => c.processIo,
        (io) => io.writeBytes,
      ),
    };

    const snapshot = { atMs: Date.now() } as ResourceSnapshot;
    const unavailable: ResourceSnapshot['unavailable'] = {};
    for (const [name, figure] of Object.entries(figures) as [ResourceField, Reading<number>][]) {
      snapshot[name] = figure.ok ? figure.value : null;
      if (!figure.ok) unavailable[name] = figure.reason;
    }
    snapshot.unavailable = unavailable;
    return snapshot;
  }
}
