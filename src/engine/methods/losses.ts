/**
 * Loss terms shared by several methods, each a batch mean unless its name says otherwise. A mean
 * divides by `total`, the size of the whole batch, which is more than the rows given when a thread
 * computes a shard of the batch.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Mean cross-entropy over the batch. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, total = logits.shape[0]): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    return tf.div(tf.neg(tf.sum(tf.mul(tf.oneHot(labels, logits.shape[1]), logp))), total) as tf.Scalar;
  });
}

/**
 * KL(softmax(teacher/T) || softmax(student/T)) * T^2. `reduction: 'mean'` averages over batch and
 * classes as PyTorch's `KLDivLoss()` default does (ARD's code); 'batchmean' sums over classes and
 * averages over the batch (the mathematical KL).
 */
export function distillationKl(
  teacherLogits: tf.Tensor2D,
  studentLogits: tf.Tensor2D,
  temperature: number,
  reduction: 'mean' | 'batchmean',
  total = studentLogits.shape[0],
): tf.Scalar {
  return tf.tidy(() => {
    const pt = tf.softmax(tf.div(teacherLogits, temperature));
    const logpt = tf.logSoftmax(tf.div(teacherLogits, temperature));
    const logps = tf.logSoftmax(tf.div(studentLogits, temperature));
    const perElement = tf.mul(pt, tf.sub(logpt, logps));
    const classes = reduction === 'mean' ? studentLogits.shape[1] : 1;
    const kl = tf.div(tf.sum(perElement), total * classes);
    return tf.mul(kl, temperature * temperature);
  });
}

/** Number of correct predictions. */
export function countCorrect(logits: tf.Tensor2D, labels: tf.Tensor1D): number {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32')).dataSync()[0]);
}
