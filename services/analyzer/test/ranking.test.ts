import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/finding.js';
import { rank } from '../src/ranking.js';

const finding = (rule: string, component: string, firstSecond: number, extra: Partial<Finding> = {}): Finding => ({
  rule,
  resource: rule,
  component,
  role: 'cause',
  confidence: 0.8,
  confidenceFrom: 'test',
  severity: 'critical',
  metric: `${rule} metric`,
  basis: 'peak',
  value: 2,
  threshold: 1,
  firstSecond,
  lastSecond: firstSecond + 5,
  secondsPast: 5,
  evidence: `${rule} on ${component}`,
  recommendation: '',
  affectedNodes: [],
  because: null,
  ...extra,
});

const order = (findings: Finding[], kneeAt: number | null) =>
  rank(findings, kneeAt).map((f) => `${f.rule}/${f.component} ${f.role}`);

describe('ranking causes before symptoms', () => {
  it('the cause that began just before latency left its floor leads; one standing since the start follows', () => {
    const findings = [
      finding('event-loop', 'gateway', 1, { confidence: 0.95 }),
      finding('store', 'store', 9, { confidence: 0.7 }),
      finding('consumer-lag', 'processor', 11, { role: 'symptom' }),
    ];
    expect(order(findings, 10)).toEqual([
      'store/store cause',
      'event-loop/gateway cause',
      'consumer-lag/processor symptom',
    ]);
    expect(rank(findings, 10)[2]!.because).toMatch(/^store: /);
  });

  it("the load generator's own GC, loop delay or lateness never ranks above a cause in the cluster", () => {
    const findings = [
      finding('gc', 'loadgen', 9, { confidence: 0.99 }),
      finding('generator-saturated', 'loadgen', 9, { confidence: 0.99 }),
      finding('node-down', 'processor', 12, { confidence: 0.5 }),
    ];
    expect(order(findings, 10)[0]).toBe('node-down/processor cause');
    expect(order([findings[1]!], 10)).toEqual(['generator-saturated/loadgen cause']);
  });

  it("a process's loop delay follows a host whose cores were all taken; the host follows a process's own CPU", () => {
    const host = finding('host-cpu', 'host', 9);
    expect(order([host, finding('event-loop', 'processor', 10)], 10)).toEqual([
      'host-cpu/host cause',
      'event-loop/processor symptom',
    ]);
    expect(order([host, finding('cpu', 'processor', 8)], 10)).toEqual(['cpu/processor cause', 'host-cpu/host symptom']);
  });
});
