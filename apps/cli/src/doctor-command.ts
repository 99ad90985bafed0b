// `logperf doctor`: checks each dependency of the real deployment and says how to start what is missing.
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import type { Config } from '@logperf/core';

const run = promisify(execFile);

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix: string;
}

function tcp(host: string, port: number, timeoutMs = 1500): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function check(name: string, probe: () => Promise<string>, fix: string): Promise<Check> {
  try {
    return { name, ok: true, detail: await probe(), fix };
  } catch (error) {
    return { name, ok: false, detail: (error as Error).message.split('\n')[0] ?? 'failed', fix };
  }
}

/** First line a tool prints about its version (java prints it on stderr). */
async function version(command: string, args: string[]): Promise<string> {
  const { stdout, stderr } = await run(command, args, { timeout: 20_000 });
  return (
    (stdout.trim() || stderr.trim())
      // eslint-disable-next-line no-control-regex -- strips the colour codes Maven prints even in batch mode
      .replace(/\x1b\[[0-9;]*m/g, '')
      .split('\n')[0]
      ?.trim() ?? ''
  );
}

export async function doctor(config: Config): Promise<Check[]> {
  const [kafkaHost = '127.0.0.1', kafkaPort = '9092'] = (config.kafkaBrokers[0] ?? '127.0.0.1:9092').split(':');
  const pg = new URL(config.databaseUrl);
  const redis = new URL(config.redisUrl);
  return Promise.all([
    check(
      'node ≥ 20.19',
      async () => {
        const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
        if (major < 20 || (major === 20 && minor < 19)) throw new Error(`node ${process.versions.node}`);
        return `node ${process.versions.node}`;
      },
      'install Node.js 20.19 or newer',
    ),
    check(
      `PostgreSQL ${pg.hostname}:${pg.port || 5432}`,
      async () => (await tcp(pg.hostname, Number(pg.port || 5432)), 'accepting connections'),
      'bash scripts/services.sh up (starts the local cluster with pg_ctlcluster)',
    ),
    check(
      `Redis ${redis.hostname}:${redis.port || 6379}`,
      async () => (await tcp(redis.hostname, Number(redis.port || 6379)), 'accepting connections'),
      'bash scripts/services.sh up (starts redis-server on 127.0.0.1:6379)',
    ),
    check(
      `Kafka ${kafkaHost}:${kafkaPort}`,
      async () => (await tcp(kafkaHost, Number(kafkaPort)), 'accepting connections'),
      'bash scripts/kafka.sh up (fetches Kafka 4.3.1 with Maven, starts a KRaft broker)',
    ),
    check('java', () => version('java', ['-version']), 'apt-get install openjdk-17-jre-headless (needed for Kafka)'),
    check('maven', () => version('mvn', ['-B', '-v']), 'apt-get install maven (fetches the Kafka jars)'),
    check(
      'chromium',
      () => version('chromium', ['--version']),
      'apt-get install chromium (dashboard and report tests)',
    ),
    check(
      'prometheus 127.0.0.1:9090',
      async () => {
        const found = await version('prometheus', ['--version']);
        await tcp('127.0.0.1', 9090);
        return `${found}, accepting connections`;
      },
      'apt-get install prometheus, then bash scripts/prometheus.sh up (scrapes every service with deploy/prometheus/prometheus.yml)',
    ),
  ]);
}

export function printDoctor(checks: readonly Check[]): number {
  for (const c of checks)
    console.log(
      `${c.ok ? 'ok     ' : 'MISSING'}  ${c.name.padEnd(28)} ${c.detail}${c.ok ? '' : `\n         → ${c.fix}`}`,
    );
  const missing = checks.filter((c) => !c.ok).length;
  console.log(
    missing === 0
      ? '\neverything the real deployment needs is here: npx logperf up --real'
      : `\n${missing} missing: the embedded system (npm start) still works without them`,
  );
  return missing === 0 ? 0 : 1;
}
