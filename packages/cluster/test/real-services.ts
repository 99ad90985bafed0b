// The rule for tests against real servers: under CI=true an unreachable server fails the file; elsewhere its suite is skipped, saying why.
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, it } from 'vitest';

const PROBE_TIMEOUT_MS = 5_000;

/** Where the real services are: the same environment variables, with the same defaults, as the services' config. */
export const realServices = {
  databaseUrl: process.env.LOGPERF_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: process.env.LOGPERF_REDIS_URL || 'redis://127.0.0.1:6379',
  kafkaBroker: (process.env.LOGPERF_KAFKA_BROKERS || '127.0.0.1:9092').split(',')[0]!.trim(),
};

/** A service a test needs, and a cheap check that it answers (throws when not). */
export interface ServiceProbe {
  name: string;
  check(): Promise<void>;
}

export const postgresProbe: ServiceProbe = {
  name: `PostgreSQL at ${realServices.databaseUrl}`,
  async check() {
    const client = new pg.Client({ connectionString: realServices.databaseUrl, connectionTimeoutMillis: 3_000 });
    try {
      await client.connect();
      await client.query('select 1');
    } finally {
      await client.end().catch(() => undefined);
    }
  },
};

export const redisProbe: ServiceProbe = {
  name: `Redis at ${realServices.redisUrl}`,
  async check() {
    let cause: Error | undefined;
    const redis = new Redis(realServices.redisUrl, {
      lazyConnect: true,
      connectTimeout: 3_000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    redis.on('error', (error: Error) => (cause ??= error));
    try {
      await redis.connect();
      await redis.ping();
    } catch (error) {
      throw cause ?? error; // ioredis reports "Connection is closed"; the socket error says why
    } finally {
      redis.disconnect();
    }
  },
};

/** Sends Kafka's ApiVersions request (v0) and expects its answer: a broker is speaking, not just a port open. */
export const kafkaProbe: ServiceProbe = {
  name: `Kafka at ${realServices.kafkaBroker}`,
  check() {
    const [host = '127.0.0.1', port = '9092'] = realServices.kafkaBroker.split(':');
    const clientId = Buffer.from('logperf-probe');
    const request = Buffer.alloc(4 + 2 + 2 + 4 + 2 + clientId.length);
    request.writeInt32BE(request.length - 4, 0);
    request.writeInt16BE(18, 4); // ApiVersions
    request.writeInt16BE(0, 6); // version 0
    request.writeInt32BE(0x10675, 8); // correlation id
    request.writeInt16BE(clientId.length, 12);
    clientId.copy(request, 14);
    return new Promise<void>((resolve, reject) => {
      const socket = connect({ host, port: Number(port) }, () => socket.write(request));
      let received = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.length < 10) return;
        socket.destroy();
        const [correlationId, errorCode] = [received.readInt32BE(4), received.readInt16BE(8)];
        // 35 (UNSUPPORTED_VERSION) still proves a broker: it is how Kafka answers a version it dropped.
        if (correlationId === 0x10675 && (errorCode === 0 || errorCode === 35)) resolve();
        else reject(new Error(`unexpected ApiVersions answer (correlation ${correlationId}, error code ${errorCode})`));
      });
      socket.on('error', reject);
      socket.on('close', () => reject(new Error('connection closed before an answer')));
    });
  },
};

/** Resolves to the reason the probe failed, or undefined when the service answered. */
async function failureOf(probe: ServiceProbe, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([probe.check(), timeout]);
    return undefined;
  } catch (error) {
    return `${probe.name} is not reachable (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    clearTimeout(timer);
  }
}

/** Under CI=true an unreachable service throws; elsewhere it warns and yields the reason to skip for. */
async function skipReason(
  probes: ServiceProbe | readonly ServiceProbe[],
  timeoutMs: number,
): Promise<string | undefined> {
  const list: readonly ServiceProbe[] = Array.isArray(probes) ? probes : [probes as ServiceProbe];
  const failures = (await Promise.all(list.map((probe) => failureOf(probe, timeoutMs)))).filter((f) => f !== undefined);
  if (failures.length === 0) return undefined;
  const message = `${failures.join('; ')}. Start the services with scripts/services.sh up`;
  if (process.env.CI === 'true') throw new Error(`${message}. CI=true requires every real service.`);
  console.warn(`[real-services] skipping tests: ${message}. Under CI=true this is a failure.`);
  return failures.join('; ');
}

/** True when every probe answers; false (after a warning) when one does not, except under CI=true, where it throws. */
export async function requireService(
  probes: ServiceProbe | readonly ServiceProbe[],
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<boolean> {
  return (await skipReason(probes, timeoutMs)) === undefined;
}

/**
 * A describe block whose tests run only when every probe answers (the rule of requireService).
 * Vitest awaits an async suite factory, so this registers synchronously and needs no top-level await.
 */
export function describeReal(name: string, probes: ServiceProbe | readonly ServiceProbe[], suite: () => void): void {
  describe(name, async () => {
    const reason = await skipReason(probes, PROBE_TIMEOUT_MS);
    if (reason === undefined) suite();
    else it.skip(`skipped: ${reason}`, () => undefined);
  });
}
