// Stalls of a backend seen while they last: a store write, a cache update or a bus produce that has not returned for
// longer than the threshold names that backend (the cause), not the queue that grows in front of it (the symptom).
// Hysteresis: a stall is raised when a call has waited `stallMs`, and cleared only after CLEAR_SAMPLES samples in a
// row below half of it, so a backend answering in bursts does not flap the verdict on and off.
import type { NodeSample } from './history-row.js';

export type StallRule = 'store' | 'cache' | 'broker';

/** Which node role reports which wait, and the verdict it raises. */
const STALLS: { wait: string; role: string; rule: StallRule; what: string; recommendation: string }[] = [
  {
    wait: 'store',
    role: 'processor',
    rule: 'store',
    what: 'a store write',
    recommendation:
      'The store does not complete writes: look for locks on the table (pg_locks, the monitor shows lock waits), a full disk or a stopped database',
  },
  {
    wait: 'cache',
    role: 'processor',
    rule: 'cache',
    what: 'a cache update',
    recommendation:
      'The cache does not answer: check the Redis server (paused, blocked by a slow command, out of memory)',
  },
  {
    wait: 'bus',
    role: 'gateway',
    rule: 'broker',
    what: 'a bus produce',
    recommendation:
      'The broker does not acknowledge: check the Kafka brokers (paused, disk full, under-replicated partitions)',
  },
];

export const CLEAR_SAMPLES = 3;

/** Whether the stall is standing at the last sample, and its peak wait while it stood (null: never raised). */
export function standingStall(waits: (number | null)[], stallMs: number): number | null {
  let peak: number | null = null;
  let below = 0;
  for (const wait of waits) {
    if (wait === null) continue;
    if (wait >= stallMs) {
      peak = Math.max(peak ?? 0, wait);
      below = 0;
    } else if (peak !== null && wait < stallMs / 2 && ++below >= CLEAR_SAMPLES) {
      peak = null;
      below = 0;
    }
  }
  return peak;
}

export interface StallVerdict {
  rule: StallRule;
  resource: 'backend';
  component: StallRule;
  severity: 'critical';
  metric: string;
  value: number;
  threshold: number;
  affectedNodes: string[];
  evidence: string;
  recommendation: string;
}

export function detectStalls(
  nodes: { id: string; role: string; up: boolean; samples: NodeSample[] }[],
  stallMs: number,
  windowSeconds: number,
): StallVerdict[] {
  return STALLS.flatMap((stall) => {
    const hits = nodes
      .filter((n) => n.up && n.role === stall.role)
      .flatMap((n) => {
        const peak = standingStall(
          n.samples.map((s) => s.waitsMs?.[stall.wait] ?? null),
          stallMs,
        );
        return peak === null ? [] : [{ id: n.id, peak }];
      });
    if (hits.length === 0) return [];
    const worst = Math.max(...hits.map((h) => h.peak));
    return [
      {
        rule: stall.rule,
        resource: 'backend' as const,
        component: stall.rule,
        severity: 'critical' as const,
        metric: `oldest ${stall.wait} call in progress, ms (peak)`,
        value: Math.round(worst),
        threshold: stallMs,
        affectedNodes: hits.map((h) => h.id),
        evidence: `${stall.what} waited ${(worst / 1000).toFixed(1)} s without returning on ${hits.map((h) => h.id).join(', ')} (threshold ${stallMs / 1000} s, within ${windowSeconds} s)`,
        recommendation: stall.recommendation,
      },
    ];
  });
}
