// L2-regularised logistic regression fitted by Newton's method (IRLS) with a Cholesky solve: exact, deterministic and
// fast for the few hundred features and few thousand samples here. Pure.

/** A linear logit over raw (unstandardised) features: z = b + w·x. */
export interface LinearModel {
  readonly w: readonly number[];
  readonly b: number;
}

export interface FitOptions {
  /** L2 penalty strength on standardised inputs (sum form: lambda/2 · |w - prior|²). */
  readonly l2: number;
  /** Per-sample weights; default 1. */
  readonly weights?: readonly number[];
  /** Standardise the inputs before fitting (the penalty then treats every feature alike). Default true. */
  readonly standardise?: boolean;
  /** Shrink towards these coefficients (in the fitted, raw feature space) instead of towards zero. */
  readonly prior?: LinearModel;
  readonly maxIter?: number;
}

export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
export const logit = (p: number): number => Math.log(p / (1 - p));

export function predictLogit(m: LinearModel, x: ArrayLike<number>): number {
  let z = m.b;
  for (let i = 0; i < m.w.length; i++) z += m.w[i]! * x[i]!;
  return z;
}

/** Solves A x = b for a symmetric positive definite A (row-major, n x n); A is overwritten. */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= a[j * n + k]! ** 2;
    if (d <= 0) throw new Error('matrix is not positive definite');
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= a[i * n + k]! * a[j * n + k]!;
      a[i * n + j] = s / ljj;
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= a[i * n + k]! * y[k]!;
    y[i] = s / a[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= a[k * n + i]! * x[k]!;
    x[i] = s / a[i * n + i]!;
  }
  return x;
}

export function fitLogistic(xs: readonly ArrayLike<number>[], ys: readonly (0 | 1 | boolean)[], opts: FitOptions): LinearModel {
  const n = xs.length;
  if (n === 0) throw new Error('no samples to fit');
  const d = xs[0]!.length;
  const sw = opts.weights ?? new Array<number>(n).fill(1);
  const standardise = opts.standardise ?? true;
  // Standardisation (weighted), so that one penalty fits features of every scale.
  const mean = new Float64Array(d);
  const std = new Float64Array(d).fill(1);
  if (standardise) {
    let wsum = 0;
    for (let i = 0; i < n; i++) {
      wsum += sw[i]!;
      for (let j = 0; j < d; j++) mean[j] = mean[j]! + sw[i]! * xs[i]![j]!;
    }
    for (let j = 0; j < d; j++) mean[j] = mean[j]! / wsum;
    const v = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) v[j] = v[j]! + sw[i]! * (xs[i]![j]! - mean[j]!) ** 2;
    for (let j = 0; j < d; j++) std[j] = Math.sqrt(v[j]! / wsum) > 1e-9 ? Math.sqrt(v[j]! / wsum) : 1;
  }
  // Design matrix with a leading 1 for the bias.
  const p = d + 1;
  const x = new Float64Array(n * p);
  for (let i = 0; i < n; i++) {
    x[i * p] = 1;
    for (let j = 0; j < d; j++) x[i * p + 1 + j] = (xs[i]![j]! - mean[j]!) / std[j]!;
  }
  const y = ys.map((v) => (v ? 1 : 0));
  // The prior in standardised space: w_std = w_raw · std; its bias is not penalised.
  const prior = new Float64Array(p);
  if (opts.prior) for (let j = 0; j < d; j++) prior[1 + j] = opts.prior.w[j]! * std[j]!;
  const beta = new Float64Array(prior);
  if (opts.prior) {
    let b = opts.prior.b;
    for (let j = 0; j < d; j++) b += opts.prior.w[j]! * mean[j]!;
    beta[0] = b;
  }
  const maxIter = opts.maxIter ?? 50;
  if (p > NEWTON_MAX_WIDTH) {
    lbfgs(x, y, sw, n, p, beta, prior, opts.l2, maxIter * 20);
    return toRaw(beta, mean, std, d);
  }
  const h = new Float64Array(p * p);
  const g = new Float64Array(p);
  const scratch = new Float64Array(p);
  let lastLoss = Infinity;
  for (let iter = 0; iter < maxIter; iter++) {
    h.fill(0);
    g.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const row = i * p;
      let z = 0;
      for (let j = 0; j < p; j++) z += x[row + j]! * beta[j]!;
      const mu = sigmoid(z);
      const wi = sw[i]!;
      loss -= wi * (y[i] ? Math.log(Math.max(mu, 1e-300)) : Math.log(Math.max(1 - mu, 1e-300)));
      const r = wi * (mu - y[i]!);
      const s = wi * Math.max(mu * (1 - mu), 1e-10);
      for (let j = 0; j < p; j++) {
        const xj = x[row + j]!;
        g[j] = g[j]! + r * xj;
        if (xj === 0) continue;
        const sx = s * xj;
        const hr = j * p;
        for (let k = j; k < p; k++) h[hr + k] = h[hr + k]! + sx * x[row + k]!;
      }
    }
    for (let j = 1; j < p; j++) {
      const dj = beta[j]! - prior[j]!;
      loss += (opts.l2 / 2) * dj * dj;
      g[j] = g[j]! + opts.l2 * dj;
      h[j * p + j] = h[j * p + j]! + opts.l2;
    }
    h[0] = h[0]! + 1e-8; // keeps a perfectly separated bias-only problem solvable
    for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) h[j * p + k] = h[k * p + j]!;
    const step = choleskySolve(h, g, p);
    // Damped Newton: halve the step until the loss does not rise (a saturated start can otherwise overshoot).
    const trial = new Float64Array(p);
    let t = 1;
    for (let k = 0; k < 40; k++, t /= 2) {
      for (let j = 0; j < p; j++) trial[j] = beta[j]! - t * step[j]!;
      if (lossGrad(x, y, sw, n, p, trial, prior, opts.l2, scratch) <= loss + 1e-12 * Math.abs(loss)) break;
    }
    beta.set(trial);
    if (Math.abs(lastLoss - loss) < 1e-8 * Math.max(1, Math.abs(loss))) break;
    lastLoss = loss;
  }
  return toRaw(beta, mean, std, d);
}

/** Standardised coefficients back to raw features. */
function toRaw(beta: Float64Array, mean: Float64Array, std: Float64Array, d: number): LinearModel {
  const w: number[] = [];
  let b = beta[0]!;
  for (let j = 0; j < d; j++) {
    w.push(beta[1 + j]! / std[j]!);
    b -= (beta[1 + j]! * mean[j]!) / std[j]!;
  }
  return { w, b };
}

/** Above this many inputs a Newton step (p² per sample) costs more than many L-BFGS steps (p per sample). */
const NEWTON_MAX_WIDTH = 64;

/** Penalised loss and its gradient at beta. */
function lossGrad(x: Float64Array, y: readonly number[], sw: readonly number[], n: number, p: number, beta: Float64Array, prior: Float64Array, l2: number, g: Float64Array): number {
  g.fill(0);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const row = i * p;
    let z = 0;
    for (let j = 0; j < p; j++) z += x[row + j]! * beta[j]!;
    // log(1 + e^z) - y·z, computed stably.
    loss += sw[i]! * ((z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y[i]! * z);
    const r = sw[i]! * (sigmoid(z) - y[i]!);
    for (let j = 0; j < p; j++) g[j] = g[j]! + r * x[row + j]!;
  }
  for (let j = 1; j < p; j++) {
    const dj = beta[j]! - prior[j]!;
    loss += (l2 / 2) * dj * dj;
    g[j] = g[j]! + l2 * dj;
  }
  return loss;
}

/** Limited-memory BFGS with a backtracking (Armijo) line search; beta is updated in place. */
function lbfgs(x: Float64Array, y: readonly number[], sw: readonly number[], n: number, p: number, beta: Float64Array, prior: Float64Array, l2: number, maxIter: number): void {
  const m = 10;
  const ss: Float64Array[] = [];
  const ys: Float64Array[] = [];
  const g = new Float64Array(p);
  let loss = lossGrad(x, y, sw, n, p, beta, prior, l2, g);
  const dir = new Float64Array(p);
  const next = new Float64Array(p);
  const g2 = new Float64Array(p);
  const alpha = new Float64Array(m);
  const dot = (a: Float64Array, b: Float64Array) => {
    let s = 0;
    for (let j = 0; j < p; j++) s += a[j]! * b[j]!;
    return s;
  };
  const gnorm0 = Math.sqrt(dot(g, g));
  for (let iter = 0; iter < maxIter; iter++) {
    // Two-loop recursion: dir = -H·g.
    dir.set(g);
    for (let k = ss.length - 1; k >= 0; k--) {
      alpha[k] = dot(ss[k]!, dir) / dot(ys[k]!, ss[k]!);
      for (let j = 0; j < p; j++) dir[j] = dir[j]! - alpha[k]! * ys[k]![j]!;
    }
    if (ss.length) {
      const last = ss.length - 1;
      const gamma = dot(ss[last]!, ys[last]!) / dot(ys[last]!, ys[last]!);
      for (let j = 0; j < p; j++) dir[j] = dir[j]! * gamma;
    } else {
      const scale = 1 / Math.max(1e-12, Math.sqrt(dot(g, g)));
      for (let j = 0; j < p; j++) dir[j] = dir[j]! * scale;
    }
    for (let k = 0; k < ss.length; k++) {
      const b = dot(ys[k]!, dir) / dot(ys[k]!, ss[k]!);
      for (let j = 0; j < p; j++) dir[j] = dir[j]! + ss[k]![j]! * (alpha[k]! - b);
    }
    for (let j = 0; j < p; j++) dir[j] = -dir[j]!;
    const slope = dot(g, dir);
    if (slope >= 0) break;
    let t = 1;
    let newLoss = Infinity;
    for (let ls = 0; ls < 30; ls++) {
      for (let j = 0; j < p; j++) next[j] = beta[j]! + t * dir[j]!;
      newLoss = lossGrad(x, y, sw, n, p, next, prior, l2, g2);
      if (newLoss <= loss + 1e-4 * t * slope) break;
      t /= 2;
    }
    const s = new Float64Array(p);
    const yv = new Float64Array(p);
    for (let j = 0; j < p; j++) {
      s[j] = next[j]! - beta[j]!;
      yv[j] = g2[j]! - g[j]!;
    }
    beta.set(next);
    g.set(g2);
    const improved = loss - newLoss;
    loss = newLoss;
    if (dot(s, yv) > 1e-12) {
      ss.push(s);
      ys.push(yv);
      if (ss.length > m) {
        ss.shift();
        ys.shift();
      }
    }
    if (Math.sqrt(dot(g, g)) < 1e-6 * Math.max(1, gnorm0) || improved < 1e-10 * Math.max(1, Math.abs(loss))) break;
  }
}
