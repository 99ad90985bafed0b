// The capacity search's knee curve as one self-contained HTML file (uPlot inlined, no network): rate vs p50/p99 and lag.
import type { CapacityOptions } from './capacity-command.js';
import type { CapacityResult } from './capacity-search.js';
import { uplot } from './html-report.js';

export interface CapacityReport {
  kind: 'capacity';
  mode: string;
  startedAt: string;
  finishedAt: string;
  options: CapacityOptions;
  result: CapacityResult;
}

const esc = (text: unknown) =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
const int = (n: number | null) => (n === null ? '–' : Math.round(n).toLocaleString('en-US'));

/** Steps sorted by rate, the latest measurement winning where a rate ran twice (uPlot needs a strictly rising x). */
export function kneeCurve(result: CapacityResult) {
  const byRate = new Map(result.steps.map((s) => [s.ratePerSecond, s]));
  const points = [...byRate.values()].sort((a, b) => a.ratePerSecond - b.ratePerSecond);
  return {
    rate: points.map((s) => s.ratePerSecond),
    p50: points.map((s) => s.p50Ms),
    p99: points.map((s) => s.p99Ms),
    lag: points.map((s) => s.lagEndEvents),
  };
}

export async function renderCapacityHtml(report: CapacityReport): Promise<string> {
  const { js, css } = await uplot();
  const r = report.result;
  const found =
    r.maxSustainablePerSecond === null
      ? r.stoppedBy === 'low-bound-failed'
        ? 'none (the low bound failed)'
        : 'none (no confirmation held)'
      : `${int(r.maxSustainablePerSecond)} events/s ${r.confirmed ? '(confirmed)' : '(not confirmed)'}`;
  const rows = r.steps
    .map(
      (s, i) =>
        `<tr><td>${i + 1}</td><td>${s.kind}</td><td>${int(s.ratePerSecond)}</td><td>${int(s.achievedRatePerSecond)}</td><td>${s.p50Ms.toFixed(1)}</td><td>${s.p99Ms.toFixed(1)}</td><td>${int(s.lagEndEvents)}</td><td>${int(s.lagSlopePerSecond)}</td><td>${int(s.lost)}</td><td class="${s.passed ? 'pass' : 'fail'}">${s.passed ? 'pass' : 'FAIL'}</td><td>${esc(s.reasons.join('; '))}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>capacity ${esc(report.startedAt)} — logperf</title>
<style>${css}</style>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px 32px; color: #1f2328; }
h1 { font-size: 22px; } h2 { font-size: 16px; margin-top: 28px; } .meta { color: #59636e; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; } th, td { padding: 4px 10px; border-bottom: 1px solid #d1d9e0; text-align: right; }
td:last-child { text-align: left; } .pass { color: #1a7f37; } .fail { color: #cf222e; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
</style></head><body>
<h1>Maximum sustainable rate: ${esc(found)}</h1>
<p class="meta">${esc(report.mode)} · ${esc(report.startedAt)} → ${esc(report.finishedAt)} · p99 ≤ ${report.options.criteria.maxP99Ms} ms, achieved ≥ ${report.options.criteria.minAchievedRatio * 100} % of intended, lag growth ≤ ${report.options.criteria.maxLagGrowthShare * 100} % of the rate per second, nothing lost · steps of ${report.options.stepSeconds} s, confirmation ${report.options.confirmSeconds} s · stopped by ${esc(r.stoppedBy)}</p>
<div class="charts"><div><h2>Latency from intended send time vs rate (ms)</h2><div id="latency"></div></div><div><h2>Consumer lag at the step's end vs rate (events)</h2><div id="lag"></div></div></div>
<h2>Steps</h2>
<table><thead><tr><th>#</th><th>kind</th><th>rate/s</th><th>achieved/s</th><th>p50 ms</th><th>p99 ms</th><th>lag end</th><th>lag slope/s</th><th>lost</th><th>verdict</th><th>reasons</th></tr></thead><tbody>${rows}</tbody></table>
<script>${js}</script>
<script>
const d = ${JSON.stringify(kneeCurve(r))};
const opts = (names, colors) => ({ width: 620, height: 280, scales: { x: { time: false } }, axes: [{ label: 'events/s' }, {}], series: [{ label: 'rate' }, ...names.map((n, i) => ({ label: n, stroke: colors[i], width: 2, points: { show: true } }))] });
new uPlot(opts(['p50', 'p99'], ['#1a7f37', '#cf222e']), [d.rate, d.p50, d.p99], document.getElementById('latency'));
new uPlot(opts(['lag'], ['#0969da']), [d.rate, d.lag], document.getElementById('lag'));
</script>
</body></html>
`;
}
