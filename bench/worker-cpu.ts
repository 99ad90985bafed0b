// Benchmark: one load-generator worker's own CPU per event (issue 20): the generator thread a `logperf worker` runs,
// at a fixed open-loop rate against a bare HTTP sink (services/loadgen/test/sink.ts, in this process; the thread's
// CPU is read from /proc/thread-self, so the sink's work is not counted). One run per batch size.
// Usage: npx tsx bench/worker-cpu.ts [--rate 2000] [--seconds 15] [--batches 1,100] [--connections 16]
import { parseArgs } from 'node:util';
import { startSink } from '../services/loadgen/test/sink.js';
import { runGenerator } from './loadgen-run.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '15' },
    batches: { type: 'string', default: '1,100' },
    connections: { type: 'string', default: '16' },
  },
});
const ratePerSecond = Number(values.rate);
const seconds = Number(values.seconds);
const connections = Number(values.connections);

const sink = await startSink();
try {
  const rows = [];
  for (const batchSize of values.batches.split(',').map(Number)) {
    const run = await runGenerator({ url: sink.url, ratePerSecond, seconds, connections, batchSize });
    rows.push({
      batchSize,
      intended: run.intended,
      sent: run.sent,
      acknowledged: run.acknowledged,
      late: run.late,
      generatorLate: run.generatorLate,
      dropped: run.dropped,
      /** The generator thread's CPU per event sent, µs; null where the thread's CPU cannot be read. */
      cpuMicrosPerEvent: run.cpuMicrosPerEvent === null ? null : Number(run.cpuMicrosPerEvent.toFixed(1)),
      /** The share of one core the worker's generator needs at this rate. */
      shareOfOneCore:
        run.cpuMicrosPerEvent === null ? null : Number(((run.cpuMicrosPerEvent * ratePerSecond) / 1e6).toFixed(4)),
      scheduleLagP99Ms: run.scheduleLagMs.p99,
    });
  }
  console.log(JSON.stringify({ ratePerSecond, seconds, connections, sinkEvents: sink.events(), rows }, null, 2));
} finally {
  await sink.close();
}
