// Fault (issue 13): a consumer-group member dies, freezes, joins or leaves during a 3,000 events/s load. In every round
// each acknowledged event is stored exactly once within 30 s of the member's return, and the group's committed offsets
// reach the log end. bench/member-faults.ts runs the kill rounds many times; docs/RELIABILITY.md has its results.
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import {
  describeReal,
  kafkaProbe,
  postgresProbe,
  realServices,
  redisProbe,
} from '../../../../packages/cluster/test/real-services.js';
import { report } from './fault-harness.js';
import { runMemberRound, type RoundPlan, type RoundResult } from './member-round.js';

const ROUNDS: { name: string; plan: RoundPlan }[] = [
  // The load and the kill come while the group is still settling the second member's join.
  { name: 'kill before the join settled', plan: { fault: 'kill', settleMs: 0, faultAtMs: 200, restartAfterMs: 500 } },
  // Steady load: batches are being stored and committed every few ms, so the kill lands mid-batch or mid-commit;
  // the restart comes during the rebalance (the dead member's 6 s session has not expired).
  {
    name: 'kill mid-load, restart during the rebalance',
    plan: { fault: 'kill', faultAtMs: 2000, restartAfterMs: 1000 },
  },
  // The steps: SIGKILL 4 s in, a new process on the same port 2 s later.
  { name: 'kill at 4 s, restart 2 s later (issue 13)', plan: { fault: 'kill', faultAtMs: 4000, restartAfterMs: 2000 } },
  // SIGSTOP longer than the session: the group moves on without it. On SIGCONT the zombie stores what it held (the
  // store absorbs the repeats) but commits nothing until the coordinator confirmed it again ('commit-fenced' in its
  // stats when a batch was in hand at the wake-up, which depends on timing, so it is reported, not asserted).
  { name: 'freeze past the session timeout', plan: { fault: 'freeze', faultAtMs: 2000, restartAfterMs: 8000 } },
  { name: 'a third member joins, one leaves', plan: { fault: 'join-leave', faultAtMs: 2000, restartAfterMs: 3000 } },
];

function expectDelivered(r: RoundResult): void {
  expect(r.failed).toBe(0);
  expect(r.acknowledged).toBe(r.sent);
  expect({ rows: r.rows, distinct: r.distinct, found: r.acknowledgedFound }).toEqual({
    rows: r.acknowledged,
    distinct: r.acknowledged,
    found: r.acknowledged,
  });
  expect(r.storedAfterRestartMs).not.toBeNull();
  expect(r.committedAfterRestartMs).not.toBeNull();
  expect(r.lagAtEnd).toBe(0);
}

describeReal(
  'fault: consumer-group members die, freeze, join and leave under load',
  [kafkaProbe, postgresProbe, redisProbe],
  () => {
    const db = new pg.Pool({ connectionString: realServices.databaseUrl, max: 2 });
    afterAll(() => db.end());

    for (const { name, plan } of ROUNDS)
      it(`${name}: every acknowledged event stored once, committed offsets at the log end`, async () => {
        const result = await runMemberRound(db, plan);
        report(`member ${name}`, { ...result, plan: undefined });
        expectDelivered(result);
      }, 90_000);
  },
);
