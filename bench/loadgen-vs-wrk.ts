// Benchmark: how many requests/s our open-loop generator sustains against a bare local sink, beside wrk
// (closed loop, the usual reference) against the same sink in the same run. Requests carry one event each.
// Usage: npx tsx bench/loadgen-vs-wrk.ts [--seconds 10] [--connections 64] [--rate 30000]
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { promisify } from 'node:util';
import { attack } from '../services/loadgen/src/attack.js';
import { EventFactory } from '../services/loadgen/src/event-factory.js';
import { constant, Schedule } from '../services/loadgen/src/pacer.js';
import { ResultRecorder } from '../services/loadgen/src/results.js';
import { httpTarget } from '../services/loadgen/src/target.js';
import { startSink } from '../services/loadgen/test/sink.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    rate: { type: 'string', default: '30000' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const rate = Number(values.rate);

async function ours(url: string) {
  const recorder = new ResultRecorder(['constant']);
  const target = httpTarget(new URL(url), { connections, timeoutMs: 10_000 });
  const outcome = await attack({
    schedule: new Schedule([{ name: 'constant', shape: constant(rate, seconds * 1000) }]),
    target,
    factory: new EventFactory(),
    recorder,
    batchSize: 1,
    maxLingerMs: 5,
    maxInFlight: connections,
    lateThresholdMs: 10,
    dropAfterMs: 5000,
    timeoutMs: 10_000,
    signal: new AbortController().signal,
  });
  await target.close();
  const t = recorder.totals();
  return {
    requestsPerSecond: t.acknowledged / (outcome.elapsedMs / 1000),
    intended: t.intended,
    dropped: t.dropped,
    saturated: outcome.saturated,
    serviceP99Ms: t.serviceTimeMs.p99,
  };
}

async function wrk(url: string) {
  const body = new EventFactory().create(Date.now(), 0);
  const script = join(tmpdir(), `logperf-wrk-${process.pid}.lua`);
  writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["Content-Type"] = "application/x-ndjson"\n`,
  );
  const { stdout } = await promisify(execFile)('wrk', [
    '-t1',
    `-c${connections}`,
    `-d${seconds}s`,
    '--latency',
    '-s',
    script,
    `${url}/api/logs`,
  ]);
  const requestsPerSecond = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  return {
    requestsPerSecond,
    raw: stdout
      .split('\n')
      .filter((l) => /Requests\/sec|99%|Latency/.test(l))
      .map((l) => l.trim()),
  };
}

const sink = await startSink();
const reference = await wrk(sink.url);
const mine = await ours(sink.url);
await sink.close();
console.log(
  JSON.stringify(
    {
      seconds,
      connections,
      intendedRatePerSecond: rate,
      wrk: reference,
      logperf: mine,
      ratio: Number((mine.requestsPerSecond / reference.requestsPerSecond).toFixed(3)),
    },
    null,
    2,
  ),
);
