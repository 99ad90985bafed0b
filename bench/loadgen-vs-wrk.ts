// Benchmark: the highest request rate our open-loop generator holds with ≤ 1 % late sends, beside wrk and
// autocannon (closed loop, the usual references) at equal connections against the same bare node:http sink, in
// the same run. Requests carry one event each. The sink runs in its own process, so no tool shares its loop.
// Usage: npx tsx bench/loadgen-vs-wrk.ts [--seconds 10] [--connections 64] [--steps 6]
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import autocannon from 'autocannon';
import { EventFactory } from '../services/loadgen/src/event-factory.js';
import { runGenerator } from './loadgen-run.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    steps: { type: 'string', default: '6' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const steps = Number(values.steps);
const LATE_LIMIT = 0.01;

/** A bare node:http sink in a child process: reads each body, answers 202. */
const SINK_SOURCE = `
import { createServer } from 'node:http';
const server = createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1}'));
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));
`;

async function startSinkProcess(): Promise<{ url: string; close: () => void }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', SINK_SOURCE], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`sink exited ${code}`)));
  });
  return { url, close: () => child.kill() };
}

const body = new EventFactory().create(Date.now(), 0);

async function wrk(url: string) {
  const script = join(tmpdir(), `logperf-wrk-${process.pid}.lua`);
  writeFileSync(
    script,
    `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["Content-Type"] = "application/x-ndjson"\n`,
  );
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', script, `${url}/api/logs`];
  const { stdout } = await promisify(execFile)('wrk', args);
  return { requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]) };
}

async function autocannonRun(url: string) {
  const result = await autocannon({
    url: `${url}/api/logs`,
    connections,
    duration: seconds,
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-ndjson' },
  });
  return { requestsPerSecond: result.requests.total / (result.duration || seconds), errors: result.errors };
}

/** Bisects the rate: the highest tried rate with ≤ 1 % of sends late (> 10 ms after their intended time). */
async function ours(url: string, upperPerSecond: number) {
  let low = 0;
  let high = upperPerSecond;
  const tries: {
    rate: number;
    latePercent: number;
    /** Late or dropped by the generator's own doing (not waiting at the in-flight cap for the sink). */
    generatorLatePercent: number;
    achievedPerSecond: number;
    cpuMicrosPerEvent: number | null;
  }[] = [];
  for (let i = 0; i < steps; i++) {
    const rate = Math.round(i === 0 ? high : (low + high) / 2);
    const run = await runGenerator({ url, ratePerSecond: rate, seconds, connections });
    const latePercent = (100 * (run.late + run.dropped)) / Math.max(1, run.intended);
    tries.push({
      rate,
      latePercent: Number(latePercent.toFixed(3)),
      generatorLatePercent: Number(
        ((100 * (run.generatorLate + run.generatorDropped)) / Math.max(1, run.intended)).toFixed(3),
      ),
      achievedPerSecond: Math.round(run.acknowledged / seconds),
      cpuMicrosPerEvent: run.cpuMicrosPerEvent,
    });
    if (latePercent <= LATE_LIMIT * 100) low = rate;
    else high = rate;
    if (i === 0 && low === rate) break;
  }
  return { highestHeldPerSecond: low, tries };
}

const sink = await startSinkProcess();
try {
  const reference = await wrk(sink.url);
  const cannon = await autocannonRun(sink.url);
  const mine = await ours(sink.url, Math.round(1.2 * Math.max(reference.requestsPerSecond, cannon.requestsPerSecond)));
  const ratio = (a: number, b: number) => Number((a / b).toFixed(3));
  console.log(
    JSON.stringify(
      {
        date: new Date().toISOString(),
        seconds,
        connections,
        wrk: reference,
        autocannon: cannon,
        logperf: mine,
        ratioToWrk: ratio(mine.highestHeldPerSecond, reference.requestsPerSecond),
        ratioToAutocannon: ratio(mine.highestHeldPerSecond, cannon.requestsPerSecond),
      },
      null,
      2,
    ),
  );
} finally {
  sink.close();
}
