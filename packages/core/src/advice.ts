// Advice texts more than one rule gives (the monitor's memory and GC rules, the analyzer's signals and
// recommendations), written once so a reader sees the same words wherever the finding comes from.

/** What to do when a node's memory or its GC pauses are past their thresholds. */
export const HEAP_ADVICE =
  'Raise the heap by 25% (--max-old-space-size) and cut per-event allocation; look for retained batches';
