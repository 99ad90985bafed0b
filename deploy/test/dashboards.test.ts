// The committed Grafana dashboards are exactly what the code generates, and every panel queries Prometheus.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { panelsOf, queriesOf, renderDashboards } from '../grafana/dashboards.js';

const grafanaDir = fileURLToPath(new URL('../grafana/', import.meta.url));
const rendered = renderDashboards();
type Dashboard = {
  uid: string;
  title: string;
  panels: ReturnType<typeof panelsOf>;
  templating: { list: { name: string; type: string }[] };
};
const committed = new Map(
  readdirSync(`${grafanaDir}dashboards`).map((file) => [file, readFileSync(`${grafanaDir}dashboards/${file}`, 'utf8')]),
);
const dashboards = [...rendered.values()].map((json) => JSON.parse(json) as Dashboard);
/** Grafana's own variables the panels may use; the rest must be defined in the dashboard's templating. */
const BUILTIN_VARIABLES = new Set(['__rate_interval', '__interval', '__range']);

describe('Grafana dashboards as code', () => {
  it('are committed exactly as the generator renders them (run npx tsx deploy/grafana/generate.ts)', () => {
    expect([...committed.keys()].sort()).toEqual([...rendered.keys()].sort());
    for (const [file, json] of rendered) expect(committed.get(file), file).toBe(json);
  });

  it("are the seed's three dashboards, with unique uids", () => {
    expect(dashboards.map((d) => d.title)).toEqual([
      'Cluster Performance Overview',
      'Bottleneck Analysis',
      'Capacity Planning',
    ]);
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(3);
  });

  it("give every panel at least one PromQL target on the dashboard's Prometheus datasource", () => {
    for (const d of dashboards) {
      const panels = panelsOf(d) as {
        title: string;
        datasource?: { type: string };
        targets?: { expr?: string; datasource?: { type: string; uid: string } }[];
      }[];
      expect(panels.length, d.title).toBeGreaterThanOrEqual(8);
      for (const panel of panels) {
        expect(panel.targets?.length ?? 0, `${d.title} / ${panel.title}`).toBeGreaterThan(0);
        for (const t of panel.targets ?? []) {
          expect(t.expr?.trim(), `${d.title} / ${panel.title}`).toBeTruthy();
          expect(t.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        }
      }
      expect(d.templating.list.find((v) => v.name === 'datasource')?.type).toBe('datasource');
    }
  });

  it('use only variables the dashboard defines or Grafana provides', () => {
    for (const d of dashboards) {
      const defined = new Set(d.templating.list.map((v) => v.name));
      for (const q of queriesOf(d)) {
        for (const [, braced, bare] of q.expr.matchAll(/\$\{(\w+)\}|\$(\w+)/g)) {
          const name = braced ?? bare ?? '';
          expect(BUILTIN_VARIABLES.has(name) || defined.has(name), `${q.dashboard} / ${q.panel}: $${name}`).toBe(true);
        }
      }
    }
  });

  it('lay panels out on the 24-column grid without overlaps, with unique ids', () => {
    for (const d of dashboards) {
      const all = d.panels as { id: number; gridPos: { x: number; y: number; w: number; h: number } }[];
      expect(new Set(all.map((p) => p.id)).size).toBe(all.length);
      const cells = new Set<string>();
      for (const { gridPos: g } of all) {
        expect(g.x + g.w).toBeLessThanOrEqual(24);
        for (let x = g.x; x < g.x + g.w; x++)
          for (let y = g.y; y < g.y + g.h; y++) {
            expect(cells.has(`${x},${y}`), `${d.title}: overlap at ${x},${y}`).toBe(false);
            cells.add(`${x},${y}`);
          }
      }
    }
  });

  it('are provisioned from the folder the generator writes, with a Prometheus datasource', () => {
    const datasources = parse(readFileSync(`${grafanaDir}provisioning/datasources/prometheus.yml`, 'utf8')) as {
      datasources: { type: string; uid: string; url: string; isDefault: boolean }[];
    };
    expect(datasources.datasources).toEqual([
      expect.objectContaining({
        type: 'prometheus',
        uid: 'prometheus',
        url: 'http://prometheus:9090',
        isDefault: true,
      }),
    ]);
    const providers = parse(readFileSync(`${grafanaDir}provisioning/dashboards/logperf.yml`, 'utf8')) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(providers.providers).toEqual([
      expect.objectContaining({
        type: 'file',
        options: expect.objectContaining({ path: '/var/lib/grafana/dashboards/logperf' }) as unknown,
      }),
    ]);
  });
});
