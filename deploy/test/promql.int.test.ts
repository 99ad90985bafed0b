// Every PromQL expression of every generated Grafana panel, and every recording rule, returns data from a real
// Prometheus (Debian's binary) that scraped a real run: the whole system embedded in this process on free ports,
// a short burst through the load generator, Prometheus scraping every second with deploy/prometheus's jobs and rules.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, loadConfig, sleep } from '@logperf/core';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRoles, type Role, type StartedRoles } from '../../apps/cli/src/roles.js';
import { describeReal } from '../../packages/cluster/test/real-services.js';
import { queriesOf, renderDashboards, substituteVariables } from '../grafana/dashboards.js';
import { prometheusDir, PROMETHEUS_BIN, prometheusProbe } from './prometheus-tools.js';

const ROLES: Role[] = ['processor', 'gateway', 'loadgen', 'monitor', 'analyzer'];
/** Grafana variables → values that fit a run of seconds (the dashboards default to hours). */
const VARIABLES = {
  __rate_interval: '15s',
  __interval: '1s',
  __range: '30s',
  trend_window: '30s',
  horizon: '3600',
  target_rate: '20000',
  cpu_target: '0.75',
};
const BURST = {
  testName: 'promql-check',
  baselineRatePerSecond: 300,
  burstRatePerSecond: 900,
  baselineDuration: 'PT3S',
  burstDuration: 'PT3S',
  recoveryDuration: 'PT2S',
};
/** When to evaluate: the end of the burst, while the generator still reports a running test. */
const EVALUATE_AFTER_MS = 6_000;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}
type PromResponse<T> = { status: 'success'; data: T } | { status: 'error'; errorType: string; error: string };

/** deploy/prometheus/prometheus.yml with its logperf jobs aimed at this run's ports, 1 s scrapes and rule evaluation. */
function testConfig(urls: Map<Role, string>): string {
  const config = parse(readFileSync(join(prometheusDir, 'prometheus.yml'), 'utf8')) as {
    global: Record<string, unknown>;
    rule_files: string[];
    scrape_configs: { job_name: string }[];
  };
  config.global = { ...config.global, scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' };
  config.rule_files = config.rule_files.map((file) => join(prometheusDir, file));
  config.scrape_configs = ROLES.map((role) => {
    const job = config.scrape_configs.find((s) => s.job_name === `logperf-${role}`);
    if (!job) throw new Error(`prometheus.yml has no job logperf-${role}`);
    return { job_name: job.job_name, static_configs: [{ targets: [new URL(urls.get(role)!).host] }] };
  });
  return stringify(config);
}

describeReal('PromQL of the Grafana dashboards and recording rules against a real Prometheus', prometheusProbe, () => {
  const dir = mkdtempSync(join(tmpdir(), 'logperf-promql-'));
  let system: StartedRoles | undefined;
  let prometheus: ChildProcess | undefined;
  let prometheusOutput = '';
  let api = '';
  let evaluateAt = 0;

  const query = async (expr: string): Promise<Sample[]> => {
    const url = `${api}/api/v1/query?${new URLSearchParams({ query: expr, time: String(evaluateAt / 1000) }).toString()}`;
    const body = (await (await fetch(url)).json()) as PromResponse<{
      resultType: string;
      result: Sample[] | [number, string];
    }>;
    if (body.status === 'error') throw new Error(`${body.errorType}: ${body.error}`);
    // A scalar result (e.g. vector(0) folded) counts as one sample.
    return body.data.resultType === 'scalar'
      ? [{ metric: {}, value: body.data.result as [number, string] }]
      : (body.data.result as Sample[]);
  };
  /** Why an expression fails the check, or undefined when it returned at least one finite sample. */
  const problemWith = async (expr: string): Promise<string | undefined> => {
    try {
      const samples = await query(expr);
      if (samples.length === 0) return 'no samples';
      if (!samples.some((s) => Number.isFinite(Number(s.value[1]))))
        return `only non-finite values: ${samples.map((s) => s.value[1]).join(', ')}`;
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  };

  beforeAll(async () => {
    const logger = createLogger('promql-test', 'silent');
    system = await startRoles(ROLES, loadConfig({ LOGPERF_LOG_LEVEL: 'silent' }), logger, {
      instances: 1,
      ports: { processor: 0, gateway: 0, loadgen: 0, monitor: 0, analyzer: 0 },
    });
    const urls = new Map(ROLES.map((role) => [role, system!.urlOf(role)!]));

    const port = await freePort();
    api = `http://127.0.0.1:${port}`;
    writeFileSync(join(dir, 'prometheus.yml'), testConfig(urls));
    const args = [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ];
    prometheus = spawn(PROMETHEUS_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => (prometheusOutput = (prometheusOutput + chunk.toString()).slice(-10_000));
    prometheus.stdout!.on('data', keep);
    prometheus.stderr!.on('data', keep);
    await until(
      'Prometheus /-/ready',
      async () => (prometheus!.exitCode === null && (await fetch(`${api}/-/ready`)).ok ? true : undefined),
      30_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${prometheusOutput}`);
    });
  }, 90_000);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const exited = new Promise((resolve) => prometheus!.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000).then(() => prometheus!.kill('SIGKILL'))]);
    }
    await system?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('scrapes every service, drives a burst, and gets data for every panel expression and recording rule', async () => {
    type Targets = { activeTargets: { labels: { job: string }; health: string; lastError: string }[] };
    const targets = await until(
      'every target up',
      async () => {
        const body = (await (await fetch(`${api}/api/v1/targets`)).json()) as PromResponse<Targets>;
        const active = body.status === 'success' ? body.data.activeTargets : [];
        return active.length === ROLES.length && active.every((t) => t.health === 'up') ? active : undefined;
      },
      15_000,
    );
    expect(targets.map((t) => t.labels.job).sort()).toEqual(ROLES.map((r) => `logperf-${r}`).sort());

    const loadgen = system!.urlOf('loadgen')!;
    const started = await fetch(`${loadgen}/api/loadtest/burst`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(BURST),
    });
    expect(started.status).toBe(202);
    const { testId } = (await started.json()) as { testId: string };
    evaluateAt = Date.now() + EVALUATE_AFTER_MS;
    const result = await until(
      'the burst to finish',
      async () => {
        const status = (await (await fetch(`${loadgen}/api/loadtest/${testId}`)).json()) as {
          status: string;
          result?: { intended: number; acknowledged: number };
        };
        return status.status === 'running' ? undefined : status;
      },
      30_000,
    );
    // The check is about Prometheus, not the pipeline: most of the schedule acknowledged is load enough.
    expect(result.status).toBe('completed');
    expect(result.result!.acknowledged).toBeGreaterThan(0.9 * (300 * 3 + 900 * 3 + 300 * 2));
    // Scrapes and rule evaluations up to evaluateAt are in: the run is over, 1 s intervals, and two seconds to spare.
    await sleep(Math.max(0, evaluateAt + 2_000 - Date.now()));

    const expressions = [
      ...[...renderDashboards().values()]
        .flatMap((json) => queriesOf(JSON.parse(json) as Parameters<typeof queriesOf>[0]))
        .map((q) => ({
          where: `${q.dashboard} / ${q.panel} / ${q.refId}`,
          expr: substituteVariables(q.expr, VARIABLES),
        })),
      ...(
        parse(readFileSync(join(prometheusDir, 'rules.yml'), 'utf8')) as { groups: { rules: { record: string }[] }[] }
      ).groups.flatMap((g) => g.rules.map((r) => ({ where: `recording rule ${r.record}`, expr: r.record }))),
    ];
    expect(expressions.length).toBeGreaterThan(50);
    const failures: string[] = [];
    for (const { where, expr } of expressions) {
      const problem = await problemWith(expr);
      if (problem) failures.push(`${where}: ${problem}\n    ${expr}`);
    }
    if (process.env.PROMQL_DEBUG) console.log(JSON.stringify(result.result), `${expressions.length} expressions`);
    expect(failures).toEqual([]);

    type Rules = { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
    const rules = (await (await fetch(`${api}/api/v1/rules`)).json()) as PromResponse<Rules>;
    const unhealthy =
      rules.status === 'success'
        ? rules.data.groups.flatMap((g) => g.rules).filter((r) => r.health !== 'ok')
        : [{ name: 'rules API', health: 'error' }];
    expect(unhealthy).toEqual([]);
  }, 60_000);
});
