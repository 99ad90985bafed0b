// CPU microseconds per event of this process, over the last sample interval and since start (getrusage via process.cpuUsage).

/** Node runtimes alive in this process: when several roles share it (`logperf up`), its CPU is theirs together. */
const liveRoles = new Map<object, string>();

export interface CpuPerEvent {
  /** CPU µs (user + system) per event over the last interval; null with a reason in `unavailable`. */
  lastIntervalUs: number | null;
  sinceStartUs: number | null;
  intervalSeconds: number | null;
  /** Roles sharing this process's CPU (one entry when the role runs alone). */
  processRoles: string[];
  unavailable: { lastIntervalUs?: string; sinceStartUs?: string };
}

interface Point {
  cpuUs: number;
  events: number;
  monoMs: number;
}

const cpuUs = () => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

export class CpuPerEventMeter {
  private readonly start: Point;
  private previous: Point;
  private latest: Point;

  constructor(
    role: string,
    private readonly eventsTotal: () => number,
  ) {
    liveRoles.set(this, role);
    this.start = this.point();
    this.previous = this.start;
    this.latest = this.start;
  }

  /** Closes an interval; called on the node's sampling tick. */
  sample(): void {
    this.previous = this.latest;
    this.latest = this.point();
  }

  snapshot(): CpuPerEvent {
    const unavailable: CpuPerEvent['unavailable'] = {};
    const ratio = (a: Point, b: Point, field: keyof CpuPerEvent['unavailable']) => {
      const events = b.events - a.events;
      if (events > 0) return (b.cpuUs - a.cpuUs) / events;
      unavailable[field] = 'no events in the interval';
      return null;
    };
    const now = this.point();
    const intervalSeconds = (this.latest.monoMs - this.previous.monoMs) / 1000;
    return {
      lastIntervalUs: intervalSeconds > 0 ? ratio(this.previous, this.latest, 'lastIntervalUs') : null,
      sinceStartUs: ratio(this.start, now, 'sinceStartUs'),
      intervalSeconds: intervalSeconds > 0 ? intervalSeconds : null,
      processRoles: [...liveRoles.values()],
      unavailable: intervalSeconds > 0 ? unavailable : { ...unavailable, lastIntervalUs: 'first interval not over' },
    };
  }

  stop(): void {
    liveRoles.delete(this);
  }

  private point(): Point {
    return { cpuUs: cpuUs(), events: this.eventsTotal(), monoMs: performance.now() };
  }
}
