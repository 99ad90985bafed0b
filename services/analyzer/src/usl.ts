// The Universal Scalability Law X(N) = λN / (1 + σ(N−1) + κN(N−1)), fitted to measured (N, throughput) points by
// non-linear least squares: λ is solved exactly for each (σ, κ), which a grid search then Nelder-Mead choose.
import { AppError } from '@logperf/core';

export interface ScalingPoint {
  /** Nodes, or concurrency (throughput × latency, by Little's law). */
  n: number;
  throughput: number;
}

export interface UslModel {
  lambda: number;
  sigma: number;
  kappa: number;
}

export interface UslFit extends UslModel {
  r2: number;
  points: number;
  /** Standard errors of σ and κ from the weighted Jacobian at the optimum (s² (JᵀJ)⁻¹). */
  sigmaStdErr: number;
  kappaStdErr: number;
  confidence: 'high' | 'medium' | 'low';
  confidenceReason: string;
  /** ⌊√((1−σ)/κ)⌋; Infinity when κ = 0 (no retrograde region). */
  peakN: number;
  peakThroughput: number;
}

export const MIN_POINTS = 4;

export function uslThroughput(model: UslModel, n: number): number {
  return (model.lambda * n) / (1 + model.sigma * (n - 1) + model.kappa * n * (n - 1));
}

/**
 * Measurement noise grows with throughput (a share of it, not a constant), so the fit minimises relative errors:
 * Σ ((X − X̂) / X)². Points with zero throughput carry no relative information and are weighted as 1.
 */
const weight = (p: ScalingPoint) => (p.throughput > 0 ? 1 / p.throughput : 1);

/** The λ that minimises the weighted squared error for a given σ, κ (the model is linear in λ). */
function bestLambda(points: readonly ScalingPoint[], sigma: number, kappa: number): number {
  let num = 0;
  let den = 0;
  for (const p of points) {
    const g = (p.n / (1 + sigma * (p.n - 1) + kappa * p.n * (p.n - 1))) * weight(p);
    num += p.throughput * weight(p) * g;
    den += g * g;
  }
  return den === 0 ? 0 : num / den;
}

function weightedSse(points: readonly ScalingPoint[], model: UslModel): number {
  return points.reduce((sum, p) => sum + ((p.throughput - uslThroughput(model, p.n)) * weight(p)) ** 2, 0);
}

function sse(points: readonly ScalingPoint[], model: UslModel): number {
  return points.reduce((sum, p) => sum + (p.throughput - uslThroughput(model, p.n)) ** 2, 0);
}

function modelAt(points: readonly ScalingPoint[], sigma: number, kappa: number): UslModel {
  const s = Math.min(Math.max(sigma, 0), 1);
  const k = Math.max(kappa, 0);
  return { lambda: bestLambda(points, s, k), sigma: s, kappa: k };
}

/** Nelder-Mead over (σ, κ/scale) from a start, with the bounds applied inside the objective. */
function nelderMead(
  f: (x: [number, number]) => number,
  start: [number, number],
  step: [number, number],
  iterations = 400,
): [number, number] {
  let simplex: { x: [number, number]; v: number }[] = [
    start,
    [start[0] + step[0], start[1]],
    [start[0], start[1] + step[1]],
  ].map((x) => ({ x: x as [number, number], v: f(x as [number, number]) }));
  const at = (a: [number, number], b: [number, number], t: number): [number, number] => [
    a[0] + t * (b[0] - a[0]),
    a[1] + t * (b[1] - a[1]),
  ];
  for (let i = 0; i < iterations; i++) {
    simplex.sort((a, b) => a.v - b.v);
    const [best, mid, worst] = simplex as [(typeof simplex)[0], (typeof simplex)[0], (typeof simplex)[0]];
    if (Math.abs(worst.v - best.v) <= 1e-12 * (Math.abs(best.v) + 1e-300)) break;
    const centroid: [number, number] = [(best.x[0] + mid.x[0]) / 2, (best.x[1] + mid.x[1]) / 2];
    const reflected = at(centroid, worst.x, -1);
    const vr = f(reflected);
    if (vr < best.v) {
      const expanded = at(centroid, worst.x, -2);
      const ve = f(expanded);
      simplex[2] = ve < vr ? { x: expanded, v: ve } : { x: reflected, v: vr };
    } else if (vr < mid.v) {
      simplex[2] = { x: reflected, v: vr };
    } else {
      const contracted = at(centroid, worst.x, 0.5);
      const vc = f(contracted);
      if (vc < worst.v) simplex[2] = { x: contracted, v: vc };
      else simplex = simplex.map((p, j) => (j === 0 ? p : { x: at(best.x, p.x, 0.5), v: f(at(best.x, p.x, 0.5)) }));
    }
  }
  return simplex.sort((a, b) => a.v - b.v)[0]!.x;
}

/** Inverse of a 3×3 symmetric matrix (undefined when singular). */
function invert3(m: number[][]): number[][] | undefined {
  const [a, b, c] = m[0]!;
  const [d, e, f] = m[1]!;
  const [g, h, i] = m[2]!;
  const A = e! * i! - f! * h!;
  const B = -(d! * i! - f! * g!);
  const C = d! * h! - e! * g!;
  const det = a! * A + b! * B + c! * C;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-300) return undefined;
  return [
    [A / det, -(b! * i! - c! * h!) / det, (b! * f! - c! * e!) / det],
    [B / det, (a! * i! - c! * g!) / det, -(a! * f! - c! * d!) / det],
    [C / det, -(a! * h! - b! * g!) / det, (a! * e! - b! * d!) / det],
  ];
}

function standardErrors(points: readonly ScalingPoint[], model: UslModel): [number, number] {
  const dof = points.length - 3;
  if (dof <= 0) return [Infinity, Infinity];
  const params = [model.lambda, model.sigma, model.kappa];
  const jacobian = points.map((p) =>
    params.map((value, j) => {
      const h = Math.max(Math.abs(value) * 1e-6, 1e-12);
      const plus = [...params];
      plus[j] = value + h;
      return (
        ((uslThroughput({ lambda: plus[0]!, sigma: plus[1]!, kappa: plus[2]! }, p.n) - uslThroughput(model, p.n)) / h) *
        weight(p)
      );
    }),
  );
  const jtj = [0, 1, 2].map((r) => [0, 1, 2].map((c) => jacobian.reduce((sum, row) => sum + row[r]! * row[c]!, 0)));
  const inverse = invert3(jtj);
  if (!inverse) return [Infinity, Infinity];
  const variance = weightedSse(points, model) / dof;
  return [Math.sqrt(Math.max(0, variance * inverse[1]![1]!)), Math.sqrt(Math.max(0, variance * inverse[2]![2]!))];
}

function confidenceOf(
  r2: number,
  points: number,
  relErrors: number[],
): { confidence: UslFit['confidence']; reason: string } {
  const worst = Math.max(...relErrors);
  const errors = Number.isFinite(worst)
    ? `parameter standard errors up to ${(worst * 100).toFixed(0)}%`
    : 'parameter errors unbounded';
  if (r2 >= 0.95 && points >= 6 && worst <= 0.5)
    return { confidence: 'high', reason: `R² ${r2.toFixed(3)} over ${points} points, ${errors}` };
  if (r2 >= 0.8) return { confidence: 'medium', reason: `R² ${r2.toFixed(3)} over ${points} points, ${errors}` };
  return { confidence: 'low', reason: `R² ${r2.toFixed(3)} over ${points} points: the law explains the points poorly` };
}

/** Fits the law; fewer than 4 points, fewer than 3 distinct N, or a fit without signal is a 422 saying why. */
export function fitUsl(input: readonly ScalingPoint[]): UslFit {
  const points = input.filter(
    (p) => Number.isFinite(p.n) && Number.isFinite(p.throughput) && p.n > 0 && p.throughput >= 0,
  );
  if (points.length < MIN_POINTS)
    throw new AppError(
      'UNPROCESSABLE',
      `the Universal Scalability Law needs at least ${MIN_POINTS} measured points with n > 0; got ${points.length}`,
    );
  const distinct = new Set(points.map((p) => p.n)).size;
  if (distinct < 3)
    throw new AppError(
      'UNPROCESSABLE',
      `the points cover only ${distinct} distinct value(s) of n; at least 3 are needed to separate contention from coherency`,
    );
  const meanX = points.reduce((s, p) => s + p.throughput, 0) / points.length;
  const sst = points.reduce((s, p) => s + (p.throughput - meanX) ** 2, 0);
  if (sst === 0)
    throw new AppError('UNPROCESSABLE', 'throughput is the same at every n; there is no scaling curve to fit');

  const maxN = Math.max(...points.map((p) => p.n));
  const kappaScale = 1 / (maxN * maxN);
  const objective = ([s, k]: [number, number]) =>
    weightedSse(points, modelAt(points, s, k * kappaScale)) + (s < 0 || s > 1 || k < 0 ? 1e300 : 0);
  let start: [number, number] = [0, 0];
  let startValue = Infinity;
  for (let i = 0; i <= 50; i++) {
    const sigma = i / 50;
    for (let j = -1; j <= 40; j++) {
      const k = j < 0 ? 0 : 1e-3 * 10 ** (j / 8); // κ·maxN² from 0.001 to 100 000
      const value = objective([sigma, k]);
      if (value < startValue) [start, startValue] = [[sigma, k], value];
    }
  }
  const [sigma, k] = nelderMead(objective, start, [0.01, Math.max(start[1] * 0.1, 1e-3)]);
  const model = modelAt(points, sigma, k * kappaScale);
  if (!(model.lambda > 0) || !Number.isFinite(model.lambda))
    throw new AppError(
      'UNPROCESSABLE',
      'the fit found no positive single-unit throughput (λ); the points do not follow a scaling curve',
    );
  const r2 = 1 - sse(points, model) / sst;
  const [sigmaStdErr, kappaStdErr] = standardErrors(points, model);
  const rel = [model.sigma > 0 ? sigmaStdErr / model.sigma : 0, model.kappa > 0 ? kappaStdErr / model.kappa : 0];
  const { confidence, reason } = confidenceOf(r2, points.length, rel);
  const peakN = model.kappa > 0 ? Math.max(1, Math.floor(Math.sqrt((1 - model.sigma) / model.kappa))) : Infinity;
  const peakThroughput = Number.isFinite(peakN)
    ? Math.max(uslThroughput(model, peakN), uslThroughput(model, peakN + 1))
    : model.sigma > 0
      ? model.lambda / model.sigma
      : Infinity;
  return {
    ...model,
    r2,
    points: points.length,
    sigmaStdErr,
    kappaStdErr,
    confidence,
    confidenceReason: reason,
    peakN,
    peakThroughput,
  };
}

export interface SizeForTarget {
  targetRatePerSecond: number;
  headroom: number;
  /** target × (1 + headroom): the capacity the chosen N must reach. */
  requiredThroughput: number;
  reachable: boolean;
  n: number | null;
  predictedThroughput: number | null;
  explanation: string;
}

/** The smallest N whose predicted throughput covers the target with headroom (searched up to the peak N*). */
export function sizeForTarget(
  model: UslFit,
  targetRatePerSecond: number,
  headroom = 0.3,
  maxN = 10_000,
): SizeForTarget {
  const requiredThroughput = targetRatePerSecond * (1 + headroom);
  const limit = Math.min(maxN, Number.isFinite(model.peakN) ? model.peakN + 1 : maxN);
  for (let n = 1; n <= limit; n++) {
    const predicted = uslThroughput(model, n);
    if (predicted >= requiredThroughput) {
      return {
        targetRatePerSecond,
        headroom,
        requiredThroughput,
        reachable: true,
        n,
        predictedThroughput: predicted,
        explanation: `N = ${n} is predicted to carry ${Math.round(predicted)}/s ≥ ${Math.round(requiredThroughput)}/s (target ${Math.round(targetRatePerSecond)}/s + ${headroom * 100}% headroom)`,
      };
    }
  }
  return {
    targetRatePerSecond,
    headroom,
    requiredThroughput,
    reachable: false,
    n: null,
    predictedThroughput: null,
    explanation: `the fitted curve peaks at ${Math.round(model.peakThroughput)}/s (N* = ${model.peakN}), below the ${Math.round(requiredThroughput)}/s required: adding more of the same does not get there; reduce contention (σ = ${model.sigma.toFixed(3)}) or coherency cost (κ = ${model.kappa.toExponential(2)}) first`,
  };
}
