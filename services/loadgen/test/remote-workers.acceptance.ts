// Remote `logperf worker` processes on real Kafka driving one open-loop test: the same figures from 1 and 4 workers
// (the stall sink's analytic truth), every event sent once, and a worker killed mid-test taken over with its gap named.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@logperf/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeReal, kafkaProbe, realServices } from '../../../packages/cluster/test/real-services.js';
import { constant, Schedule } from '../src/pacer.js';
import { runRemoteGenerators } from '../src/remote-generators.js';
import { ResultRecorder } from '../src/results.js';
import { ordersFor } from './run-generator.js';
import { startSink } from './sink.js';

// The built command as npm installs it (`npm test` builds first): five TypeScript start-ups at once take too long here.
const CLI = fileURLToPath(new URL('../../../apps/cli/bin/logperf.js', import.meta.url));
const RATE = 500;
const SECONDS = 10;
const SEGMENTS = 8;
/** Long enough for a session to expire and the segments to resume well before the end. */
const KILL_SECONDS = 14;
// The shared broker's smallest session (group.min.session.timeout.ms default).
const SESSION_MS = 6000;
const logger = createLogger('remote-workers-test', 'warn');

/** The sink pauses 1 s in every 5 s: in any 10 s of arrivals, 20 % of events wait U(0, 1000) ms, the rest ~0. */
const stallEveryFiveSeconds = (sinceStartMs: number) => {
  const inCycle = sinceStartMs % 5000;
  return inCycle >= 1000 && inCycle < 2000 ? 2000 - inCycle : 0;
};
const TRUTH = { p50: 0, p90: 500, p99: 950 };

function startWorker(name: string, prefix: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [CLI, 'worker', '--kafka-brokers', realServices.kafkaBroker, '--worker-name', name, '--worker-port', '0'],
    {
      env: { ...process.env, LOGPERF_LOADGEN_WORKER_TOPIC_PREFIX: prefix, LOGPERF_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('waiting for tests')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker ${name} exited with ${code}`)));
    setTimeout(() => reject(new Error(`worker ${name} did not start in 90 s`)), 90_000).unref();
  });
}

async function runRemote(prefix: string, options: { seconds?: number; killAtMs?: number; kill?: ChildProcess } = {}) {
  const sink = await startSink({ delayMs: stallEveryFiveSeconds, trackIds: true });
  const schedule = new Schedule([{ name: 'constant', shape: constant(RATE, (options.seconds ?? SECONDS) * 1000) }]);
  const testId = `p20a-${randomUUID()}`;
  const orders = ordersFor(
    schedule,
    { url: `${sink.url}/api/logs`, batchSize: 1, threads: SEGMENTS, maxInFlight: 32 },
    testId,
  );
  const recorder = new ResultRecorder(['constant']);
  const run = runRemoteGenerators(orders, recorder, {
    brokers: [realServices.kafkaBroker],
    topicPrefix: prefix,
    sessionTimeoutMs: SESSION_MS,
    logger,
    settleMs: 1500,
  });
  if (options.kill) {
    const child = options.kill;
    void run.started.then((at) => setTimeout(() => child.kill('SIGKILL'), at + options.killAtMs! - Date.now()));
  }
  const ends = await run.done;
  await sink.close();
  const ids = sink.ids();
  return {
    ends,
    totals: recorder.totals(),
    timeline: recorder.timeline(),
    workers: run.workers(),
    rejected: run.rejectedReports(),
    sinkEvents: sink.events(),
    twice: [...ids.values()].filter((n) => n > 1).length,
    distinct: ids.size,
  };
}

const within = (actual: number, expected: number, share: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * share);

describeReal('remote load-generator workers over Kafka', [kafkaProbe], () => {
  const run = `p20a.${process.pid}.${Date.now()}`;
  const solo = `${run}.solo`;
  const team = `${run}.team`;
  let workers: ChildProcess[] = [];
  let one: Awaited<ReturnType<typeof runRemote>> | undefined;

  beforeAll(async () => {
    workers = await Promise.all([
      startWorker('solo-0', solo),
      ...[0, 1, 2, 3].map((i) => startWorker(`team-${i}`, team)),
    ]);
  }, 100_000);

  afterAll(() => {
    for (const w of workers) if (w.exitCode === null) w.kill('SIGTERM');
  });

  it('one worker process: merged latency matches the stall sink’s analytic truth', async () => {
    one = await runRemote(solo);
    expect(one.ends.map((e) => e.crashed)).toEqual(Array(SEGMENTS).fill(null));
    expect(one.totals).toMatchObject({ intended: RATE * SECONDS, sent: RATE * SECONDS, dropped: 0 });
    expect(one.workers.map((w) => [w.name, w.segments])).toEqual([['solo-0', [0, 1, 2, 3, 4, 5, 6, 7]]]);
    expect(one.totals.latencyMs.p50).toBeLessThanOrEqual(TRUTH.p50 + 5);
    within(one.totals.latencyMs.p90, TRUTH.p90, 0.1);
    within(one.totals.latencyMs.p99, TRUTH.p99, 0.05);
  }, 90_000);

  it('four worker processes: the same figures, every second on rate, every event sent exactly once', async () => {
    const four = await runRemote(team);
    expect(four.ends.map((e) => e.crashed)).toEqual(Array(SEGMENTS).fill(null));
    expect(four.workers.map((w) => w.name).sort()).toEqual(['team-0', 'team-1', 'team-2', 'team-3']);
    expect(four.workers.flatMap((w) => w.segments).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(four.totals).toMatchObject({ intended: RATE * SECONDS, sent: RATE * SECONDS, dropped: 0 });
    // Counted by id at the sink: none twice, none missing.
    expect(four.twice).toBe(0);
    expect(four.distinct).toBe(RATE * SECONDS);
    expect(four.sinkEvents).toBe(RATE * SECONDS);
    const full = four.timeline.filter((s) => s.second >= 0 && s.second < SECONDS);
    expect(full).toHaveLength(SECONDS);
    for (const s of full) {
      expect(s.intended).toBe(RATE);
      within(s.sent, s.intended, 0.01);
    }
    expect(four.totals.latencyMs.p50).toBeLessThanOrEqual(TRUTH.p50 + 5);
    within(four.totals.latencyMs.p90, TRUTH.p90, 0.1);
    within(four.totals.latencyMs.p99, TRUTH.p99, 0.05);
    if (one) {
      expect(Math.abs(four.totals.latencyMs.p50 - one.totals.latencyMs.p50)).toBeLessThanOrEqual(5);
      within(four.totals.latencyMs.p90, one.totals.latencyMs.p90, 0.1);
      within(four.totals.latencyMs.p99, one.totals.latencyMs.p99, 0.05);
    }
  }, 90_000);

  it('a worker killed mid-test: its segments resume on the others, its gap is dropped and charged to it by name', async () => {
    const victim = workers[4]!;
    const result = await runRemote(team, { seconds: KILL_SECONDS, kill: victim, killAtMs: 3000 });
    expect(result.ends.map((e) => e.crashed)).toEqual(Array(SEGMENTS).fill(null));
    const lost = result.workers.find((w) => w.name === 'team-3')!;
    expect(lost.lost).toMatch(/taken over by team-[012]/);
    // Its two segments (125 events/s) were idle from its last counted report until the next whole second after the
    // rebalance: a session (6 s) after the kill, give or take the report and rebalance seconds.
    expect(lost.droppedAtTakeover).toBeGreaterThan(125 * 4);
    expect(lost.droppedAtTakeover).toBeLessThan(125 * 11);
    const survivors = result.workers.filter((w) => w.name !== 'team-3');
    for (const s of lost.segments) expect(survivors.some((w) => w.segments.includes(s))).toBe(true);
    expect(result.totals.intended).toBe(RATE * KILL_SECONDS);
    expect(result.totals.intended).toBe(result.totals.sent + result.totals.dropped);
    expect(result.totals.dropped).toBe(lost.droppedAtTakeover);
    expect(result.twice).toBe(0);
    // The sink may hold events the dead worker sent and never reported; nothing else.
    expect(result.sinkEvents).toBeGreaterThanOrEqual(result.totals.sent);
    expect(result.sinkEvents - result.totals.sent).toBeLessThanOrEqual(lost.droppedAtTakeover);
  }, 90_000);
});
