// Parsers for Linux /proc files (pure: text in, numbers out) and the readers that fetch them.
import { readFile } from 'node:fs/promises';

/** Linux reports process CPU time in clock ticks; USER_HZ is 100 on every mainstream architecture. */
export const CLOCK_TICKS_PER_SECOND = 100;

export interface CpuTimes {
  totalTicks: number;
  idleTicks: number;
}

/** First line of /proc/stat: `cpu user nice system idle iowait irq softirq steal …`; idle includes iowait. */
export function parseSystemCpu(text: string): CpuTimes {
  const fields = (text.split('\n', 1)[0] ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  const totalTicks = fields.reduce((sum, n) => sum + (Number.isFinite(n) ? n : 0), 0);
  return { totalTicks, idleTicks: (fields[3] ?? 0) + (fields[4] ?? 0) };
}

/** /proc/<pid>/stat: utime + stime (fields 14 and 15), read after the `(comm)` that may hold spaces. */
export function parseProcessCpuTicks(text: string): number {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** /proc/meminfo in bytes: MemTotal and MemAvailable. */
export function parseMemInfo(text: string): { totalBytes: number; availableBytes: number } {
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return { totalBytes: kib('MemTotal'), availableBytes: kib('MemAvailable') };
}

/** /proc/<pid>/status: VmRSS in bytes. */
export function parseRssBytes(text: string): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(text)?.[1] ?? NaN) * 1024;
}

export interface DiskCounters {
  device: string;
  sectorsRead: number;
  sectorsWritten: number;
  /** Milliseconds the device had I/O in flight (io_ticks): its utilisation over time. */
  ioTicksMs: number;
}

/** /proc/diskstats, whole disks only (no partitions, loop, ram, zram or device-mapper devices). */
export function parseDiskStats(text: string): DiskCounters[] {
  const disks: DiskCounters[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const device = f[2];
    if (!device || /^(loop|ram|zram|dm-|sr)/.test(device) || /^(sd[a-z]+|vd[a-z]+|xvd[a-z]+|hd[a-z]+)\d+$|^nvme\d+n\d+p\d+$|^mmcblk\d+p\d+$/.test(device)) continue;
    disks.push({ device, sectorsRead: Number(f[5]), sectorsWritten: Number(f[9]), ioTicksMs: Number(f[12]) });
  }
  return disks;
}

export interface NetCounters {
  iface: string;
  rxBytes: number;
  txBytes: number;
}

/** /proc/net/dev: bytes received and sent per interface. */
export function parseNetDev(text: string): NetCounters[] {
  return text
    .split('\n')
    .slice(2)
    .filter((line) => line.includes(':'))
    .map((line) => {
      const [name, rest] = line.split(':') as [string, string];
      const f = rest.trim().split(/\s+/).map(Number);
      return { iface: name.trim(), rxBytes: f[0] ?? 0, txBytes: f[8] ?? 0 };
    });
}

/** /proc/<pid>/io: bytes this process caused to be read from and written to storage. */
export function parseProcessIo(text: string): { readBytes: number; writeBytes: number } {
  const field = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { readBytes: field('read_bytes'), writeBytes: field('write_bytes') };
}

/** Reads a /proc file; undefined (with the reason) where it does not exist or may not be read. */
export async function readProc(path: string): Promise<{ text: string } | { error: string }> {
  try {
    return { text: await readFile(path, 'utf8') };
  } catch (error) {
    return { error: `${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
}
