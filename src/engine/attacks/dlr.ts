/**
 * The Difference of Logits Ratio (DLR) losses of APGD, per sample. Croce and Hein, "Reliable
 * evaluation of adversarial robustness with an ensemble of diverse parameter-free attacks", ICML
 * 2020 (arXiv 2003.01690); official code https://github.com/fra31/auto-attack
 * (autoattack/autopgd_base.py, dlr_loss and dlr_loss_targeted). With z the logits sorted so that
 * z_π1 >= z_π2 >= ...:
 *
 *   DLR(z, y)      = −(z_y − max_{i≠y} z_i) / (z_π1 − z_π3 + 1e−12)
 *   DLR_T(z, y, t) = −(z_y − z_t) / (z_π1 − (z_π3 + z_π4)/2 + 1e−12)
 *
 * Dividing by a spread of the top logits makes the loss invariant to shifting and rescaling the
 * logits, so a model cannot hide behind large or saturated logits as it can with CE.
 *
 * TensorFlow.js has no gradient for topk, so the sorted values are read with argMax and masks
 * (both differentiable where it matters): the k-th largest value is the maximum once the k − 1
 * largest entries are masked out. The gradient then flows to the same entries as PyTorch's sort.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Objective } from './losses';

/** What the denominator adds so that it is never zero, as the code has it. */
const DLR_EPS = 1e-12;

/** `z` with each row's entry at `index` replaced by −∞ (so that a max skips it). */
function maskedOut(z: tf.Tensor2D, index: tf.Tensor1D): tf.Tensor2D {
  const hit = tf.cast(tf.oneHot(index, z.shape[1]), 'bool');
  return tf.where(hit, tf.fill(z.shape, -Infinity), z) as tf.Tensor2D;
}

/** The `count` largest values of each row, largest first: [z_π1, z_π2, ...], each of shape [n]. */
export function topValues(z: tf.Tensor2D, count: number): tf.Tensor1D[] {
  const out: tf.Tensor1D[] = [];
  let rest = z;
  for (let k = 0; k < count; k++) {
    out.push(tf.max(rest, 1) as tf.Tensor1D);
    if (k + 1 < count) rest = maskedOut(rest, tf.argMax(rest, 1) as tf.Tensor1D);
  }
  return out;
}

/** Each row's logit at its label. */
function logitAt(z: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.sum(tf.mul(z, tf.oneHot(labels, z.shape[1])), 1) as tf.Tensor1D;
}

function needClasses(z: tf.Tensor2D, least: number, what: string): void {
  if (z.shape[1] < least) throw new Error(`${what} needs at least ${least} classes, the model has ${z.shape[1]}`);
}

/** Untargeted DLR, to be maximised: positive once the sample is misclassified. */
export const dlrPerSample: Objective = (z, labels) => {
  needClasses(z, 3, 'the DLR loss');
  const [top1, , top3] = topValues(z, 3);
  const bestOther = tf.max(maskedOut(z, labels), 1);
  return tf.neg(tf.div(tf.sub(logitAt(z, labels), bestOther), tf.add(tf.sub(top1, top3), DLR_EPS))) as tf.Tensor1D;
};

/** Targeted DLR towards class `targets` of each row, to be maximised. */
export function targetedDlrPerSample(z: tf.Tensor2D, labels: tf.Tensor1D, targets: tf.Tensor1D): tf.Tensor1D {
  needClasses(z, 4, 'the targeted DLR loss');
  const [top1, , top3, top4] = topValues(z, 4);
  const spread = tf.sub(top1, tf.mul(tf.add(top3, top4), 0.5));
  return tf.neg(tf.div(tf.sub(logitAt(z, labels), logitAt(z, targets)), tf.add(spread, DLR_EPS))) as tf.Tensor1D;
}
