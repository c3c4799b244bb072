/**
 * Loss terms shared by several methods, each per row. A method turns a per-row term into its part
 * of a batch mean with `batchMean`, the one place that divides by the batch size: the whole
 * batch's, so that the shares computed on several threads add up to the batch's loss.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Batch } from './method';

/** Sum over these rows divided by the whole batch's size. */
export function batchMean(perRow: tf.Tensor1D, rows: Pick<Batch, 'total'>): tf.Scalar {
  return tf.div(tf.sum(perRow), rows.total) as tf.Scalar;
}

/** Cross-entropy of each row against its integer label. */
export function crossEntropyRows(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(tf.oneHot(labels, logits.shape[1]), tf.logSoftmax(logits)), 1)) as tf.Tensor1D);
}

/** KL(softmax(teacher/T) || softmax(student/T)) of each row, summed over the classes. */
export function klRows(teacherLogits: tf.Tensor2D, studentLogits: tf.Tensor2D, temperature: number): tf.Tensor1D {
  return tf.tidy(() => {
    const logpt = tf.logSoftmax(tf.div(teacherLogits, temperature));
    const logps = tf.logSoftmax(tf.div(studentLogits, temperature));
    return tf.sum(tf.mul(tf.exp(logpt), tf.sub(logpt, logps)), 1) as tf.Tensor1D;
  });
}

/**
 * The codes' two KL conventions as a batch term, times T^2: 'mean' averages over batch and classes
 * (PyTorch's `KLDivLoss()` default, as in ARD's code); 'batchmean' sums over classes and averages
 * over the batch (the mathematical KL).
 */
export function distillationKl(
  teacherLogits: tf.Tensor2D,
  studentLogits: tf.Tensor2D,
  temperature: number,
  reduction: 'mean' | 'batchmean',
  rows: Pick<Batch, 'total'>,
): tf.Scalar {
  return tf.tidy(() => {
    const classes = reduction === 'mean' ? studentLogits.shape[1] : 1;
    return tf.mul(batchMean(klRows(teacherLogits, studentLogits, temperature), rows), (temperature * temperature) / classes);
  });
}

/** Number of correct predictions. */
export function countCorrect(logits: tf.Tensor2D, labels: tf.Tensor1D): number {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'int32')).dataSync()[0]);
}
