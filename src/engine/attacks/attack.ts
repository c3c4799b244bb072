/**
 * The small interface every attack implements, and the options of the PGD that training uses. An
 * attack sees the model only as a function from images to logits, so the same code attacks a
 * student, a teacher or an ensemble.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../util/rng';
import type { AttackName, AttackSettings } from './catalog';
import type { AttackLossName } from './losses';

export type LogitsFn = (x: tf.Tensor4D) => tf.Tensor2D;

/** The options of training-time PGD (the methods' training attack and the monitor use them). */
export interface AttackOptions {
  /** L-inf radius, inputs in [0, 1]. */
  epsilon: number;
  /** Size of each signed-gradient step. */
  stepSize: number;
  steps: number;
  randomStart: boolean;
  loss: AttackLossName;
  /** Required for loss 'kl': the distribution to move away from (e.g. the teacher's on clean x). */
  targetProbs?: tf.Tensor2D;
  /** The random start's noise, when the caller drew it (a batch shared among threads draws it once). */
  startNoise?: tf.Tensor4D;
}

/** The uniform noise of PGD's random start, drawn from `rng` so that a run is reproducible. */
export function randomStartNoise(shape: [number, number, number, number], epsilon: number, rng: Rng): tf.Tensor4D {
  return tf.randomUniform(shape, -epsilon, epsilon, 'float32', rng.seed()) as tf.Tensor4D;
}

/**
 * The Gaussian start TRADES, RSLAD and AdaAD code (x + 0.001·N(0, I), not projected: their first
 * step projects), drawn from `rng`.
 */
export function normalStartNoise(shape: [number, number, number, number], std: number, rng: Rng): tf.Tensor4D {
  return tf.randomNormal(shape, 0, std, 'float32', rng.seed()) as tf.Tensor4D;
}

/**
 * One attack of the catalog, registered under its name in registry.ts. `perturb` returns
 * adversarial images within epsilon of x and within [0, 1], leaks no tensor, and gives the same
 * images for the same `rng` state; `settings` are the attack's own, every default filled in.
 */
export interface AttackImplementation<N extends AttackName = AttackName> {
  readonly name: N;
  perturb(logitsFn: LogitsFn, x: tf.Tensor4D, labels: tf.Tensor1D, epsilon: number, settings: AttackSettings<N>, rng: Rng): tf.Tensor4D;
}

/** A setting `step_size` of null means epsilon/4, the usual step of an L-inf PGD. */
export function stepSizeOf(stepSize: number | null, epsilon: number): number {
  return stepSize ?? epsilon / 4;
}

/** Projection onto the epsilon ball around x intersected with the image range [0, 1]. */
export function project(xAdv: tf.Tensor4D, x: tf.Tensor4D, epsilon: number): tf.Tensor4D {
  return tf.tidy(() =>
    tf.clipByValue(tf.minimum(tf.maximum(xAdv, tf.sub(x, epsilon)), tf.add(x, epsilon)), 0, 1) as tf.Tensor4D,
  );
}
