// `logperf demo` (what `npm start` runs): a scaled-down seed burst against the embedded system, then a summary,
// the monitor's bottlenecks, the analyzer's diagnosis, and the report as JSON and self-contained HTML in reports/.
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Config } from '@logperf/core';
import { renderHtmlReport, type Analysis, type Bottleneck } from './html-report.js';
import { request } from './load-test-client.js';
import type { StartedRoles } from './roles.js';
import { z } from 'zod';
import { runTestCommand } from './test-command.js';

type Values = Record<string, string | boolean | undefined>;

/** What the demo reads of the monitor's and the analyzer's answers: parsed, so a different answer is an error, not a blank. */
const bottlenecksAnswer = z.object({
  bottlenecks: z.array(
    z.looseObject({ rule: z.string(), severity: z.string(), evidence: z.string(), recommendation: z.string() }),
  ),
});
const diagnosisAnswer = z.looseObject({
  summary: z.string(),
  findings: z.array(
    z.looseObject({ confidence: z.number(), component: z.string(), resource: z.string(), evidence: z.string() }),
  ),
});
const recommendationsAnswer = z.looseObject({
  recommendations: z.array(z.looseObject({ area: z.string(), action: z.string(), evidence: z.string() })),
});

/** The seed's burst shape at a quarter of its rates and a sixth of its phases, unless flags say otherwise. */
const DEMO_DEFAULTS: Values = {
  name: 'demo-burst',
  'baseline-rate': '1000',
  'burst-rate': '4000',
  baseline: 'PT10S',
  burst: 'PT10S',
  'error-rate': '0',
};

export async function runDemo(started: StartedRoles, values: Values, config: Config): Promise<number> {
  const monitor = started.urlOf('monitor')!;
  for (const role of started.roles) console.log(`${role.role.padEnd(10)} ${role.url}`);
  console.log(`dashboard  ${monitor}/\n`);
  const flags = { ...DEMO_DEFAULTS, ...Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) };
  const urls = { loadgen: started.urlOf('loadgen')!, monitor };
  const { code, test, criteria } = await runTestCommand('burst', flags, urls, config.apiToken);

  const windowSeconds = Math.max(10, Math.ceil(test.result.durationSeconds));
  const res = await fetch(`${monitor}/api/performance/bottlenecks?windowSeconds=${windowSeconds}`);
  const { bottlenecks }: { bottlenecks: Bottleneck[] } = bottlenecksAnswer.parse(await res.json());
  console.log(
    bottlenecks.length === 0
      ? '\nbottlenecks: none detected'
      : `\nbottlenecks:\n${bottlenecks.map((b) => `  ${b.rule}: ${b.evidence}\n    → ${b.recommendation}`).join('\n')}`,
  );

  const analysis = await analyse(started.urlOf('analyzer'), test.testId);
  if (analysis) {
    console.log(`\ndiagnosis: ${analysis.summary}`);
    for (const r of analysis.recommendations) console.log(`  - ${r.area}: ${r.action}\n      because ${r.evidence}`);
  }

  const dir = resolve(typeof values['report-dir'] === 'string' ? values['report-dir'] : 'reports');
  await mkdir(dir, { recursive: true });
  const base = `${dir}/${test.testId}`;
  const report = { ...test, successCriteria: criteria, bottlenecks, analysis: analysis ?? null };
  await writeFile(`${base}.json`, JSON.stringify(report, null, 2));
  await writeFile(`${base}.html`, await renderHtmlReport(test, bottlenecks, criteria, analysis));
  console.log(`\nreport: ${base}.html\n        ${base}.json`);
  return code;
}

/** The analyzer's diagnosis and recommendations for the test, or undefined when no analyzer runs. */
async function analyse(analyzer: string | undefined, testId: string): Promise<Analysis | undefined> {
  if (!analyzer) return undefined;
  const [diagnosis, { recommendations }] = await Promise.all([
    request<unknown>(`${analyzer}/api/analysis/bottlenecks?testId=${encodeURIComponent(testId)}`).then((a) =>
      diagnosisAnswer.parse(a),
    ),
    request<unknown>(`${analyzer}/api/analysis/recommendations?testId=${encodeURIComponent(testId)}`).then((a) =>
      recommendationsAnswer.parse(a),
    ),
  ]);
  return { summary: diagnosis.summary, findings: diagnosis.findings, recommendations };
}
