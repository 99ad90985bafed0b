import { describe, expect, it } from 'vitest';
import { AppError, loadConfig } from '@logperf/core';

describe('loadConfig', () => {
  it('defaults to the embedded backends on 127.0.0.1 and the contract ports', () => {
    const config = loadConfig({}, {});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      bus: 'memory',
      store: 'pglite',
      cache: 'memory',
      kafkaBrokers: ['127.0.0.1:9092'],
      kafkaTopic: 'log-events',
      kafkaPartitions: 6,
    });
    expect(config.ports).toEqual({ monitor: 8080, loadgen: 8081, analyzer: 8082, gateway: 8090, processor: 8091 });
    expect(config.apiToken).toBeUndefined();
    expect(config).toMatchObject({ pgliteDir: '.cache/pglite', storeRetentionSeconds: 600, busRedeliverySeconds: 120 });
  });

  it("refuses an embedded store retention that does not exceed the bus's redelivery window", () => {
    const attempt = (env: Record<string, string>) => () => loadConfig(env, {});
    expect(attempt({ LOGPERF_STORE_RETENTION_SECONDS: '120' })).toThrow(
      /LOGPERF_STORE_RETENTION_SECONDS \/ --retention-seconds: must exceed the bus's redelivery window \(LOGPERF_BUS_REDELIVERY_SECONDS = 120 s\)/,
    );
    expect(attempt({ LOGPERF_STORE_RETENTION_SECONDS: '300', LOGPERF_BUS_REDELIVERY_SECONDS: '400' })).toThrow(
      /stored twice; got 300 s/,
    );
    expect(loadConfig({ LOGPERF_STORE_RETENTION_SECONDS: '121' }, {}).storeRetentionSeconds).toBe(121);
    // Only the embedded store drops rows; PostgreSQL keeps them.
    expect(loadConfig({ LOGPERF_STORE: 'postgres', LOGPERF_STORE_RETENTION_SECONDS: '60' }, {}).store).toBe('postgres');
  });

  it('reads LOGPERF_* variables, and flags win over them', () => {
    const env = {
      LOGPERF_BUS: 'kafka',
      LOGPERF_GATEWAY_PORT: '9000',
      LOGPERF_KAFKA_BROKERS: 'a:1, b:2',
      LOGPERF_API_TOKEN: 'x'.repeat(20),
    };
    const config = loadConfig(env, { bus: 'memory', 'processor-port': '9001' });
    expect(config.bus).toBe('memory');
    expect(config.ports.gateway).toBe(9000);
    expect(config.ports.processor).toBe(9001);
    expect(config.kafkaBrokers).toEqual(['a:1', 'b:2']);
    expect(config.apiToken).toBe('x'.repeat(20));
  });

  it('names the variable and flag of every bad setting', () => {
    const attempt = () =>
      loadConfig(
        {
          LOGPERF_STORE: 'mysql',
          LOGPERF_GATEWAY_PORT: '70000',
          LOGPERF_REDIS_URL: 'http://x',
          LOGPERF_API_TOKEN: 'short',
        },
        {},
      );
    expect(attempt).toThrow(AppError);
    try {
      attempt();
    } catch (error) {
      const message = (error as AppError).message;
      expect(message).toContain('LOGPERF_STORE / --store');
      expect(message).toContain('LOGPERF_GATEWAY_PORT / --gateway-port');
      expect(message).toContain('LOGPERF_REDIS_URL / --redis-url');
      expect(message).toContain('LOGPERF_API_TOKEN / --api-token');
      expect((error as AppError).code).toBe('INVALID_CONFIG');
    }
  });

  it('keeps a pool of 10 by default; the seed profile sets the seed tuning, and an explicit setting wins', () => {
    expect(loadConfig({}, {})).toMatchObject({ profile: 'default', pgPoolSize: 10, pgPoolMinIdle: 0 });
    expect(loadConfig({ LOGPERF_PROFILE: 'seed' }, {})).toMatchObject({ pgPoolSize: 50, pgPoolMinIdle: 10 });
    expect(loadConfig({ LOGPERF_PROFILE: 'seed' }, { 'pg-pool-size': '20' })).toMatchObject({
      pgPoolSize: 20,
      pgPoolMinIdle: 10,
    });
    expect(() => loadConfig({ LOGPERF_PG_POOL_SIZE: '5', LOGPERF_PG_POOL_MIN_IDLE: '6' }, {})).toThrow(
      'LOGPERF_PG_POOL_MIN_IDLE / --pg-pool-min-idle: must not exceed the pool size',
    );
    expect(() => loadConfig({ LOGPERF_PROFILE: 'turbo' }, {})).toThrow('LOGPERF_PROFILE / --profile');
  });

  it("the generator's linger, late and drop limits default to 5, 10 and 5000 ms and are set by env or flag", () => {
    expect(loadConfig({}, {})).toMatchObject({ loadgenLingerMs: 5, loadgenLateAfterMs: 10, loadgenDropAfterMs: 5000 });
    expect(loadConfig({}, {}).monitorDownAfterMs).toBe(3000);
    const set = loadConfig({ LOGPERF_LOADGEN_LATE_AFTER_MS: '20' }, { 'drop-after-ms': '1000', 'linger-ms': '0' });
    expect(set).toMatchObject({ loadgenLingerMs: 0, loadgenLateAfterMs: 20, loadgenDropAfterMs: 1000 });
    expect(() => loadConfig({ LOGPERF_LOADGEN_DROP_AFTER_MS: '0' }, {})).toThrow('LOGPERF_LOADGEN_DROP_AFTER_MS');
  });

  it('runs schedules on threads by default; kafka workers take segments, a prefix and a session, checked', () => {
    expect(loadConfig({}, {})).toMatchObject({ loadgenWorkers: 'threads', loadgenSegments: 8 });
    expect(
      loadConfig({ LOGPERF_LOADGEN_WORKERS: 'kafka', LOGPERF_LOADGEN_SEGMENTS: '4' }, { 'worker-name': 'w-1' }),
    ).toMatchObject({ loadgenWorkers: 'kafka', loadgenSegments: 4, workerName: 'w-1', loadgenWorkerSessionMs: 6000 });
    expect(() => loadConfig({ LOGPERF_LOADGEN_WORKERS: 'ssh' }, {})).toThrow('LOGPERF_LOADGEN_WORKERS / --workers');
    expect(() => loadConfig({ LOGPERF_LOADGEN_SEGMENTS: '0' }, {})).toThrow('LOGPERF_LOADGEN_SEGMENTS / --segments');
    expect(() => loadConfig({ LOGPERF_LOADGEN_WORKER_SESSION_MS: '100' }, {})).toThrow(
      'LOGPERF_LOADGEN_WORKER_SESSION_MS / --worker-session-ms',
    );
  });
});
