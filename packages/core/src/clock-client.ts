// Measures a node's clock offset over HTTP (GET /api/node/clock, several rounds, least delay wins) and keeps the latest
// estimate per node, re-measured every few seconds.
import { estimateClockOffset, wallNowMs, type ClockEstimate, type ClockSample } from './clock-offset.js';
import { recordSwallowedError } from './swallowed-errors.js';

/** What GET /api/node/clock answers: the node's wall time when the request arrived and when the reply left. */
export interface NodeClockReading {
  receivedAtMs: number;
  sentAtMs: number;
}

export const CLOCK_ROUTE = '/api/node/clock';
export const DEFAULT_CLOCK_ROUNDS = 8;
/** How often a ClockTracker re-measures each node (LOGPERF_CLOCK_REMEASURE_MS). */
export const DEFAULT_CLOCK_REMEASURE_MS = 5000;

function isReading(value: unknown): value is NodeClockReading {
  const v = value as Partial<NodeClockReading> | null;
  return typeof v?.receivedAtMs === 'number' && typeof v.sentAtMs === 'number';
}

export interface ClockMeasureOptions {
  /** Exchanges always taken (default 8). */
  rounds?: number;
  /** Keep exchanging, up to maxRounds (default: rounds), while the bound is above this. */
  targetUncertaintyMs?: number;
  maxRounds?: number;
  /** Per exchange (default 2000 ms). */
  timeoutMs?: number;
}

/**
 * The node at `url` (an origin) relative to this process: offsetMs = node clock − this clock. One warm-up exchange
 * opens the connection first, so the counted rounds do not pay for the TCP handshake.
 */
export async function measureClockOffset(url: string, options: ClockMeasureOptions = {}): Promise<ClockEstimate> {
  const rounds = options.rounds ?? DEFAULT_CLOCK_ROUNDS;
  const maxRounds = options.maxRounds ?? rounds;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`rounds must be a positive integer, got ${rounds}`);
  if (!Number.isInteger(maxRounds) || maxRounds < rounds)
    throw new Error(`maxRounds must be an integer ≥ rounds (${rounds}), got ${maxRounds}`);
  const endpoint = `${url.replace(/\/+$/, '')}${CLOCK_ROUTE}`;
  const exchange = async (): Promise<ClockSample> => {
    const t1Ms = wallNowMs();
    const res = await fetch(endpoint, { signal: AbortSignal.timeout(options.timeoutMs ?? 2000), redirect: 'manual' });
    const body: unknown = await res.json();
    const t4Ms = wallNowMs();
    if (!res.ok || !isReading(body)) throw new Error(`${endpoint}: HTTP ${res.status}, not a clock reading`);
    return { t1Ms, t2Ms: body.receivedAtMs, t3Ms: body.sentAtMs, t4Ms };
  };
  await exchange();
  const samples: ClockSample[] = [];
  for (let i = 0; i < rounds; i++) samples.push(await exchange());
  let estimate = estimateClockOffset(samples);
  // A busy host delays some exchanges: more rounds give a quick one a chance, up to maxRounds.
  const target = options.targetUncertaintyMs ?? Number.POSITIVE_INFINITY;
  while (estimate.uncertaintyMs > target && samples.length < maxRounds) {
    samples.push(await exchange());
    estimate = estimateClockOffset(samples);
  }
  return estimate;
}

/** The latest estimate of one node, or why there is none. */
export type TrackedClock = ClockEstimate | { unavailable: string };

/** Re-measures every node `urls()` lists each `intervalMs`; nodes no longer listed are forgotten. */
export class ClockTracker {
  private readonly latestByUrl = new Map<string, TrackedClock>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly urls: () => readonly string[],
    private readonly options: {
      intervalMs?: number;
      rounds?: number;
      measure?: (url: string, rounds: number) => Promise<ClockEstimate>;
    } = {},
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.measureAll(), this.options.intervalMs ?? DEFAULT_CLOCK_REMEASURE_MS);
    this.timer.unref();
    void this.measureAll();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round over every listed node (sequential, so one node's exchanges do not queue behind another's). */
  async measureAll(): Promise<void> {
    const urls = new Set(this.urls());
    for (const url of this.latestByUrl.keys()) if (!urls.has(url)) this.latestByUrl.delete(url);
    const measure = this.options.measure ?? ((u: string, rounds: number) => measureClockOffset(u, { rounds }));
    for (const url of urls) {
      try {
        this.latestByUrl.set(url, await measure(url, this.options.rounds ?? DEFAULT_CLOCK_ROUNDS));
      } catch (error) {
        // The node's own failure is shown on it (unavailable); counted too, so a node failing every round is visible.
        recordSwallowedError('clock-offset', error);
        this.latestByUrl.set(url, { unavailable: (error as Error).message });
      }
    }
  }

  /** The node's latest estimate; `{ unavailable }` before its first measurement or after a failed one. */
  latest(url: string): TrackedClock {
    return this.latestByUrl.get(url) ?? { unavailable: 'not measured yet' };
  }
}
