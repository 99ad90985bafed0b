// Bottleneck Analysis (seed dashboard 2): latency per component, utilisation against throughput, queue depth and lag,
// each beside the threshold of the monitor's rule that would flag it.
import { RowBuilder, type DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { dashboard, LOGPERF_JOBS, NODE_JOBS, stat, timeseries } from './panels.js';

const perJob = (metric: string) => `sum by (job) (rate(${metric}{${NODE_JOBS}}[$__rate_interval]))`;

export function bottlenecksDashboard(): DashboardBuilder {
  return dashboard(
    'logperf-bottlenecks',
    'Bottleneck Analysis',
    'Where the time goes per component, how busy each role is for the throughput it delivers, and whether the consumers keep up.',
  )
    .withRow(new RowBuilder('Per component'))
    .withPanel(
      timeseries({
        title: 'p99 latency per component (1 m)',
        description: 'Recording rule component:cluster_latency_seconds:p99_1m.',
        unit: 's',
        queries: [{ expr: 'component:cluster_latency_seconds:p99_1m', legend: '{{component}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Mean time per observation per component',
        description:
          'cluster_latency sum / count: api-gateway and kafka-produce per request, store per batch, queue and end-to-end per event.',
        unit: 's',
        queries: [
          {
            expr: `sum by (component) (rate(cluster_latency_sum{${NODE_JOBS}}[$__rate_interval])) / sum by (component) (rate(cluster_latency_count{${NODE_JOBS}}[$__rate_interval]))`,
            legend: '{{component}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Store commit time p99 per processor',
        description:
          'processor → store (PostgreSQL or PGlite) batch write; slow commits show here before they show as lag.',
        unit: 's',
        queries: [
          {
            expr: 'histogram_quantile(0.99, sum by (instance, le) (rate(cluster_latency_bucket{job="logperf-processor", component="store"}[$__rate_interval])))',
            legend: '{{instance}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Observations per second per component',
        description: 'How often each stage is timed (requests, batches or events).',
        unit: 'ops',
        min: 0,
        queries: [
          {
            expr: `sum by (component) (rate(cluster_latency_count{${NODE_JOBS}}[$__rate_interval]))`,
            legend: '{{component}}',
          },
        ],
      }),
    )
    .withRow(new RowBuilder('Utilisation vs throughput'))
    .withPanel(
      timeseries({
        title: 'CPU vs throughput per role',
        description:
          'CPU % of one core (left) against events/s (right). Rule: CPU above 75 % while throughput stays below 80 % of the target → add 2–4 nodes.',
        unit: 'percent',
        min: 0,
        threshold: 75,
        queries: [
          { expr: `${perJob('process_cpu_seconds_total')} * 100`, legend: '{{job}} CPU %' },
          { expr: perJob('cluster_events_total'), legend: '{{job}} events/s' },
        ],
      }).overrideByQuery('B', [
        { id: 'custom.axisPlacement', value: 'right' },
        { id: 'unit', value: 'ops' },
      ]),
    )
    .withPanel(
      timeseries({
        title: 'CPU time per 1,000 events',
        description:
          'What an event costs each role; rising cost at the same rate points at contention rather than load.',
        unit: 's',
        min: 0,
        queries: [
          {
            expr: `1000 * ${perJob('process_cpu_seconds_total')} / (${perJob('cluster_events_total')} > 0)`,
            legend: '{{job}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Achieved / intended rate (%)',
        description:
          "The load generator's achieved rate as a share of its schedule; the CPU rule compares against 80 %.",
        unit: 'percent',
        min: 0,
        queries: [
          {
            expr: '100 * sum(loadgen_achieved_rate_per_second{job="logperf-loadgen"}) / (sum(loadgen_intended_rate_per_second{job="logperf-loadgen"}) > 0)',
            legend: 'achieved / intended',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Host memory (%)',
        description: 'Rule: memory above 80 % → heap and GC settings.',
        unit: 'percent',
        min: 0,
        threshold: 80,
        queries: [{ expr: 'max by (node) (system_memory_usage{job="logperf-monitor"})', legend: '{{node}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Event-loop delay p99 per node',
        description: 'As the monitor read it; rule: above 100 ms.',
        unit: 's',
        min: 0,
        threshold: 0.1,
        queries: [
          { expr: 'max by (node) (node_event_loop_lag_p99_seconds{job="logperf-monitor"})', legend: '{{node}}' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Nodes up (monitor view)',
        description: "1 while the node answers the monitor's stats scrape.",
        unit: 'short',
        min: 0,
        queries: [{ expr: 'node_up{job="logperf-monitor"}', legend: '{{node}}' }],
      }),
    )
    .withRow(new RowBuilder('Queue depth and consumer lag'))
    .withPanel(
      timeseries({
        title: 'Consumer lag per partition',
        description: 'End offset − committed offset of the processor group, per partition of the topic.',
        unit: 'short',
        min: 0,
        queries: [{ expr: 'cluster_consumer_lag{job="logperf-monitor"}', legend: 'partition {{partition}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Queue depth',
        description: 'Events waiting in the topic (sum of lag). Rule: above 1,000 → more partitions and consumers.',
        unit: 'short',
        min: 0,
        threshold: 1000,
        queries: [{ expr: 'max(cluster_queue_depth{job="logperf-monitor"})', legend: 'queue depth' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Lag growth (events/s)',
        description: 'Recording rule cluster:consumer_lag:deriv1m; positive while consumers fall behind.',
        unit: 'ops',
        queries: [{ expr: 'cluster:consumer_lag:deriv1m', legend: 'd(lag)/dt' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Accepted − stored (events/s)',
        description:
          'What the gateways take in minus what the processors commit, over 1 m: the rate at which work queues up.',
        unit: 'ops',
        queries: [
          {
            expr: 'sum(stage:cluster_events:rate1m{stage="accepted"}) - sum(stage:cluster_events:rate1m{stage="stored"})',
            legend: 'accepted − stored',
          },
        ],
      }),
    )
    .withPanel(
      stat({
        width: 8,
        title: 'Time to drain the lag',
        description: 'Lag divided by the consume rate (recording rule cluster:consumer_lag_seconds:max).',
        unit: 's',
        queries: [{ expr: 'cluster:consumer_lag_seconds:max' }],
      }),
    )
    .withPanel(
      stat({
        width: 8,
        title: 'Largest partition lag',
        description: 'Recording rule cluster:consumer_lag:max_by_partition: one hot partition means a skewed key.',
        unit: 'short',
        threshold: 1000,
        queries: [{ expr: 'cluster:consumer_lag:max_by_partition' }],
      }),
    )
    .withPanel(
      stat({
        width: 8,
        title: 'Targets down',
        description: 'logperf targets Prometheus cannot scrape.',
        unit: 'short',
        threshold: 1,
        queries: [{ expr: `count(up{${LOGPERF_JOBS}} == 0) or vector(0)` }],
      }),
    );
}
