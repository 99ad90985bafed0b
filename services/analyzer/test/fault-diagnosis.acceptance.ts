// The analyzer on induced faults on the real path (bench/fault-matrix.ts, one short run each): a locked store table and
// a frozen processor are each named by the FIRST finding, and a healthy run at 200 events/s (well under half of what
// two processors store) gets no finding at all.
import { expect, it } from 'vitest';
import { CASES, runCase, SHORT_TIMING } from '../../../bench/fault-matrix.js';
import { describeReal, kafkaProbe, postgresProbe, redisProbe } from '../../../packages/cluster/test/real-services.js';

const caseNamed = (name: string) => CASES.find((c) => c.name === name)!;

describeReal('induced faults named first by the analyzer', [kafkaProbe, postgresProbe, redisProbe], () => {
  it.each([
    ['store-locked', 'store/store'],
    ['processor-frozen', 'node-down/processor'],
  ])(
    '%s: the first finding is %s',
    async (name, cause) => {
      const outcome = await runCase(caseNamed(name), SHORT_TIMING);
      expect(outcome.analyzer, outcome.analyzerAll.join('\n')).toBe(cause);
      expect(outcome.analyzerAll[0]).toMatch(/ \(cause\)$/);
    },
    120_000,
  );

  it('a healthy run has no finding', async () => {
    const outcome = await runCase(caseNamed('healthy'), SHORT_TIMING);
    expect(outcome.analyzerAll).toEqual([]);
  }, 120_000);
});
