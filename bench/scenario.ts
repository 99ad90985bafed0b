// The issue's scenarios, one command each, on the cluster started as a user would (bench/nodes.ts) and driven by the
// load generator's own runner (open loop, corrected latency). Beside the generator's result it samples, once a
// second, lag = acknowledged − stored (the processors' counts), and every window the processors' end-to-end
// histograms, then judges the scenario's targets and prints a row for bench/RESULTS.md.
// Usage: npx tsx bench/scenario.ts sustained|burst|ramp|start [--real] [--processes 2] [--scale 1] [--batch 100] [--without-monitor]
//   --scale 0.05 shortens every duration (not the rates) to validate the runner quickly.
import { execFile } from 'node:child_process';
import { parseArgs, promisify } from 'node:util';
import { sleep } from '@logperf/core';
import { snapshotProcessors } from '@logperf/loadgen';
import { runLoadTest } from '../apps/cli/src/load-test-client.js';
import { startCli } from '../apps/cli/test/cli-process.js';
import { startNodes, type BenchNodes } from './nodes.js';
import {
  judgeBurst,
  judgeRamp,
  judgeSustained,
  type LagSample,
  type TargetVerdict,
  type WindowLatency,
} from './scenario-targets.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    real: { type: 'boolean', default: false },
    processes: { type: 'string', default: '2' },
    scale: { type: 'string', default: '1' },
    batch: { type: 'string', default: '100' },
    repeat: { type: 'string', default: '3' },
    'without-monitor': { type: 'boolean', default: false },
  },
});
const scenario = positionals[0] ?? '';
const scale = Number(values.scale);
const seconds = (s: number) => Math.max(1, Math.round(s * scale));
const iso = (s: number) => `PT${seconds(s)}S`;

function request(): { kind: 'burst' | 'ramp'; body: Record<string, unknown>; phasesSeconds: number[] } {
  const common = { testName: `scenario-${scenario}${values.real ? '-real' : ''}`, batchSize: Number(values.batch) };
  if (scenario === 'sustained')
    return {
      kind: 'ramp',
      body: {
        ...common,
        startRatePerSecond: 10_000,
        targetRatePerSecond: 10_000,
        rampDuration: 'PT1S',
        holdDuration: iso(300),
      },
      phasesSeconds: [1, seconds(300)],
    };
  if (scenario === 'burst')
    return {
      kind: 'burst',
      body: {
        ...common,
        baselineRatePerSecond: 5000,
        burstRatePerSecond: 20_000,
        baselineDuration: iso(120),
        burstDuration: iso(60),
        recoveryDuration: iso(120),
      },
      phasesSeconds: [seconds(120), seconds(60), seconds(120)],
    };
  if (scenario === 'ramp')
    return {
      kind: 'ramp',
      body: {
        ...common,
        startRatePerSecond: 1000,
        targetRatePerSecond: 15_000,
        rampDuration: iso(600),
        holdDuration: iso(60),
      },
      phasesSeconds: [seconds(600), seconds(60)],
    };
  throw new Error(`unknown scenario '${scenario}': sustained | burst | ramp | start`);
}

/** Runs the test while sampling lag each second and the processors' end-to-end histograms each window. */
async function drive(nodes: BenchNodes) {
  const { kind, body, phasesSeconds } = request();
  const windowSeconds = Math.max(2, Math.min(10, Math.round(phasesSeconds.reduce((a, b) => a + b, 0) / 20)));
  const accepted = async () =>
    ((await (await fetch(`${nodes.gateway}/api/node/stats`)).json()) as { events: { total: number } }).events.total;
  const before = await snapshotProcessors(nodes.processors);
  const acceptedBefore = await accepted();
  const lag: LagSample[] = [];
  const windows: WindowLatency[] = [];
  let previous = before.endToEnd;
  const start = Date.now();
  let running = true;
  const sampler = (async () => {
    let nextWindow = windowSeconds;
    while (running) {
      await sleep(1000);
      // The processors' stored count first, then the gateway's accepted count: lag = accepted, not yet stored, never
      // under-reported (read the other way round, a gateway that answers late makes stored outrun accepted: negative lag).
      const snap = await snapshotProcessors(nodes.processors);
      const acknowledged = (await accepted()) - acceptedBefore;
      const t = (Date.now() - start) / 1000;
      lag.push({
        second: t,
        acknowledged,
        stored: snap.stored - before.stored,
        lag: acknowledged - (snap.stored - before.stored),
      });
      if (t >= nextWindow) {
        const interval = snap.endToEnd.clone().minus(previous);
        windows.push({ endSecond: t, histogram: interval, latencyMs: interval.summary() });
        previous = snap.endToEnd;
        nextWindow += windowSeconds;
      }
    }
  })();
  const test = await runLoadTest(
    nodes.loadgen!,
    kind,
    { ...body, target: `${nodes.gateway}/api/logs` },
    {
      onProgress: (p) => {
        if (Math.round(p.elapsedSeconds) % 10 === 0)
          process.stderr.write(
            `${p.elapsedSeconds.toFixed(0)}/${p.durationSeconds} s  rate ${p.achievedRatePerSecond}/${Math.round(p.intendedRatePerSecond)}  p99 ${p.p99Ms.toFixed(0)} ms  lag ${lag.at(-1)?.lag ?? '–'}\n`,
          );
      },
    },
  );
  // Drain: until every acknowledged event is stored (bounded), still sampling lag.
  const drainDeadline = Date.now() + 120_000;
  while (Date.now() < drainDeadline && (lag.at(-1)?.lag ?? 1) > 0) await sleep(500);
  running = false;
  await sampler;
  const after = await snapshotProcessors(nodes.processors);
  const e2e = after.endToEnd.clone().minus(before.endToEnd).summary();
  return { test, lag, windows, e2e, stored: after.stored - before.stored, phasesSeconds };
}

/** Rows and distinct ids in the run's table (real PostgreSQL only; PGlite lives inside `logperf up`). */
async function duplicates(nodes: BenchNodes): Promise<{ rows: number; distinctIds: number } | null> {
  if (!values.real) return null;
  const url = process.env.LOGPERF_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const table = nodes.env.LOGPERF_STORE_TABLE!;
  const { stdout } = await promisify(execFile)('psql', [
    url,
    '-At',
    '-F',
    ' ',
    '-c',
    `SELECT count(*), count(DISTINCT id) FROM ${table}`,
  ]);
  const [rows, distinctIds] = stdout.trim().split(' ').map(Number);
  await promisify(execFile)('psql', [url, '-q', '-c', `DROP TABLE IF EXISTS ${table}`]).catch(() => undefined);
  return { rows: rows ?? 0, distinctIds: distinctIds ?? 0 };
}

async function startTimes() {
  const repeat = Number(values.repeat);
  const measure = async (real: boolean) => {
    const times: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const suffix = `${Date.now()}_${process.pid}`;
      const env = {
        LOGPERF_KAFKA_TOPIC: `log-events-bench-${suffix}`,
        LOGPERF_PROCESSOR_GROUP: `log-processors-bench-${suffix}`,
        LOGPERF_STORE_TABLE: `log_events_bench_${suffix}`,
        LOGPERF_LOG_LEVEL: 'warn',
      };
      const t = performance.now();
      const up = await startCli(
        [
          'up',
          ...(real ? ['--real'] : []),
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
        180_000,
      );
      times.push((performance.now() - t) / 1000);
      await up.stop('SIGTERM');
      if (real)
        await promisify(execFile)('psql', [
          process.env.LOGPERF_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
          '-q',
          '-c',
          `DROP TABLE IF EXISTS ${env.LOGPERF_STORE_TABLE}`,
        ]).catch(() => undefined);
    }
    return times.sort((a, b) => a - b);
  };
  const embedded = await measure(false);
  const real = await measure(true);
  const median = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
  const verdicts: TargetVerdict[] = [
    {
      target: 'embedded `logperf up` ready < 10 s',
      measured: `${median(embedded).toFixed(1)} s (median of ${repeat}: ${embedded.map((t) => t.toFixed(1)).join(', ')})`,
      passed: median(embedded) < 10,
    },
    {
      target: 'real `logperf up --real` ready < 60 s',
      measured: `${median(real).toFixed(1)} s (median of ${repeat}: ${real.map((t) => t.toFixed(1)).join(', ')})`,
      passed: median(real) < 60,
    },
  ];
  return { verdicts };
}

function judge(
  run: Awaited<ReturnType<typeof drive>>,
  dup: { rows: number; distinctIds: number } | null,
): TargetVerdict[] {
  const input = {
    test: run.test,
    lag: run.lag,
    windows: run.windows,
    e2e: run.e2e,
    stored: run.stored,
    duplicates: dup,
    phasesSeconds: run.phasesSeconds,
  };
  if (scenario === 'sustained') return judgeSustained(input);
  if (scenario === 'burst') return judgeBurst(input);
  return judgeRamp(input);
}

const date = new Date().toISOString().slice(0, 10);
const command = `npx tsx bench/scenario.ts ${scenario}${values.real ? ' --real' : ''}${scale !== 1 ? ` --scale ${scale}` : ''}${values['without-monitor'] ? ' --without-monitor' : ''}`;
if (scenario === 'start') {
  const { verdicts } = await startTimes();
  for (const v of verdicts)
    console.log(`| ${v.target} | ${v.measured} | ${v.passed ? 'pass' : 'FAIL'} | \`${command}\` | ${date} |`);
} else {
  request(); // rejects an unknown scenario before anything starts
  const nodes = await startNodes({
    real: values.real,
    processes: Number(values.processes),
    loadgen: true,
    monitor: !values['without-monitor'],
  });
  try {
    const run = await drive(nodes);
    const verdicts = judge(run, await duplicates(nodes));
    // The analyzer's own diagnosis of this test, as the evidence for a missed target.
    const diagnosis = nodes.analyzer
      ? await fetch(`${nodes.analyzer}/api/analysis/bottlenecks?testId=${run.test.testId}`)
          .then((res) => res.json())
          .catch((error: unknown) => ({ unavailable: String(error) }))
      : { unavailable: 'no analyzer' };
    const r = run.test.result;
    console.log(
      JSON.stringify(
        {
          scenario,
          mode: values.real ? 'real' : 'embedded',
          scale,
          testId: run.test.testId,
          intended: r.intended,
          acknowledged: r.acknowledged,
          stored: run.stored,
          errors: r.errors,
          dropped: r.dropped,
          verdict: r.verdict ?? null,
          generatorLimited: r.generatorLimited ?? r.saturated,
          correctedMs: r.latencyMs,
          phases: r.phases.map((p) => ({
            name: p.name,
            intended: p.intendedRatePerSecond,
            achieved: p.achievedRatePerSecond,
            latencyMs: p.latencyMs,
          })),
          endToEndMs: run.e2e,
          windows: run.windows.map((w) => ({
            endSecond: Math.round(w.endSecond),
            p50: w.latencyMs.p50,
            p95: w.latencyMs.p95,
            p99: w.latencyMs.p99,
            count: w.latencyMs.count,
          })),
          maxLag: Math.max(0, ...run.lag.map((l) => l.lag)),
          verdicts,
          diagnosis,
        },
        null,
        2,
      ),
    );
    for (const v of verdicts)
      console.log(
        `| ${scenario}${values.real ? ' (real)' : ' (embedded)'}: ${v.target} | ${v.measured} | ${v.passed ? 'pass' : 'FAIL'} | \`${command}\` | ${date} |`,
      );
  } finally {
    await nodes.stop();
  }
}
