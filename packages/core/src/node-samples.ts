// Grouping per-second rows by node: each node's samples across the rows, in row order, stamped with their row's time
// (the one grouping the monitor's report, its live diagnosis and the analyzer's per-node signals share).

export type TimedSample<N> = N & { atMs: number };

/** Rows (each a time and the nodes sampled then) → per node id: its role (from its first sample) and its samples. */
export function samplesByNode<N extends { id: string; role: string }>(
  rows: readonly { atMs: number; nodes: readonly N[] }[],
): Map<string, { role: string; samples: TimedSample<N>[] }> {
  const byNode = new Map<string, { role: string; samples: TimedSample<N>[] }>();
  for (const row of rows)
    for (const node of row.nodes) {
      const entry = byNode.get(node.id) ?? { role: node.role, samples: [] };
      entry.samples.push({ ...node, atMs: row.atMs });
      byNode.set(node.id, entry);
    }
  return byNode;
}
