// One round of a consumer-group member fault on the real path (issue 13): a gateway and two `logperf processor`
// processes on a private topic, group and table; load at a fixed rate; one member is killed (or frozen) at a chosen
// moment and brought back; the round ends when every acknowledged id is stored and the group's committed offsets
// reach the log end, or at its deadline. Shared by the fault tests and bench/member-faults.ts.
import { Admin } from '@platformatic/kafka';
import pg from 'pg';
import type { CliProcess } from '../cli-process.js';
import { sleep } from '@logperf/core';
import { faultEnv, portOf, startGateway, startProcessor } from './fault-harness.js';
import { LoadDriver } from './load-driver.js';

export type MemberFault =
  /** SIGKILL, then a new process on the same port `restartAfterMs` later. */
  | 'kill'
  /** SIGSTOP, SIGCONT `restartAfterMs` later: the frozen member outlives its session and wakes up as a zombie. */
  | 'freeze'
  /** A third member joins at `faultAtMs`; one of the first two leaves (SIGTERM) `restartAfterMs` later. */
  | 'join-leave';

export interface RoundPlan {
  fault: MemberFault;
  /** After the second member printed its URL (it has joined), before the load starts; default 1500. */
  settleMs?: number;
  /** After the load started. */
  faultAtMs: number;
  restartAfterMs: number;
  events?: number;
  ratePerSecond?: number;
  /** After the restart, how long every acknowledged id and the committed offsets may take. */
  deadlineMs?: number;
  env?: Record<string, string>;
}

export interface RoundResult {
  plan: RoundPlan;
  sent: number;
  acknowledged: number;
  failed: number;
  rows: number;
  distinct: number;
  acknowledgedFound: number;
  /** From the restart until every acknowledged id was stored; null: not within the deadline. */
  storedAfterRestartMs: number | null;
  /** From the restart until the committed offsets reached the log end on every partition; null: not within the deadline. */
  committedAfterRestartMs: number | null;
  /** Log end − committed offset summed over partitions, at the end of the round. */
  lagAtEnd: number;
  /** The processors' /health status values seen during the round, with counts. */
  healthStatuses: Record<string, number>;
  /** Summed over the members alive at the end: stalls, client re-creations and failures by kind (/api/node/stats). */
  members: { stalls: number; recreations: number; failures: Record<string, number> };
  /** Events the live members were handed again and found already stored. */
  redelivered: number;
  ok: boolean;
}

const BROKER = (process.env.LOGPERF_KAFKA_BROKERS || '127.0.0.1:9092').split(',')[0]!.trim();

export async function committedLag(admin: Admin, topic: string, group: string): Promise<number> {
  const [ends, groups] = await Promise.all([
    admin.listOffsets({
      topics: [{ name: topic, partitions: [0, 1, 2, 3, 4, 5].map((p) => ({ partitionIndex: p, timestamp: -1n })) }],
    }),
    admin.listConsumerGroupOffsets({ groups: [group] }),
  ]);
  const committed = new Map(
    (groups[0]?.topics.find((t) => t.name === topic)?.partitions ?? []).map((p) => [
      p.partitionIndex,
      Number(p.committedOffset),
    ]),
  );
  return (ends.find((t) => t.name === topic)?.partitions ?? []).reduce(
    (sum, p) => sum + Math.max(0, Number(p.offset) - Math.max(0, committed.get(p.partitionIndex) ?? 0)),
    0,
  );
}

interface MemberStats {
  redelivered: number;
  members: { stalls: number; recreations: number; failures: Record<string, number> }[];
}

/** A processor's counters and member liveness from /api/node/stats; nothing for a process that does not answer. */
async function memberStats(url: string): Promise<MemberStats> {
  try {
    const res = await fetch(`${url}/api/node/stats`, { signal: AbortSignal.timeout(3000) });
    const body = (await res.json()) as { processor?: MemberStats };
    return { redelivered: body.processor?.redelivered ?? 0, members: body.processor?.members ?? [] };
  } catch {
    return { redelivered: 0, members: [] };
  }
}

export async function runMemberRound(db: pg.Pool, plan: RoundPlan): Promise<RoundResult> {
  const { events = 30_000, ratePerSecond = 3000, deadlineMs = 30_000 } = plan;
  const env = faultEnv(`member_${plan.fault}`, plan.env);
  const processes: CliProcess[] = [];
  const admin = new Admin({ clientId: `member-round-${process.pid}`, bootstrapBrokers: [BROKER] });
  const healthStatuses: Record<string, number> = {};
  let healthPoll: NodeJS.Timeout | undefined;
  try {
    const first = await startProcessor(env);
    const victim = await startProcessor(env);
    processes.push(first, victim);
    const gateway = await startGateway(env);
    processes.push(gateway);
    await sleep(plan.settleMs ?? 1500); // 0: the first member may still be rejoining when the load (and the fault) come
    const members = [first, victim];
    healthPoll = setInterval(() => {
      for (const m of members)
        void fetch(`${m.url}/health`, { signal: AbortSignal.timeout(900) })
          .then(async (res) => ((await res.json()) as { status: string }).status)
          .catch(() => 'no answer')
          .then((status) => (healthStatuses[status] = (healthStatuses[status] ?? 0) + 1));
    }, 1000);

    const driver = new LoadDriver({
      gatewayUrl: gateway.url,
      ratePerSecond,
      durationMs: (events / ratePerSecond) * 1000,
      batchSize: 100,
      source: `member-${plan.fault}`,
    });
    const running = driver.run();
    await sleep(plan.faultAtMs);
    let third: CliProcess | undefined;
    if (plan.fault === 'kill') await victim.stop('SIGKILL');
    else if (plan.fault === 'freeze') victim.child.kill('SIGSTOP');
    else third = await startProcessor(env);
    if (third) {
      processes.push(third);
      members.push(third);
    }
    await sleep(plan.restartAfterMs);
    if (plan.fault === 'kill') {
      const restarted = await startProcessor(env, portOf(victim));
      processes.push(restarted);
      members[1] = restarted;
    } else if (plan.fault === 'freeze') victim.child.kill('SIGCONT');
    else {
      await victim.stop('SIGTERM');
      members.splice(1, 1);
    }
    const restartedAt = Date.now();
    const load = await running;

    let storedAt: number | undefined;
    let committedAt: number | undefined;
    let lagAtEnd = Number.NaN;
    const count = async () =>
      Number(
        (
          await db.query<{ n: string }>(
            `SELECT count(*) AS n FROM ${env.LOGPERF_STORE_TABLE} WHERE id = ANY($1::uuid[])`,
            [load.acknowledged],
          )
        ).rows[0]?.n,
      );
    while (Date.now() - restartedAt < deadlineMs) {
      if (storedAt === undefined && (await count().catch(() => -1)) >= load.acknowledged.length) storedAt = Date.now();
      lagAtEnd = await committedLag(admin, env.LOGPERF_KAFKA_TOPIC, env.LOGPERF_PROCESSOR_GROUP).catch(
        () => Number.NaN,
      );
      if (committedAt === undefined && lagAtEnd === 0) committedAt = Date.now();
      if (storedAt !== undefined && committedAt !== undefined) break;
      await sleep(500);
    }
    const {
      rows: [row],
    } = await db.query<{ n: string; distinct_ids: string; found: string }>(
      `SELECT count(*) AS n, count(DISTINCT id) AS distinct_ids, count(*) FILTER (WHERE id = ANY($1::uuid[])) AS found FROM ${env.LOGPERF_STORE_TABLE}`,
      [load.acknowledged],
    );
    const stats = await Promise.all(members.map((m) => memberStats(m.url)));
    const failures: Record<string, number> = {};
    for (const f of stats.flatMap((s) => s.members.map((m) => m.failures)))
      for (const [kind, n] of Object.entries(f)) failures[kind] = (failures[kind] ?? 0) + n;
    const result: RoundResult = {
      plan,
      sent: load.sent,
      acknowledged: load.acknowledged.length,
      failed: load.failed.length,
      rows: Number(row?.n),
      distinct: Number(row?.distinct_ids),
      acknowledgedFound: Number(row?.found),
      storedAfterRestartMs: storedAt === undefined ? null : storedAt - restartedAt,
      committedAfterRestartMs: committedAt === undefined ? null : committedAt - restartedAt,
      lagAtEnd,
      healthStatuses,
      members: {
        stalls: stats.reduce((n, s) => n + s.members.reduce((k, m) => k + m.stalls, 0), 0),
        recreations: stats.reduce((n, s) => n + s.members.reduce((k, m) => k + m.recreations, 0), 0),
        failures,
      },
      redelivered: stats.reduce((n, s) => n + s.redelivered, 0),
      ok: false,
    };
    result.ok =
      result.failed === 0 &&
      result.acknowledgedFound === result.acknowledged &&
      result.rows === result.distinct &&
      result.storedAfterRestartMs !== null &&
      result.committedAfterRestartMs !== null;
    return result;
  } finally {
    clearInterval(healthPoll);
    await Promise.all(
      processes.map(async (p) => {
        p.child.kill('SIGCONT');
        const timer = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
        await p.stop('SIGTERM');
        clearTimeout(timer);
      }),
    );
    await db.query(`DROP TABLE IF EXISTS ${env.LOGPERF_STORE_TABLE}`).catch(() => undefined);
    await admin.deleteGroups({ groups: [env.LOGPERF_PROCESSOR_GROUP] }).catch(() => undefined);
    await admin.deleteTopics({ topics: [env.LOGPERF_KAFKA_TOPIC] }).catch(() => undefined);
    await admin.close().catch(() => undefined);
  }
}
