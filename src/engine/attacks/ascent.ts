/**
 * The loop that FGSM, PGD and CW share: signed-gradient ascent on a per-sample objective, each step
 * projected back onto the L-inf ball of radius epsilon around x and onto [0, 1], from x itself or
 * from a uniform random point of the ball. With restarts, the loop runs again from new random
 * starts and each sample keeps its worst result: a misclassified image first, then the one of
 * highest objective (as Madry et al.'s and FAT's evaluations keep the strongest restart).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../util/rng';
import { AttackReport, LogitsFn, project, randomStartNoise, stepSizeOf } from './attack';
import type { Objective } from './losses';
import { heartbeat } from '../util/heartbeat';

export interface Ascent {
  /** L-inf radius, inputs in [0, 1]. */
  epsilon: number;
  stepSize: number;
  steps: number;
  randomStart: boolean;
  /** Runs from different random starts (1 or more). */
  restarts: number;
  objective: Objective;
  /** The first run's random start, when the caller drew it (a batch shared among threads draws it once). */
  startNoise?: tf.Tensor4D;
}

/** The settings every iterated attack of the catalog has (pgd, cw). */
export interface IteratedSettings {
  steps: number;
  step_size: number | null;
  random_start: boolean;
  restarts: number;
}

/** The ascent those settings describe at `epsilon`, on `objective`. */
export function iteratedAscent(settings: IteratedSettings, epsilon: number, objective: Objective): Ascent {
  return {
    epsilon,
    stepSize: stepSizeOf(settings.step_size, epsilon),
    steps: settings.steps,
    randomStart: settings.random_start,
    restarts: settings.restarts,
    objective,
  };
}

export function signedAscent(logitsFn: LogitsFn, x: tf.Tensor4D, labels: tf.Tensor1D, a: Ascent, rng: Rng, report?: AttackReport): tf.Tensor4D {
  let best = oneRun(logitsFn, x, labels, a, a.startNoise, rng, report);
  if (a.restarts <= 1) return best;
  let score = tf.tidy(() => scoreOf(logitsFn, best, labels, a.objective));
  for (let r = 1; r < a.restarts; r++) {
    const run = oneRun(logitsFn, x, labels, a, undefined, rng, report);
    const next = tf.tidy(() => {
      const s = scoreOf(logitsFn, run, labels, a.objective);
      // The new run wins a sample it misclassifies while the best so far does not, or one where
      // both agree on that and its objective is higher.
      const take = tf.logicalOr(
        tf.greater(s.wrong, score.wrong),
        tf.logicalAnd(tf.equal(s.wrong, score.wrong), tf.greater(s.loss, score.loss)),
      );
      return {
        x: tf.where(tf.reshape(take, [-1, 1, 1, 1]), run, best) as tf.Tensor4D,
        wrong: tf.where(take, s.wrong, score.wrong) as tf.Tensor1D,
        loss: tf.where(take, s.loss, score.loss) as tf.Tensor1D,
      };
    });
    tf.dispose([run, best, score.wrong, score.loss]);
    best = next.x;
    score = { wrong: next.wrong, loss: next.loss };
  }
  tf.dispose([score.wrong, score.loss]);
  return best;
}

/** One run of the ascent from x or from `startNoise` (else noise drawn from `rng`) around x. */
function oneRun(
  logitsFn: LogitsFn,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  a: Ascent,
  startNoise: tf.Tensor4D | undefined,
  rng: Rng,
  report?: AttackReport,
): tf.Tensor4D {
  const { epsilon } = a;
  const start: tf.Tensor4D = a.randomStart
    ? tf.tidy(() => project(tf.add(x, startNoise ?? randomStartNoise(x.shape, epsilon, rng)), x, epsilon))
    : tf.clone(x);
  if (epsilon === 0) return start;
  return ascendInput((xi) => a.objective(logitsFn(xi), labels), x, start, a, report);
}

/**
 * Signed-gradient ascent of any per-sample loss of the input (not only of one model's logits:
 * AdaAD's KL between teacher and student at the same point, GACD's contrastive loss), from
 * `start` (which it takes over), each step projected onto the epsilon ball around x and [0, 1].
 */
export function ascendInput(
  lossOf: (x: tf.Tensor4D) => tf.Tensor1D,
  x: tf.Tensor4D,
  start: tf.Tensor4D,
  a: { epsilon: number; stepSize: number; steps: number },
  report?: AttackReport,
): tf.Tensor4D {
  let xAdv = start;
  // The loss is summed, so that one sample's input gradient does not depend on the others.
  const gradOf = tf.grad((xi: tf.Tensor) => tf.sum(lossOf(xi as tf.Tensor4D)));
  // With a report: which samples ever had an exactly zero gradient (read once, at the end).
  let zero: tf.Tensor1D | null = report ? tf.zeros([x.shape[0]]) : null;
  const lossStart = report ? tf.tidy(() => tf.mean(lossOf(start))) : null;
  for (let k = 0; k < a.steps; k++) {
    heartbeat();
    const next = tf.tidy(() => {
      const g = gradOf(xAdv);
      if (zero) {
        const now = tf.cast(tf.equal(tf.max(tf.abs(tf.reshape(g, [g.shape[0], -1])), 1), 0), 'float32');
        const seen = tf.maximum(zero, now) as tf.Tensor1D;
        zero.dispose();
        zero = tf.keep(seen);
      }
      return project(tf.add(xAdv, tf.mul(tf.sign(g), a.stepSize)), x, a.epsilon);
    });
    xAdv.dispose();
    xAdv = next;
  }
  if (report && zero && lossStart) {
    const lossEnd = tf.tidy(() => tf.mean(lossOf(xAdv)));
    report.samples += x.shape[0];
    report.zeroGradient += tf.tidy(() => tf.sum(zero!).dataSync()[0]);
    report.runs += 1;
    if (!(lossEnd.dataSync()[0] > lossStart.dataSync()[0])) report.flatRuns += 1;
    tf.dispose([zero, lossStart, lossEnd]);
  }
  return xAdv;
}

/**
 * Per sample: 1 where the model gets it wrong (else 0), and the objective there. `wrong` is a
 * float, not a bool: the wasm backend's `where` corrupts its memory when it selects between bools.
 */
function scoreOf(logitsFn: LogitsFn, xAdv: tf.Tensor4D, labels: tf.Tensor1D, objective: Objective): { wrong: tf.Tensor1D; loss: tf.Tensor1D } {
  const logits = logitsFn(xAdv);
  return { wrong: tf.cast(tf.notEqual(tf.argMax(logits, 1), labels), 'float32') as tf.Tensor1D, loss: objective(logits, labels) };
}
