// Configuration from the environment (LOGPERF_*) and command-line flags, validated once, with clear errors.
import { z } from 'zod';
import { AppError } from './errors.js';

export const SERVICE_PORTS = { monitor: 8080, loadgen: 8081, analyzer: 8082, gateway: 8090, processor: 8091 } as const;
export type ServiceName = keyof typeof SERVICE_PORTS;

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL with protocol ${protocols.join(' or ')}`,
  );

/**
 * Named sets of defaults. `seed` is the tuning the original description gives: a PostgreSQL pool of at most 50
 * connections with 10 kept open (HikariCP's maximum-pool-size / minimum-idle). An explicit setting always wins.
 */
export const PROFILES = {
  default: { pgPoolSize: 10, pgPoolMinIdle: 0 },
  seed: { pgPoolSize: 50, pgPoolMinIdle: 10 },
} as const;

const origins = (list: string) =>
  list
    .split(',')
    .map((s) => s.trim().replace(/\/+$/, ''))
    .filter(Boolean);

const configSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    ports: z.object(
      Object.fromEntries(Object.entries(SERVICE_PORTS).map(([name, p]) => [name, port.default(p)])) as {
        [K in ServiceName]: z.ZodDefault<typeof port>;
      },
    ),
    bus: z.enum(['memory', 'kafka']).default('memory'),
    store: z.enum(['pglite', 'postgres']).default('pglite'),
    cache: z.enum(['memory', 'redis']).default('memory'),
    kafkaBrokers: z
      .string()
      .default('127.0.0.1:9092')
      .transform((s) =>
        s
          .split(',')
          .map((b) => b.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^[\w.-]+:\d+$/, 'each broker must be host:port')).min(1)),
    kafkaTopic: z
      .string()
      .regex(/^[\w.-]{1,249}$/)
      .default('log-events'),
    kafkaPartitions: positiveInt.max(1024).default(6),
    /** Compression of produced record batches (bench/cpu-per-event.ts --kafka-compression measures each). */
    kafkaCompression: z.enum(['none', 'gzip', 'snappy', 'lz4', 'zstd']).default('none'),
    processorGroup: z
      .string()
      .regex(/^[\w.-]{1,249}$/)
      .default('log-processors'),
    /** How long a processor waits for a batch to fill before writing what it has. */
    processorMaxWaitMs: z.coerce.number().int().min(1).max(1000).default(5),
    profile: z.enum(['default', 'seed']).default('default'),
    /** Most connections in each process's store pool; default from the profile (10, seed 50). */
    pgPoolSize: positiveInt.max(1000).optional(),
    /** Connections the store pool opens at start and keeps open; default from the profile (0, seed 10). */
    pgPoolMinIdle: z.coerce.number().int().min(0).max(1000).optional(),
    /** Most records in one Kafka produce request (our send queue coalesces concurrent produce calls up to this). */
    kafkaProduceMaxRecords: positiveInt.max(1_000_000).default(10_000),
    /** How often the bus re-reads the topic's partition count, so producer, consumers and lag follow an `--alter`. */
    kafkaMetadataRefreshMs: z.coerce.number().int().min(100).max(600_000).default(2000),
    /**
     * A processor's Kafka member with lag and no fetch or commit progress on a partition for this long reports itself
     * stalled and re-creates its client; unset: batch wait + commit timeout (5 s) + session timeout (6 s).
     */
    processorStallMs: z.coerce.number().int().min(500).max(600_000).optional(),
    databaseUrl: url(['postgres:', 'postgresql:']).default('postgres://postgres@127.0.0.1:5432/test'),
    storeTable: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lower-case SQL identifier')
      .default('log_events'),
    /**
     * Root of the embedded store's data folders (the cluster's in `store/`, a service alone in `<name>/`), relative to
     * the working directory; git-ignored. `memory://` keeps everything in memory (tests).
     */
    pgliteDir: z.string().min(1).default('.cache/pglite'),
    /** The embedded store keeps each event at least this long and at most twice this (docs/MEMORY.md). */
    storeRetentionSeconds: positiveInt.default(600),
    /**
     * The latest the bus may hand an already stored event back: a failed batch's retry (≤ 1 s), a consumer-group
     * rebalance (Kafka session 6 s + rebalance 12 s), a crashed processor restarted by hand. Retention must exceed it, and
     * Redis dedupe marks (log:{id}) live this long: the store's ON CONFLICT keeps exactly-once beyond it, the marks only
     * keep the recent lists free of repeats (1 h held 1.76 GB of marks after an hour of benches).
     */
    busRedeliverySeconds: positiveInt.default(120),
    redisUrl: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
    apiToken: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Host names (besides the bound address and localhost) a request's Host header may carry, e.g. Compose service names. */
    allowedHosts: z
      .string()
      .transform((list) =>
        list
          .split(',')
          .map((h) => h.trim().toLowerCase())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().regex(/^[\w.:[\]-]{1,253}$/, 'each host must be a host name or address')))
      .default([]),
    /** Whether a load test may produce straight onto the bus (`target: "kafka"`), bypassing the gateway's admission. */
    loadgenAllowKafka: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    /** Who runs the load generator's schedule: its own threads, or `logperf worker` processes over Kafka. */
    loadgenWorkers: z.enum(['threads', 'kafka']).default('threads'),
    /** Segments a test's schedule is split into for remote workers (the partitions of its control topic). */
    loadgenSegments: z.coerce.number().int().min(1).max(256).default(8),
    /** Prefix of the coordinator/worker topics and consumer groups (one lobby, and per test a control and a results topic). */
    loadgenWorkerTopicPrefix: z
      .string()
      .regex(/^[\w.-]{1,180}$/)
      .default('logperf.loadgen'),
    /** Kafka session of a worker in a test's group: a dead worker's segments move to the others after this. */
    loadgenWorkerSessionMs: z.coerce.number().int().min(3000).max(300_000).default(6000),
    /** A `logperf worker`'s name in results (default host-pid). */
    workerName: z
      .string()
      .regex(/^[\w.:-]{1,100}$/)
      .optional(),
    /** Where a `logperf worker` can be reached over HTTP, announced with its claims (for clock-offset estimates). */
    workerUrl: z.url().optional(),
    /** The port a `logperf worker` serves its node routes on (/health, /api/node/stats, /api/node/clock). */
    workerPort: port.default(8083),
    /** The longest window GET /api/performance/report serves, minutes. */
    monitorReportMaxMinutes: z.coerce.number().int().min(1).max(43_200).default(1440),
    /** Origins the load generator may target; default: the configured gateway. */
    loadgenAllowedTargets: z.string().transform(origins).pipe(z.array(z.url()).min(1)).optional(),
    /** Processors whose histograms give a test's end-to-end latency; default: the configured processor. */
    processorUrls: z.string().transform(origins).pipe(z.array(z.url()).min(1)).optional(),
    /** Where processors and gateways announce themselves (POST /api/performance/nodes every 5 s); unset: no heartbeat. */
    monitorUrl: z.url().optional(),
    /** How long the generator holds a partial batch before sending it (ms). */
    loadgenLingerMs: z.coerce.number().int().min(0).max(1000).default(5),
    /** An event sent this long after its intended time counts as late (ms): part of every run's figures. */
    loadgenLateAfterMs: z.coerce.number().int().min(1).max(60_000).default(10),
    /** An event not sent within this long of its intended time is dropped, and counted (ms). */
    loadgenDropAfterMs: z.coerce.number().int().min(1).max(600_000).default(5000),
    /** A node that has not answered the monitor's scrapes for this long is marked down (ms). */
    monitorDownAfterMs: z.coerce.number().int().min(100).max(600_000).default(3000),
    /** How often the monitor scrapes every node and the consumer lag. */
    monitorScrapeMs: z.coerce.number().int().min(100).max(60_000).default(1000),
    /** Bottleneck thresholds as JSON, e.g. {"cpuPercent":60}; validated by the monitor. */
    monitorThresholds: z.string().optional(),
    /** Nodes the monitor scrapes from the start; default: the configured gateway, processor and load generator. */
    monitorNodes: z.string().transform(origins).pipe(z.array(z.url()).min(1)).optional(),
    /**
     * A figure subtracting two hosts' clocks (end to end) is marked untrustworthy when its clock bound exceeds this share
     * of it (docs/DISTRIBUTED.md#clocks).
     */
    clockMaxUncertaintyShare: z.coerce.number().positive().max(1).default(0.1),
    /** How often the monitor re-measures every node's clock offset. */
    clockRemeasureMs: z.coerce.number().int().min(100).max(600_000).default(5000),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .refine((c) => isLoopback(c.host) || c.apiToken !== undefined, {
    path: ['apiToken'],
    message: 'is required when the bind address is not loopback (anyone who can reach the port could start load tests)',
  })
  .superRefine((c, ctx) => {
    // A row dropped before its event can come back from the bus would be stored a second time.
    if (c.store === 'pglite' && c.storeRetentionSeconds <= c.busRedeliverySeconds)
      ctx.addIssue({
        code: 'custom',
        path: ['storeRetentionSeconds'],
        message: `must exceed the bus's redelivery window (LOGPERF_BUS_REDELIVERY_SECONDS = ${c.busRedeliverySeconds} s), or an event redelivered after its row was dropped is stored twice; got ${c.storeRetentionSeconds} s`,
      });
  });

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopback(host: string): boolean {
  const h = host
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/^::ffff:/, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

type Lists = 'loadgenAllowedTargets' | 'processorUrls' | 'monitorNodes';
type Resolved = 'pgPoolSize' | 'pgPoolMinIdle';
export type Config = Omit<z.output<typeof configSchema>, Lists | Resolved> &
  Record<Lists, string[]> &
  Record<Resolved, number>;
export type Flags = Readonly<Record<string, string | boolean | undefined>>;

/** Where each setting comes from: flag name (kebab-case) and environment variable. */
export const SOURCES: Record<string, { flag: string; env: string }> = {
  host: { flag: 'host', env: 'LOGPERF_HOST' },
  bus: { flag: 'bus', env: 'LOGPERF_BUS' },
  store: { flag: 'store', env: 'LOGPERF_STORE' },
  cache: { flag: 'cache', env: 'LOGPERF_CACHE' },
  kafkaBrokers: { flag: 'kafka-brokers', env: 'LOGPERF_KAFKA_BROKERS' },
  kafkaTopic: { flag: 'kafka-topic', env: 'LOGPERF_KAFKA_TOPIC' },
  kafkaPartitions: { flag: 'kafka-partitions', env: 'LOGPERF_KAFKA_PARTITIONS' },
  kafkaCompression: { flag: 'kafka-compression', env: 'LOGPERF_KAFKA_COMPRESSION' },
  processorGroup: { flag: 'processor-group', env: 'LOGPERF_PROCESSOR_GROUP' },
  processorMaxWaitMs: { flag: 'max-wait-ms', env: 'LOGPERF_PROCESSOR_MAX_WAIT_MS' },
  profile: { flag: 'profile', env: 'LOGPERF_PROFILE' },
  pgPoolSize: { flag: 'pg-pool-size', env: 'LOGPERF_PG_POOL_SIZE' },
  pgPoolMinIdle: { flag: 'pg-pool-min-idle', env: 'LOGPERF_PG_POOL_MIN_IDLE' },
  kafkaProduceMaxRecords: { flag: 'kafka-produce-max-records', env: 'LOGPERF_KAFKA_PRODUCE_MAX_RECORDS' },
  kafkaMetadataRefreshMs: { flag: 'kafka-metadata-refresh-ms', env: 'LOGPERF_KAFKA_METADATA_REFRESH_MS' },
  processorStallMs: { flag: 'stall-ms', env: 'LOGPERF_PROCESSOR_STALL_MS' },
  databaseUrl: { flag: 'database-url', env: 'LOGPERF_DATABASE_URL' },
  storeTable: { flag: 'store-table', env: 'LOGPERF_STORE_TABLE' },
  pgliteDir: { flag: 'pglite-dir', env: 'LOGPERF_PGLITE_DIR' },
  storeRetentionSeconds: { flag: 'retention-seconds', env: 'LOGPERF_STORE_RETENTION_SECONDS' },
  busRedeliverySeconds: { flag: 'redelivery-seconds', env: 'LOGPERF_BUS_REDELIVERY_SECONDS' },
  redisUrl: { flag: 'redis-url', env: 'LOGPERF_REDIS_URL' },
  apiToken: { flag: 'api-token', env: 'LOGPERF_API_TOKEN' },
  allowedHosts: { flag: 'allowed-hosts', env: 'LOGPERF_ALLOWED_HOSTS' },
  loadgenAllowKafka: { flag: 'allow-kafka-target', env: 'LOGPERF_LOADGEN_ALLOW_KAFKA' },
  loadgenWorkers: { flag: 'workers', env: 'LOGPERF_LOADGEN_WORKERS' },
  loadgenSegments: { flag: 'segments', env: 'LOGPERF_LOADGEN_SEGMENTS' },
  loadgenWorkerTopicPrefix: { flag: 'worker-topic-prefix', env: 'LOGPERF_LOADGEN_WORKER_TOPIC_PREFIX' },
  loadgenWorkerSessionMs: { flag: 'worker-session-ms', env: 'LOGPERF_LOADGEN_WORKER_SESSION_MS' },
  workerName: { flag: 'worker-name', env: 'LOGPERF_WORKER_NAME' },
  workerUrl: { flag: 'worker-url', env: 'LOGPERF_WORKER_URL' },
  workerPort: { flag: 'worker-port', env: 'LOGPERF_WORKER_PORT' },
  monitorReportMaxMinutes: { flag: 'report-max-minutes', env: 'LOGPERF_MONITOR_REPORT_MAX_MINUTES' },
  loadgenLingerMs: { flag: 'linger-ms', env: 'LOGPERF_LOADGEN_LINGER_MS' },
  loadgenLateAfterMs: { flag: 'late-after-ms', env: 'LOGPERF_LOADGEN_LATE_AFTER_MS' },
  loadgenDropAfterMs: { flag: 'drop-after-ms', env: 'LOGPERF_LOADGEN_DROP_AFTER_MS' },
  loadgenAllowedTargets: { flag: 'allowed-targets', env: 'LOGPERF_LOADGEN_ALLOWED_TARGETS' },
  processorUrls: { flag: 'processor-urls', env: 'LOGPERF_PROCESSOR_URLS' },
  monitorNodes: { flag: 'nodes', env: 'LOGPERF_MONITOR_NODES' },
  monitorUrl: { flag: 'monitor-url', env: 'LOGPERF_MONITOR_URL' },
  monitorScrapeMs: { flag: 'scrape-ms', env: 'LOGPERF_MONITOR_SCRAPE_MS' },
  monitorDownAfterMs: { flag: 'down-after-ms', env: 'LOGPERF_MONITOR_DOWN_AFTER_MS' },
  monitorThresholds: { flag: 'thresholds', env: 'LOGPERF_MONITOR_THRESHOLDS' },
  clockMaxUncertaintyShare: { flag: 'clock-max-uncertainty-share', env: 'LOGPERF_CLOCK_MAX_UNCERTAINTY_SHARE' },
  clockRemeasureMs: { flag: 'clock-remeasure-ms', env: 'LOGPERF_CLOCK_REMEASURE_MS' },
  logLevel: { flag: 'log-level', env: 'LOGPERF_LOG_LEVEL' },
};

function pick(flags: Flags, env: NodeJS.ProcessEnv, flag: string, envName: string): string | undefined {
  const fromFlag = flags[flag];
  if (typeof fromFlag === 'string') return fromFlag;
  const fromEnv = env[envName];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

/** Flags win over environment variables; `--<service>-port` and `LOGPERF_<SERVICE>_PORT` set each port. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, flags: Flags = {}): Config {
  const raw: Record<string, unknown> = { ports: {} };
  for (const [key, source] of Object.entries(SOURCES)) raw[key] = pick(flags, env, source.flag, source.env);
  for (const service of Object.keys(SERVICE_PORTS)) {
    (raw.ports as Record<string, unknown>)[service] = pick(
      flags,
      env,
      `${service}-port`,
      `LOGPERF_${service.toUpperCase()}_PORT`,
    );
  }
  const parsed = configSchema
    .refine(
      (c) => (c.pgPoolMinIdle ?? PROFILES[c.profile].pgPoolMinIdle) <= (c.pgPoolSize ?? PROFILES[c.profile].pgPoolSize),
      { message: 'must not exceed the pool size', path: ['pgPoolMinIdle'] },
    )
    .safeParse(raw);
  if (parsed.success) {
    const c = parsed.data;
    const origin = (port: number) => `http://${c.host.includes(':') ? `[${c.host}]` : c.host}:${port}`;
    return {
      ...c,
      pgPoolSize: c.pgPoolSize ?? PROFILES[c.profile].pgPoolSize,
      pgPoolMinIdle: c.pgPoolMinIdle ?? PROFILES[c.profile].pgPoolMinIdle,
      loadgenAllowedTargets: c.loadgenAllowedTargets ?? [origin(c.ports.gateway)],
      processorUrls: c.processorUrls ?? [origin(c.ports.processor)],
      monitorNodes: c.monitorNodes ?? [origin(c.ports.gateway), origin(c.ports.processor), origin(c.ports.loadgen)],
    };
  }
  const problems = parsed.error.issues.map((issue) => {
    const [key, sub] = issue.path.map(String);
    const source =
      key === 'ports' && sub ? { flag: `${sub}-port`, env: `LOGPERF_${sub.toUpperCase()}_PORT` } : SOURCES[key ?? ''];
    const where = source ? `${source.env} / --${source.flag}` : issue.path.join('.');
    return `${where}: ${issue.message}`;
  });
  throw new AppError('INVALID_CONFIG', `Invalid configuration:\n  ${problems.join('\n  ')}`, { details: problems });
}
