// Benchmark: CPU µs per event per role at a fixed open-loop rate, on the embedded and the real stack, from /proc.
// Roles: gateway, processors, the sender (this process), and Kafka, PostgreSQL and Redis when they run on this host.
// Real mode starts its own Kafka, PostgreSQL and Redis (private ports and folders), so each backend's CPU is this run's
// alone; --shared uses the host's servers instead, whose CPU then includes every other user's work.
// Usage: npx tsx bench/cpu-per-event.ts [--mode real|embedded|both] [--rate 10000] [--seconds 30] [--warmup 8]
//          [--batch 200] [--processes 2] [--shared] [--kafka-compression none|gzip|snappy|lz4|zstd]
//          [--out result.json] [--compare baseline.json] [--cpu-prof dir]
// --compare fails (exit 1) when a role's µs/event grows by more than 15 % against the baseline file (an earlier --out).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  startPrivateKafka,
  startPrivatePostgres,
  startPrivateRedis,
  type PrivateServer,
} from '../apps/cli/test/faults/private-services.js';
import { startNodes } from './nodes.js';
import { sendOpenLoop } from './open-loop-sender.js';
import { backendPids, cpuMicros, hostBusyMicros, type BackendRole } from './process-cpu.js';
import { sleep } from '@logperf/core';

const { values } = parseArgs({
  options: {
    mode: { type: 'string', default: 'both' },
    rate: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '8' },
    batch: { type: 'string', default: '200' },
    processes: { type: 'string', default: '2' },
    shared: { type: 'boolean', default: false },
    'kafka-compression': { type: 'string', default: 'none' },
    out: { type: 'string' },
    compare: { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
});
const GROWTH_LIMIT = 1.15;

const modeResultSchema = z.object({
  /** µs of CPU per event, by role; null when the role handled no event in the window. */
  perEventUs: z.record(z.string(), z.number().nullable()),
  totalUs: z.number(),
  /** Every busy CPU µs on the host per event: other work on the shared machine included, an upper bound. */
  hostUs: z.number(),
  windowSeconds: z.number(),
  storedInWindow: z.number(),
  acknowledged: z.number(),
  stored: z.number(),
  lateBatches: z.number(),
  refused: z.record(z.string(), z.number()),
  correctedP99Ms: z.number(),
  endToEndMs: z.object({ p50: z.number(), p95: z.number(), p99: z.number(), max: z.number() }).nullable(),
  /** The gateway's own /api/node/stats cpuPerEvent.lastIntervalUs at the end of the window, as a cross-check. */
  gatewayReportedUs: z.number().nullable(),
});
const resultFileSchema = z.object({
  date: z.string(),
  ratePerSecond: z.number(),
  modes: z.record(z.string(), modeResultSchema),
});
type ModeResult = z.infer<typeof modeResultSchema>;

const nodeStatsSchema = z.object({
  pid: z.number(),
  events: z.object({ total: z.number() }),
  cpuPerEvent: z.object({ lastIntervalUs: z.number().nullable() }).optional(),
  latency: z.record(z.string(), z.object({ histogram: z.string() }).optional()),
});
const stats = async (url: string) => nodeStatsSchema.parse(await (await fetch(`${url}/api/node/stats`)).json());

async function runMode(real: boolean): Promise<ModeResult> {
  const mode = real ? 'real' : 'embedded';
  const profileDir = values['cpu-prof'];
  if (profileDir) mkdirSync(`${profileDir}/${mode}`, { recursive: true });
  const servers = real && !values.shared ? await startServers() : undefined;
  const nodes = await startNodes({
    real,
    processes: Number(values.processes),
    nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}/${mode}`] : [],
    env: { ...servers?.env, LOGPERF_KAFKA_COMPRESSION: values['kafka-compression'] ?? 'none' },
  }).catch(async (error: unknown) => {
    await servers?.destroy();
    throw error;
  });
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const warmupMs = Number(values.warmup) * 1000;
  try {
    const gatewayPid = (await stats(nodes.gateway)).pid;
    const processorPids = (await Promise.all(nodes.processors.map(stats))).map((s) => s.pid);
    const roleOf = new Map<number, string>();
    // Embedded: gateway and processor share the one `logperf up` process.
    for (const pid of processorPids) roleOf.set(pid, real ? 'processors' : 'logperf up');
    roleOf.set(gatewayPid, real ? 'gateway' : 'logperf up');
    if (real) for (const [pid, role] of await backendPids(servers?.ports)) roleOf.set(pid, role satisfies BackendRole);

    const snapshot = async () => {
      const [cpu, host, gateway, processors] = await Promise.all([
        cpuMicros(roleOf.keys()),
        hostBusyMicros(),
        stats(nodes.gateway),
        Promise.all(nodes.processors.map(stats)),
      ]);
      const self = process.cpuUsage();
      return {
        cpu,
        host,
        sender: self.user + self.system,
        accepted: gateway.events.total,
        stored: processors.reduce((sum, s) => sum + s.events.total, 0),
        gatewayReportedUs: gateway.cpuPerEvent?.lastIntervalUs ?? null,
        atMs: performance.now(),
      };
    };
    type Snapshot = Awaited<ReturnType<typeof snapshot>>;
    let first: Snapshot | undefined;
    let last: Snapshot | undefined;
    const timers = [
      setTimeout(() => void snapshot().then((s) => (first = s)), warmupMs),
      setTimeout(() => void snapshot().then((s) => (last = s)), seconds * 1000 - 1000),
    ];
    const sent = await sendOpenLoop({
      gateway: nodes.gateway,
      ratePerSecond: rate,
      seconds,
      batch: Number(values.batch),
    });
    timers.forEach(clearTimeout);
    while (!last) await sleep(50);
    if (!first) throw new Error('the window never opened: --warmup must be shorter than --seconds − 1');
    const a = first;
    const b = last;

    const storedDelta = b.stored - a.stored;
    const acceptedDelta = b.accepted - a.accepted;
    const cpuByRole = new Map<string, number>();
    for (const [pid, role] of roleOf) {
      const before = a.cpu.get(pid);
      const after = b.cpu.get(pid);
      if (before !== undefined && after !== undefined) cpuByRole.set(role, (cpuByRole.get(role) ?? 0) + after - before);
    }
    cpuByRole.set('sender', b.sender - a.sender);
    const perEventUs: Record<string, number | null> = {};
    for (const [role, us] of cpuByRole) {
      const events = role === 'gateway' || role === 'sender' ? acceptedDelta : storedDelta;
      perEventUs[role] = events > 0 ? Number((us / events).toFixed(1)) : null;
    }

    const deadline = Date.now() + 120_000;
    let stored = 0;
    while (Date.now() < deadline) {
      stored = (await Promise.all(nodes.processors.map(stats))).reduce((sum, s) => sum + s.events.total, 0);
      if (stored >= sent.acknowledged) break;
      await sleep(200);
    }
    const e2e = await endToEnd(nodes.processors);
    return {
      perEventUs,
      totalUs: Number(
        Object.values(perEventUs)
          .reduce<number>((sum, us) => sum + (us ?? 0), 0)
          .toFixed(1),
      ),
      hostUs: Number(((b.host - a.host) / Math.max(1, storedDelta)).toFixed(1)),
      windowSeconds: Number(((b.atMs - a.atMs) / 1000).toFixed(2)),
      storedInWindow: storedDelta,
      acknowledged: sent.acknowledged,
      stored,
      lateBatches: sent.lateBatches,
      refused: sent.refusedByStatus,
      correctedP99Ms: sent.corrected.summary().p99,
      endToEndMs: e2e,
      gatewayReportedUs: b.gatewayReportedUs === null ? null : Number(b.gatewayReportedUs.toFixed(1)),
    };
  } finally {
    await nodes.stop();
    await servers?.destroy();
  }
}

/** This run's own Kafka, PostgreSQL and Redis. */
async function startServers() {
  const started: PrivateServer[] = [];
  const destroy = () => Promise.all(started.map((s) => s.destroy()));
  try {
    const [kafka, postgres, redis] = await Promise.all([
      startPrivateKafka().then((s) => (started.push(s), s)),
      startPrivatePostgres().then((s) => (started.push(s), s)),
      startPrivateRedis().then((s) => (started.push(s), s)),
    ]);
    return {
      env: { LOGPERF_KAFKA_BROKERS: kafka.url, LOGPERF_DATABASE_URL: postgres.url, LOGPERF_REDIS_URL: redis.url },
      ports: { kafkaPort: kafka.port, postgresPort: postgres.port, redisPort: redis.port },
      destroy,
    };
  } catch (error) {
    await destroy();
    throw error;
  }
}

async function endToEnd(processors: string[]): Promise<ModeResult['endToEndMs']> {
  const { LatencyHistogram } = await import('@logperf/core');
  const merged = LatencyHistogram.create();
  for (const s of await Promise.all(processors.map(stats))) {
    const h = s.latency['end-to-end']?.histogram;
    if (h) merged.merge(LatencyHistogram.decode(h));
  }
  const summary = merged.summary();
  return summary.count === 0 ? null : { p50: summary.p50, p95: summary.p95, p99: summary.p99, max: summary.max };
}

/** Roles whose µs/event grew past the limit against the baseline, as readable lines. */
export function regressions(baseline: z.infer<typeof resultFileSchema>, current: z.infer<typeof resultFileSchema>) {
  const lines: string[] = [];
  for (const [mode, result] of Object.entries(current.modes)) {
    const before = baseline.modes[mode];
    if (!before) continue;
    for (const [role, us] of Object.entries(result.perEventUs)) {
      const was = before.perEventUs[role];
      if (us !== null && was !== null && was !== undefined && us > was * GROWTH_LIMIT)
        lines.push(`${mode} ${role}: ${was} → ${us} µs/event (+${((us / was - 1) * 100).toFixed(0)} %)`);
    }
  }
  return lines;
}

const modes = values.mode === 'both' ? ['embedded', 'real'] : [values.mode ?? 'real'];
const file: z.infer<typeof resultFileSchema> = {
  date: new Date().toISOString(),
  ratePerSecond: Number(values.rate),
  modes: {},
};
for (const mode of modes) file.modes[mode] = await runMode(mode === 'real');
console.log(JSON.stringify(file, null, 2));
if (values.out) writeFileSync(values.out, `${JSON.stringify(file, null, 2)}\n`);
if (values.compare) {
  const baseline = resultFileSchema.parse(JSON.parse(readFileSync(values.compare, 'utf8')));
  const grown = regressions(baseline, file);
  if (grown.length > 0) {
    console.error(`CPU per event grew more than ${Math.round((GROWTH_LIMIT - 1) * 100)} %:\n${grown.join('\n')}`);
    process.exitCode = 1;
  } else console.log(`no role grew more than ${Math.round((GROWTH_LIMIT - 1) * 100)} % against ${values.compare}`);
}
