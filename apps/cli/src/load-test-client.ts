// Runs a burst or ramp on a load generator over its HTTP API, following it once a second until it ends.
import { AppError, sleep } from '@logperf/core';
import type { LoadTestProgress, LoadTestResultBody, StoredResult } from '@logperf/measurements';

/** A finished test as the generator serves it: the stored row with the result it wrote. */
export type LoadTestResult = Omit<StoredResult, 'result'> & { result: ResultBody };
export type ResultBody = LoadTestResultBody;
export type Progress = LoadTestProgress;

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
    await sleep(1000);
    const status = await request<(Progress & { status: 'running' }) | LoadTestResult>(
      `${loadgenUrl}/api/loadtest/${testId}`,
    );
    if (status.status === 'running') options.onProgress(status as Progress);
    else return status as LoadTestResult;
  }
}
