// Samples one process's and the machine's resources from /proc; rates come from the delta to the previous sample.
import { cpus } from 'node:os';
import { CLOCK_TICKS_PER_SECOND, parseDiskStats, parseMemInfo, parseNetDev, parseProcessCpuTicks, parseProcessIo, parseRssBytes, parseSystemCpu, readProc } from './proc.js';

const SECTOR_BYTES = 512;

export interface ResourceSnapshot {
  atMs: number;
  /** Of one core: 200 means two cores busy. */
  processCpuPercent: number | null;
  /** Of the whole machine (0–100). */
  processCpuPercentOfMachine: number | null;
  systemCpuPercent: number | null;
  memoryPercent: number | null;
  rssBytes: number | null;
  systemMemoryTotalBytes: number | null;
  systemMemoryUsedBytes: number | null;
  /** Busiest disk's share of time with I/O in flight. */
  diskUtilPercent: number | null;
  diskReadBytesPerSecond: number | null;
  diskWriteBytesPerSecond: number | null;
  networkRxBytesPerSecond: number | null;
  networkTxBytesPerSecond: number | null;
  processIoReadBytesPerSecond: number | null;
  processIoWriteBytesPerSecond: number | null;
  /** Why a figure is null, by field name. */
  unavailable: Record<string, string>;
}

interface Raw {
  atMs: number;
  system?: { totalTicks: number; idleTicks: number };
  processTicks?: number;
  disks?: ReturnType<typeof parseDiskStats>;
  net?: ReturnType<typeof parseNetDev>;
  processIo?: { readBytes: number; writeBytes: number };
}

const sum = <T>(items: T[], pick: (item: T) => number) => items.reduce((total, item) => total + pick(item), 0);

export class ResourceSampler {
  private previous: Raw | undefined;
  private readonly cores = Math.max(1, cpus().length);

  constructor(private readonly pid: number = process.pid) {}

  async sample(): Promise<ResourceSnapshot> {
    const unavailable: Record<string, string> = {};
    const [stat, procStat, meminfo, status, diskstats, netdev, procIo] = await Promise.all(
      ['/proc/stat', `/proc/${this.pid}/stat`, '/proc/meminfo', `/proc/${this.pid}/status`, '/proc/diskstats', '/proc/net/dev', `/proc/${this.pid}/io`].map(readProc),
    );
    const text = (result: { text: string } | { error: string } | undefined, fields: string[]) => {
      if (result && 'text' in result) return result.text;
      for (const field of fields) unavailable[field] = result && 'error' in result ? result.error : 'not read';
      return undefined;
    };
    const raw: Raw = { atMs: Date.now() };
    const statText = text(stat, ['systemCpuPercent']);
    if (statText) raw.system = parseSystemCpu(statText);
    const procStatText = text(procStat, ['processCpuPercent', 'processCpuPercentOfMachine']);
    if (procStatText) raw.processTicks = parseProcessCpuTicks(procStatText);
    const diskText = text(diskstats, ['diskUtilPercent', 'diskReadBytesPerSecond', 'diskWriteBytesPerSecond']);
    if (diskText) raw.disks = parseDiskStats(diskText);
    const netText = text(netdev, ['networkRxBytesPerSecond', 'networkTxBytesPerSecond']);
    if (netText) raw.net = parseNetDev(netText);
    const ioText = text(procIo, ['processIoReadBytesPerSecond', 'processIoWriteBytesPerSecond']);
    if (ioText) raw.processIo = parseProcessIo(ioText);

    const memText = text(meminfo, ['memoryPercent', 'systemMemoryTotalBytes', 'systemMemoryUsedBytes']);
    const mem = memText ? parseMemInfo(memText) : undefined;
    const statusText = text(status, ['rssBytes']);

    const prev = this.previous;
    this.previous = raw;
    const seconds = prev ? (raw.atMs - prev.atMs) / 1000 : 0;
    const rate = (field: string, now: number | undefined, before: number | undefined): number | null => {
      if (now === undefined) return null;
      if (before === undefined || seconds <= 0) {
        unavailable[field] ??= 'first sample: a rate needs two';
        return null;
      }
      return Math.max(0, now - before) / seconds;
    };

    const processTicksPerSecond = rate('processCpuPercent', raw.processTicks, prev?.processTicks);
    const systemTotal = raw.system && prev?.system ? raw.system.totalTicks - prev.system.totalTicks : undefined;
    const systemIdle = raw.system && prev?.system ? raw.system.idleTicks - prev.system.idleTicks : undefined;
    if (raw.system && !prev?.system) unavailable.systemCpuPercent ??= 'first sample: a rate needs two';
    const diskUtil = raw.disks && prev?.disks && seconds > 0
      ? Math.max(0, ...raw.disks.map((d) => {
          const before = prev.disks?.find((p) => p.device === d.device);
          return before ? Math.min(100, ((d.ioTicksMs - before.ioTicksMs) / (seconds * 1000)) * 100) : 0;
        }))
      : null;
    if (diskUtil === null) unavailable.diskUtilPercent ??= 'first sample: a rate needs two';

    const processCpuPercent = processTicksPerSecond === null ? null : (processTicksPerSecond / CLOCK_TICKS_PER_SECOND) * 100;
    return {
      atMs: raw.atMs,
      processCpuPercent,
      processCpuPercentOfMachine: processCpuPercent === null ? null : processCpuPercent / this.cores,
      systemCpuPercent: systemTotal && systemIdle !== undefined ? ((systemTotal - systemIdle) / systemTotal) * 100 : null,
      memoryPercent: mem ? (1 - mem.availableBytes / mem.totalBytes) * 100 : null,
      rssBytes: statusText ? parseRssBytes(statusText) : null,
      systemMemoryTotalBytes: mem?.totalBytes ?? null,
      systemMemoryUsedBytes: mem ? mem.totalBytes - mem.availableBytes : null,
      diskUtilPercent: diskUtil,
      diskReadBytesPerSecond: rate('diskReadBytesPerSecond', raw.disks && sum(raw.disks, (d) => d.sectorsRead * SECTOR_BYTES), prev?.disks && sum(prev.disks, (d) => d.sectorsRead * SECTOR_BYTES)),
      diskWriteBytesPerSecond: rate('diskWriteBytesPerSecond', raw.disks && sum(raw.disks, (d) => d.sectorsWritten * SECTOR_BYTES), prev?.disks && sum(prev.disks, (d) => d.sectorsWritten * SECTOR_BYTES)),
      networkRxBytesPerSecond: rate('networkRxBytesPerSecond', raw.net && sum(raw.net, (n) => n.rxBytes), prev?.net && sum(prev.net, (n) => n.rxBytes)),
      networkTxBytesPerSecond: rate('networkTxBytesPerSecond', raw.net && sum(raw.net, (n) => n.txBytes), prev?.net && sum(prev.net, (n) => n.txBytes)),
      processIoReadBytesPerSecond: rate('processIoReadBytesPerSecond', raw.processIo?.readBytes, prev?.processIo?.readBytes),
      processIoWriteBytesPerSecond: rate('processIoWriteBytesPerSecond', raw.processIo?.writeBytes, prev?.processIo?.writeBytes),
      unavailable,
    };
  }
}
