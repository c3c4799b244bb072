/**
 * The objectives an attack maximises, each summed over the batch (so the input gradient of one
 * sample does not depend on the batch size).
 */
import * as tf from '@tensorflow/tfjs-core';

export type AttackLossName = 'ce' | 'kl' | 'cw';

/** Cross-entropy of the logits against the true labels. */
export function crossEntropySum(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const logp = tf.logSoftmax(logits);
  const onehot = tf.oneHot(labels, logits.shape[1]);
  return tf.neg(tf.sum(tf.mul(onehot, logp))) as tf.Scalar;
}

/** KL(target || softmax(logits)), the target being fixed probabilities (e.g. the teacher's). */
export function klSum(targetProbs: tf.Tensor2D, logits: tf.Tensor2D): tf.Scalar {
  const logp = tf.logSoftmax(logits);
  const logt = tf.log(tf.add(targetProbs, 1e-12));
  return tf.sum(tf.mul(targetProbs, tf.sub(logt, logp)));
}

/**
 * Carlini-Wagner margin: max over wrong classes of the logit minus the true logit. Positive once
 * the sample is misclassified; the attack pushes it up.
 */
export function cwMarginSum(logits: tf.Tensor2D, labels: tf.Tensor1D, kappa = 50): tf.Scalar {
  const onehot = tf.oneHot(labels, logits.shape[1]);
  const trueLogit = tf.sum(tf.mul(onehot, logits), 1);
  // Push the true class far down so it cannot be the "best other" class.
  const others = tf.sub(logits, tf.mul(onehot, 1e4));
  const bestOther = tf.max(others, 1);
  return tf.sum(tf.minimum(tf.sub(bestOther, trueLogit), kappa));
}
