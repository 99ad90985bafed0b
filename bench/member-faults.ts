// Benchmark (issue 13): rounds of a consumer-group member fault on the real path — two `logperf processor` processes,
// 30,000 events at 3,000/s, one member SIGKILLed (or frozen, or a third joining) at a varied moment and back soon after.
// Prints one line per round: stored exactly once, and how long after the restart every acknowledged id was stored and
// the committed offsets reached the log end (null: not within 30 s).
// Needs the real Kafka, PostgreSQL and Redis, and a built CLI (npx tsc -b).
// Usage: npx tsx bench/member-faults.ts [--rounds 20] [--fault kill|freeze|join-leave]
import { parseArgs } from 'node:util';
import pg from 'pg';
import { runMemberRound, type MemberFault } from '../apps/cli/test/faults/member-round.js';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '20' }, fault: { type: 'string', default: 'kill' } },
});
const rounds = Number(values.rounds);
const fault = values.fault as MemberFault;
const db = new pg.Pool({
  connectionString: process.env.LOGPERF_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
  max: 2,
});
// Kill moments spread over the start (join not complete), the first seconds (rebalances) and the steady load;
// the restart comes 0.5–3 s later, before the dead member's 6 s session has expired.
const KILL_AT_MS = [300, 1000, 2000, 3000, 4000, 5000, 6000, 7000];
const RESTART_AFTER_MS = [500, 2000, 1000, 3000];
let passed = 0;
for (let round = 0; round < rounds; round++) {
  const plan = {
    fault,
    faultAtMs: KILL_AT_MS[round % KILL_AT_MS.length]!,
    restartAfterMs: fault === 'freeze' ? 9000 : RESTART_AFTER_MS[round % RESTART_AFTER_MS.length]!,
  };
  const r = await runMemberRound(db, plan);
  if (r.ok) passed++;
  console.log(
    JSON.stringify({
      round: round + 1,
      ...plan,
      ok: r.ok,
      acknowledged: r.acknowledged,
      found: r.acknowledgedFound,
      duplicates: r.rows - r.distinct,
      storedAfterRestartMs: r.storedAfterRestartMs,
      committedAfterRestartMs: r.committedAfterRestartMs,
      lagAtEnd: r.lagAtEnd,
      health: r.healthStatuses,
    }),
  );
}
console.log(`${passed}/${rounds} rounds stored every acknowledged event once and committed to the log end within 30 s`);
await db.end();
