// Starts the cluster for a benchmark as a user would: `logperf up` (embedded) or a gateway and N processors (real).
import { Admin } from '@platformatic/kafka';
import { startCli, type CliProcess } from '../apps/cli/test/cli-process.js';

export interface BenchNodes {
  gateway: string;
  processors: string[];
  /** The processors' process ids (real only), for benchmarks that freeze or kill one. */
  processorPids?: number[];
  /** The load generator aimed at this gateway (embedded: the one in `logperf up`; real: started when asked for). */
  loadgen?: string;
  /** The monitor scraping these nodes (embedded: the one in `logperf up`; real: started with the load generator). */
  monitor?: string;
  /** The analyzer reading this run's results (embedded: the one in `logperf up`; real: started with the load generator). */
  analyzer?: string;
  /** Per-run names, so a benchmark never mixes with other data. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** `monitor: false` leaves the real cluster without a monitor (it takes CPU from the same 2 cores; the analyzer then sees only the generator's results). */
export async function startNodes(options: {
  real: boolean;
  processes: number;
  loadgen?: boolean;
  monitor?: boolean;
  /** Arguments for node itself in every started process (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Extra environment for every started process (e.g. private servers' URLs). */
  env?: Record<string, string>;
  /** What only processor `index` gets on top (real only): a heap limit, a proxied database URL. */
  processor?: (index: number) => { env?: Record<string, string>; nodeArgs?: string[] };
}): Promise<BenchNodes> {
  const nodeArgs = options.nodeArgs ?? [];
  const suffix = `${Date.now()}_${process.pid}`;
  const topic = `log-events-bench-${suffix}`;
  const group = `log-processors-bench-${suffix}`;
  const env: Record<string, string> = {
    LOGPERF_KAFKA_TOPIC: topic,
    LOGPERF_PROCESSOR_GROUP: group,
    LOGPERF_STORE_TABLE: `log_events_bench_${suffix}`,
    LOGPERF_LOG_LEVEL: 'warn',
    ...options.env,
  };
  const started: CliProcess[] = [];
  if (!options.real) {
    const up = await startCli(
      [
        'up',
        '--gateway-port',
        '0',
        '--processor-port',
        '0',
        '--loadgen-port',
        '0',
        '--monitor-port',
        '0',
        '--analyzer-port',
        '0',
      ],
      env,
      undefined,
      nodeArgs,
    );
    started.push(up);
    return {
      gateway: up.urls.gateway ?? '',
      processors: [up.urls.processor ?? ''],
      loadgen: up.urls.loadgen ?? '',
      monitor: up.urls.monitor ?? '',
      analyzer: up.urls.analyzer ?? '',
      env,
      stop: () => stopAll(started),
    };
  }
  const real = ['--real', '--port', '0'];
  const stop = async () => {
    await stopAll(started);
    await deleteRunTopic(topic, group, env.LOGPERF_KAFKA_BROKERS);
  };
  for (let i = 0; i < options.processes; i++) {
    const own = options.processor?.(i) ?? {};
    started.push(
      await startCli(['processor', ...real], { ...env, ...own.env }, undefined, [...nodeArgs, ...(own.nodeArgs ?? [])]),
    );
  }
  const gateway = await startCli(['gateway', ...real], env, undefined, nodeArgs);
  started.push(gateway);
  const processors = started.slice(0, -1).map((p) => p.url);
  const processorPids = started.slice(0, -1).flatMap((p) => (p.child.pid === undefined ? [] : [p.child.pid]));
  if (!options.loadgen) return { gateway: gateway.url, processors, processorPids, env, stop };
  const loadgen = await startCli(
    ['loadgen', ...real, '--allowed-targets', gateway.url, '--processor-urls', processors.join(',')],
    env,
  );
  started.push(loadgen);
  // The monitor keeps each node's CPU, loop delay, the host's CPU, lag and store time in PostgreSQL: the analyzer's evidence.
  const monitor =
    options.monitor === false
      ? undefined
      : await startCli(['monitor', ...real, '--nodes', [gateway.url, ...processors, loadgen.url].join(',')], env);
  if (monitor) started.push(monitor);
  const analyzer = await startCli(['analyzer', ...real, ...(monitor ? ['--monitor-url', monitor.url] : [])], env);
  started.push(analyzer);
  return {
    gateway: gateway.url,
    processors,
    processorPids,
    loadgen: loadgen.url,
    monitor: monitor?.url,
    analyzer: analyzer.url,
    env,
    stop,
  };
}

/** The run's topic and consumer group are left on the shared broker otherwise (6 partitions per run). */
async function deleteRunTopic(topic: string, group: string, brokers?: string): Promise<void> {
  const admin = new Admin({
    clientId: 'logperf-bench-cleanup',
    bootstrapBrokers: (brokers ?? process.env.LOGPERF_KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  });
  try {
    await admin.deleteGroups({ groups: [group] }).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] });
  } catch (error) {
    console.error(`could not delete bench topic ${topic}: ${String(error)}`);
  } finally {
    await admin.close();
  }
}

async function stopAll(processes: CliProcess[]): Promise<void> {
  await Promise.all(processes.map((p) => p.stop('SIGTERM')));
}
