// Calls to a backend that have not returned yet, per kind (store write, cache update, bus produce): the age of the
// oldest one is a stall seen while it lasts. A latency histogram only learns of a call when it ends, so a 12 s lock
// shows there as 12 s of nothing and then one sample; this figure grows through those 12 s.
export type WaitKind = 'store' | 'cache' | 'bus';

export interface WaitFigure {
  /** Calls of this kind in progress now. */
  inProgress: number;
  /** How long the oldest call in progress has waited, ms; 0 when none is in progress. */
  oldestMs: number;
}

export class Waits {
  private next = 0;
  private readonly started = new Map<WaitKind, Map<number, number>>();

  /** Marks a call as begun; the returned function marks it ended (call it in `finally`). */
  begin(kind: WaitKind, nowMs = Date.now()): () => void {
    const id = this.next++;
    let calls = this.started.get(kind);
    if (!calls) this.started.set(kind, (calls = new Map<number, number>()));
    calls.set(id, nowMs);
    return () => void calls.delete(id);
  }

  /** Wraps a promise-returning call between begin and end. */
  async around<T>(kind: WaitKind, call: () => Promise<T>): Promise<T> {
    const end = this.begin(kind);
    try {
      return await call();
    } finally {
      end();
    }
  }

  /** Every kind this node has used, with its calls in progress and the oldest one's age. */
  snapshot(nowMs = Date.now()): Partial<Record<WaitKind, WaitFigure>> {
    return Object.fromEntries(
      [...this.started].map(([kind, calls]) => {
        // A Map iterates in insertion order, so the first entry is the oldest call still in progress.
        const oldest = calls.values().next();
        return [kind, { inProgress: calls.size, oldestMs: oldest.done ? 0 : Math.max(0, nowMs - oldest.value) }];
      }),
    );
  }
}
