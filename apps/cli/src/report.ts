// What a person reads: a progress line while a test runs, then a summary table per phase.
import { generatorSummary, type LoadTestResult, type Progress } from './load-test-client.js';
import { criteriaLines, type Criterion } from './success-criteria.js';

const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** Rows as aligned columns: text columns (default the first) to the left, numbers to the right. */
export function textTable(rows: readonly (readonly string[])[], leftColumns: readonly number[] = [0]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows
    .map((row) =>
      row.map((cell, c) => (leftColumns.includes(c) ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '),
    )
    .join('\n');
}

export function progressLine(p: Progress): string {
  const width = 30;
  const share = Math.min(1, p.elapsedSeconds / Math.max(1, p.durationSeconds));
  const bar = '█'.repeat(Math.round(share * width)).padEnd(width, '░');
  return `${bar} ${p.elapsedSeconds.toFixed(0)}/${p.durationSeconds.toFixed(0)} s  rate ${int(p.achievedRatePerSecond)}/${int(p.intendedRatePerSecond)} ev/s  p99 ${ms(p.p99Ms)} ms  acked ${int(p.acknowledged)}  errors ${int(p.errors)}  dropped ${int(p.dropped)}`;
}

export function summary(test: LoadTestResult, criteria: readonly Criterion[]): string {
  const r = test.result;
  const errors = (e: Record<string, number>) =>
    Object.entries(e)
      .map(([k, v]) => `${k}:${v}`)
      .join(' ') || '0';
  const rows = [
    ['phase', 'seconds', 'intended/s', 'achieved/s', 'p50 ms', 'p95 ms', 'p99 ms', 'late', 'dropped', 'errors'],
    ...r.phases.map((p) => [
      p.name,
      p.durationSeconds.toFixed(0),
      int(p.intendedRatePerSecond),
      int(p.achievedRatePerSecond),
      ms(p.latencyMs.p50),
      ms(p.latencyMs.p95),
      ms(p.latencyMs.p99),
      int(p.late),
      int(p.dropped),
      errors(p.errors),
    ]),
    [
      'all',
      r.durationSeconds.toFixed(1),
      int(r.intendedRatePerSecond),
      int(r.achievedRatePerSecond),
      ms(r.latencyMs.p50),
      ms(r.latencyMs.p95),
      ms(r.latencyMs.p99),
      int(r.late),
      int(r.dropped),
      errors(r.errors),
    ],
  ];
  const table = textTable(rows);
  const lines = [
    `${test.testName} (${test.testId}) → ${r.target}: ${test.status}`,
    '',
    table,
    '',
    `latency is from each event's intended send time (coordinated-omission corrected); service time p50 ${ms(r.serviceTimeMs.p50)} ms, p99 ${ms(r.serviceTimeMs.p99)} ms`,
    generatorSummary(r),
    ...(r.verdict ? [`result: ${r.verdict.status} (${r.verdict.reason})`] : []),
    r.endToEnd.available
      ? `end-to-end (event timestamp → stored), from the processors: p50 ${ms(r.endToEnd.latencyMs.p50)} ms, p95 ${ms(r.endToEnd.latencyMs.p95)} ms, p99 ${ms(r.endToEnd.latencyMs.p99)} ms over ${int(r.endToEnd.stored)} events${clockNote(r.endToEnd.clock)}`
      : `end-to-end: not available (${r.endToEnd.reason})`,
    ...r.thresholds.map(
      (t) =>
        `${t.passed ? 'PASS' : 'FAIL'} ${t.name}: ${t.actual === null ? `unknown (${t.reason ?? 'not measured'})` : Number(t.actual.toFixed(4))} (limit ${t.limit})`,
    ),
    '',
    "the seed's success criteria:",
    ...criteriaLines(criteria).map((line) => `  ${line}`),
  ];
  return lines.join('\n');
}

/** How the end-to-end figures were corrected for the hosts' clocks (docs/DISTRIBUTED.md#clocks). */
function clockNote(
  clock: { offsetMs: number | null; uncertaintyMs: number | null; reason: string | null } | undefined,
) {
  if (!clock) return '';
  if (clock.offsetMs === null || clock.uncertaintyMs === null) return `; clocks not corrected (${clock.reason})`;
  const note = `; clocks corrected by ${clock.offsetMs.toFixed(3)} ms, ± ${clock.uncertaintyMs.toFixed(3)} ms`;
  return clock.reason === null ? note : `${note}, NOT TRUSTWORTHY: ${clock.reason}`;
}
