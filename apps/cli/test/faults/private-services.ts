// Private Redis, PostgreSQL and Kafka servers a fault test may stop and restart, on their own ports and folders, never the shared ones.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { sleep } from '@logperf/core';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));

/** A server the test owns: stop (as a crash or a clean shutdown) and start again on the same port with the same data. */
export interface PrivateServer {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  destroy(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}

async function until(what: string, check: () => Promise<unknown>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`${what} not ready within ${timeoutMs} ms: ${(error as Error).message}`);
      await sleep(200);
    }
  }
}

/** True when something accepts connections on the port (a stopped broker refuses them). */
export function accepts(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: timeoutMs }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()));

/** redis-server as a child process of the test, no persistence: a restart is an empty cache, as after a real crash. */
export async function startPrivateRedis(): Promise<PrivateServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const ping = async () => {
    const redis = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      await redis.ping();
    } finally {
      redis.disconnect();
    }
  };
  const server: PrivateServer = {
    url: `redis://127.0.0.1:${port}`,
    port,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
        { stdio: 'ignore' },
      );
      await until(`redis :${port}`, ping, 10_000);
    },
    async stop() {
      if (!child) return;
      child.kill('SIGKILL');
      await exited(child);
      child = undefined;
    },
    destroy: () => server.stop(),
  };
  await server.start();
  return server;
}

const pgBin = () => {
  const version = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))[0];
  if (!version) throw new Error('no PostgreSQL under /usr/lib/postgresql');
  return (tool: string) => `/usr/lib/postgresql/${version}/bin/${tool}`;
};
const asPostgres = (args: string[]) =>
  process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', ...args]) : run(args[0]!, args.slice(1));

/**
 * A throwaway PostgreSQL cluster (initdb) on its own port; stop is `pg_ctl stop -m immediate`, a crash as far as clients can tell.
 * fsync=off is safe here (the OS does not crash); synchronous_commit must stay on, or a crash loses acknowledged commits.
 */
export async function startPrivatePostgres(): Promise<PrivateServer> {
  const bin = pgBin();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'logperf-pg-'));
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = join(dir, 'data');
  await asPostgres([bin('initdb'), '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const server: PrivateServer = {
    url,
    port,
    async start() {
      await asPostgres([
        bin('pg_ctl'),
        '-D',
        data,
        '-o',
        options,
        '-l',
        join(dir, 'server.log'),
        '-w',
        '-t',
        '60',
        'start',
      ]);
      await until(
        `postgres :${port}`,
        async () => {
          const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
          try {
            await client.connect();
            await client.query('select 1');
          } finally {
            await client.end().catch(() => undefined);
          }
        },
        30_000,
      );
    },
    async stop() {
      await asPostgres([bin('pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    },
    async destroy() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/** A second single-node KRaft broker from the jars scripts/kafka.sh fetched, with its own ports and folder. */
export async function startPrivateKafka(): Promise<PrivateServer> {
  const port = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'logperf-kafka-'));
  const env = {
    ...process.env,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_STATE_DIR: dir,
  };
  const script = join(REPO, 'scripts/kafka.sh');
  const server: PrivateServer = {
    url: `127.0.0.1:${port}`,
    port,
    async start() {
      // `up` returns once the broker answers an ApiVersions request.
      await run('bash', [script, 'up'], { env, timeout: 180_000 });
    },
    async stop() {
      await run('bash', [script, 'down'], { env, timeout: 60_000 });
    },
    async destroy() {
      await run('bash', [script, 'down', '--purge'], { env, timeout: 60_000 }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
