/**
 * The objectives an attack maximises, one value per sample. An attack sums them for its input
 * gradient (so that the gradient of one sample does not depend on the batch size) and compares
 * them per sample, to keep each sample's worst result over restarts.
 */
import * as tf from '@tensorflow/tfjs-core';

export type AttackLossName = 'ce' | 'kl' | 'cw';

/** A per-sample objective of the logits and the true labels. */
export type Objective = (logits: tf.Tensor2D, labels: tf.Tensor1D) => tf.Tensor1D;

/** Cross-entropy of the logits against the true labels. */
export function crossEntropyPerSample(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const logp = tf.logSoftmax(logits);
  const onehot = tf.oneHot(labels, logits.shape[1]);
  return tf.neg(tf.sum(tf.mul(onehot, logp), 1)) as tf.Tensor1D;
}

/** KL(target || softmax(logits)), the target being fixed probabilities (e.g. the teacher's). */
export function klPerSample(targetProbs: tf.Tensor2D, logits: tf.Tensor2D): tf.Tensor1D {
  const logp = tf.logSoftmax(logits);
  const logt = tf.log(tf.add(targetProbs, 1e-12));
  return tf.sum(tf.mul(targetProbs, tf.sub(logt, logp)), 1);
}

/**
 * Carlini-Wagner margin: the largest wrong-class logit minus the true logit, capped at kappa.
 * Positive once the sample is misclassified; the attack pushes it up until it reaches kappa.
 */
export function cwMarginPerSample(logits: tf.Tensor2D, labels: tf.Tensor1D, kappa: number): tf.Tensor1D {
  const onehot = tf.oneHot(labels, logits.shape[1]);
  const trueLogit = tf.sum(tf.mul(onehot, logits), 1);
  // Push the true class far down so it cannot be the "best other" class.
  const others = tf.sub(logits, tf.mul(onehot, 1e4));
  const bestOther = tf.max(others, 1);
  return tf.minimum(tf.sub(bestOther, trueLogit), kappa);
}

/**
 * The objective a loss name means. 'kl' moves away from `targetProbs` (which it requires); 'cw'
 * saturates at `kappa`.
 */
export function objectiveFor(loss: AttackLossName, o: { targetProbs?: tf.Tensor2D; kappa: number }): Objective {
  switch (loss) {
    case 'ce':
      return crossEntropyPerSample;
    case 'cw':
      return (logits, labels) => cwMarginPerSample(logits, labels, o.kappa);
    case 'kl': {
      const target = o.targetProbs;
      if (!target) throw new Error("attack loss 'kl' needs target probabilities (the teacher's)");
      return (logits) => klPerSample(target, logits);
    }
  }
}
