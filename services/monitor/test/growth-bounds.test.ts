// What the monitor keeps per node and per client stays bounded: /metrics forgets nodes the scraper forgot (a restart is
// a new id and often a new port), and a live stream whose client stops reading is dropped instead of buffered forever.
import { describe, expect, it } from 'vitest';
import type { ClusterState } from '../src/cluster-state.js';
import { MAX_STREAM_BUFFER_BYTES, sendFrame } from '../src/monitor-app.js';
import { MonitorMetrics } from '../src/prometheus.js';

type Node = ReturnType<ClusterState['nodes']>[number];
const node = (i: number, eventsTotal: number) =>
  ({ id: `processor-${i}`, role: 'processor', url: `http://127.0.0.1:${9000 + i}`, eventsTotal }) as Node;

describe('monitor /metrics across node restarts', () => {
  it('keeps the totals and series of the nodes it scrapes now, not of every node it ever saw', async () => {
    let nodes: Node[] = [];
    const metrics = new MonitorMetrics({ nodes: () => nodes } as unknown as ClusterState);
    const series = async () =>
      (await metrics.registry.getSingleMetric('cluster_events_total')!.get()).values.map((v) => [
        v.labels.node,
        v.value,
      ]);
    // 100 restarts, each a new node id on a new port, with two nodes alive at a time.
    for (let i = 0; i < 100; i++) {
      nodes = [node(i, 20), node(i + 1, 20)];
      expect(metrics.syncEvents()).toBe(2);
    }
    expect(await series()).toEqual([
      ['processor-99', 20],
      ['processor-100', 20],
    ]);
  });
});

describe('monitor live stream', () => {
  it('writes frames while the client reads, and drops it once 1 MiB waits unread', () => {
    const written: string[] = [];
    let destroyed = false;
    const stream = {
      writableLength: 0,
      write: (text: string) => written.push(text) > 0,
      destroy: () => ((destroyed = true), stream),
    };
    expect(sendFrame(stream as never, 'a')).toBe(true);
    stream.writableLength = MAX_STREAM_BUFFER_BYTES;
    expect(sendFrame(stream as never, 'b')).toBe(true);
    stream.writableLength = MAX_STREAM_BUFFER_BYTES + 1;
    expect(sendFrame(stream as never, 'c')).toBe(false);
    expect([written, destroyed]).toEqual([['a', 'b'], true]);
  });
});
