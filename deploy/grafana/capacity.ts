// Capacity Planning (seed dashboard 3): growth trend of cluster_events_total, projected throughput and capacity,
// and scaling headroom. Capacity comes from measurement: the best events per CPU-second each role reached in the
// trend window, times the CPU a process may use before the seed's rule flags it (75 % of its one JavaScript core).
import {
  ConstantVariableBuilder,
  CustomVariableBuilder,
  RowBuilder,
  TextBoxVariableBuilder,
  type DashboardBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, NODE_JOBS, stat, timeseries } from './panels.js';

const STORED = 'stage:cluster_events:rate1m{stage="stored"}';
/** Events/s one process of the role handles at $cpu_target of a core, from the best measured efficiency. */
const perProcessCapacity = '$cpu_target * max_over_time(job:cluster_events_per_cpu_second:rate1m[$trend_window])';
const processes = `count by (job) (up{${NODE_JOBS}} == 1)`;
const capacity = `(${perProcessCapacity} * on (job) ${processes})`;
const current = `sum by (job) (rate(cluster_events_total{${NODE_JOBS}}[$__rate_interval]))`;
const projected = `sum(predict_linear(${STORED}[$trend_window], $horizon))`;

export function capacityDashboard(): DashboardBuilder {
  return dashboard(
    'logperf-capacity',
    'Capacity Planning',
    "Growth of cluster_events_total, where the trend leads, and how far the running processes can follow before the CPU rule fires. Under `logperf up` every role shares one process, so each role is charged the whole process's CPU: run roles as separate processes for per-role figures.",
  )
    .time({ from: 'now-6h', to: 'now' })
    .withVariable(
      new CustomVariableBuilder('trend_window')
        .label('Trend window')
        .values('1h,6h,1d,7d')
        .current({ text: '6h', value: '6h' }),
    )
    .withVariable(
      new CustomVariableBuilder('horizon')
        .label('Projection horizon')
        .values('1 day : 86400,7 days : 604800,30 days : 2592000')
        .current({ text: '7 days', value: '604800' }),
    )
    .withVariable(new TextBoxVariableBuilder('target_rate').label('Target events/s').defaultValue('20000'))
    .withVariable(new ConstantVariableBuilder('cpu_target').value('0.75'))
    .withRow(new RowBuilder('Growth trend'))
    .withPanel(
      timeseries({
        title: 'Stored events/s and its mean over the trend window',
        description: 'Recording rule stage:cluster_events:rate1m and its average over $trend_window.',
        unit: 'ops',
        min: 0,
        queries: [
          { expr: `sum(${STORED})`, legend: 'stored/s (1 m)' },
          { expr: `sum(avg_over_time(${STORED}[$trend_window]))`, legend: 'mean over $trend_window' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'cluster_events_total growth per trend window',
        description: 'Events added in each $trend_window, per stage.',
        unit: 'short',
        min: 0,
        queries: [
          { expr: `sum by (stage) (increase(cluster_events_total{${NODE_JOBS}}[$trend_window]))`, legend: '{{stage}}' },
        ],
      }),
    )
    .withRow(new RowBuilder('Projected capacity'))
    .withPanel(
      stat({
        title: 'Growth of stored events/s per day',
        description: 'Least-squares slope of the stored rate over $trend_window, per day.',
        unit: 'short',
        queries: [{ expr: `sum(deriv(${STORED}[$trend_window])) * 86400` }],
      }),
    )
    .withPanel(
      stat({
        title: 'Projected stored events/s',
        description: 'The stored rate extrapolated linearly $horizon seconds ahead from the $trend_window trend.',
        unit: 'ops',
        queries: [{ expr: projected }],
      }),
    )
    .withPanel(
      stat({
        title: 'Best measured events per CPU-second',
        description: 'Highest job:cluster_events_per_cpu_second:rate1m in the trend window, per role.',
        unit: 'short',
        queries: [
          { expr: 'max_over_time(job:cluster_events_per_cpu_second:rate1m[$trend_window])', legend: '{{job}}' },
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Processes running',
        description: 'Gateway and processor processes answering Prometheus.',
        unit: 'short',
        queries: [{ expr: processes, legend: '{{job}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Capacity vs current throughput per role',
        description:
          'Capacity = best events per CPU-second × $cpu_target of a core × processes up. Current = events/s now.',
        unit: 'ops',
        width: 24,
        min: 0,
        queries: [
          { expr: capacity, legend: '{{job}} capacity' },
          { expr: current, legend: '{{job}} current' },
        ],
      }),
    )
    .withRow(new RowBuilder('Scaling headroom'))
    .withPanel(
      timeseries({
        title: 'Headroom (events/s)',
        description: 'Capacity − current throughput, per role.',
        unit: 'ops',
        width: 8,
        queries: [{ expr: `${capacity} - on (job) ${current}`, legend: '{{job}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Headroom (%)',
        description: '1 − current / capacity, per role.',
        unit: 'percent',
        width: 8,
        queries: [{ expr: `100 * (1 - ${current} / on (job) ${capacity})`, legend: '{{job}}' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Processes needed for the target rate',
        description: 'ceil($target_rate / per-process capacity), per role: the scaling recommendation for the target.',
        unit: 'short',
        width: 4,
        queries: [{ expr: `ceil($target_rate / (${perProcessCapacity}))`, legend: '{{job}}' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Processors needed for the projection',
        description: "ceil(projected stored events/s / one processor's capacity), at least 1.",
        unit: 'short',
        width: 4,
        queries: [
          {
            expr: `clamp_min(ceil(scalar(${projected}) / ($cpu_target * max_over_time(job:cluster_events_per_cpu_second:rate1m{job="logperf-processor"}[$trend_window]))), 1)`,
          },
        ],
      }),
    );
}
