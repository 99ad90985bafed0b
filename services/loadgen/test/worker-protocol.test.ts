// The coordinator ↔ worker rules that need no broker: version and token checks, ids every worker of a run agrees on,
// and the per-worker breakdown that names a generator-limited or lost worker.
import { logEventSchema } from '@logperf/core';
import { describe, expect, it } from 'vitest';
import { EventFactory } from '../src/event-factory.js';
import type { SecondReport } from '../src/second-report.js';
import { authFor, PROTOCOL_VERSION, rejection } from '../src/worker-protocol.js';
import { WorkerTallies, workerProblems } from '../src/worker-tally.js';

const message = (over: Partial<{ protocol: number; auth: string | null }> = {}) => ({
  protocol: PROTOCOL_VERSION,
  testId: 't-1',
  auth: null,
  ...over,
});

describe('worker protocol', () => {
  it('refuses another protocol version, and a missing or wrong token proof when a token is configured', () => {
    expect(rejection(message(), undefined)).toBeNull();
    expect(rejection(message({ protocol: PROTOCOL_VERSION + 1 }), undefined)).toMatch(/protocol version/);
    expect(rejection(message(), 'secret')).toMatch(/token/);
    expect(rejection(message({ auth: authFor('other', 't-1') }), 'secret')).toMatch(/token/);
    expect(rejection(message({ auth: authFor('secret', 't-1') }), 'secret')).toBeNull();
    // The proof is bound to the test: one test's proof does not open another.
    expect(rejection({ ...message({ auth: authFor('secret', 't-2') }) }, 'secret')).toMatch(/token/);
    expect(authFor('secret', 't-1')).not.toContain('secret');
  });

  it('gives event n the same valid id in every factory of a run, and different ids in another run', () => {
    const [a, b, c] = [new EventFactory(), new EventFactory(), new EventFactory()];
    a.identify('test@1000');
    b.identify('test@1000');
    c.identify('test@2000');
    const id = (f: EventFactory, n: number) => (JSON.parse(f.create(1000, n)) as { id: string }).id;
    expect(id(a, 7)).toBe(id(b, 7));
    expect(id(a, 7)).not.toBe(id(a, 8));
    expect(id(a, 7)).not.toBe(id(c, 7));
    expect(logEventSchema.safeParse(JSON.parse(a.create(Date.now(), 123_456))).success).toBe(true);
  });
});

const report = (over: Partial<SecondReport>): SecondReport => ({
  phase: 0,
  second: 0,
  intended: 0,
  sent: 0,
  acknowledged: 0,
  late: 0,
  generatorLate: 0,
  dropped: 0,
  generatorDropped: 0,
  errors: {},
  latency: null,
  serviceTime: null,
  scheduleLag: null,
  ...over,
});

describe('per-worker breakdown', () => {
  it('names a worker that fell behind its own segments (3 % of its events late by its own doing; 1.5 % merged)', () => {
    const tallies = new WorkerTallies();
    tallies.holds('fast', 0);
    tallies.holds('slow', 1);
    tallies.add('fast', [report({ intended: 1000, sent: 1000 })]);
    tallies.add('slow', [report({ intended: 1000, sent: 1000, late: 30, generatorLate: 30 })]);
    const workers = tallies.list();
    expect(workers.find((w) => w.name === 'slow')).toMatchObject({ generatorLimited: true, segments: [1] });
    expect(workers.find((w) => w.name === 'fast')).toMatchObject({ generatorLimited: false, segments: [0] });
    expect(workerProblems(workers)).toEqual([
      expect.stringMatching(/^worker slow was generator-limited: 30 of its 1000/),
    ]);
  });

  it('charges a takeover gap to the lost worker by name', () => {
    const tallies = new WorkerTallies();
    tallies.add('w1', [report({ intended: 500, sent: 500 })]);
    tallies.takeoverGap('w1', 250, 'segment 3 taken over by w2, resumed at +6 s');
    expect(tallies.list()[0]).toMatchObject({ intended: 750, dropped: 250, droppedAtTakeover: 250 });
    expect(workerProblems(tallies.list())).toEqual([
      'worker w1 lost (segment 3 taken over by w2, resumed at +6 s): 250 events dropped until its segments resumed',
    ]);
  });
});
