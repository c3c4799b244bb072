/**
 * The small interface every attack implements. An attack sees the model only as a function from
 * images to logits, so the same code attacks a student, a teacher or an ensemble.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../models/model';
import { Rng } from '../util/rng';
import { AttackLossName, crossEntropySum, cwMarginSum, klSum } from './losses';

export type LogitsFn = (x: tf.Tensor4D) => tf.Tensor2D;

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
 * PGD against a model in evaluation mode. Methods call it through this type so that the trainer
 * can hand them a version that shares the batch with a worker thread.
 */
export type Perturber = (
  model: Model,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  options: AttackOptions,
  rng: Rng,
) => tf.Tensor4D;

export interface Attack {
  readonly name: string;
  /** Returns adversarial images within epsilon of x and within [0, 1]. Does not leak tensors. */
  perturb(logitsFn: LogitsFn, x: tf.Tensor4D, labels: tf.Tensor1D, options: AttackOptions, rng: Rng): tf.Tensor4D;
}

/** The summed loss an attack ascends. */
export function attackObjective(options: AttackOptions, logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  switch (options.loss) {
    case 'ce':
      return crossEntropySum(logits, labels);
    case 'cw':
      return cwMarginSum(logits, labels);
    case 'kl':
      if (!options.targetProbs) throw new Error("attack loss 'kl' needs target probabilities (the teacher's)");
      return klSum(options.targetProbs, logits);
  }
}

/** Projection onto the epsilon ball around x intersected with the image range [0, 1]. */
export function project(xAdv: tf.Tensor4D, x: tf.Tensor4D, epsilon: number): tf.Tensor4D {
  return tf.tidy(() =>
    tf.clipByValue(tf.minimum(tf.maximum(xAdv, tf.sub(x, epsilon)), tf.add(x, epsilon)), 0, 1) as tf.Tensor4D,
  );
}
