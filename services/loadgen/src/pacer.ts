// Rate shapes and their composition into a schedule: the intended send time of every event (vegeta's Pacer, wrk2's rule).

/** A rate over one phase: how many events are due by a time, and when the n-th is due. */
export interface RateShape {
  readonly durationMs: number;
  /** The shape as plain data, so a generator thread (or a remote worker) rebuilds the same schedule. */
  readonly spec: ShapeSpec;
  /** Events per second at `tMs` into the phase. */
  rateAt(tMs: number): number;
  /** Events due in [0, tMs): those whose intended time is before tMs. */
  countAt(tMs: number): number;
  /** When the n-th event (0-based) of the phase is due, ms into the phase. */
  timeOf(n: number): number;
}

export type ShapeSpec =
  | { kind: 'constant'; ratePerSecond: number; durationMs: number }
  | { kind: 'linear'; fromPerSecond: number; toPerSecond: number; durationMs: number }
  | { kind: 'sequence'; shapes: ShapeSpec[] };

export function shapeFromSpec(spec: ShapeSpec): RateShape {
  if (spec.kind === 'constant') return constant(spec.ratePerSecond, spec.durationMs);
  if (spec.kind === 'linear') return linear(spec.fromPerSecond, spec.toPerSecond, spec.durationMs);
  return sequence(spec.shapes.map(shapeFromSpec));
}

export function constant(ratePerSecond: number, durationMs: number): RateShape {
  const perMs = ratePerSecond / 1000;
  return {
    durationMs,
    spec: { kind: 'constant', ratePerSecond, durationMs },
    rateAt: () => ratePerSecond,
    countAt: (tMs) => eventsBefore(perMs * clamp(tMs, durationMs)),
    timeOf: (n) => n / perMs,
  };
}

/** From `fromPerSecond` to `toPerSecond` linearly over the phase: N(t) = a·t + b·t²/2. */
export function linear(fromPerSecond: number, toPerSecond: number, durationMs: number): RateShape {
  const a = fromPerSecond / 1000;
  const b = (toPerSecond - fromPerSecond) / 1000 / durationMs;
  const cumulative = (t: number) => a * t + (b * t * t) / 2;
  return {
    durationMs,
    spec: { kind: 'linear', fromPerSecond, toPerSecond, durationMs },
    rateAt: (tMs) => fromPerSecond + (toPerSecond - fromPerSecond) * (clamp(tMs, durationMs) / durationMs),
    countAt: (tMs) => eventsBefore(cumulative(clamp(tMs, durationMs))),
    // Solve a·t + b·t²/2 = n for t ≥ 0 (b = 0 is the constant case).
    timeOf: (n) => (Math.abs(b) < 1e-15 ? n / a : (-a + Math.sqrt(a * a + 2 * b * n)) / b),
  };
}

/** Shapes back to back, as one shape. */
export function sequence(shapes: readonly RateShape[]): RateShape {
  const starts: number[] = [];
  const counts: number[] = [];
  let t = 0;
  let n = 0;
  for (const shape of shapes) {
    starts.push(t);
    counts.push(n);
    t += shape.durationMs;
    n += shape.countAt(shape.durationMs);
  }
  const indexAt = (tMs: number) =>
    Math.max(
      0,
      starts.findLastIndex((start) => start <= tMs),
    );
  return {
    durationMs: t,
    spec: { kind: 'sequence', shapes: shapes.map((shape) => shape.spec) },
    rateAt: (tMs) => shapes[indexAt(tMs)]?.rateAt(tMs - (starts[indexAt(tMs)] ?? 0)) ?? 0,
    countAt: (tMs) => {
      const i = indexAt(clamp(tMs, t));
      return (counts[i] ?? 0) + (shapes[i]?.countAt(clamp(tMs, t) - (starts[i] ?? 0)) ?? 0);
    },
    timeOf: (k) => {
      const i = Math.max(
        0,
        counts.findLastIndex((c) => c <= k),
      );
      return (starts[i] ?? 0) + (shapes[i]?.timeOf(k - (counts[i] ?? 0)) ?? 0);
    },
  };
}

/** Event n is due when the cumulative count reaches n, so ⌈N(t)⌉ events are due before t (with float slack). */
function eventsBefore(cumulativeCount: number): number {
  return Math.max(0, Math.ceil(cumulativeCount - 1e-9));
}

function clamp(tMs: number, durationMs: number): number {
  return Math.min(Math.max(0, tMs), durationMs);
}

export interface Phase {
  name: string;
  shape: RateShape;
}

/** A schedule as plain data (what crosses to a generator thread). */
export type SchedulePlan = { name: string; shape: ShapeSpec }[];

/** A test's phases laid end to end: which phase an event falls in and when it is due. */
export class Schedule {
  readonly totalEvents: number;
  readonly durationMs: number;
  private readonly phaseStartsMs: number[] = [];
  private readonly phaseFirstEvent: number[] = [];

  constructor(readonly phases: readonly Phase[]) {
    let t = 0;
    let n = 0;
    for (const phase of phases) {
      this.phaseStartsMs.push(t);
      this.phaseFirstEvent.push(n);
      t += phase.shape.durationMs;
      n += phase.shape.countAt(phase.shape.durationMs);
    }
    this.durationMs = t;
    this.totalEvents = n;
  }

  static fromPlan(plan: SchedulePlan): Schedule {
    return new Schedule(plan.map((p) => ({ name: p.name, shape: shapeFromSpec(p.shape) })));
  }

  plan(): SchedulePlan {
    return this.phases.map((p) => ({ name: p.name, shape: p.shape.spec }));
  }

  /** Phase index and intended time (ms since the test start) of event n, or undefined past the end. */
  eventAt(n: number): { phase: number; intendedMs: number } | undefined {
    if (n >= this.totalEvents) return undefined;
    const phase = this.phaseFirstEvent.findLastIndex((first) => first <= n);
    const shape = this.phases[phase]!.shape;
    return { phase, intendedMs: this.phaseStartsMs[phase]! + shape.timeOf(n - this.phaseFirstEvent[phase]!) };
  }

  /** Events due before `tMs` since the start. */
  dueBy(tMs: number): number {
    const phase = Math.max(
      0,
      this.phaseStartsMs.findLastIndex((start) => start <= tMs),
    );
    const shape = this.phases[phase]?.shape;
    return shape ? this.phaseFirstEvent[phase]! + shape.countAt(tMs - this.phaseStartsMs[phase]!) : 0;
  }

  /** Intended events per second at `tMs` since the start. */
  rateAt(tMs: number): number {
    const phase = Math.max(
      0,
      this.phaseStartsMs.findLastIndex((start) => start <= tMs),
    );
    return tMs >= this.durationMs ? 0 : (this.phases[phase]?.shape.rateAt(tMs - this.phaseStartsMs[phase]!) ?? 0);
  }

  phaseStartMs(phase: number): number {
    return this.phaseStartsMs[phase] ?? this.durationMs;
  }
}
