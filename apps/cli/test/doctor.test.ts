// `logperf doctor` names each dependency, and for a missing one says how to start it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { CLI_MAIN } from './cli-process.js';

const run = promisify(execFile);

it('reports an unreachable broker as missing with the command that starts it, and exits 1', async () => {
  const result = await run(process.execPath, [CLI_MAIN, 'doctor'], {
    env: { ...process.env, LOGPERF_KAFKA_BROKERS: '127.0.0.1:1' },
    timeout: 60_000,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(/^MISSING\s+Kafka 127\.0\.0\.1:1\s+connect ECONNREFUSED/m);
  expect(result.stdout).toContain('→ bash scripts/kafka.sh up');
  expect(result.stdout).toMatch(/^ok\s+node ≥ 20\.19/m);
}, 60_000);

it.runIf(process.env.CI === 'true')(
  'finds everything the real deployment needs on the CI machine',
  async () => {
    const { stdout } = await run(process.execPath, [CLI_MAIN, 'doctor'], { timeout: 60_000 });
    expect(stdout).not.toContain('MISSING');
    for (const name of ['PostgreSQL', 'Redis', 'Kafka', 'java', 'maven', 'chromium', 'prometheus'])
      expect(stdout).toMatch(new RegExp(`^ok\\s+${name}`, 'm'));
  },
  60_000,
);
