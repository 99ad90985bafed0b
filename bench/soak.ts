// Soak: the pipeline at a fraction of a rate you give (default 50%), every process's RSS, heap, event-loop lag and open
// handles sampled every 10 s, a least-squares growth per hour per series, and a verdict. Exit 1 when a series grows.
// Usage: npx tsx bench/soak.ts --rate 2500 [--fraction 0.5] [--minutes 30] [--sample-seconds 10] [--warmup-minutes 3] [--real] [--out soak.json]
//        npx tsx bench/soak.ts --analyze soak.json [--warmup-minutes 15]   (the trends of a saved run, with another warm-up)
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startNodes } from './nodes.js';
import { analyzeSoak, formatSoak, runSoak, type SoakReport } from './soak/run-soak.js';

const { values } = parseArgs({
  options: {
    real: { type: 'boolean', default: false },
    rate: { type: 'string', default: '2500' },
    fraction: { type: 'string', default: '0.5' },
    minutes: { type: 'string', default: '30' },
    'sample-seconds': { type: 'string', default: '10' },
    'warmup-minutes': { type: 'string', default: '3' },
    batch: { type: 'string', default: '100' },
    out: { type: 'string' },
    analyze: { type: 'string' },
  },
});

if (values.analyze) {
  const saved = JSON.parse(readFileSync(values.analyze, 'utf8')) as SoakReport;
  const report = analyzeSoak(saved, Number(values['warmup-minutes']) * 60_000);
  console.log(formatSoak(report));
  process.exit(report.verdict === 'growing' ? 1 : 0);
}

const nodes = await startNodes({ real: values.real, processes: 1 });
try {
  const ratePerSecond = Number(values.rate) * Number(values.fraction);
  console.log(
    `soak: ${values.real ? 'Kafka + PostgreSQL + Redis' : 'embedded'}, ${ratePerSecond} events/s for ${values.minutes} min, sampling every ${values['sample-seconds']} s`,
  );
  const report = await runSoak({
    gatewayUrl: nodes.gateway,
    nodeUrls: [nodes.gateway, ...nodes.processors],
    ratePerSecond,
    durationMs: Number(values.minutes) * 60_000,
    sampleIntervalMs: Number(values['sample-seconds']) * 1000,
    warmupMs: Number(values['warmup-minutes']) * 60_000,
    batchSize: Number(values.batch),
    log: (line) => console.log(line),
  });
  console.log(formatSoak(report));
  if (values.out) writeFileSync(values.out, JSON.stringify(report, null, 2));
  process.exitCode = report.verdict === 'growing' ? 1 : 0;
} finally {
  await nodes.stop();
}
