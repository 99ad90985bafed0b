// CPU time of processes read from /proc/<pid>/stat, and the pids of the backends on this host (Kafka, PostgreSQL, Redis).
import { readdir, readFile } from 'node:fs/promises';
import { parseProcessCpuTicks, parseSystemCpu, readClockTicksPerSecond } from '@logperf/core';

export type BackendRole = 'kafka' | 'postgres' | 'redis';

/** Which backend a process is, from its command line (Kafka is a JVM whose main class is kafka.Kafka). */
function backendOf(comm: string, cmdline: string): BackendRole | undefined {
  if (cmdline.includes('kafka.Kafka')) return 'kafka';
  if (comm === 'postgres' || cmdline.startsWith('postgres:') || cmdline.includes('/postgres')) return 'postgres';
  if (comm.startsWith('redis-server')) return 'redis';
  return undefined;
}

/** Every process on the host serving as one of the backends (all of PostgreSQL's backends and helpers). */
export async function backendPids(): Promise<Map<number, BackendRole>> {
  const pids = new Map<number, BackendRole>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const [comm, cmdline] = await Promise.all([
        readFile(`/proc/${entry}/comm`, 'utf8'),
        readFile(`/proc/${entry}/cmdline`, 'utf8'),
      ]);
      const role = backendOf(comm.trim(), cmdline.replaceAll('\0', ' '));
      if (role) pids.set(Number(entry), role);
    } catch {
      // The process exited while we looked.
    }
  }
  return pids;
}

/** CPU µs (user + system) of each pid that is alive; an exited one is absent. */
export async function cpuMicros(pids: Iterable<number>): Promise<Map<number, number>> {
  const { ticksPerSecond } = await readClockTicksPerSecond();
  const out = new Map<number, number>();
  await Promise.all(
    [...pids].map(async (pid) => {
      try {
        out.set(pid, (parseProcessCpuTicks(await readFile(`/proc/${pid}/stat`, 'utf8')) * 1e6) / ticksPerSecond);
      } catch {
        // exited
      }
    }),
  );
  return out;
}

/** Busy CPU µs of the whole host (all cores), from /proc/stat. */
export async function hostBusyMicros(): Promise<number> {
  const { ticksPerSecond } = await readClockTicksPerSecond();
  const cpu = parseSystemCpu(await readFile('/proc/stat', 'utf8'));
  return ((cpu.totalTicks - cpu.idleTicks) * 1e6) / ticksPerSecond;
}
