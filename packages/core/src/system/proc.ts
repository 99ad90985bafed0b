// Linux /proc parsers (pure: file text in, numbers out; a missing field throws) and thin readers that turn errors into reasons.
import { readdir, readFile } from 'node:fs/promises';
import { endianness } from 'node:os';

/** A figure read from the system, or why it could not be. */
export type Reading<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface CpuTimes {
  /** user+nice+system+idle+iowait+irq+softirq+steal (guest time is already inside user/nice). */
  totalTicks: number;
  /** idle + iowait: a CPU waiting for I/O could run something else. */
  idleTicks: number;
  /** Number of `cpuN` lines: CPUs online. */
  cpuCount: number;
}

/** /proc/stat: the aggregate `cpu` line and the count of per-CPU lines. */
export function parseSystemCpu(text: string): CpuTimes {
  const line = /^cpu\s+(.*)$/m.exec(text)?.[1];
  const fields = line?.trim().split(/\s+/).slice(0, 8).map(Number) ?? [];
  if (fields.length < 5 || fields.some((n) => !Number.isFinite(n))) throw new Error('no aggregate cpu line');
  const totalTicks = fields.reduce((sum, n) => sum + n, 0);
  return {
    totalTicks,
    idleTicks: (fields[3] ?? 0) + (fields[4] ?? 0),
    cpuCount: text.match(/^cpu\d+\s/gm)?.length ?? 0,
  };
}

/** /proc/<pid>/stat: utime + stime (fields 14 and 15) in clock ticks, counted after the `(comm)`, which may hold spaces. */
export function parseProcessCpuTicks(text: string): number {
  const fields = text
    .slice(text.lastIndexOf(')') + 2)
    .trim()
    .split(/\s+/);
  const ticks = Number(fields[11]) + Number(fields[12]);
  if (!Number.isFinite(ticks)) throw new Error('no utime/stime fields');
  return ticks;
}

const field = (text: string, key: string, unit = ''): number => {
  const value = new RegExp(`^${key}:\\s+(\\d+)${unit}`, 'm').exec(text)?.[1];
  if (value === undefined) throw new Error(`no ${key}`);
  return Number(value);
};

/** /proc/meminfo in bytes (Linux before 3.14 has no MemAvailable). */
export function parseMemInfo(text: string): { totalBytes: number; availableBytes: number } {
  return {
    totalBytes: field(text, 'MemTotal', ' kB') * 1024,
    availableBytes: field(text, 'MemAvailable', ' kB') * 1024,
  };
}

/** /proc/<pid>/status: VmRSS in bytes (kernel threads have none). */
export function parseRssBytes(text: string): number {
  return field(text, 'VmRSS', ' kB') * 1024;
}

/** /proc/<pid>/io: bytes the process made the storage layer read and write (page-cache hits are not counted). */
export function parseProcessIo(text: string): { readBytes: number; writeBytes: number } {
  return { readBytes: field(text, 'read_bytes'), writeBytes: field(text, 'write_bytes') };
}

export interface DiskCounters {
  device: string;
  /** Always in 512-byte units in diskstats, whatever the device's sector size. */
  sectorsRead: number;
  sectorsWritten: number;
  /** Milliseconds the device had I/O in flight (io_ticks): Δ/Δt is its utilisation. */
  ioTicksMs: number;
}

// Virtual devices (loop, RAM disks, zram) measure no disk; device-mapper and md sit on real disks and would count twice.
const VIRTUAL_DISK = /^(loop|ram|zram|dm-|md|sr|fd|nbd)/;
const PARTITION = /^((sd|vd|xvd|hd)[a-z]+\d+|nvme\d+n\d+p\d+|mmcblk\d+p\d+)$/;

/** /proc/diskstats, physical whole disks only. `wholeDisks` (the names in /sys/block) tells partitions apart; without it, by name. */
export function parseDiskStats(text: string, wholeDisks?: ReadonlySet<string>): DiskCounters[] {
  const disks: DiskCounters[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const device = f[2];
    if (!device || f.length < 14 || VIRTUAL_DISK.test(device)) continue;
    if (wholeDisks ? !wholeDisks.has(device) : PARTITION.test(device)) continue;
    disks.push({ device, sectorsRead: Number(f[5]), sectorsWritten: Number(f[9]), ioTicksMs: Number(f[12]) });
  }
  return disks;
}

export interface NetCounters {
  iface: string;
  rxBytes: number;
  txBytes: number;
}

/** /proc/net/dev: bytes received and sent per interface, `lo` included. */
export function parseNetDev(text: string): NetCounters[] {
  const counters: NetCounters[] = [];
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (f[0] === undefined || f[8] === undefined || Number.isNaN(f[0] + f[8])) continue;
    counters.push({ iface: line.slice(0, colon).trim(), rxBytes: f[0], txBytes: f[8] });
  }
  return counters;
}

const AT_CLKTCK = 17n;

/** /proc/self/auxv: the kernel hands every process its CLK_TCK (USER_HZ) as auxiliary-vector entry AT_CLKTCK. */
export function parseAuxvClockTicks(auxv: Buffer, wordBytes = 8, littleEndian = true): number | null {
  const word = (at: number) =>
    wordBytes === 8
      ? littleEndian
        ? auxv.readBigUInt64LE(at)
        : auxv.readBigUInt64BE(at)
      : BigInt(littleEndian ? auxv.readUInt32LE(at) : auxv.readUInt32BE(at));
  for (let at = 0; at + 2 * wordBytes <= auxv.length; at += 2 * wordBytes) {
    if (word(at) === AT_CLKTCK) return Number(word(at + wordBytes));
  }
  return null;
}

/** Reads a whole /proc file; the reason names the path and the errno where it does not exist or may not be read. */
export async function readProcText(path: string): Promise<Reading<string>> {
  try {
    return { ok: true, value: await readFile(path, 'utf8') };
  } catch (error) {
    return { ok: false, reason: `${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
}

async function readParsed<T>(path: string, parse: (text: string) => T): Promise<Reading<T>> {
  const text = await readProcText(path);
  if (!text.ok) return text;
  try {
    return { ok: true, value: parse(text.value) };
  } catch (error) {
    return { ok: false, reason: `${path}: ${(error as Error).message}` };
  }
}

export const readSystemCpu = () => readParsed('/proc/stat', parseSystemCpu);
export const readProcessCpuTicks = (pid: number) => readParsed(`/proc/${pid}/stat`, parseProcessCpuTicks);
export const readMemInfo = () => readParsed('/proc/meminfo', parseMemInfo);
export const readRssBytes = (pid: number) => readParsed(`/proc/${pid}/status`, parseRssBytes);
export const readProcessIo = (pid: number) => readParsed(`/proc/${pid}/io`, parseProcessIo);
export const readNetDev = () => readParsed('/proc/net/dev', parseNetDev);
export async function readDiskStats(): Promise<Reading<DiskCounters[]>> {
  const wholeDisks = await readdir('/sys/block').then(
    (names) => new Set(names),
    () => undefined,
  );
  return readParsed('/proc/diskstats', (text) => parseDiskStats(text, wholeDisks));
}

/** The value `getconf CLK_TCK` prints (100 on Linux x86 and arm64); assumed 100 only where /proc/self/auxv is unreadable. */
export const ASSUMED_CLOCK_TICKS_PER_SECOND = 100;
let clockTicks: Promise<{ ticksPerSecond: number; source: 'auxv' | 'assumed' }> | undefined;

export function readClockTicksPerSecond(): Promise<{ ticksPerSecond: number; source: 'auxv' | 'assumed' }> {
  clockTicks ??= readFile('/proc/self/auxv')
    .then(
      (auxv) =>
        parseAuxvClockTicks(
          auxv,
          ['arm', 'ia32', 'ppc', 's390', 'mipsel', 'mips'].includes(process.arch) ? 4 : 8,
          endianness() === 'LE',
        ),
      () => null,
    )
    .then((ticks) =>
      ticks
        ? { ticksPerSecond: ticks, source: 'auxv' as const }
        : { ticksPerSecond: ASSUMED_CLOCK_TICKS_PER_SECOND, source: 'assumed' as const },
    );
  return clockTicks;
}
