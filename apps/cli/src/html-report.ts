// A load test as one self-contained HTML file (uPlot inlined, no network): rate intended vs achieved, latency over time,
// per-phase table, thresholds, the seed's success criteria, end-to-end latency, the monitor's bottlenecks and the
// analyzer's diagnosis.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { generatorSummary, type LoadTestResult } from './load-test-client.js';
import type { Criterion } from './success-criteria.js';

export interface Bottleneck {
  rule: string;
  severity: string;
  evidence: string;
  recommendation: string;
}

const esc = (text: unknown) =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
const num = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits });

export async function uplot(): Promise<{ js: string; css: string }> {
  const dir = dirname(createRequire(import.meta.url).resolve('uplot/dist/uPlot.iife.min.js'));
  const [js, css] = await Promise.all([
    readFile(join(dir, 'uPlot.iife.min.js'), 'utf8'),
    readFile(join(dir, 'uPlot.min.css'), 'utf8'),
  ]);
  return { js, css };
}

/** The analyzer's view of the test (GET /api/analysis/bottlenecks and /recommendations). */
export interface Analysis {
  summary: string;
  findings: { confidence: number; component: string; resource: string; evidence: string }[];
  recommendations: { area: string; action: string; evidence: string }[];
}

function analysisHtml(analysis: Analysis | undefined): string {
  if (!analysis) return '<p>analyzer not reachable</p>';
  const findings = analysis.findings
    .map(
      (f) =>
        `<li><strong>${num(f.confidence, 2)} ${esc(f.component)} ${esc(f.resource)}</strong>: ${esc(f.evidence)}</li>`,
    )
    .join('');
  const recommendations =
    analysis.recommendations
      .map((r) => `<li><strong>${esc(r.area)}</strong>: ${esc(r.action)}<br>because ${esc(r.evidence)}</li>`)
      .join('') || '<li class="pass">none: no measured condition calls for one</li>';
  return `<p>${esc(analysis.summary)}</p>${findings ? `<ol>${findings}</ol>` : ''}<h3>Recommendations</h3><ul>${recommendations}</ul>`;
}

export async function renderHtmlReport(
  test: LoadTestResult,
  bottlenecks: readonly Bottleneck[],
  criteria: readonly Criterion[],
  analysis?: Analysis,
): Promise<string> {
  const r = test.result;
  const { js, css } = await uplot();
  const timeline = r.timeline;
  const data = {
    seconds: timeline.map((s) => s.second),
    intended: timeline.map((s) => s.intended),
    acknowledged: timeline.map((s) => s.acknowledged),
    p50: timeline.map((s) => s.latencyMs.p50),
    p90: timeline.map((s) => s.latencyMs.p90),
    p99: timeline.map((s) => s.latencyMs.p99),
  };
  const phases = r.phases
    .map(
      (p) =>
        `<tr><td>${esc(p.name)}</td><td>${num(p.durationSeconds, 0)}</td><td>${num(p.intendedRatePerSecond, 0)}</td><td>${num(p.achievedRatePerSecond, 0)}</td><td>${num(p.latencyMs.p50)}</td><td>${num(p.latencyMs.p95)}</td><td>${num(p.latencyMs.p99)}</td><td>${num(p.late, 0)}</td><td>${num(p.dropped, 0)}</td><td>${esc(
          Object.entries(p.errors)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ') || '0',
        )}</td></tr>`,
    )
    .join('');
  const thresholds =
    r.thresholds
      .map(
        (t) =>
          `<li class="${t.passed ? 'pass' : 'fail'}">${t.passed ? 'PASS' : 'FAIL'} ${esc(t.name)}: ${t.actual === null ? `unknown (${esc(t.reason ?? 'not measured')})` : num(t.actual, 3)} (limit ${num(t.limit, 3)})</li>`,
      )
      .join('') || '<li>no thresholds set</li>';
  const criteriaRows = criteria
    .map((c) => {
      const verdict = c.passed === null ? 'n/a' : c.passed ? 'PASS' : 'FAIL';
      const value = c.value === null ? 'not measured' : `${num(c.value, 3)} ${c.unit}`;
      return `<tr><td>${esc(c.name)}</td><td>${esc(value)}</td><td>${esc(c.target)}</td><td class="${c.passed === null ? '' : c.passed ? 'pass' : 'fail'}">${verdict}</td><td class="detail">${esc(c.detail)}</td></tr>`;
    })
    .join('');
  const e2e = r.endToEnd.available
    ? `p50 ${num(r.endToEnd.latencyMs.p50)} ms · p95 ${num(r.endToEnd.latencyMs.p95)} ms · p99 ${num(r.endToEnd.latencyMs.p99)} ms over ${num(r.endToEnd.stored, 0)} stored events`
    : `not available: ${esc(r.endToEnd.reason)}`;
  const verdicts =
    bottlenecks
      .map(
        (b) =>
          `<li class="${esc(b.severity)}"><strong>${esc(b.rule)}</strong>: ${esc(b.evidence)}<br>→ ${esc(b.recommendation)}</li>`,
      )
      .join('') || '<li class="pass">none detected</li>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(test.testName)} — logperf report</title>
<style>${css}</style>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px 32px; color: #1f2328; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 16px; margin-top: 28px; }
.meta { color: #59636e; } table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid #d1d9e0; text-align: right; } th:first-child, td:first-child { text-align: left; }
.pass { color: #1a7f37; } .fail, .critical { color: #cf222e; } .warning { color: #9a6700; }
td.detail, th.detail { text-align: left; color: #59636e; }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
</style></head><body>
<h1>${esc(test.testName)} <span class="${test.passed ? 'pass' : 'fail'}">${esc(r.verdict?.status ?? (test.passed ? 'passed' : 'failed'))}</span></h1>
${r.verdict ? `<p class="meta">${esc(r.verdict.reason)}</p>` : ''}
<p class="meta">test ${esc(test.testId)} · ${esc(test.status)} · target ${esc(r.target)} · ${num(r.durationSeconds)} s · ${num(r.acknowledged, 0)} of ${num(r.intended, 0)} events acknowledged · ${esc(generatorSummary(r))}</p>
<div class="charts"><div><h2>Rate: intended vs achieved (events/s)</h2><div id="rate"></div></div><div><h2>Latency from intended send time (ms)</h2><div id="latency"></div></div></div>
<h2>Phases</h2>
<table><thead><tr><th>phase</th><th>s</th><th>intended/s</th><th>achieved/s</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>late</th><th>dropped</th><th>errors</th></tr></thead><tbody>${phases}</tbody></table>
<p>All: p50 ${num(r.latencyMs.p50)} · p95 ${num(r.latencyMs.p95)} · p99 ${num(r.latencyMs.p99)} · p99.9 ${num(r.latencyMs.p999)} · max ${num(r.latencyMs.max)} ms; service time p50 ${num(r.serviceTimeMs.p50)} · p99 ${num(r.serviceTimeMs.p99)} ms.</p>
<h2>End-to-end (event timestamp → stored), from the processors</h2><p>${e2e}</p>
<h2>Thresholds</h2><ul>${thresholds}</ul>
<h2>The seed's success criteria</h2>
<table><thead><tr><th>criterion</th><th>measured</th><th>target</th><th>verdict</th><th class="detail">from</th></tr></thead><tbody>${criteriaRows}</tbody></table>
<h2>Bottlenecks seen by the monitor</h2><ul>${verdicts}</ul>
<h2>Diagnosis (analyzer, ranked by confidence)</h2>${analysisHtml(analysis)}
<script>${js}</script>
<script>
const d = ${JSON.stringify(data)};
const opts = (title, names, colors) => ({ width: 620, height: 260, scales: { x: { time: false } }, axes: [{ label: 'second of the test' }, {}], series: [{ label: 's' }, ...names.map((n, i) => ({ label: n, stroke: colors[i], width: 2 }))] });
new uPlot(opts('rate', ['intended', 'acknowledged'], ['#8c959f', '#0969da']), [d.seconds, d.intended, d.acknowledged], document.getElementById('rate'));
new uPlot(opts('latency', ['p50', 'p90', 'p99'], ['#1a7f37', '#9a6700', '#cf222e']), [d.seconds, d.p50, d.p90, d.p99], document.getElementById('latency'));
</script>
</body></html>
`;
}
