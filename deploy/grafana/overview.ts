// Cluster Performance Overview (seed dashboard 1): throughput, latency percentiles, resources.
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, LOGPERF_JOBS, NODE_JOBS, stat, timeseries } from './panels.js';

const quantile = (q: number) =>
  `histogram_quantile(${q}, sum by (component, le) (rate(cluster_latency_bucket{${NODE_JOBS}}[$__rate_interval])))`;

export function overviewDashboard(): DashboardBuilder {
  return dashboard(
    'logperf-overview',
    'Cluster Performance Overview',
    'Throughput, latency percentiles per component and resources of every logperf node, as Prometheus scraped them.',
  )
    .withRow(new RowBuilder('Throughput'))
    .withPanel(
      stat({
        title: 'Stored events/s (1 m)',
        description:
          'Events the processors committed to the store per second (recording rule stage:cluster_events:rate1m).',
        unit: 'ops',
        queries: [{ expr: 'sum(stage:cluster_events:rate1m{stage="stored"})' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Events stored',
        description: 'cluster_events_total{stage="stored"} summed over the processors since they started.',
        unit: 'short',
        queries: [{ expr: 'sum(cluster_events_total{job="logperf-processor", stage="stored"})' }],
      }),
    )
    .withPanel(
      stat({
        title: 'End-to-end p99 (1 m)',
        description: 'stored_at − event timestamp, p99 over the last minute (recording rule).',
        unit: 's',
        threshold: 0.5,
        queries: [{ expr: 'max(component:cluster_latency_seconds:p99_1m{component="end-to-end"})' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Targets up',
        description: 'logperf targets answering Prometheus, of all configured.',
        unit: 'short',
        queries: [
          { expr: `sum(up{${LOGPERF_JOBS}})`, legend: 'up' },
          { expr: `count(up{${LOGPERF_JOBS}})`, legend: 'configured' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Events per second by stage',
        description: 'accepted = acknowledged by the bus at the gateways; stored = committed by the processors.',
        unit: 'ops',
        min: 0,
        queries: [
          { expr: `sum by (stage) (rate(cluster_events_total{${NODE_JOBS}}[$__rate_interval]))`, legend: '{{stage}}' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Load generator: intended vs achieved rate',
        description:
          'Intended = the open-loop schedule; achieved = events acknowledged in the last full second. A gap means the cluster (or the generator) could not keep up.',
        unit: 'ops',
        min: 0,
        queries: [
          { expr: 'sum(loadgen_intended_rate_per_second{job="logperf-loadgen"})', legend: 'intended' },
          { expr: 'sum(loadgen_achieved_rate_per_second{job="logperf-loadgen"})', legend: 'achieved' },
        ],
      }),
    )
    .withRow(new RowBuilder('Latency percentiles'))
    .withPanel(
      timeseries({
        title: 'p50 / p95 / p99 per component',
        description:
          "From the nodes' cluster_latency histograms (0.5 ms – 30 s buckets): api-gateway, kafka-produce, queue, store, end-to-end.",
        unit: 's',
        width: 24,
        height: 9,
        queries: [
          { expr: quantile(0.5), legend: '{{component}} p50' },
          { expr: quantile(0.95), legend: '{{component}} p95' },
          { expr: quantile(0.99), legend: '{{component}} p99' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Load generator: corrected p99',
        description:
          'Completion − intended send time (coordinated omission corrected), p99 of the last full second of the running test.',
        unit: 's',
        queries: [{ expr: 'max(loadgen_latency_p99_seconds{job="logperf-loadgen"})', legend: 'p99 (corrected)' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'End-to-end p95 and p99 (1 m)',
        description: 'Recording rules component:cluster_latency_seconds:p95_1m and :p99_1m.',
        unit: 's',
        queries: [
          { expr: 'component:cluster_latency_seconds:p95_1m{component="end-to-end"}', legend: 'p95' },
          { expr: 'component:cluster_latency_seconds:p99_1m{component="end-to-end"}', legend: 'p99' },
        ],
      }),
    )
    .withRow(new RowBuilder('Resources'))
    .withPanel(
      timeseries({
        title: 'Process CPU (% of one core)',
        description:
          "From each process's CPU seconds. A Node.js process runs its JavaScript on one core: the seed's rule flags 75 %.",
        unit: 'percent',
        min: 0,
        threshold: 75,
        queries: [
          {
            expr: `sum by (job, instance) (rate(process_cpu_seconds_total{${LOGPERF_JOBS}}[$__rate_interval])) * 100`,
            legend: '{{job}} {{instance}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Host CPU and memory (%)',
        description: "system_cpu_usage and system_memory_usage as the monitor read them from each node's /proc.",
        unit: 'percent',
        min: 0,
        queries: [
          { expr: 'max by (node) (system_cpu_usage{job="logperf-monitor"})', legend: 'cpu {{node}}' },
          { expr: 'max by (node) (system_memory_usage{job="logperf-monitor"})', legend: 'memory {{node}}' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Resident memory',
        description: 'RSS of each process.',
        unit: 'bytes',
        min: 0,
        width: 8,
        queries: [{ expr: `process_resident_memory_bytes{${LOGPERF_JOBS}}`, legend: '{{job}} {{instance}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Event-loop delay p99',
        description: 'A blocked event loop delays every request of that process; the monitor flags p99 above 100 ms.',
        unit: 's',
        min: 0,
        width: 8,
        threshold: 0.1,
        queries: [
          {
            expr: `max by (job, instance) (nodejs_eventloop_lag_p99_seconds{${LOGPERF_JOBS}})`,
            legend: '{{job}} {{instance}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'GC time (% of wall time)',
        description: 'Seconds spent in garbage collection per second; the monitor flags 5 %.',
        unit: 'percent',
        min: 0,
        width: 8,
        threshold: 5,
        queries: [
          {
            expr: `sum by (job, instance) (rate(nodejs_gc_duration_seconds_sum{${LOGPERF_JOBS}}[$__rate_interval])) * 100`,
            legend: '{{job}} {{instance}}',
          },
        ],
      }),
    );
}
