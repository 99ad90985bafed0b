// Induced faults on the real path, scored: for each case a private cluster (gateway, two processors, load generator,
// monitor, analyzer on this run's topic, group and table), a load test with the fault in its middle, the monitor's live
// verdict during the fault (and its time to detect) and the analyzer's first finding afterwards against the expected cause.
//   npx tsx bench/fault-matrix.ts [--runs 3] [--cases healthy,store-locked,processor-frozen,processor-killed]
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startNodes, type BenchNodes } from './nodes.js';
import { sleep } from '@logperf/core';

export interface Timing {
  ratePerSecond: number;
  /** The test: baseline, burst (at the same rate) and recovery, seconds; the fault starts after the baseline. */
  phasesSeconds: [number, number, number];
  faultMs: number;
}

const MATRIX_TIMING: Timing = { ratePerSecond: 300, phasesSeconds: [10, 15, 10], faultMs: 12_000 };

export interface Case {
  name: string;
  /** What a right answer names: `rule/component` (null: nothing should be named). */
  expected: string | null;
  /** Starts the fault; returns how to end it. */
  inject?: (nodes: BenchNodes) => Promise<() => Promise<void>>;
}

const databaseUrl = process.env.LOGPERF_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export const CASES: Case[] = [
  { name: 'healthy', expected: null },
  {
    name: 'store-locked',
    expected: 'store/store',
    // The run's own table (per-run name from bench/nodes.ts), never a shared one.
    inject: async (nodes) => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query('BEGIN');
      await client.query(`LOCK TABLE ${nodes.env.LOGPERF_STORE_TABLE} IN ACCESS EXCLUSIVE MODE`);
      return async () => {
        await client.query('ROLLBACK');
        await client.end();
      };
    },
  },
  {
    name: 'processor-frozen',
    expected: 'node-down/processor',
    inject: async (nodes) => {
      process.kill(nodes.processorPids![0]!, 'SIGSTOP');
      return async () => void process.kill(nodes.processorPids![0]!, 'SIGCONT');
    },
  },
  {
    name: 'processor-killed',
    expected: 'node-down/processor',
    inject: async (nodes) => {
      process.kill(nodes.processorPids![0]!, 'SIGKILL');
      return async () => undefined;
    },
  },
];

export interface Outcome {
  caseName: string;
  expected: string | null;
  monitor: string | null;
  monitorDetectMs: number | null;
  analyzer: string | null;
  analyzerEvidence: string | null;
  /** Every finding, in rank order, `rule/component (role)` or `rule/component (symptom because …)`. */
  analyzerAll: string[];
}

const json = async <T>(url: string, init?: RequestInit): Promise<T> => {
  const res = await fetch(url, { ...init, headers: { 'content-type': 'application/json' } });
  if (!res.ok) throw new Error(`${res.status} from ${url}: ${await res.text()}`);
  return (await res.json()) as T;
};

type FoundBottleneck = { rule: string; component: string };
type Finding = { rule: string; component: string; role: string; evidence: string; because: string | null };

export async function runCase(c: Case, timing: Timing = MATRIX_TIMING): Promise<Outcome> {
  const [baselineSeconds, burstSeconds, recoverySeconds] = timing.phasesSeconds;
  const testSeconds = baselineSeconds + burstSeconds + recoverySeconds;
  const nodes = await startNodes({ real: true, processes: 2, loadgen: true, monitor: true });
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
    let monitor: string | null = null;
    let monitorDetectMs: number | null = null;
    // Healthy: any verdict during the run counts; faulted: the first verdict from the fault's start to 5 s after it.
    while (Date.now() - startedAt < testSeconds * 1000 + 2000) {
      const elapsed = Date.now() - startedAt;
      if (c.inject && faultAt === null && elapsed >= baselineSeconds * 1000) {
        end = await c.inject(nodes);
        faultAt = Date.now();
      }
      if (end && faultAt !== null && Date.now() - faultAt >= timing.faultMs) {
        await end();
        end = undefined;
      }
      const watching = c.inject ? faultAt !== null && Date.now() - faultAt <= timing.faultMs + 5000 : elapsed > 5000;
      if (watching && monitor === null) {
        const { bottlenecks } = await json<{ bottlenecks: FoundBottleneck[] }>(
          `${nodes.monitor}/api/performance/bottlenecks?windowSeconds=5`,
        ).catch(() => ({ bottlenecks: [] as FoundBottleneck[] }));
        if (bottlenecks[0]) {
          monitor = `${bottlenecks[0].rule}/${bottlenecks[0].component}`;
          monitorDetectMs = faultAt === null ? null : Date.now() - faultAt;
        }
      }
      await sleep(1000);
    }
    if (end) await end();
    for (let i = 0; i < 30; i++) {
      const status = await json<{ status: string }>(`${nodes.loadgen}/api/loadtest/${testId}`);
      if (status.status !== 'running') break;
      await sleep(1000);
    }
    const diagnosis = await json<{ findings: Finding[] }>(
      `${nodes.analyzer}/api/analysis/bottlenecks?testId=${testId}`,
    );
    const first = diagnosis.findings[0];
    return {
      caseName: c.name,
      expected: c.expected,
      monitor,
      monitorDetectMs,
      analyzer: first ? `${first.rule}/${first.component}` : null,
      analyzerEvidence: first?.evidence ?? null,
      analyzerAll: diagnosis.findings.map(
        (f) => `${f.rule}/${f.component} (${f.role}${f.because ? ` because ${f.because}` : ''})`,
      ),
    };
  } finally {
    await nodes.stop();
  }
}

/** Where the expected cause stands in the analyzer's ranked findings (1 = first), or '-' when absent or none expected. */
const rankOf = (o: Outcome) => {
  const index = o.analyzerAll.findIndex((f) => f.startsWith(`${o.expected} `));
  return o.expected === null || index < 0 ? '-' : String(index + 1);
};

const right = (named: string | null, expected: string | null) => named === expected;

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
        `| ${name} | ${o.expected ?? 'nothing'} | ${i + 1} | ${o.monitor ?? 'nothing'}${o.monitorDetectMs === null ? '' : ` (${(o.monitorDetectMs / 1000).toFixed(1)} s)`} ${right(o.monitor, o.expected) ? '✔' : '✘'} | ${o.analyzer ?? 'nothing'} ${right(o.analyzer, o.expected) ? '✔' : '✘'} | ${rankOf(o)} |`,
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
  return rows.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '1' }, cases: { type: 'string' } },
  });
  const wanted = values.cases?.split(',') ?? CASES.map((c) => c.name);
  const outcomes: Outcome[] = [];
  for (const c of CASES.filter((x) => wanted.includes(x.name)))
    for (let run = 0; run < Number(values.runs); run++) {
      const outcome = await runCase(c);
      console.log(
        `${c.name} run ${run + 1}: monitor ${outcome.monitor ?? 'nothing'} (${outcome.monitorDetectMs ?? '-'} ms), analyzer ${outcome.analyzer ?? 'nothing'}: ${outcome.analyzerEvidence ?? ''}\n  all findings: ${outcome.analyzerAll.join(', ')}`,
      );
      outcomes.push(outcome);
    }
  console.log(
    `\n${new Date().toISOString()}, ${MATRIX_TIMING.ratePerSecond} events/s, fault ${MATRIX_TIMING.faultMs / 1000} s at +${MATRIX_TIMING.phasesSeconds[0]} s\n`,
  );
  console.log(confusionTable(outcomes));
}
