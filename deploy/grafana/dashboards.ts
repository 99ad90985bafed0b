// The seed's three Grafana dashboards as code, rendered to the JSON Grafana provisions from deploy/grafana/dashboards/.
import { bottlenecksDashboard } from './bottlenecks.js';
import { capacityDashboard } from './capacity.js';
import { overviewDashboard } from './overview.js';

export const DASHBOARDS = {
  'cluster-performance-overview.json': overviewDashboard,
  'bottleneck-analysis.json': bottlenecksDashboard,
  'capacity-planning.json': capacityDashboard,
} as const;

/** File name → the dashboard JSON exactly as committed (two-space indent, trailing newline). */
export function renderDashboards(): Map<string, string> {
  return new Map(
    Object.entries(DASHBOARDS).map(([file, build]) => [
      file,
      `${JSON.stringify(numberPanels(build().build()), null, 2)}\n`,
    ]),
  );
}

/** Stable panel ids in layout order (Grafana would otherwise assign them at load, and links to a panel need them). */
function numberPanels<T extends { panels?: { id?: number; panels?: { id?: number }[] }[] }>(dashboard: T): T {
  let id = 0;
  for (const panel of dashboard.panels ?? []) {
    panel.id = ++id;
    for (const nested of panel.panels ?? []) nested.id = ++id;
  }
  return dashboard;
}

export interface PanelQuery {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
}

interface PanelJson {
  title?: string;
  type?: string;
  targets?: { refId?: string; expr?: string }[];
  panels?: PanelJson[];
}

/** Every panel that is not a row, including panels nested in collapsed rows. */
export function panelsOf(dashboard: { panels?: PanelJson[] }): PanelJson[] {
  return (dashboard.panels ?? []).flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p]));
}

/** Every PromQL expression of every panel of a dashboard's JSON model. */
export function queriesOf(dashboard: { title?: string; panels?: PanelJson[] }): PanelQuery[] {
  return panelsOf(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({
      dashboard: dashboard.title ?? '',
      panel: panel.title ?? '',
      refId: t.refId ?? '',
      expr: t.expr ?? '',
    })),
  );
}

/** Replaces Grafana's $name and ${name} variables; throws on a variable it was not given, so a new one cannot slip past the tests. */
export function substituteVariables(expr: string, values: Readonly<Record<string, string>>): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    const value = values[name];
    if (value === undefined) throw new Error(`no value for Grafana variable $${name} in: ${expr}`);
    return value;
  });
}
