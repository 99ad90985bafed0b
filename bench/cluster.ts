// Starts the benchmark cluster (bench/nodes.ts: `logperf up`, or N processor processes + a gateway + a load generator
// on the real backends, each in its own process, with per-run topic/group/table) and keeps it up until Ctrl-C, so
// `logperf capacity --url` can search it:
//   npx tsx bench/cluster.ts --real --processes 2 [--without-monitor]
//   node apps/cli/dist/main.js capacity --url <loadgen> --processor-urls <processors>   (the lines it prints)
import { parseArgs } from 'node:util';
import { startNodes } from './nodes.js';

const { values } = parseArgs({
  options: {
    real: { type: 'boolean', default: false },
    processes: { type: 'string', default: '2' },
    'without-monitor': { type: 'boolean', default: false },
  },
});
const nodes = await startNodes({
  real: values.real,
  processes: Number(values.processes),
  loadgen: true,
  monitor: !values['without-monitor'],
});
console.log(
  `gateway    ${nodes.gateway}\nprocessors ${nodes.processors.join(',')}\nloadgen    ${nodes.loadgen}${nodes.monitor ? `\nmonitor    ${nodes.monitor}` : ''}`,
);
console.log(
  `capacity:  node apps/cli/dist/main.js capacity --url ${nodes.loadgen} --processor-urls ${nodes.processors.join(',')}`,
);
await new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});
await nodes.stop();
if (values.real)
  console.log(`left behind: table ${nodes.env.LOGPERF_STORE_TABLE} (the run's topic and group were deleted)`);
