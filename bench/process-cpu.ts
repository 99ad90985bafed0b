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

interface ProcessInfo {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string;
}

async function processes(): Promise<ProcessInfo[]> {
  const list: ProcessInfo[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const [comm, cmdline, stat] = await Promise.all([
        readFile(`/proc/${entry}/comm`, 'utf8'),
        readFile(`/proc/${entry}/cmdline`, 'utf8'),
        readFile(`/proc/${entry}/stat`, 'utf8'),
      ]);
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      list.push({ pid: Number(entry), ppid, comm: comm.trim(), cmdline: cmdline.replaceAll('\0', ' ') });
    } catch {
      // The process exited while we looked.
    }
  }
  return list;
}

/** A Kafka JVM listens on the port its server.properties (its last argument) names. */
async function kafkaListensOn(cmdline: string, port: number): Promise<boolean> {
  const config = cmdline.trim().split(' ').at(-1) ?? '';
  try {
    return (await readFile(config, 'utf8')).includes(`:${port}`);
  } catch {
    return false;
  }
}

/**
 * Processes serving as backends. `only` picks private servers by port (Kafka's from its config file, PostgreSQL's
 * postmaster from its command line and its backends by parent, Redis from its command line); without it, every
 * backend on the host, other users' work included.
 */
export async function backendPids(only?: {
  kafkaPort: number;
  postgresPort: number;
  redisPort: number;
}): Promise<Map<number, BackendRole>> {
  const all = await processes();
  const pids = new Map<number, BackendRole>();
  if (!only) {
    for (const p of all) {
      const role = backendOf(p.comm, p.cmdline);
      if (role) pids.set(p.pid, role);
    }
    return pids;
  }
  const postmasters = new Set(
    all.filter((p) => p.comm === 'postgres' && p.cmdline.includes(`-p ${only.postgresPort} `)).map((p) => p.pid),
  );
  for (const p of all) {
    if (p.cmdline.includes('kafka.Kafka') && (await kafkaListensOn(p.cmdline, only.kafkaPort)))
      pids.set(p.pid, 'kafka');
    else if (postmasters.has(p.pid) || postmasters.has(p.ppid)) pids.set(p.pid, 'postgres');
    else if (p.comm.startsWith('redis-server') && p.cmdline.includes(`:${only.redisPort}`)) pids.set(p.pid, 'redis');
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
