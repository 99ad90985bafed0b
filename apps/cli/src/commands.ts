// The commands of `logperf`, their flags and help texts.
export interface CommandSpec {
  summary: string;
  usage: string;
  flags: Record<string, { type: 'string' | 'boolean'; help: string }>;
}

const BACKEND_FLAGS: CommandSpec['flags'] = {
  bus: { type: 'string', help: 'memory | kafka (env LOGPERF_BUS, default memory)' },
  store: { type: 'string', help: 'pglite | postgres (env LOGPERF_STORE, default pglite)' },
  cache: { type: 'string', help: 'memory | redis (env LOGPERF_CACHE, default memory)' },
  real: { type: 'boolean', help: 'shorthand for --bus kafka --store postgres --cache redis' },
  'kafka-brokers': {
    type: 'string',
    help: 'host:port[,host:port] (env LOGPERF_KAFKA_BROKERS, default 127.0.0.1:9092)',
  },
  'database-url': { type: 'string', help: 'PostgreSQL URL (env LOGPERF_DATABASE_URL)' },
  profile: { type: 'string', help: 'default | seed: the seed tuning, a pool of 50 with 10 idle (env LOGPERF_PROFILE)' },
  'pg-pool-size': { type: 'string', help: 'PostgreSQL pool size per process (env LOGPERF_PG_POOL_SIZE, default 10)' },
  'pg-pool-min-idle': {
    type: 'string',
    help: 'PostgreSQL connections kept open (env LOGPERF_PG_POOL_MIN_IDLE, default 0)',
  },
  'pglite-dir': {
    type: 'string',
    help: "root of the embedded store's data folders (env LOGPERF_PGLITE_DIR, default .cache/pglite; memory:// keeps it in memory)",
  },
  'retention-seconds': {
    type: 'string',
    help: 'the embedded store keeps each event at least this long, at most twice (env LOGPERF_STORE_RETENTION_SECONDS, default 600)',
  },
  'redelivery-seconds': {
    type: 'string',
    help: 'latest the bus may hand back a stored event; retention must exceed it (env LOGPERF_BUS_REDELIVERY_SECONDS, default 120)',
  },
  fresh: { type: 'boolean', help: 'start the embedded store empty (removes the data folders under --pglite-dir)' },
  'redis-url': { type: 'string', help: 'Redis URL (env LOGPERF_REDIS_URL)' },
  host: { type: 'string', help: 'address to bind (env LOGPERF_HOST, default 127.0.0.1)' },
  'log-level': { type: 'string', help: 'fatal|error|warn|info|debug|trace|silent (env LOGPERF_LOG_LEVEL)' },
  'monitor-url': { type: 'string', help: 'announce this node to the monitor every 5 s (env LOGPERF_MONITOR_URL)' },
  help: { type: 'boolean', help: 'show this help' },
};

const TEST_FLAGS: CommandSpec['flags'] = {
  url: { type: 'string', help: 'load generator to drive (default http://127.0.0.1:8081)' },
  'in-process': { type: 'boolean', help: 'start the embedded cluster and generator in this process and test it' },
  name: { type: 'string', help: 'test name' },
  target: { type: 'string', help: "'kafka' (straight onto the bus) or a gateway URL on the generator's allowlist" },
  'batch-size': { type: 'string', help: 'events per request (default 100)' },
  p95: { type: 'string', help: 'threshold: corrected p95 latency at most this many ms' },
  p99: { type: 'string', help: 'threshold: corrected p99 latency at most this many ms' },
  'error-rate': { type: 'string', help: 'threshold: errors / intended at most this (0–1)' },
  json: { type: 'boolean', help: 'print the result as JSON instead of the summary' },
  ...BACKEND_FLAGS,
};

/** The load generator as coordinator of remote `logperf worker`s (shared by `loadgen` and `worker`). */
const COORDINATOR_FLAGS: CommandSpec['flags'] = {
  workers: {
    type: 'string',
    help: 'threads | kafka: run schedules on own threads or on `logperf worker`s over Kafka (env LOGPERF_LOADGEN_WORKERS, default threads)',
  },
  segments: {
    type: 'string',
    help: 'with --workers kafka: segments (control-topic partitions) per test (env LOGPERF_LOADGEN_SEGMENTS, default 8)',
  },
  'worker-topic-prefix': {
    type: 'string',
    help: 'lobby/control/results topic prefix, same on coordinator and workers (env LOGPERF_LOADGEN_WORKER_TOPIC_PREFIX, default logperf.loadgen)',
  },
  'worker-session-ms': {
    type: 'string',
    help: "workers' Kafka session: a dead worker's segments move after it (env LOGPERF_LOADGEN_WORKER_SESSION_MS, default 6000)",
  },
};

export const COMMANDS: Record<string, CommandSpec> = {
  up: {
    summary: 'run the whole system (gateway, processors, load generator) in one process',
    usage: 'logperf up [--instances N] [--real] [backend flags]',
    flags: {
      ...BACKEND_FLAGS,
      instances: { type: 'string', help: 'processor consumer-group members (default 1)' },
      'gateway-port': { type: 'string', help: 'gateway port (env LOGPERF_GATEWAY_PORT, default 8090)' },
      'processor-port': { type: 'string', help: 'processor port (env LOGPERF_PROCESSOR_PORT, default 8091)' },
      'loadgen-port': { type: 'string', help: 'load generator port (env LOGPERF_LOADGEN_PORT, default 8081)' },
      'monitor-port': { type: 'string', help: 'monitor port (env LOGPERF_MONITOR_PORT, default 8080)' },
      'analyzer-port': { type: 'string', help: 'analyzer port (env LOGPERF_ANALYZER_PORT, default 8082)' },
    },
  },
  monitor: {
    summary: 'run the performance monitor alone (:8080): scrapes nodes, lag, bottlenecks, dashboard',
    usage: 'logperf monitor [--port N] [--nodes URL,…] [backend flags]',
    flags: {
      ...BACKEND_FLAGS,
      port: { type: 'string', help: 'port (env LOGPERF_MONITOR_PORT, default 8080)' },
      nodes: {
        type: 'string',
        help: 'node URLs to scrape (env LOGPERF_MONITOR_NODES, default gateway, processor and load generator)',
      },
      thresholds: {
        type: 'string',
        help: 'bottleneck thresholds as JSON, e.g. {"cpuPercent":60} (env LOGPERF_MONITOR_THRESHOLDS)',
      },
    },
  },
  loadgen: {
    summary: 'run the load generator alone (:8081)',
    usage: 'logperf loadgen [--port N] [--allowed-targets URL,…] [backend flags]',
    flags: {
      ...BACKEND_FLAGS,
      port: { type: 'string', help: 'port (env LOGPERF_LOADGEN_PORT, default 8081)' },
      'allowed-targets': {
        type: 'string',
        help: 'origins tests may target (env LOGPERF_LOADGEN_ALLOWED_TARGETS, default the gateway)',
      },
      'processor-urls': {
        type: 'string',
        help: 'processors to read end-to-end latency from (env LOGPERF_PROCESSOR_URLS)',
      },
      ...COORDINATOR_FLAGS,
    },
  },
  worker: {
    summary: "run a share of load tests' schedules for a load generator that coordinates over Kafka",
    usage:
      'logperf worker [--kafka-brokers host:port] [--worker-name NAME] [--worker-port 8083] [--worker-topic-prefix P] [--api-token T]',
    flags: {
      'kafka-brokers': BACKEND_FLAGS['kafka-brokers']!,
      'worker-name': { type: 'string', help: 'name in results (env LOGPERF_WORKER_NAME, default host-pid)' },
      'worker-url': {
        type: 'string',
        help: 'where this worker answers HTTP, announced to the coordinator (env LOGPERF_WORKER_URL)',
      },
      'worker-port': {
        type: 'string',
        help: 'port of its node routes: /health, /api/node/stats, /api/node/clock (env LOGPERF_WORKER_PORT, default 8083)',
      },
      'worker-topic-prefix': COORDINATOR_FLAGS['worker-topic-prefix']!,
      'api-token': { type: 'string', help: "the coordinator's token, if it has one (env LOGPERF_API_TOKEN)" },
      'log-level': BACKEND_FLAGS['log-level']!,
      help: BACKEND_FLAGS.help!,
    },
  },
  analyzer: {
    summary: 'run the metrics analyzer alone (:8082): statistics, bottlenecks, capacity, regressions, recommendations',
    usage: 'logperf analyzer [--port N] [--monitor-url URL] [backend flags]',
    flags: { ...BACKEND_FLAGS, port: { type: 'string', help: 'port (env LOGPERF_ANALYZER_PORT, default 8082)' } },
  },
  analyze: {
    summary: 'print the analysis of a test (or the latest), or compare two tests (exit 1 on a regression)',
    usage: 'logperf analyze [--test ID] [--compare BASELINE CANDIDATE] [--url http://127.0.0.1:8082] [--json]',
    flags: {
      url: { type: 'string', help: 'analyzer to ask (default http://127.0.0.1:8082)' },
      test: { type: 'string', help: 'test id (default: the latest finished test)' },
      compare: { type: 'string', help: 'baseline test id; the candidate follows as the next argument' },
      json: { type: 'boolean', help: 'print JSON instead of the summary' },
      help: { type: 'boolean', help: 'show this help' },
    },
  },
  doctor: {
    summary: 'check PostgreSQL, Redis, Kafka, Java, Maven and Chromium, and say how to start what is missing',
    usage: 'logperf doctor [backend flags]',
    flags: { ...BACKEND_FLAGS },
  },
  demo: {
    summary:
      'run the whole system embedded, a scaled-down seed burst (1,000 → 4,000 → 1,000 events/s, 10 s each), then a summary and reports/<test>.html|json',
    usage:
      'logperf demo [--once] [--baseline-rate N] [--burst-rate N] [--baseline PT10S] [--burst PT10S] [--report-dir reports]',
    flags: {
      once: {
        type: 'boolean',
        help: 'exit after the report (status 0 when every threshold passed) instead of keeping the dashboard up',
      },
      'report-dir': { type: 'string', help: 'where to write the report (default reports/)' },
      'baseline-rate': { type: 'string', help: 'events/s in the baseline and recovery (default 1000)' },
      'burst-rate': { type: 'string', help: 'events/s in the burst (default 4000)' },
      baseline: { type: 'string', help: 'ISO-8601 duration of baseline and recovery (default PT10S)' },
      burst: { type: 'string', help: 'ISO-8601 duration of the burst (default PT10S)' },
      p95: { type: 'string', help: 'threshold: corrected p95 latency at most this many ms' },
      p99: { type: 'string', help: 'threshold: corrected p99 latency at most this many ms' },
      'error-rate': { type: 'string', help: 'threshold: errors / intended at most this (default 0)' },
      instances: { type: 'string', help: 'processor consumer-group members (default 1)' },
      'gateway-port': { type: 'string', help: 'gateway port (default 8090)' },
      'processor-port': { type: 'string', help: 'processor port (default 8091)' },
      'loadgen-port': { type: 'string', help: 'load generator port (default 8081)' },
      'monitor-port': { type: 'string', help: 'monitor port (default 8080)' },
      'analyzer-port': { type: 'string', help: 'analyzer port (default 8082)' },
      ...BACKEND_FLAGS,
    },
  },
  burst: {
    summary: "run the seed's burst test: baseline → burst → recovery (exit 1 when a threshold fails)",
    usage:
      'logperf burst [--baseline-rate 5000] [--burst-rate 20000] [--baseline PT2M] [--burst PT1M] [--recovery PT2M] [--in-process | --url URL]',
    flags: {
      'baseline-rate': { type: 'string', help: 'events/s in the baseline and recovery phases (default 5000)' },
      'burst-rate': { type: 'string', help: 'events/s in the burst (default 20000)' },
      baseline: { type: 'string', help: 'ISO-8601 duration of the baseline (default PT2M)' },
      burst: { type: 'string', help: 'ISO-8601 duration of the burst (default PT1M)' },
      recovery: { type: 'string', help: 'ISO-8601 duration of the recovery (default: the baseline)' },
      ...TEST_FLAGS,
    },
  },
  ramp: {
    summary: "run the seed's ramp test: start → target rate linearly, then hold (exit 1 when a threshold fails)",
    usage:
      'logperf ramp [--start-rate 1000] [--target-rate 15000] [--ramp PT10M] [--hold PT1M] [--in-process | --url URL]',
    flags: {
      'start-rate': { type: 'string', help: 'events/s at the start (default 1000)' },
      'target-rate': { type: 'string', help: 'events/s at the end of the ramp and during the hold (default 15000)' },
      ramp: { type: 'string', help: 'ISO-8601 duration of the ramp (default PT10M)' },
      hold: { type: 'string', help: 'ISO-8601 duration of the hold (default PT1M)' },
      ...TEST_FLAGS,
    },
  },
  capacity: {
    summary:
      'find the maximum sustainable rate: binary search over short constant-rate steps, then a confirmation; knee curve to reports/',
    usage:
      'logperf capacity [--low 1000] [--high 20000] [--resolution 500] [--p99 500] [--step-seconds 10] [--confirm-seconds 30] [--max-steps 10] [--max-minutes 15] [--real | --url URL]',
    flags: {
      low: { type: 'string', help: 'lowest rate to try, events/s (default 1000)' },
      high: { type: 'string', help: 'highest rate to try, events/s (default 20000)' },
      resolution: { type: 'string', help: 'stop bisecting when the bracket is this narrow, events/s (default 500)' },
      p99: { type: 'string', help: 'a step passes with corrected p99 at most this many ms (default 500)' },
      'min-achieved': { type: 'string', help: 'a step passes with achieved/intended at least this (default 0.95)' },
      'max-lag-growth': {
        type: 'string',
        help: 'a step passes with lag growing at most this share of the rate per second (default 0.02)',
      },
      'step-seconds': { type: 'string', help: 'judged seconds per search step (default 10)' },
      'confirm-seconds': { type: 'string', help: 'judged seconds of the confirmation step (default 30)' },
      'warmup-seconds': { type: 'string', help: 'unjudged seconds at the same rate before each step (default 2)' },
      'drain-seconds': {
        type: 'string',
        help: 'how long to wait after a step for acknowledged events to be stored (default 10)',
      },
      'max-steps': { type: 'string', help: 'at most this many steps, the confirmation included (default 10)' },
      'max-minutes': { type: 'string', help: 'stop searching when the next step would end after this (default 15)' },
      'processor-urls': {
        type: 'string',
        help: 'processors whose stored counts give lag and loss (with --url; default LOGPERF_PROCESSOR_URLS)',
      },
      'report-dir': { type: 'string', help: 'where to write capacity-<time>.json|html (default reports/)' },
      instances: { type: 'string', help: 'processor consumer-group members in this process (default 1)' },
      url: TEST_FLAGS.url!,
      target: TEST_FLAGS.target!,
      'batch-size': TEST_FLAGS['batch-size']!,
      json: TEST_FLAGS.json!,
      ...BACKEND_FLAGS,
    },
  },
  gateway: {
    summary: 'run the ingest gateway alone (POST /api/logs on :8090)',
    usage: 'logperf gateway [--port N] [backend flags]',
    flags: { ...BACKEND_FLAGS, port: { type: 'string', help: 'port (env LOGPERF_GATEWAY_PORT, default 8090)' } },
  },
  processor: {
    summary: 'run processor consumer-group members writing to the store and cache (:8091)',
    usage: 'logperf processor [--instances N] [--port N] [backend flags]',
    flags: {
      ...BACKEND_FLAGS,
      instances: { type: 'string', help: 'consumer-group members in this process (default 1)' },
      port: { type: 'string', help: 'port (env LOGPERF_PROCESSOR_PORT, default 8091)' },
      'max-wait-ms': {
        type: 'string',
        help: 'how long a batch may wait to fill before it is written (env LOGPERF_PROCESSOR_MAX_WAIT_MS, default 5)',
      },
      'stall-ms': {
        type: 'string',
        help: 'lag without fetch or commit progress this long: /health 503 stalled, consumer re-created (env LOGPERF_PROCESSOR_STALL_MS, default wait + 11000)',
      },
    },
  },
};

export function helpText(command?: string): string {
  const spec = command ? COMMANDS[command] : undefined;
  if (!spec) {
    const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)}${c.summary}`);
    return `logperf — load-test, monitor and plan a Kafka → processor → PostgreSQL + Redis log cluster\n\nUsage: logperf <command> [flags]\n\nCommands:\n${lines.join('\n')}\n\nRun 'logperf <command> --help' for its flags. Roles started alone, burst, ramp, analyze and doctor read the\nsettings ./setup.sh writes to .env.logperf (flags and LOGPERF_* variables win).`;
  }
  const flags = Object.entries(spec.flags).map(
    ([name, f]) => `  --${(name + (f.type === 'string' ? ' <value>' : '')).padEnd(26)}${f.help}`,
  );
  return `${spec.summary}\n\nUsage: ${spec.usage}\n\nFlags:\n${flags.join('\n')}`;
}
