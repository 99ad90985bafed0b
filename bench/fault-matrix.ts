// Induced faults on the real path, scored: for each case a private cluster (gateway, two processors, load generator,
// monitor, analyzer on this run's topic, group and table), a load test with the fault in its middle, the monitor's live
// verdict during the fault (and its time to detect) and the analyzer's first finding afterwards against the expected cause.
//   npx tsx bench/fault-matrix.ts [--runs 3] [--short] [--cases healthy,store-locked,…] [--write]
// --short: the CI timing and the cases marked short, one run each. --write: the confusion table into bench/RESULTS.md
// and docs/DIAGNOSIS.md (between the fault-matrix markers).
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sleep } from '@logperf/core';
import { CASES, SKIPPED, type Case } from './fault-cases.js';
import { startNodes } from './nodes.js';

export { CASES, type Case } from './fault-cases.js';

export interface Timing {
  ratePerSecond: number;
  /** The test: baseline, burst (at the same rate) and recovery, seconds; the fault starts after the baseline. */
  phasesSeconds: [number, number, number];
  faultMs: number;
}

export const MATRIX_TIMING: Timing = { ratePerSecond: 300, phasesSeconds: [10, 15, 10], faultMs: 12_000 };
export const SHORT_TIMING: Timing = { ratePerSecond: 200, phasesSeconds: [8, 10, 6], faultMs: 8000 };

export interface Outcome {
  caseName: string;
  expected: string[] | null;
  /** The expected cause once the monitor's first verdict named it, else the verdict it showed first (null: none). */
  monitor: string | null;
  /** From the fault's start until the monitor's first verdict named the expected cause; null when it never did. */
  monitorDetectMs: number | null;
  analyzer: string | null;
  analyzerEvidence: string | null;
  /** Every finding, in rank order, `rule/component from +N s (role)` or `… (symptom because …)`. */
  analyzerAll: string[];
  /** When latency left its floor (the analyzer's knee), seconds after the start; null when it never did. */
  kneeAtSecond: number | null;
}

const json = async <T>(url: string, init?: RequestInit): Promise<T> => {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json' } });
  if (!res.ok) throw new Error(`${res.status} from ${url}: ${await res.text()}`);
  return (await res.json()) as T;
};

type FoundBottleneck = { rule: string; component: string };
type Finding = {
  rule: string;
  component: string;
  role: string;
  firstSecond: number | null;
  evidence: string;
  because: string | null;
};

/** The monitor's first verdict over its 5 s window (null: none, or the monitor did not answer). */
async function topVerdict(monitor: string): Promise<string | null> {
  const { bottlenecks } = await json<{ bottlenecks: FoundBottleneck[] }>(
    `${monitor}/api/performance/bottlenecks?windowSeconds=5`,
  ).catch(() => ({ bottlenecks: [] as FoundBottleneck[] }));
  return bottlenecks[0] ? `${bottlenecks[0].rule}/${bottlenecks[0].component}` : null;
}

export async function runCase(c: Case, timing: Timing = MATRIX_TIMING): Promise<Outcome> {
  const [baselineSeconds, burstSeconds, recoverySeconds] = timing.phasesSeconds;
  const testSeconds = baselineSeconds + burstSeconds + recoverySeconds;
  const prepared = await c.prepare?.(timing.faultMs);
  try {
    const nodes = await startNodes({
      real: true,
      processes: 2,
      loadgen: true,
      monitor: true,
      ...(prepared?.env ? { env: prepared.env } : {}),
      ...(prepared?.processor ? { processor: prepared.processor } : {}),
    });
    try {
      await sleep(3000); // consumer-group join before load
      const { testId } = await json<{ testId: string }>(`${nodes.loadgen}/api/loadtest/burst`, {
        method: 'POST',
        body: JSON.stringify({
          testName: `fault-matrix ${c.name}`,
          baselineRatePerSecond: timing.ratePerSecond,
          burstRatePerSecond: timing.ratePerSecond,
          baselineDuration: `PT${baselineSeconds}S`,
          burstDuration: `PT${burstSeconds}S`,
          recoveryDuration: `PT${recoverySeconds}S`,
        }),
      });
      const startedAt = Date.now();
      let faultAt: number | null = null;
      let end: (() => Promise<void>) | undefined;
      let firstSeen: string | null = null;
      let named: { verdict: string; afterMs: number } | null = null;
      // Healthy: any verdict after 5 s is a false alarm. Faulted: from the fault's start to 5 s after its end, the
      // first verdict that names an expected cause (and when), else the first verdict shown.
      while (Date.now() - startedAt < testSeconds * 1000 + 2000) {
        const elapsed = Date.now() - startedAt;
        if (prepared && faultAt === null && elapsed >= baselineSeconds * 1000) {
          end = await prepared.inject(nodes);
          faultAt = Date.now();
        }
        if (end && faultAt !== null && Date.now() - faultAt >= timing.faultMs) {
          await end();
          end = undefined;
        }
        const watching = prepared ? faultAt !== null && Date.now() - faultAt <= timing.faultMs + 5000 : elapsed > 5000;
        if (watching && named === null && nodes.monitor) {
          const verdict = await topVerdict(nodes.monitor);
          firstSeen ??= verdict;
          if (verdict !== null && c.expected?.includes(verdict))
            named = { verdict, afterMs: Date.now() - (faultAt ?? startedAt) };
        }
        await sleep(1000);
      }
      if (end) await end();
      // On a loaded host the generator can finish well after its schedule: wait up to 2 minutes.
      for (let i = 0; i < 120; i++) {
        const status = await json<{ status: string }>(`${nodes.loadgen}/api/loadtest/${testId}`);
        if (status.status !== 'running') break;
        await sleep(1000);
      }
      const diagnosis = await json<{ findings: Finding[]; knee: { leftFloorAtSecond: number | null } | null }>(
        `${nodes.analyzer}/api/analysis/bottlenecks?testId=${testId}`,
      );
      const first = diagnosis.findings[0];
      return {
        caseName: c.name,
        expected: c.expected,
        monitor: named?.verdict ?? firstSeen,
        monitorDetectMs: named?.afterMs ?? null,
        analyzer: first ? `${first.rule}/${first.component}` : null,
        analyzerEvidence: first?.evidence ?? null,
        kneeAtSecond: diagnosis.knee?.leftFloorAtSecond ?? null,
        analyzerAll: diagnosis.findings.map(
          (f) =>
            `${f.rule}/${f.component} from +${f.firstSecond ?? '?'} s (${f.role}${f.because ? ` because ${f.because}` : ''})`,
        ),
      };
    } finally {
      await nodes.stop();
    }
  } finally {
    await prepared?.cleanup?.();
  }
}

/** Where an expected cause stands in the analyzer's ranked findings (1 = first), or '-' when absent or none expected. */
const rankOf = (o: Outcome) => {
  const index = o.analyzerAll.findIndex((f) => o.expected?.some((e) => f.startsWith(`${e} `)));
  return o.expected === null || index < 0 ? '-' : `${index + 1} of ${o.analyzerAll.length}`;
};

export const right = (named: string | null, expected: string[] | null) =>
  expected === null ? named === null : named !== null && expected.includes(named);

export function confusionTable(outcomes: Outcome[]): string {
  const rows = [
    '| case | expected | run | monitor live (time to detect) | analyzer first finding | expected cause at rank |',
    '|---|---|---|---|---|---|',
  ];
  const byCase = new Map<string, Outcome[]>();
  for (const o of outcomes) byCase.set(o.caseName, [...(byCase.get(o.caseName) ?? []), o]);
  let analyzerRight = 0;
  let monitorRight = 0;
  for (const [name, list] of byCase) {
    list.forEach((o, i) =>
      rows.push(
        `| ${name} | ${o.expected?.join(' or ') ?? 'nothing'} | ${i + 1} | ${o.monitor ?? 'nothing'}${o.monitorDetectMs === null ? '' : ` (${(o.monitorDetectMs / 1000).toFixed(1)} s)`} ${right(o.monitor, o.expected) ? '✔' : '✘'} | ${o.analyzer ?? 'nothing'} ${right(o.analyzer, o.expected) ? '✔' : '✘'} | ${rankOf(o)} |`,
      ),
    );
    // A case is right when a majority of its runs are (2 of 3).
    const majority = (pick: (o: Outcome) => string | null) =>
      list.filter((o) => right(pick(o), o.expected)).length * 2 > list.length;
    if (majority((o) => o.analyzer)) analyzerRight++;
    if (majority((o) => o.monitor)) monitorRight++;
  }
  rows.push(
    '',
    `Cases right (majority of runs): analyzer ${analyzerRight}/${byCase.size}, monitor live ${monitorRight}/${byCase.size}.`,
  );
  for (const s of SKIPPED) rows.push(`Not run: ${s.name} (${s.reason}).`);
  return rows.join('\n');
}

const START = '<!-- fault-matrix:start -->';
const END = '<!-- fault-matrix:end -->';

/** Replaces the text between the markers (appends a marked section when a file has none). */
export function writeBetweenMarkers(path: string, text: string): void {
  const old = readFileSync(path, 'utf8');
  const block = `${START}\n${text}\n${END}`;
  const from = old.indexOf(START);
  const to = old.indexOf(END);
  writeFileSync(
    path,
    from >= 0 && to > from ? old.slice(0, from) + block + old.slice(to + END.length) : `${old.trimEnd()}\n\n${block}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '1' },
      cases: { type: 'string' },
      short: { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
    },
  });
  const timing = values.short ? SHORT_TIMING : MATRIX_TIMING;
  const runs = values.short ? 1 : Number(values.runs);
  const wanted = values.cases?.split(',') ?? CASES.filter((c) => !values.short || c.short).map((c) => c.name);
  const startedAt = new Date();
  const loadBefore = loadavg()[0]!;
  const outcomes: Outcome[] = [];
  for (const c of CASES.filter((x) => wanted.includes(x.name)))
    for (let run = 0; run < runs; run++) {
      const outcome = await runCase(c, timing);
      console.log(
        `${c.name} run ${run + 1}: monitor ${outcome.monitor ?? 'nothing'} (${outcome.monitorDetectMs ?? '-'} ms), analyzer ${outcome.analyzer ?? 'nothing'} (knee +${outcome.kneeAtSecond ?? '-'} s): ${outcome.analyzerEvidence ?? ''}\n  all findings: ${outcome.analyzerAll.join(', ')}`,
      );
      outcomes.push(outcome);
      report(outcomes);
    }
  function report(done: Outcome[]) {
    const command = `npx tsx bench/fault-matrix.ts${values.short ? ' --short' : ` --runs ${runs}`}${values.cases ? ` --cases ${values.cases}` : ''}`;
    const text = [
      `Measured ${startedAt.toISOString().slice(0, 16)}–${new Date().toISOString().slice(11, 16)} UTC: \`${command}\`, ${timing.ratePerSecond} events/s, fault ${timing.faultMs / 1000} s at +${timing.phasesSeconds[0]} s, ${runs} run(s) per case. Shared 2-core host: load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after (other work on the machine).`,
      '',
      confusionTable(done),
    ].join('\n');
    console.log(`\n${text}`);
    if (values.write) for (const path of ['bench/RESULTS.md', 'docs/DIAGNOSIS.md']) writeBetweenMarkers(path, text);
  }
}
