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
  'kafka-brokers': { type: 'string', help: 'host:port[,host:port] (env LOGPERF_KAFKA_BROKERS, default 127.0.0.1:9092)' },
  'database-url': { type: 'string', help: 'PostgreSQL URL (env LOGPERF_DATABASE_URL)' },
  'pglite-dir': { type: 'string', help: 'keep the embedded store on disk here (env LOGPERF_PGLITE_DIR; default in memory)' },
  'redis-url': { type: 'string', help: 'Redis URL (env LOGPERF_REDIS_URL)' },
  host: { type: 'string', help: 'address to bind (env LOGPERF_HOST, default 127.0.0.1)' },
  'log-level': { type: 'string', help: 'fatal|error|warn|info|debug|trace|silent (env LOGPERF_LOG_LEVEL)' },
  help: { type: 'boolean', help: 'show this help' },
};

export const COMMANDS: Record<string, CommandSpec> = {
  up: {
    summary: 'run the whole cluster (gateway + processors) in one process',
    usage: 'logperf up [--instances N] [--real] [backend flags]',
    flags: {
      ...BACKEND_FLAGS,
      instances: { type: 'string', help: 'processor consumer-group members (default 1)' },
      'gateway-port': { type: 'string', help: 'gateway port (env LOGPERF_GATEWAY_PORT, default 8090)' },
      'processor-port': { type: 'string', help: 'processor port (env LOGPERF_PROCESSOR_PORT, default 8091)' },
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
    },
  },
};

export function helpText(command?: string): string {
  const spec = command ? COMMANDS[command] : undefined;
  if (!spec) {
    const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(12)}${c.summary}`);
    return `logperf — load-test, monitor and plan a Kafka → processor → PostgreSQL + Redis log cluster\n\nUsage: logperf <command> [flags]\n\nCommands:\n${lines.join('\n')}\n\nRun 'logperf <command> --help' for its flags.`;
  }
  const flags = Object.entries(spec.flags).map(([name, f]) => `  --${(name + (f.type === 'string' ? ' <value>' : '')).padEnd(26)}${f.help}`);
  return `${spec.summary}\n\nUsage: ${spec.usage}\n\nFlags:\n${flags.join('\n')}`;
}
