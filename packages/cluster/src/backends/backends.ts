// Picks each backend from the config; real clients are imported lazily so the embedded path never loads them.
import type { Config, Logger } from '@logperf/core';
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
  | 'databaseUrl'
  | 'storeTable'
  | 'pgliteDir'
  | 'storeRetentionSeconds'
  | 'busRedeliverySeconds'
  | 'redisUrl'
>;

/** With a logger, a consumer that loses its Kafka client (and gets it back) says so. */
export async function createBus(config: BackendConfig, logger?: Logger): Promise<Bus> {
  if (config.bus === 'kafka') {
    const { createKafkaBus } = await import('./bus/kafka-bus.js');
    const onConsumerEvent = logger
      ? (event: { kind: 'lost' | 'restored'; error?: unknown; attempt?: number }) =>
          event.kind === 'lost'
            ? logger.warn(
                { err: event.error, attempt: event.attempt },
                'kafka consumer lost its client; re-creating it',
              )
            : logger.info({ attempt: event.attempt }, 'kafka consumer reading again')
      : undefined;
    return createKafkaBus({
      brokers: config.kafkaBrokers,
      topic: config.kafkaTopic,
      partitions: config.kafkaPartitions,
      ...(onConsumerEvent ? { onConsumerEvent } : {}),
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
  if (config.cache === 'redis')
    return (await import('./cache/redis-cache.js')).createRedisCache({ url: config.redisUrl });
  return (await import('./cache/memory-cache.js')).createMemoryCache();
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
