// deploy/prometheus: promtool accepts both configs and the rules; both configs scrape the same jobs, on the
// services' default ports locally; every job the rules and dashboards select on is scraped.
import { readFileSync } from 'node:fs';
import { SERVICE_PORTS } from '@logperf/core';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { describeReal } from '../../packages/cluster/test/real-services.js';
import { queriesOf, renderDashboards } from '../grafana/dashboards.js';
import { prometheusDir, PROMTOOL_BIN, promtoolProbe, run } from './prometheus-tools.js';

interface ScrapeConfig {
  job_name: string;
  static_configs?: { targets: string[] }[];
  file_sd_configs?: { files: string[] }[];
  dns_sd_configs?: { names: string[]; port: number }[];
}
interface PrometheusConfig {
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
}

const load = <T>(file: string) => parse(readFileSync(`${prometheusDir}${file}`, 'utf8')) as T;
const local = load<PrometheusConfig>('prometheus.yml');
const compose = load<PrometheusConfig>('prometheus.compose.yml');
const rules = load<{ groups: { rules: { record: string; expr: string }[] }[] }>('rules.yml');
const jobs = (c: PrometheusConfig) =>
  c.scrape_configs
    .map((s) => s.job_name)
    .filter((j) => j.startsWith('logperf-'))
    .sort();
const SERVICE_JOBS = Object.keys(SERVICE_PORTS)
  .map((s) => `logperf-${s}`)
  .sort();

/** Job names a PromQL expression selects: job="a" and job=~"a|b". */
const jobsIn = (expr: string) =>
  [...expr.matchAll(/job\s*=~?\s*"([^"]+)"/g)].flatMap(([, v]) => (v!.includes('.+') ? [] : v!.split('|')));

describe('Prometheus configuration', () => {
  it('scrapes one job per logperf service, the same in the local and the Compose config', () => {
    expect(jobs(local)).toEqual(SERVICE_JOBS);
    expect(jobs(compose)).toEqual(SERVICE_JOBS);
    expect(local.rule_files).toEqual(['rules.yml']);
    expect(compose.rule_files).toEqual(['rules.yml']);
  });

  it('targets each service on its default port on 127.0.0.1 (processors from targets/processors.yml)', () => {
    for (const [service, port] of Object.entries(SERVICE_PORTS)) {
      const job = local.scrape_configs.find((s) => s.job_name === `logperf-${service}`)!;
      const targets =
        job.static_configs?.flatMap((c) => c.targets) ??
        job.file_sd_configs!.flatMap((c) =>
          c.files.flatMap((f) => load<{ targets: string[] }[]>(f).flatMap((g) => g.targets)),
        );
      expect(targets, service).toContain(`127.0.0.1:${port}`);
    }
  });

  it('targets Compose service names, processors by DNS so replicas are all scraped', () => {
    for (const [service, port] of Object.entries(SERVICE_PORTS)) {
      const job = compose.scrape_configs.find((s) => s.job_name === `logperf-${service}`)!;
      const targets =
        job.static_configs?.flatMap((c) => c.targets) ??
        job.dns_sd_configs!.flatMap((c) => c.names.map((n) => `${n}:${c.port}`));
      expect(targets, service).toEqual([`${service}:${port}`]);
    }
  });

  it('scrapes every job the recording rules and the dashboards select on', () => {
    const exprs = [
      ...rules.groups.flatMap((g) => g.rules.map((r) => r.expr)),
      ...[...renderDashboards().values()].flatMap((json) =>
        queriesOf(JSON.parse(json) as Parameters<typeof queriesOf>[0]).map((q) => q.expr),
      ),
    ];
    const selected = new Set(exprs.flatMap(jobsIn));
    expect(selected.size).toBeGreaterThanOrEqual(4);
    for (const job of selected) expect(SERVICE_JOBS, job).toContain(job);
  });
});

describeReal('promtool', promtoolProbe, () => {
  it('accepts both configs (with their rule file) and the recording rules', async () => {
    for (const config of ['prometheus.yml', 'prometheus.compose.yml']) {
      const { stdout } = await run(PROMTOOL_BIN, ['check', 'config', `${prometheusDir}${config}`]);
      expect(stdout).toContain('is valid prometheus config file syntax');
    }
    const { stdout } = await run(PROMTOOL_BIN, ['check', 'rules', `${prometheusDir}rules.yml`]);
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });
});
