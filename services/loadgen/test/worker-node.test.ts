// A `logperf worker` answers the node routes an orchestrator probes and a clock estimate reads.
import { createLogger } from '@logperf/core';
import { describe, expect, it } from 'vitest';
import { startWorkerNode } from '../src/worker-node.js';

describe('worker node', () => {
  it('serves /health, /api/node/stats and /api/node/clock on its own port', async () => {
    const node = await startWorkerNode({
      host: '127.0.0.1',
      port: 0,
      logger: createLogger('worker-node-test', 'silent'),
    });
    try {
      const health = await fetch(`${node.url}/health`);
      expect(health.status).toBe(200);
      const stats = (await (await fetch(`${node.url}/api/node/stats`)).json()) as { role: string };
      expect(stats.role).toBe('worker');
      const before = Date.now();
      const clock = (await (await fetch(`${node.url}/api/node/clock`)).json()) as { receivedAtMs: number };
      expect(Math.abs(clock.receivedAtMs - before)).toBeLessThan(5000);
    } finally {
      await node.close();
    }
  });
});
