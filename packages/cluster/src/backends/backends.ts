// Picks each backend from the config; real clients are imported lazily so the embedded path never loads them.
import { AppError, type Config, type Logger } from '@logperf/core';
import { z } from 'zod';
import type { Bus } from './bus/bus.js';
import type { Cache } from './cache/cache.js';
import type { Store } from './store/store.js';

export interface Backends {
  bus: Bus;
  store: Store;
  cache: Cache;
  close(): Promise<void>;
}

type BackendConfig = Pick<
  Config,
  | 'bus'
  | 'store'
  | 'cache'
  | 'kafkaBrokers'
  | 'kafkaTopic'
  | 'kafkaPartitions'
  | 'kafkaCompression'
  | 'databaseUrl'
  | 'storeTable'
  | 'pgliteDir'
  | 'storeRetentionSeconds'
  | 'busRedeliverySeconds'
  | 'redisUrl'
  | 'pgPoolSize'
  | 'pgPoolMinIdle'
  | 'kafkaProduceMaxRecords'
  | 'kafkaMetadataRefreshMs'
  | 'processorStallMs'
>;

/** TEST ONLY: LOGPERF_TEST_FREEZE_FETCH_AFTER_MS makes a processor's first Kafka client stop fetching (fault tests). */
function testFreezeFetch(): { testFreezeFetchAfterMs?: number } {
  const parsed = z.coerce
    .number()
    .int()
    .positive()
    .optional()
    .safeParse(process.env.LOGPERF_TEST_FREEZE_FETCH_AFTER_MS || undefined);
  if (!parsed.success)
    throw new AppError('INVALID_CONFIG', 'LOGPERF_TEST_FREEZE_FETCH_AFTER_MS: must be a positive integer (ms)');
  return parsed.data === undefined ? {} : { testFreezeFetchAfterMs: parsed.data };
}

/** With a logger, a consumer says when it loses its Kafka client, stalls, recovers, and when a fetch or commit fails. */
export async function createBus(config: BackendConfig, logger?: Logger): Promise<Bus> {
  if (config.bus === 'kafka') {
    const { createKafkaBus } = await import('./bus/kafka-bus.js');
    const { logMemberEvent } = await import('./bus/kafka-member-watch.js');
    return createKafkaBus({
      brokers: config.kafkaBrokers,
      topic: config.kafkaTopic,
      partitions: config.kafkaPartitions,
      compression: config.kafkaCompression,
      produceMaxRecords: config.kafkaProduceMaxRecords,
      metadataRefreshMs: config.kafkaMetadataRefreshMs,
      ...(config.processorStallMs === undefined ? {} : { stallAfterMs: config.processorStallMs }),
      ...testFreezeFetch(),
      ...(logger ? { onConsumerEvent: (event) => logMemberEvent(logger, event) } : {}),
    });
  }
  const { createMemoryBus } = await import('./bus/memory-bus.js');
  return createMemoryBus({ topic: config.kafkaTopic, partitions: config.kafkaPartitions });
}

export async function createStore(config: BackendConfig): Promise<Store> {
  const store =
    config.store === 'postgres'
      ? (await import('./store/postgres-store.js')).createPostgresStore({
          connectionString: config.databaseUrl,
          table: config.storeTable,
          poolSize: config.pgPoolSize,
          minIdle: config.pgPoolMinIdle,
        })
      : (await import('./store/pglite-store.js')).createPgliteStore({
          table: config.storeTable,
          dataDir: (await import('./store/pglite-dir.js')).dataDirOf(config.pgliteDir, 'store'),
          retentionMs: config.storeRetentionSeconds * 1000,
          redeliveryMs: config.busRedeliverySeconds * 1000,
        });
  await store.init();
  return store;
}

export async function createCache(config: BackendConfig): Promise<Cache> {
  // A dedupe mark only has to outlast a redelivery of its event (the config's busRedeliverySeconds explains it).
  const dedupeTtlSeconds = config.busRedeliverySeconds;
  if (config.cache === 'redis')
    return (await import('./cache/redis-cache.js')).createRedisCache({ url: config.redisUrl, dedupeTtlSeconds });
  return (await import('./cache/memory-cache.js')).createMemoryCache({ dedupeTtlSeconds });
}

/** The memory bus lives in this process, so every role of one process must share the same instance. */
export async function createBackends(config: BackendConfig, logger?: Logger): Promise<Backends> {
  const [bus, store, cache] = await Promise.all([createBus(config, logger), createStore(config), createCache(config)]);
  return {
    bus,
    store,
    cache,
    async close() {
      await Promise.allSettled([bus.close(), store.close(), cache.close()]);
    },
  };
}
