// Small builders shared by the three dashboards: a Prometheus query, a time series and a stat panel, and
// the dashboard skeleton (datasource variable, refresh, time range), so each dashboard file reads as its panels.
import {
  DashboardCursorSync,
  DashboardBuilder,
  DatasourceVariableBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  BigValueGraphMode,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/** Every panel queries the Prometheus chosen in the dashboard's `datasource` variable (provisioned as uid `prometheus`). */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** Job selectors of deploy/prometheus/*.yml: the nodes that count events and observe latency themselves. */
export const NODE_JOBS = 'job=~"logperf-gateway|logperf-processor"';
export const LOGPERF_JOBS = 'job=~"logperf-.+"';

export interface Query {
  expr: string;
  legend?: string;
}

const target = (q: Query, refId: string) => {
  const builder = new DataqueryBuilder().datasource(DATASOURCE).expr(q.expr).refId(refId).range();
  return q.legend === undefined ? builder : builder.legendFormat(q.legend);
};
const refIds = 'ABCDEFGH';

/** A horizontal threshold line, e.g. the seed's 75 % CPU rule. */
const thresholdLine = (value: number) =>
  new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: 'green' },
    { value, color: 'red' },
  ]);

export interface PanelOptions {
  title: string;
  description: string;
  unit: string;
  queries: Query[];
  width?: number;
  height?: number;
  threshold?: number;
  min?: number;
}

export function timeseries(o: PanelOptions): TimeseriesPanelBuilder {
  const panel = new TimeseriesPanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(DATASOURCE)
    .unit(o.unit)
    .span(o.width ?? 12)
    .height(o.height ?? 8)
    .lineWidth(1)
    .fillOpacity(10)
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.List)
        .placement(LegendPlacement.Bottom),
    );
  if (o.min !== undefined) panel.min(o.min);
  if (o.threshold !== undefined)
    panel
      .thresholds(thresholdLine(o.threshold))
      .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed));
  o.queries.forEach((q, i) => panel.withTarget(target(q, refIds[i]!)));
  return panel;
}

export function stat(o: PanelOptions): StatPanelBuilder {
  const panel = new StatPanelBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(DATASOURCE)
    .unit(o.unit)
    .span(o.width ?? 6)
    .height(o.height ?? 5)
    .graphMode(BigValueGraphMode.Area)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
  if (o.threshold !== undefined) panel.thresholds(thresholdLine(o.threshold));
  o.queries.forEach((q, i) => panel.withTarget(target(q, refIds[i]!)));
  return panel;
}

export function dashboard(uid: string, title: string, description: string): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['logperf', 'generated'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('5s')
    .time({ from: 'now-30m', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'));
}
