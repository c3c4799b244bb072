/**
 * Auto-PGD (APGD), L-inf: the step-size-free PGD of Croce and Hein, "Reliable evaluation of
 * adversarial robustness with an ensemble of diverse parameter-free attacks", ICML 2020 (arXiv
 * 2003.01690). Official code: https://github.com/fra31/auto-attack (autoattack/autopgd_base.py,
 * APGDAttack and APGDAttack_targeted); this is our own code of the algorithm as that code runs it.
 * The registered attacks apgd-ce, apgd-dlr and apgd-t (their own files) are this loop on one loss.
 *
 * One run, for every sample of the batch at once, each with its own step size η (2·eps at first):
 *   z_{k+1} = P(x_k + η·sign(∇L(x_k)))
 *   x_{k+1} = P(x_k + a·(z_{k+1} − x_k) + (1 − a)·(x_k − x_{k−1})),   a = 1 at the first step, then 0.75
 * with P the projection onto the eps ball around x and [0, 1]. The start is x + eps·u/max|u|, u
 * uniform in [−1, 1] (so one pixel sits on the ball's surface), clipped to [0, 1]. At the
 * checkpoints (apgdCheckpoints) a sample's step is halved and its search restarts from its best
 * point when at most 75% of its steps since the last checkpoint raised the loss, or when its step
 * was not halved at the last checkpoint and its best loss has not risen since.
 *
 * Around the runs, as the code's `perturb`: only the points the model classifies correctly are
 * attacked; each restart (and, for apgd-t, each target) runs again on the points no run has broken
 * yet; a broken point keeps the last iterate that misclassified it (the code's x_best_adv). A point
 * no run broke is returned at the highest-loss point of its last run (the code's x_best; its
 * `perturb` returns x there): still correctly classified, but it shows where the search ended.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../util/rng';
import type { AttackReport, LogitsFn } from './attack';
import { dlrPerSample, targetedDlrPerSample } from './dlr';
import { crossEntropyPerSample } from './losses';
import { setPositions, writeRows } from './rows';
import { heartbeat } from '../util/heartbeat';

export type ApgdLoss = 'ce' | 'dlr' | 'dlr-targeted';

export interface ApgdOptions {
  /** L-inf radius, inputs in [0, 1]. */
  epsilon: number;
  /** Iterations of one run (100 in the standard evaluation). */
  steps: number;
  /** Runs from new random starts on the points still unbroken (per target for the targeted loss). */
  restarts: number;
  loss: ApgdLoss;
  /** For 'dlr-targeted': how many target classes, the 2nd, 3rd, ... largest logits of the clean input. */
  targets?: number;
  /**
   * Expectation over transformation for randomised models: the input gradient averaged over this
   * many passes (the code's eot_iter; 20 in its 'rand' version), the loss and logits of the last.
   */
  eot?: number;
}

/** The targets of the targeted attack as the standard evaluation runs it: 9, or classes − 1 when fewer. */
export const APGD_T_TARGETS = 9;

/** Momentum: the weight of the new step (the rest goes to the previous move). */
const MOMENTUM_A = 0.75;
/** A checkpoint halves the step when at most this fraction of the steps since the last one raised the loss. */
const RHO = 0.75;

/**
 * The checkpoints of the step-size schedule: the numbers of iterations after which a check happens,
 * as the code computes them (windows of int(0.22·n), then each window 3% of n shorter, at least 6%
 * of n, each at least 1). For n = 100: 22, 41, 57, 70, 80, 87, 93, 99 (the paper's
 * p_{j+1} = p_j + max(p_j − p_{j−1} − 0.03, 0.06) with p_1 = 0.22, times n).
 */
export function apgdCheckpoints(steps: number): number[] {
  const first = Math.max(Math.trunc(0.22 * steps), 1);
  const least = Math.max(Math.trunc(0.06 * steps), 1);
  const shrink = Math.max(Math.trunc(0.03 * steps), 1);
  const out: number[] = [];
  for (let window = first, at = first; at <= steps; window = Math.max(window - shrink, least), at += window) out.push(at);
  return out;
}

/** What one run observed, for the reliability flags (plain numbers). */
export interface ApgdRunFacts {
  /** For the targeted loss: the rank of the target among the clean logits (2 = second largest); else null. */
  targetRank: number | null;
  /** The restart this run was (0 first). */
  restart: number;
  /** Points attacked in this run (those no earlier run broke). */
  samples: number;
  /** Of those, points whose input gradient was exactly zero at the start or at any iteration. */
  zeroGradient: number;
  /** Points this run broke. */
  broken: number;
  /** Mean loss over the run's points at the start, at the last iterate, and at each point's best iterate. */
  lossStart: number;
  lossEnd: number;
  lossBest: number;
}

export interface ApgdResult {
  adversarial: tf.Tensor4D;
  runs: ApgdRunFacts[];
}

/**
 * APGD on the batch: the adversarial images (x for points misclassified from the start) and what each run
 * observed. Deterministic for a given `rng` state; leaves no tensor but the images.
 */
export function runApgd(logitsFn: LogitsFn, x: tf.Tensor4D, labels: tf.Tensor1D, o: ApgdOptions, rng: Rng): ApgdResult {
  const n = x.shape[0];
  const numClasses = tf.tidy(() => logitsFn(tf.slice(x, 0, 1)).shape[1]);
  const unbroken = tf.tidy(() => tf.equal(tf.argMax(logitsFn(x), 1), tf.cast(labels, 'int32')).dataSync());
  const images = Float32Array.from(x.dataSync());
  const runs: ApgdRunFacts[] = [];
  if (o.epsilon > 0) {
    const ranks = o.loss === 'dlr-targeted' ? targetRanks(o.targets ?? APGD_T_TARGETS, numClasses) : [null];
    for (const targetRank of ranks) {
      for (let restart = 0; restart < o.restarts; restart++) {
        const rows = setPositions(unbroken);
        if (rows.length === 0) break;
        const run = runOnRows(logitsFn, x, labels, rows, targetRank, o, rng);
        run.broken.forEach((b, j) => {
          if (b) unbroken[rows[j]] = 0;
        });
        writeRows(images, run.adversarial, rows, rows.map(() => 1));
        runs.push({ ...run.facts, targetRank, restart });
      }
    }
  }
  return { adversarial: tf.tensor4d(images, x.shape), runs };
}

/** The 2nd to (targets + 1)-th largest logits' ranks, at most classes − 1 of them. */
function targetRanks(targets: number, numClasses: number): number[] {
  const count = Math.min(targets, numClasses - 1);
  return Array.from({ length: count }, (_, k) => k + 2);
}

/** One run on the points `rows` of the batch: which it broke, their rows as the run left them, the facts. */
function runOnRows(
  logitsFn: LogitsFn,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  rows: number[],
  targetRank: number | null,
  o: ApgdOptions,
  rng: Rng,
): { broken: Uint8Array; adversarial: Float32Array; facts: Omit<ApgdRunFacts, 'targetRank' | 'restart'> } {
  const index = tf.tensor1d(rows, 'int32');
  const xs = tf.gather(x, index) as tf.Tensor4D;
  const ys = tf.tidy(() => tf.cast(tf.gather(labels, index), 'int32') as tf.Tensor1D);
  // The target: the clean input's logit of that rank, fixed for the whole run.
  const targets = targetRank === null ? null : tf.tidy(() => {
    const { indices } = tf.topk(logitsFn(xs), targetRank);
    return tf.reshape(tf.slice(indices, [0, targetRank - 1], [-1, 1]), [-1]) as tf.Tensor1D;
  });
  const objective = (z: tf.Tensor2D) =>
    o.loss === 'ce' ? crossEntropyPerSample(z, ys) : o.loss === 'dlr' ? dlrPerSample(z, ys) : targetedDlrPerSample(z, ys, targets!);
  try {
    const run = singleRun(logitsFn, objective, xs, ys, o.epsilon, o.steps, rng, o.eot ?? 1);
    const broken = run.acc.map((a) => (a ? 0 : 1));
    return { broken, adversarial: run.adversarial, facts: { ...run.facts, broken: broken.reduce((s, b) => s + b, 0) } };
  } finally {
    tf.dispose([index, xs, ys, ...(targets ? [targets] : [])]);
  }
}

/**
 * The loss per sample, the logits and the input gradient of the summed loss at `xi`; with `eot`
 * passes (a randomised model), the gradient is their mean and the loss and logits the last pass's,
 * as the code's EOT loop keeps them.
 */
function lossAndGradient(logitsFn: LogitsFn, objective: (z: tf.Tensor2D) => tf.Tensor1D, xi: tf.Tensor4D, eot = 1) {
  const out = {} as { logits: tf.Tensor2D; loss: tf.Tensor1D };
  let grad: tf.Tensor4D | null = null;
  for (let k = 0; k < eot; k++) {
    if (k > 0) tf.dispose([out.logits, out.loss]);
    // Summed, so that one sample's gradient does not depend on the others; the logits and the
    // per-sample loss are kept out of the gradient's scope, to be read (and disposed) by the caller.
    const g = tf.grad((v: tf.Tensor) => {
      out.logits = tf.keep(logitsFn(v as tf.Tensor4D));
      out.loss = tf.keep(objective(out.logits));
      return tf.sum(out.loss);
    })(xi) as tf.Tensor4D;
    if (grad === null) grad = g;
    else {
      const sum = tf.add(grad, g) as tf.Tensor4D;
      tf.dispose([grad, g]);
      grad = sum;
    }
  }
  if (eot > 1) {
    const mean = tf.div(grad!, eot) as tf.Tensor4D;
    grad!.dispose();
    grad = mean;
  }
  return { ...out, grad: grad! };
}

/** 1 where the sample's gradient is exactly zero everywhere, else 0. */
const zeroRows = (g: tf.Tensor4D) => tf.cast(tf.equal(tf.max(tf.abs(tf.reshape(g, [g.shape[0], -1])), 1), 0), 'float32') as tf.Tensor1D;

/** [n] to [n, 1, 1, 1], to select or scale whole images. */
const perImage = (t: tf.Tensor1D) => tf.reshape(t, [-1, 1, 1, 1]);

/** Projection onto the eps ball around x and [0, 1]. */
const projectTo = (v: tf.Tensor4D, x: tf.Tensor4D, eps: number) =>
  tf.clipByValue(tf.minimum(tf.maximum(v, tf.sub(x, eps)), tf.add(x, eps)), 0, 1) as tf.Tensor4D;

/**
 * The tensors a run carries from one iteration to the next, each owned by the run: `set` disposes
 * the value it replaces.
 */
class RunState {
  private t = new Map<string, tf.Tensor>();
  get<T extends tf.Tensor>(name: string): T {
    return this.t.get(name) as T;
  }
  /** The value, which the caller now owns (the name is left empty). */
  take<T extends tf.Tensor>(name: string): T {
    const value = this.t.get(name) as T;
    this.t.delete(name);
    return value;
  }
  set(name: string, value: tf.Tensor): void {
    const old = this.t.get(name);
    this.t.set(name, tf.keep(value));
    if (old && old !== value) old.dispose();
  }
  dispose(): void {
    tf.dispose([...this.t.values()]);
    this.t.clear();
  }
}

/** One run of APGD (the code's attack_single_run) on every sample of xs. */
function singleRun(
  logitsFn: LogitsFn,
  objective: (z: tf.Tensor2D) => tf.Tensor1D,
  xs: tf.Tensor4D,
  ys: tf.Tensor1D,
  eps: number,
  steps: number,
  rng: Rng,
  eot = 1,
): { acc: Uint8Array; adversarial: Float32Array; facts: Omit<ApgdRunFacts, 'targetRank' | 'restart' | 'broken'> } {
  const s = new RunState();
  const n = xs.shape[0];
  try {
    // The start: uniform noise scaled so that its largest entry is eps, then clipped to [0, 1].
    s.set('xAdv', tf.tidy(() => {
      const u = tf.randomUniform(xs.shape, -1, 1, 'float32', rng.seed()) as tf.Tensor4D;
      const top = perImage(tf.max(tf.abs(tf.reshape(u, [n, -1])), 1) as tf.Tensor1D);
      return tf.clipByValue(tf.add(xs, tf.mul(eps, tf.div(u, tf.add(top, 1e-12)))), 0, 1);
    }));
    const first = lossAndGradient(logitsFn, objective, s.get('xAdv'), eot);
    s.set('grad', first.grad);
    s.set('loss', first.loss);
    s.set('acc', tf.tidy(() => tf.cast(tf.equal(tf.argMax(first.logits, 1), ys), 'float32')));
    first.logits.dispose();
    s.set('zero', tf.tidy(() => zeroRows(first.grad)));
    for (const name of ['xBest', 'xBestAdv', 'xOld']) s.set(name, tf.clone(s.get('xAdv')));
    s.set('gradBest', tf.clone(first.grad));
    s.set('lossBest', tf.clone(first.loss));
    s.set('lossBestLastCheck', tf.clone(first.loss));
    s.set('reducedLastCheck', tf.ones([n]));
    s.set('stepSize', tf.fill([n, 1, 1, 1], 2 * eps));
    s.set('increases', tf.zeros([n]));
    // The code compares the first iterate's loss with a row of zeros (its loss history's last row,
    // not yet written), so the first step counts as a rise exactly when its loss is positive.
    s.set('lossPrev', tf.zeros([n]));
    const lossStart = tf.tidy(() => tf.mean(first.loss).dataSync()[0]);

    const checks = new Map<number, number>();
    let previous = 0;
    for (const at of apgdCheckpoints(steps)) {
      checks.set(at, at - previous);
      previous = at;
    }
    for (let i = 0; i < steps; i++) {
      heartbeat();
      // The step with momentum (none at the first step).
      const a = i > 0 ? MOMENTUM_A : 1;
      const xAdv = s.take<tf.Tensor4D>('xAdv');
      const moved = tf.tidy(() => {
        const z = projectTo(tf.add(xAdv, tf.mul(s.get('stepSize'), tf.sign(s.get('grad')))), xs, eps);
        const previousMove = tf.sub(xAdv, s.get('xOld'));
        return projectTo(tf.add(tf.add(xAdv, tf.mul(tf.sub(z, xAdv), a)), tf.mul(previousMove, 1 - a)), xs, eps);
      });
      s.set('xOld', xAdv);
      s.set('xAdv', moved);

      const now = lossAndGradient(logitsFn, objective, moved, eot);
      s.set('grad', now.grad);
      s.set('loss', now.loss);
      tf.tidy(() => {
        const wrong = tf.notEqual(tf.argMax(now.logits, 1), ys);
        s.set('acc', tf.minimum(s.get('acc'), tf.cast(tf.logicalNot(wrong), 'float32')));
        s.set('xBestAdv', tf.where(perImage(wrong as tf.Tensor1D), moved, s.get('xBestAdv')));
        s.set('zero', tf.maximum(s.get('zero'), zeroRows(now.grad)));
        const improved = tf.greater(now.loss, s.get('lossBest')) as tf.Tensor1D;
        s.set('xBest', tf.where(perImage(improved), moved, s.get('xBest')));
        s.set('gradBest', tf.where(perImage(improved), now.grad, s.get('gradBest')));
        s.set('lossBest', tf.where(improved, now.loss, s.get('lossBest')));
        s.set('increases', tf.add(s.get('increases'), tf.cast(tf.greater(now.loss, s.get('lossPrev')), 'float32')));
        s.set('lossPrev', tf.clone(now.loss));
      });
      now.logits.dispose();

      const window = checks.get(i + 1);
      if (window !== undefined) tf.tidy(() => checkpoint(s, window));
    }
    const [lossEnd, lossBest, zero] = tf.tidy(() => [tf.mean(s.get('loss')), tf.mean(s.get('lossBest')), tf.sum(s.get('zero'))].map((t) => t.dataSync()[0]));
    return {
      acc: Uint8Array.from(s.get('acc').dataSync(), (v) => (v > 0 ? 1 : 0)),
      // Broken points: the last iterate that misclassified them; the others: their best point.
      adversarial: tf.tidy(() => Float32Array.from(tf.where(perImage(tf.cast(s.get('acc'), 'bool') as tf.Tensor1D), s.get('xBest'), s.get('xBestAdv')).dataSync())),
      facts: { samples: n, zeroGradient: zero, lossStart, lossEnd, lossBest },
    };
  } finally {
    s.dispose();
  }
}

/**
 * A checkpoint after a window of `window` iterations: per sample, halve the step and go back to the
 * best point (and its gradient) when the loss rose in at most 75% of the window's steps, or when
 * the step was not halved at the last checkpoint and the best loss has not risen since.
 */
function checkpoint(s: RunState, window: number): void {
  const oscillating = tf.lessEqual(s.get('increases'), window * RHO);
  const stalled = tf.logicalAnd(tf.equal(s.get('reducedLastCheck'), 0), tf.greaterEqual(s.get('lossBestLastCheck'), s.get('lossBest')));
  const reduce = tf.logicalOr(oscillating, stalled) as tf.Tensor1D;
  s.set('reducedLastCheck', tf.cast(reduce, 'float32'));
  s.set('lossBestLastCheck', tf.clone(s.get('lossBest')));
  s.set('stepSize', tf.where(perImage(reduce), tf.mul(s.get('stepSize'), 0.5), s.get('stepSize')));
  s.set('xAdv', tf.where(perImage(reduce), s.get('xBest'), s.get('xAdv')));
  s.set('grad', tf.where(perImage(reduce), s.get('gradBest'), s.get('grad')));
  s.set('increases', tf.zerosLike(s.get('increases')));
}

/** The facts of the runs added to the evaluation's report (zero gradients, runs whose loss did not rise). */
export function addApgdFacts(report: AttackReport | undefined, runs: ApgdRunFacts[]): void {
  if (!report) return;
  for (const r of runs) {
    report.samples += r.samples;
    report.zeroGradient += r.zeroGradient;
    report.runs += 1;
    if (!(r.lossEnd > r.lossStart)) report.flatRuns += 1;
  }
}
