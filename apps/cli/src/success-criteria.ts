// The seed's success criteria judged on a finished test: availability ≥ 99.9 %, host CPU < 60 % and host memory < 70 %
// at their peaks (each node's CPU and RSS beside them), and resources scaling in proportion to load on a ramp.
// Pure: the test's result and the monitor's samples in, rows out; a figure that was not measured is null with a reason.
import type { ResultBody } from './load-test-client.js';

export interface NodeReading {
  id: string;
  role: string;
  up: boolean;
  /** The node's own process, % of one core. */
  cpuPercent: number | null;
  /** The node's host, % of all cores. */
  systemCpuPercent: number | null;
  /** The node's host: 1 − MemAvailable/MemTotal. */
  memoryPercent: number | null;
  rssBytes: number | null;
  /** The node's process id and address (its URL): nodes in one process (`logperf up`) are counted once. */
  pid?: number | null;
  url?: string;
}

/** One scrape of the monitor during the test. */
export interface ResourceSample {
  atMs: number;
  /** Events/s through the pipeline as the monitor counts them (stored by processors). */
  eventsPerSecond: number;
  nodes: NodeReading[];
}

export interface Criterion {
  name: 'availability' | 'host CPU peak' | 'host memory peak' | 'scales proportionally';
  /** The measured figure in `unit`, or null when it was not measured. */
  value: number | null;
  unit: '%' | '% spread';
  target: string;
  passed: boolean | null;
  /** What the figure is made of, or why it is null. */
  detail: string;
}

export const AVAILABILITY_TARGET = 99.9;
export const HOST_CPU_LIMIT = 60;
export const HOST_MEMORY_LIMIT = 70;
/** CPU per event may differ from its median by this much at any step of a ramp. */
export const PROPORTION_TOLERANCE = 0.2;
export const RAMP_STEPS = 5;
const CLUSTER_ROLES = new Set(['gateway', 'processor']);

const round = (n: number, digits = 1) => Number(n.toFixed(digits));
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const max = (values: (number | null)[]) => {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  return known.length > 0 ? Math.max(...known) : null;
};
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** Same host and pid: the same process, whose CPU and RSS every node in it reports. */
function processKey(node: NodeReading): string {
  if (node.pid == null || node.url === undefined) return `node ${node.id}`;
  const host = URL.canParse(node.url) ? new URL(node.url).hostname : node.url;
  return `${host} pid ${node.pid}`;
}

/** A sample's nodes, one reading per process: ids joined with '+', the process's figures once (their peak). */
export function perProcess(nodes: readonly NodeReading[]): NodeReading[] {
  const groups = new Map<string, NodeReading[]>();
  for (const node of nodes) groups.set(processKey(node), [...(groups.get(processKey(node)) ?? []), node]);
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    if (group.length === 1) return first;
    return {
      ...first,
      id: group.map((n) => n.id).join('+'),
      role: group.map((n) => n.role).join('+'),
      up: group.some((n) => n.up),
      cpuPercent: max(group.map((n) => n.cpuPercent)),
      systemCpuPercent: max(group.map((n) => n.systemCpuPercent)),
      memoryPercent: max(group.map((n) => n.memoryPercent)),
      rssBytes: max(group.map((n) => n.rssBytes)),
    };
  });
}

export function successCriteria(
  kind: 'burst' | 'ramp',
  result: Pick<ResultBody, 'intended' | 'acknowledged'>,
  samples: readonly ResourceSample[],
  unmeasuredReason: string | null,
): Criterion[] {
  return [
    availability(result),
    ...resourcePeaks(samples, unmeasuredReason),
    proportion(kind, samples, unmeasuredReason),
  ];
}

function availability(result: Pick<ResultBody, 'intended' | 'acknowledged'>): Criterion {
  const base = { name: 'availability', unit: '%', target: `≥ ${AVAILABILITY_TARGET} %` } as const;
  if (result.intended === 0) return { ...base, value: null, passed: null, detail: 'no event was offered' };
  const percent = (result.acknowledged / result.intended) * 100;
  return {
    ...base,
    value: round(percent, 3),
    passed: percent >= AVAILABILITY_TARGET,
    detail: `${result.acknowledged} acknowledged of ${result.intended} offered`,
  };
}

function resourcePeaks(samples: readonly ResourceSample[], unmeasuredReason: string | null): Criterion[] {
  // One process (logperf up) runs several nodes: its CPU and RSS are named once, under all their ids.
  const byProcess = samples.map((s) => perProcess(s.nodes.filter((n) => n.up)));
  const nodes = [...new Set(byProcess.flatMap((s) => s.map((n) => n.id)))];
  const peakOf = (id: string, pick: (n: NodeReading) => number | null) =>
    max(byProcess.flatMap((s) => s.filter((n) => n.id === id).map(pick)));
  const perNode = (pick: (n: NodeReading) => number | null, show: (v: number) => string) =>
    nodes.flatMap((id) => {
      const peak = peakOf(id, pick);
      return peak === null ? [] : [`${id} ${show(peak)}`];
    });
  const row = (
    name: 'host CPU peak' | 'host memory peak',
    limit: number,
    pick: (n: NodeReading) => number | null,
    beside: string,
  ): Criterion => {
    const peak = max(samples.flatMap((s) => s.nodes.filter((n) => n.up).map(pick)));
    const base = { name, unit: '%', target: `< ${limit} %` } as const;
    if (peak === null)
      return { ...base, value: null, passed: null, detail: unmeasuredReason ?? 'no node reported this figure' };
    return { ...base, value: round(peak), passed: peak < limit, detail: beside };
  };
  const cpuBeside = perNode(
    (n) => n.cpuPercent,
    (v) => `${round(v)}%`,
  );
  const rssBeside = perNode((n) => n.rssBytes, mb);
  return [
    row(
      'host CPU peak',
      HOST_CPU_LIMIT,
      (n) => n.systemCpuPercent,
      `all cores; node peaks (% of one core): ${cpuBeside.join(', ') || 'none reported'}`,
    ),
    row(
      'host memory peak',
      HOST_MEMORY_LIMIT,
      (n) => n.memoryPercent,
      `MemAvailable/MemTotal; node RSS peaks: ${rssBeside.join(', ') || 'none reported'}`,
    ),
  ];
}

/**
 * CPU per event (the cluster nodes' CPU over the events they carried) at each of RAMP_STEPS consecutive steps of the
 * ramp, each step against their median: proportional when none is more than ±20 % away.
 */
export function proportion(
  kind: 'burst' | 'ramp',
  samples: readonly ResourceSample[],
  unmeasuredReason: string | null,
): Criterion {
  const base = {
    name: 'scales proportionally',
    unit: '% spread',
    target: `CPU per event within ±${PROPORTION_TOLERANCE * 100} % across ${RAMP_STEPS} steps`,
  } as const;
  const none = (detail: string): Criterion => ({ ...base, value: null, passed: null, detail });
  if (kind !== 'ramp') return none('judged on a ramp only: a burst has no steps of rising load');
  if (unmeasuredReason !== null) return none(unmeasuredReason);
  const usable = samples.flatMap((s) => {
    // A process running both cluster roles counts its CPU once.
    const cpu = perProcess(s.nodes.filter((n) => n.up && CLUSTER_ROLES.has(n.role))).map((n) => n.cpuPercent);
    if (cpu.length === 0 || cpu.some((c) => c === null) || s.eventsPerSecond <= 0) return [];
    return [{ cpu: (cpu as number[]).reduce((a, b) => a + b, 0), events: s.eventsPerSecond }];
  });
  const perStep = Math.floor(usable.length / RAMP_STEPS);
  if (perStep < 2)
    return none(
      `${usable.length} samples with both cluster CPU and throughput; ${RAMP_STEPS * 2} needed for ${RAMP_STEPS} steps`,
    );
  // Core-milliseconds per event at each step: (Σ cpu% / 100) cores × 1000 ms ÷ events per second.
  const steps = Array.from({ length: RAMP_STEPS }, (_, i) => {
    const group = usable.slice(i * perStep, (i + 1) * perStep);
    return ((mean(group.map((g) => g.cpu)) / 100) * 1000) / mean(group.map((g) => g.events));
  });
  const sorted = [...steps].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const spread = Math.max(...steps.map((s) => Math.abs(s / median - 1)));
  return {
    ...base,
    value: round(spread * 100),
    passed: spread <= PROPORTION_TOLERANCE,
    detail: `core-ms per event by step: ${steps.map((s) => round(s, 3)).join(', ')} (median ${round(median, 3)})`,
  };
}

/** The rows as the summary prints them. */
export function criteriaLines(criteria: readonly Criterion[]): string[] {
  return criteria.map((c) => {
    const verdict = c.passed === null ? 'n/a ' : c.passed ? 'PASS' : 'FAIL';
    const value = c.value === null ? 'not measured' : `${c.value}${c.unit === '%' ? ' %' : ' % spread'}`;
    return `${verdict} ${c.name}: ${value} (target ${c.target}); ${c.detail}`;
  });
}
