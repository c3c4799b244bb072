/**
 * Square Attack, L-inf: a score-based black-box attack, the last attack of an AA-style evaluation.
 * Andriushchenko, Croce, Flammarion, Hein, "Square Attack: a query-efficient black-box adversarial
 * attack via random search", ECCV 2020 (arXiv 1912.00049); official code
 * https://github.com/max-andr/square-attack, and as the standard evaluation runs it
 * https://github.com/fra31/auto-attack (autoattack/square.py, SquareAttack with norm 'Linf', loss
 * 'margin', p_init 0.8, rescaled schedule). This is our own code of that algorithm.
 *
 * It only reads logits (forward passes, no gradient), so masking the gradient does not stop it.
 * Per point, with the margin m = z_y − max_{i≠y} z_i:
 *   start: x + eps·s, s = ±1 drawn per column and channel (vertical stripes), clipped to [0, 1];
 *   each iteration, for every point with m > 0: one s×s square at a random place gets ±2·eps per
 *   channel, the result is projected onto the eps ball and [0, 1]; it is kept when m falls or the
 *   point becomes misclassified. s² ≈ p·h·w, with p halving from 0.8 on the code's schedule.
 * As in the code, one square (place and signs) is drawn per iteration for the whole batch and points
 * already misclassified are not attacked. A point no run broke is returned at the lowest-margin
 * point of its last run (the code's `perturb` returns x there): still correctly classified, but it
 * shows where the search ended.
 *
 * The bookkeeping runs on plain arrays; only the forward passes are tensors, one batch of the still
 * unbroken points per iteration.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../util/rng';
import type { AttackImplementation, AttackReport, LogitsFn } from './attack';
import { gatherRows, setPositions, writeRows } from './rows';
import { heartbeat } from '../util/heartbeat';

/** The size of the first squares, as a fraction of the image's area (the code's p_init). */
export const SQUARE_P_INIT = 0.8;

/**
 * The fraction p at iteration `i` of `queries`, as the code's p_selection with the schedule
 * rescaled to the number of queries: the iteration is mapped onto 10,000, and p halves at 10, 50,
 * 200, 500, 1000, 2000, 4000, 6000 and 8000.
 */
export function squareFraction(i: number, queries: number, pInit = SQUARE_P_INIT): number {
  const it = Math.trunc((i / queries) * 10000);
  const bounds = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000];
  let halvings = 0;
  while (halvings < bounds.length && it > bounds[halvings]) halvings++;
  return pInit / 2 ** halvings;
}

/** The side of the square at fraction p of an h x w image (at least 1, at most the image). */
export function squareSide(p: number, h: number, w: number, c: number): number {
  const side = Math.max(roundHalfEven(Math.sqrt((p * (c * h * w)) / c)), 1);
  return Math.min(side, Math.min(h, w));
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** ±1 with equal chance (the code's sign(2u − 1)). */
const randomSign = (rng: Rng) => (rng.next() < 0.5 ? -1 : 1);

export interface SquareResult {
  adversarial: tf.Tensor4D;
  /** Forward passes each point took (0 for points misclassified from the start, as the code's perturb skips them). */
  queries: Int32Array;
}

/**
 * Square Attack on the batch: the adversarial images (x for points misclassified from the start) and the
 * queries per point. Deterministic for a given `rng` state; leaves no tensor but the images.
 */
export function runSquare(logitsFn: LogitsFn, x: tf.Tensor4D, labels: tf.Tensor1D, o: { epsilon: number; steps: number; restarts: number }, rng: Rng): SquareResult {
  const n = x.shape[0];
  const clean = Float32Array.from(x.dataSync());
  const y = Int32Array.from(labels.dataSync());
  const images = clean.slice();
  const queries = new Int32Array(n);
  const unbroken = tf.tidy(() => tf.equal(tf.argMax(logitsFn(x), 1), tf.cast(labels, 'int32')).dataSync());
  if (o.epsilon > 0) {
    for (let restart = 0; restart < o.restarts; restart++) {
      const rows = setPositions(unbroken);
      if (rows.length === 0) break;
      const run = new SquareRun(logitsFn, [x.shape[1], x.shape[2], x.shape[3]], o.epsilon, gatherRows(clean, rows, x.size / n), rows.map((r) => y[r]));
      run.search(o.steps, rng);
      const broken = run.misclassified();
      run.queries.forEach((q, j) => (queries[rows[j]] += q));
      broken.forEach((b, j) => b && (unbroken[rows[j]] = 0));
      writeRows(images, run.best, rows, rows.map(() => 1));
    }
  }
  return { adversarial: tf.tensor4d(images, x.shape), queries };
}

/** One run of the search (the code's attack_single_run) over some points, each image a flat h·w·c row. */
class SquareRun {
  readonly best: Float32Array;
  readonly queries: Int32Array;
  private readonly margin: Float64Array;
  private readonly size: number;

  constructor(
    private readonly logitsFn: LogitsFn,
    private readonly shape: [number, number, number],
    private readonly eps: number,
    private readonly x: Float32Array,
    private readonly y: number[],
  ) {
    this.size = shape[0] * shape[1] * shape[2];
    this.best = new Float32Array(x.length);
    this.queries = new Int32Array(y.length);
    this.margin = new Float64Array(y.length);
  }

  search(iterations: number, rng: Rng): void {
    const [h, w, c] = this.shape;
    const all = this.y.map((_, j) => j);
    this.stripes(rng);
    this.margins(this.best, all).forEach((m, j) => (this.margin[j] = m));
    for (let i = 0; i < iterations; i++) {
      heartbeat();
      const active = all.filter((j) => this.margin[j] > 0);
      if (active.length === 0) break;
      // One square for the whole batch, as the code draws it: its side, place and signs.
      const side = squareSide(squareFraction(i, iterations), h, w, c);
      const top = rng.int(h - side);
      const left = rng.int(w - side);
      const signs = Array.from({ length: c }, () => randomSign(rng));
      const candidate = gatherRows(this.best, active, this.size);
      this.paintSquare(candidate, active, top, left, side, signs);
      const m = this.margins(candidate, active);
      active.forEach((j, k) => {
        // The code keeps a lower margin, and any misclassification (margin <= 0).
        if (m[k] < this.margin[j] || m[k] <= 0) {
          this.margin[j] = m[k];
          this.best.set(candidate.subarray(k * this.size, (k + 1) * this.size), j * this.size);
        }
      });
    }
  }

  /** Which points the best images misclassify (argmax, as the evaluation counts them): one more forward pass. */
  misclassified(): Uint8Array {
    const n = this.y.length;
    return tf.tidy(() => {
      const logits = this.logitsFn(tf.tensor4d(this.best, [n, ...this.shape]));
      const predicted = tf.argMax(logits, 1).dataSync();
      return Uint8Array.from(predicted, (p, j) => (p !== this.y[j] ? 1 : 0));
    });
  }

  /** The start: x + eps·s with s = ±1 per point, column and channel (the same down each column), clipped to [0, 1]. */
  private stripes(rng: Rng): void {
    const [h, w, c] = this.shape;
    for (let j = 0; j < this.y.length; j++) {
      // The code draws an [n, c, 1, w] tensor: per point, channel-major, then column.
      const s = new Float32Array(c * w);
      for (let k = 0; k < c * w; k++) s[k] = randomSign(rng);
      for (let r = 0; r < h; r++) {
        for (let col = 0; col < w; col++) {
          for (let ch = 0; ch < c; ch++) {
            const at = j * this.size + (r * w + col) * c + ch;
            this.best[at] = clip01(this.x[at] + this.eps * s[ch * w + col]);
          }
        }
      }
    }
  }

  /** Adds ±2·eps (per channel) on the square to each row of `rows` (points `active`), projected back. */
  private paintSquare(rows: Float32Array, active: number[], top: number, left: number, side: number, signs: number[]): void {
    const [, w, c] = this.shape;
    active.forEach((j, k) => {
      for (let r = top; r < top + side; r++) {
        for (let col = left; col < left + side; col++) {
          for (let ch = 0; ch < c; ch++) {
            const pixel = (r * w + col) * c + ch;
            const x0 = this.x[j * this.size + pixel];
            const v = rows[k * this.size + pixel] + 2 * this.eps * signs[ch];
            rows[k * this.size + pixel] = clip01(Math.min(Math.max(v, x0 - this.eps), x0 + this.eps));
          }
        }
      }
    });
  }

  /** The margin z_y − max_{i≠y} z_i of each image of `rows` (points `which`): one query of each point. */
  private margins(rows: Float32Array, which: number[]): Float64Array {
    const n = which.length;
    const logits = tf.tidy(() => this.logitsFn(tf.tensor4d(rows, [n, ...this.shape])).dataSync());
    const k = logits.length / n;
    for (const j of which) this.queries[j] += 1;
    return Float64Array.from(which, (j, row) => {
      const z = logits.subarray(row * k, (row + 1) * k);
      let other = -Infinity;
      for (let i = 0; i < k; i++) if (i !== this.y[j] && z[i] > other) other = z[i];
      return z[this.y[j]] - other;
    });
  }
}

const clip01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

export const square: AttackImplementation<'square'> = {
  name: 'square',
  perturb(logitsFn, x, labels, epsilon, settings, rng, report?: AttackReport) {
    const { adversarial, queries } = runSquare(logitsFn, x, labels, { epsilon, steps: settings.steps, restarts: settings.restarts }, rng);
    if (report) report.queries += queries.reduce((s, q) => s + q, 0);
    return adversarial;
  },
};
