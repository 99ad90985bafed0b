// Clock offset between two processes from NTP's four timestamps, and the correction of a figure that subtracts a time
// read on one host from a time read on another (end to end = a processor's stored time − a generator's event time).
// Pure: the HTTP exchange lives in clock-client.ts.

/** One exchange: t1 client send, t2 server receive, t3 server send, t4 client receive (t1, t4 client clock; t2, t3 server). */
export interface ClockSample {
  t1Ms: number;
  t2Ms: number;
  t3Ms: number;
  t4Ms: number;
}

/** The server's clock minus the client's, and how far off that can be. */
export interface ClockEstimate {
  /** Server clock − client clock: add it to a client time to get the server's reading of that instant. */
  offsetMs: number;
  /** The true offset lies within offsetMs ± uncertaintyMs (half the chosen round trip + the clocks' resolution). */
  uncertaintyMs: number;
  /** Round trip of the chosen exchange minus the server's own time: the network's share. */
  delayMs: number;
  /** Exchanges taken; the one with the least delay is used. */
  rounds: number;
  /** Client wall time of the chosen exchange's reply. */
  measuredAtMs: number;
}

/**
 * Resolution of the wall time both sides read (performance.timeOrigin + performance.now(): sub-microsecond in Node),
 * counted once per side, so 2 µs is added to every bound.
 */
export const CLOCK_RESOLUTION_MS = 0.002;

/** The same clock on every node: wall-clock time at the monotonic clock's resolution (not Date.now()'s 1 ms). */
export function wallNowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** offset = ((t2 − t1) + (t3 − t4)) / 2, delay = (t4 − t1) − (t3 − t2) for one exchange. */
export function offsetOf(sample: ClockSample): { offsetMs: number; delayMs: number } {
  const { t1Ms, t2Ms, t3Ms, t4Ms } = sample;
  return { offsetMs: (t2Ms - t1Ms + (t3Ms - t4Ms)) / 2, delayMs: t4Ms - t1Ms - (t3Ms - t2Ms) };
}

/**
 * The least-delayed exchange's offset: a queued request or reply adds delay to one leg only, which moves the offset by
 * up to half of it, so the quickest round trip is the least skewed. Whatever the legs' split, the true offset lies
 * within ± delay/2 of it. Throws on no samples or a sample whose server time runs backwards or outlasts the round trip.
 */
export function estimateClockOffset(
  samples: readonly ClockSample[],
  resolutionMs: number = CLOCK_RESOLUTION_MS,
): ClockEstimate {
  if (samples.length === 0) throw new Error('no clock samples');
  let best: { offsetMs: number; delayMs: number; sample: ClockSample } | undefined;
  for (const sample of samples) {
    const values = [sample.t1Ms, sample.t2Ms, sample.t3Ms, sample.t4Ms];
    if (!values.every(Number.isFinite)) throw new Error(`clock sample has a non-finite time: ${values.join(', ')}`);
    if (sample.t3Ms < sample.t2Ms || sample.t4Ms < sample.t1Ms)
      throw new Error('clock sample runs backwards (server send before receive, or reply before request)');
    const { offsetMs, delayMs } = offsetOf(sample);
    // Timer resolution may make the server's span a hair longer than the round trip: a delay of 0, not negative.
    if (delayMs < -resolutionMs)
      throw new Error(`clock sample: the server's span exceeds the round trip by ${-delayMs} ms`);
    if (!best || delayMs < best.delayMs) best = { offsetMs, delayMs: Math.max(0, delayMs), sample };
  }
  const chosen = best!;
  return {
    offsetMs: chosen.offsetMs,
    uncertaintyMs: chosen.delayMs / 2 + resolutionMs,
    delayMs: chosen.delayMs,
    rounds: samples.length,
    measuredAtMs: chosen.sample.t4Ms,
  };
}

/** A figure's clock correction as a result reports it. */
export interface ClockCorrection {
  /** Subtracted from the raw figure: (late host's offset − early host's offset), both relative to one reference clock. */
  offsetMs: number;
  /** The corrected figure lies within ± this of the true one (the offsets' bounds added, and any spread between hosts). */
  uncertaintyMs: number;
  /** False when the bound exceeds the allowed share of the figure (LOGPERF_CLOCK_MAX_UNCERTAINTY_SHARE). */
  trustworthy: boolean;
  /** Why not trustworthy; null when trustworthy. */
  reason: string | null;
}

/** A host's estimate and how many of the figure's readings it took (events stored, events generated). */
export interface WeightedClock {
  estimate: Pick<ClockEstimate, 'offsetMs' | 'uncertaintyMs'>;
  weight: number;
}

/** The weighted mean offset of several hosts, the largest bound among them, and how far any lies from the mean. */
function blend(hosts: readonly WeightedClock[]): { offsetMs: number; uncertaintyMs: number; spreadMs: number } {
  if (hosts.length === 0) throw new Error('no host to correct for');
  const total = hosts.reduce((sum, h) => sum + h.weight, 0);
  const share = (w: number) => (total > 0 ? w / total : 1 / hosts.length);
  const offsetMs = hosts.reduce((sum, h) => sum + h.estimate.offsetMs * share(h.weight), 0);
  return {
    offsetMs,
    uncertaintyMs: Math.max(...hosts.map((h) => h.estimate.uncertaintyMs)),
    spreadMs: Math.max(...hosts.map((h) => Math.abs(h.estimate.offsetMs - offsetMs))),
  };
}

/**
 * The correction of `later − earlier` where `later` was read on the `late` hosts and `earlier` on the `early` ones,
 * every offset relative to the same reference clock. Several hosts on one side are corrected by their weighted mean
 * offset (a summary cannot be shifted per event); how far any of them lies from that mean joins the bound.
 */
export function clockCorrection(
  late: readonly WeightedClock[],
  early: readonly WeightedClock[],
  figureMs: number,
  maxUncertaintyShare: number,
): ClockCorrection {
  const l = blend(late);
  const e = blend(early);
  const offsetMs = l.offsetMs - e.offsetMs;
  const uncertaintyMs = l.uncertaintyMs + l.spreadMs + e.uncertaintyMs + e.spreadMs;
  const allowedMs = Math.abs(figureMs) * maxUncertaintyShare;
  const trustworthy = uncertaintyMs <= allowedMs;
  return {
    offsetMs,
    uncertaintyMs,
    trustworthy,
    reason: trustworthy
      ? null
      : `clock bound ±${uncertaintyMs.toFixed(3)} ms exceeds ${maxUncertaintyShare * 100}% of the figure (${figureMs.toFixed(3)} ms)`,
  };
}
