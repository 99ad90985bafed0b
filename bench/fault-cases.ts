// The induced faults of the fault matrix: what each one does to a private cluster, and what a right diagnosis names.
// Every server a fault pauses is private (its own redis-server on a free port); the shared ones are never touched.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startPrivateRedis } from '../apps/cli/test/faults/private-services.js';
import type { BenchNodes } from './nodes.js';

/** What the cluster must start with for a case (private servers, a proxy, a heap limit), and how to remove it. */
export interface Prepared {
  env?: Record<string, string>;
  processor?: (index: number) => { env?: Record<string, string>; nodeArgs?: string[] };
  /** Starts the fault on the running cluster; returns how to end it. */
  inject: (nodes: BenchNodes) => Promise<() => Promise<void>>;
  cleanup?: () => Promise<void>;
}

export interface Case {
  name: string;
  /** What a right answer names first: any of these `rule/component` (null: nothing should be named). */
  expected: string[] | null;
  /** In `--short` (CI) mode too. */
  short: boolean;
  prepare?: (faultMs: number) => Promise<Prepared>;
}

const databaseUrl = () => process.env.LOGPERF_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const noop = async () => undefined;

/** ACCESS EXCLUSIVE on the run's own table (per-run name from bench/nodes.ts), never a shared one. */
async function lockStore(nodes: BenchNodes): Promise<() => Promise<void>> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${nodes.env.LOGPERF_STORE_TABLE} IN ACCESS EXCLUSIVE MODE`);
  return async () => {
    await client.query('ROLLBACK');
    await client.end();
  };
}

async function freezeProcessor(nodes: BenchNodes): Promise<() => Promise<void>> {
  process.kill(nodes.processorPids![0]!, 'SIGSTOP');
  return async () => void process.kill(nodes.processorPids![0]!, 'SIGCONT');
}

/** Busy loops that end by themselves after `ms` even if nobody stops them. */
function burnCpu(count: number, ms: number): () => Promise<void> {
  const burners: ChildProcess[] = Array.from({ length: count }, () =>
    spawn(process.execPath, ['-e', `const end = Date.now() + ${ms}; while (Date.now() < end);`], { stdio: 'ignore' }),
  );
  return async () => burners.forEach((b) => b.kill('SIGKILL'));
}

/** A TCP proxy that holds every chunk `delayMs` (0 until switched on) each way, in order. */
export async function delayingProxy(target: { host: string; port: number }) {
  let delayMs = 0;
  const sockets = new Set<Socket>();
  const relay = (from: Socket, to: Socket) => {
    let lastAt = 0;
    from.on('data', (chunk) => {
      const at = Math.max(Date.now() + delayMs, lastAt);
      lastAt = at;
      setTimeout(() => to.writable && to.write(chunk), at - Date.now());
    });
    from.on('close', () => setTimeout(() => to.destroy(), Math.max(0, lastAt - Date.now())));
    from.on('error', () => to.destroy());
  };
  const server: Server = createServer((client) => {
    const upstream = connect(target);
    for (const s of [client, upstream]) sockets.add(s);
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('proxy did not bind');
  return {
    port: address.port,
    setDelay: (ms: number) => void (delayMs = ms),
    close: async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export const CASES: Case[] = [
  { name: 'healthy', expected: null, short: true },
  { name: 'store-locked', expected: ['store/store'], short: true, prepare: async () => ({ inject: lockStore }) },
  {
    name: 'processor-frozen',
    expected: ['node-down/processor'],
    short: true,
    prepare: async () => ({ inject: freezeProcessor }),
  },
  {
    name: 'processor-killed',
    expected: ['node-down/processor'],
    short: false,
    prepare: async () => ({
      inject: async (nodes) => {
        process.kill(nodes.processorPids![0]!, 'SIGKILL');
        return noop;
      },
    }),
  },
  {
    // Two busy loops for the length of the fault: the cluster's processes wait for the 2 cores with them.
    name: 'host-cpu-taken',
    expected: ['host-cpu/host'],
    short: true,
    prepare: async (faultMs) => ({ inject: async () => burnCpu(2, faultMs + 2000) }),
  },
  {
    name: 'redis-paused',
    expected: ['cache/cache'],
    short: true,
    prepare: async () => {
      const redis = await startPrivateRedis();
      const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await client.connect();
      const pid = Number(/process_id:(\d+)/.exec(await client.info('server'))?.[1]);
      client.disconnect();
      if (!Number.isInteger(pid) || pid <= 0) throw new Error('private redis did not say its process id');
      return {
        env: { LOGPERF_REDIS_URL: redis.url },
        inject: async () => {
          process.kill(pid, 'SIGSTOP');
          return async () => void process.kill(pid, 'SIGCONT');
        },
        cleanup: async () => {
          process.kill(pid, 'SIGCONT');
          await redis.destroy();
        },
      };
    },
  },
  {
    // One processor with a small old generation for the whole run; it is scored over the same window as the others.
    name: 'heap-squeezed',
    expected: ['gc/processor', 'memory/processor'],
    short: false,
    prepare: async () => ({
      processor: (i) => (i === 0 ? { nodeArgs: ['--max-old-space-size=48'] } : {}),
      inject: async () => noop,
    }),
  },
  {
    // 100 ms each way between the processors and PostgreSQL: every store round trip takes 200 ms more.
    name: 'store-network-delay',
    expected: ['store/store'],
    short: true,
    prepare: async () => {
      const url = new URL(databaseUrl());
      const proxy = await delayingProxy({ host: url.hostname, port: Number(url.port || 5432) });
      const proxied = new URL(url);
      proxied.port = String(proxy.port);
      return {
        processor: () => ({ env: { LOGPERF_DATABASE_URL: proxied.toString() } }),
        inject: async () => {
          proxy.setDelay(100);
          return async () => proxy.setDelay(0);
        },
        cleanup: () => proxy.close(),
      };
    },
  },
  {
    name: 'store-locked+processor-frozen',
    expected: ['store/store', 'node-down/processor'],
    short: false,
    prepare: async () => ({
      inject: async (nodes) => {
        const unlock = await lockStore(nodes);
        const thaw = await freezeProcessor(nodes);
        return async () => {
          await thaw();
          await unlock();
        };
      },
    }),
  },
];

/** Not run: a paused broker needs a private Kafka (scripts/kafka.sh with its own ports and folder). */
export const SKIPPED = [
  {
    name: 'broker-paused',
    reason:
      "a private KRaft broker is a JVM that takes 20–60 s to start on this loaded 2-core host per run, and this worktree has no fetched Kafka jars; the monitor's broker rule (gateway produce waits) is covered by unit tests only",
  },
];
