// Runs a burst or ramp on a load generator over its HTTP API, following it once a second until it ends.
import { AppError } from '@logperf/core';
import type { Progress } from '@logperf/loadgen';

export interface LoadTestResult {
  testId: string;
  testName: string;
  status: string;
  passed: boolean | null;
  result: ResultBody;
}

export interface ResultBody {
  target: string;
  durationSeconds: number;
  intended: number;
  sent: number;
  acknowledged: number;
  late: number;
  dropped: number;
  errors: Record<string, number>;
  achievedRatePerSecond: number;
  intendedRatePerSecond: number;
  /** One status with its reason (results stored before it have none). */
  verdict?: { status: 'passed' | 'failed' | 'invalid'; reason: string };
  generatorLimited?: boolean;
  generatorLimitedAtSeconds?: number | null;
  targetLimitedAtSeconds?: number | null;
  generator?: { cost: { cpuMicrosPerEvent: number | null } | null };
  /** Older results: one flag for both causes of lateness (the generator's own, and waiting for the target). */
  saturated?: boolean;
  saturatedAtSeconds?: number | null;
  latencyMs: { p50: number; p95: number; p99: number; p999: number; max: number };
  serviceTimeMs: { p50: number; p99: number };
  phases: {
    name: string;
    durationSeconds: number;
    intendedRatePerSecond: number;
    achievedRatePerSecond: number;
    acknowledged: number;
    dropped: number;
    late: number;
    errors: Record<string, number>;
    latencyMs: { p50: number; p95: number; p99: number };
  }[];
  endToEnd:
    | {
        available: true;
        latencyMs: { p50: number; p95: number; p99: number };
        stored: number;
        /** Absent in results stored before clocks were measured. */
        clock?: { offsetMs: number | null; uncertaintyMs: number | null; trustworthy: boolean; reason: string | null };
      }
    | { available: false; reason: string };
  /** Results before version 2 have no `source` and never a null `actual`. */
  thresholds: { name: string; limit: number; actual: number | null; passed: boolean; reason?: string }[];
  timeline: {
    second: number;
    intended: number;
    acknowledged: number;
    latencyMs: { p50: number; p90: number; p99: number };
  }[];
  passed: boolean;
}

export type { Progress } from '@logperf/loadgen';

/** How the generator kept its schedule, in one sentence (older results say only `saturated`). */
export function generatorSummary(r: ResultBody): string {
  if (r.generatorLimited === undefined)
    return r.saturated
      ? `the generator fell behind its schedule at ${r.saturatedAtSeconds?.toFixed(1)} s (saturated): late events count as latency`
      : 'the generator kept its schedule (not saturated)';
  const own = r.generatorLimited
    ? `generator-limited from ${r.generatorLimitedAtSeconds?.toFixed(1)} s: the run measures the generator (invalid)`
    : 'the generator kept its schedule';
  const target =
    r.targetLimitedAtSeconds == null
      ? ''
      : `; target-limited from ${r.targetLimitedAtSeconds.toFixed(1)} s (events waited at the in-flight cap; counted in corrected latency)`;
  const cpu = r.generator?.cost?.cpuMicrosPerEvent;
  return `${own}${target}${cpu == null ? '' : `; generator CPU ${cpu.toFixed(1)} µs per event`}`;
}

/** A JSON request to one of our services; a non-2xx answer throws with the service's error message. */
export async function request<T>(url: string, init: RequestInit & { token?: string | undefined } = {}): Promise<T> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
  };
  const res = await fetch(url, { ...init, headers });
  const body = (await res.json()) as T & { error?: { code: string; message: string } };
  if (!res.ok)
    throw new AppError('UNPROCESSABLE', `${res.status} from ${url}: ${body.error?.message ?? JSON.stringify(body)}`);
  return body;
}

export async function runLoadTest(
  loadgenUrl: string,
  kind: 'burst' | 'ramp',
  body: Record<string, unknown>,
  options: { token?: string | undefined; onProgress: (p: Progress) => void; signal?: AbortSignal },
): Promise<LoadTestResult> {
  const { testId } = await request<{ testId: string }>(`${loadgenUrl}/api/loadtest/${kind}`, {
    method: 'POST',
    body: JSON.stringify(body),
    token: options.token,
  });
  const stop = () =>
    void request(`${loadgenUrl}/api/loadtest/${testId}/stop`, {
      method: 'POST',
      body: '{}',
      token: options.token,
    }).catch(() => undefined);
  options.signal?.addEventListener('abort', stop, { once: true });
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const status = await request<(Progress & { status: 'running' }) | LoadTestResult>(
      `${loadgenUrl}/api/loadtest/${testId}`,
    );
    if (status.status === 'running') options.onProgress(status as Progress);
    else return status as LoadTestResult;
  }
}
