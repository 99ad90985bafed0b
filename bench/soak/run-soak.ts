// A soak: steady open-loop load on a running cluster while every process's RSS, heap, event-loop lag and open handles
// are sampled; each series gets a least-squares growth per hour and a verdict.
import { randomUUID } from 'node:crypto';
import { readRssBytes, sleep } from '@logperf/core';
import { Pool } from 'undici';
import { trend, type Sample, type Trend } from './trend.js';

export const SOAK_METRICS = ['rssBytes', 'heapUsedBytes', 'activeResources', 'eventLoopLagP99Ms'] as const;
export type SoakMetric = (typeof SOAK_METRICS)[number];

/** Largest growth per hour of the floor that still counts as flat. */
export const DEFAULT_BOUNDS: Record<SoakMetric, number> = {
  rssBytes: 64 * 1024 * 1024,
  heapUsedBytes: 32 * 1024 * 1024,
  activeResources: 20,
  eventLoopLagP99Ms: 10,
};

export interface SoakOptions {
  gatewayUrl: string;
  /** Every node to watch (the same process behind several URLs is watched once). */
  nodeUrls: readonly string[];
  ratePerSecond: number;
  durationMs: number;
  sampleIntervalMs: number;
  warmupMs: number;
  batchSize?: number;
  bounds?: Partial<Record<SoakMetric, number>>;
  /** Progress lines (one per sample). */
  log?: (line: string) => void;
}

export interface ProcessSeries {
  pid: number;
  roles: string[];
  series: Record<SoakMetric, Sample[]>;
  trends: Record<SoakMetric, Trend>;
}

export interface SoakReport {
  ratePerSecond: number;
  durationSeconds: number;
  sampleIntervalSeconds: number;
  warmupSeconds: number;
  load: {
    intendedEvents: number;
    acknowledged: number;
    refused: Record<string, number>;
    late: number;
    /** Events still unsent when the duration ended (the driver could not keep up). */
    unsent?: number;
  };
  processes: ProcessSeries[];
  verdict: 'flat' | 'growing' | 'too-few-samples';
}

interface StatsBody {
  pid: number;
  role: string;
  eventLoop?: { lagP99Ms: number | null };
  runtime?: { heapUsedBytes: number; activeResources: number };
}

async function sampleNodes(urls: readonly string[], into: Map<number, ProcessSeries>, atMs: number): Promise<void> {
  // A node too busy to answer within 5 s misses this sample (the gap shows in the series) instead of ending the soak.
  const answers = await Promise.allSettled(
    urls.map(
      async (url) =>
        (await (await fetch(`${url}/api/node/stats`, { signal: AbortSignal.timeout(5000) })).json()) as StatsBody,
    ),
  );
  const stats = answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
  const seen = new Set<number>();
  for (const s of stats) {
    let entry = into.get(s.pid);
    if (!entry) {
      entry = {
        pid: s.pid,
        roles: [],
        series: { rssBytes: [], heapUsedBytes: [], activeResources: [], eventLoopLagP99Ms: [] },
        trends: {} as ProcessSeries['trends'],
      };
      into.set(s.pid, entry);
    }
    if (!entry.roles.includes(s.role)) entry.roles.push(s.role);
    if (seen.has(s.pid)) continue;
    seen.add(s.pid);
    const rss = await readRssBytes(s.pid);
    if (rss.ok) entry.series.rssBytes.push({ atMs, value: rss.value });
    if (s.runtime) {
      entry.series.heapUsedBytes.push({ atMs, value: s.runtime.heapUsedBytes });
      entry.series.activeResources.push({ atMs, value: s.runtime.activeResources });
    }
    if (s.eventLoop?.lagP99Ms != null) entry.series.eventLoopLagP99Ms.push({ atMs, value: s.eventLoop.lagP99Ms });
  }
}

/** Open loop at a fixed rate in NDJSON batches; at most 32 requests in flight (a request that cannot start on time counts as late). */
async function drive(
  gatewayUrl: string,
  ratePerSecond: number,
  durationMs: number,
  batchSize: number,
  load: SoakReport['load'],
): Promise<void> {
  const pool = new Pool(gatewayUrl, { connections: 8, pipelining: 1 });
  const intervalMs = (batchSize / ratePerSecond) * 1000;
  const batches = Math.floor(durationMs / intervalMs);
  const start = performance.now();
  let inFlight = 0;
  const pending = new Set<Promise<void>>();
  for (let i = 0; i < batches; i++) {
    await sleep(start + i * intervalMs - performance.now());
    while (inFlight >= 32) await sleep(1);
    // A soak lasts its duration: what could not be sent by then is counted as unsent, not sent late for ever.
    if (performance.now() - start > durationMs) {
      load.unsent = (batches - i) * batchSize;
      load.intendedEvents += load.unsent;
      break;
    }
    if (performance.now() - (start + i * intervalMs) > 10) load.late += batchSize;
    load.intendedEvents += batchSize;
    const now = Date.now();
    const body = Array.from({ length: batchSize }, (_, j) =>
      JSON.stringify({
        id: randomUUID(),
        level: 'INFO',
        message: `soak ${i}.${j} ${'x'.repeat(100)}`,
        source: `soak-${j % 8}`,
        timestamp: now,
      }),
    ).join('\n');
    inFlight++;
    const request = pool
      .request({
        method: 'POST',
        path: '/api/logs',
        body,
        headers: { 'content-type': 'application/x-ndjson' },
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      })
      .then(async (res) => {
        await res.body.dump();
        if (res.statusCode === 202) load.acknowledged += batchSize;
        else load.refused[`http_${res.statusCode}`] = (load.refused[`http_${res.statusCode}`] ?? 0) + batchSize;
      })
      .catch((error: unknown) => {
        const kind = (error as { code?: string }).code ?? 'error';
        load.refused[kind] = (load.refused[kind] ?? 0) + batchSize;
      })
      .finally(() => {
        inFlight--;
        pending.delete(request);
      });
    pending.add(request);
  }
  await Promise.all(pending);
  await pool.close();
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const bounds = { ...DEFAULT_BOUNDS, ...options.bounds };
  const batchSize = options.batchSize ?? 100;
  const load: SoakReport['load'] = { intendedEvents: 0, acknowledged: 0, refused: {}, late: 0 };
  const processes = new Map<number, ProcessSeries>();
  const startMs = Date.now();
  const driving = drive(options.gatewayUrl, options.ratePerSecond, options.durationMs, batchSize, load);
  let done = false;
  void driving.finally(() => (done = true));
  for (let n = 0; !done; n++) {
    const atMs = Date.now();
    await sampleNodes(options.nodeUrls, processes, atMs - startMs);
    if (options.log) {
      const line = [...processes.values()]
        .map(
          (p) =>
            `pid ${p.pid} rss ${mb(p.series.rssBytes.at(-1)?.value)} heap ${mb(p.series.heapUsedBytes.at(-1)?.value)} handles ${p.series.activeResources.at(-1)?.value ?? '-'} lag p99 ${p.series.eventLoopLagP99Ms.at(-1)?.value.toFixed(1) ?? '-'} ms`,
        )
        .join(' | ');
      options.log(`${((atMs - startMs) / 1000).toFixed(0).padStart(5)} s  acked ${load.acknowledged}  ${line}`);
    }
    await Promise.race([driving, sleep(startMs + (n + 1) * options.sampleIntervalMs - Date.now())]);
  }
  await driving;
  const report: SoakReport = {
    ratePerSecond: options.ratePerSecond,
    durationSeconds: (Date.now() - startMs) / 1000,
    sampleIntervalSeconds: options.sampleIntervalMs / 1000,
    warmupSeconds: options.warmupMs / 1000,
    load,
    processes: [...processes.values()],
    verdict: 'too-few-samples',
  };
  return analyzeSoak(report, options.warmupMs, bounds);
}

/** (Re)computes every trend and the verdict from the samples, with this warm-up and these bounds. */
export function analyzeSoak(
  report: SoakReport,
  warmupMs: number,
  bounds: Record<SoakMetric, number> = DEFAULT_BOUNDS,
): SoakReport {
  for (const p of report.processes) {
    for (const metric of SOAK_METRICS)
      p.trends[metric] = trend(p.series[metric], { warmupMs, maxGrowthPerHour: bounds[metric] });
  }
  const verdicts = report.processes.flatMap((p) => SOAK_METRICS.map((m) => p.trends[m].verdict));
  return {
    ...report,
    warmupSeconds: warmupMs / 1000,
    verdict: verdicts.includes('growing')
      ? 'growing'
      : verdicts.includes('too-few-samples')
        ? 'too-few-samples'
        : 'flat',
  };
}

const mb = (bytes: number | undefined) => (bytes === undefined ? '-' : `${(bytes / 1048576).toFixed(1)} MiB`);

/** One line per process and metric: growth per hour (floor and raw), first → last, verdict. */
export function formatSoak(report: SoakReport): string {
  const unit = (m: SoakMetric, v: number) =>
    m.endsWith('Bytes') ? `${(v / 1048576).toFixed(1)} MiB` : m.endsWith('Ms') ? `${v.toFixed(1)} ms` : v.toFixed(1);
  const lines = [
    `soak ${report.durationSeconds.toFixed(0)} s at ${report.ratePerSecond}/s: ${report.load.acknowledged}/${report.load.intendedEvents} acknowledged, refused ${JSON.stringify(report.load.refused)}, late ${report.load.late}, unsent ${report.load.unsent ?? 0}`,
  ];
  for (const p of report.processes) {
    for (const m of SOAK_METRICS) {
      const t = p.trends[m];
      lines.push(
        `  pid ${p.pid} (${p.roles.join('+')}) ${m.padEnd(18)} floor ${unit(m, t.floorGrowthPerHour)}/h, fit ${unit(m, t.growthPerHour)}/h (r² ${t.r2.toFixed(2)}), ${unit(m, t.first)} → ${unit(m, t.last)} (max ${unit(m, t.max)}), bound ${unit(m, t.bound)}/h: ${t.verdict}`,
      );
    }
  }
  lines.push(`verdict: ${report.verdict}`);
  return lines.join('\n');
}
