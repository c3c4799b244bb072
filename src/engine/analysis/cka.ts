/**
 * Linear CKA (Kornblith, Norouzi, Lee, Hinton, ICML 2019) between two feature matrices of the same
 * samples: ||Y^T X||_F^2 / (||X^T X||_F ||Y^T Y||_F) on centred features. Invariant to rotations
 * and isotropic scaling, and defined when the two widths differ (teacher vs student).
 */
import * as tf from '@tensorflow/tfjs-core';

export function linearCka(x: tf.Tensor2D, y: tf.Tensor2D): number {
  return tf.tidy(() => {
    const xc = tf.sub(x, tf.mean(x, 0, true));
    const yc = tf.sub(y, tf.mean(y, 0, true));
    const cross = tf.sum(tf.square(tf.matMul(yc, xc, true, false)));
    const xx = tf.sqrt(tf.sum(tf.square(tf.matMul(xc, xc, true, false))));
    const yy = tf.sqrt(tf.sum(tf.square(tf.matMul(yc, yc, true, false))));
    return tf.div(cross, tf.add(tf.mul(xx, yy), 1e-12)).dataSync()[0];
  });
}

/** Mean cosine similarity of corresponding rows. */
export function meanCosine(a: tf.Tensor2D, b: tf.Tensor2D): number {
  return tf.tidy(() => {
    const dot = tf.sum(tf.mul(a, b), 1);
    const norms = tf.mul(tf.norm(a, 'euclidean', 1), tf.norm(b, 'euclidean', 1));
    return tf.mean(tf.div(dot, tf.add(norms, 1e-12))).dataSync()[0];
  });
}

/**
 * CRD's structural measure: the mean absolute difference between the teacher's and the student's
 * class-by-class correlation matrices of logits (0 = same structure).
 */
export function logitCorrelationGap(teacherLogits: tf.Tensor2D, studentLogits: tf.Tensor2D): number {
  return tf.tidy(() => {
    const corr = (l: tf.Tensor2D) => {
      const c = tf.sub(l, tf.mean(l, 0, true));
      const cov = tf.matMul(c, c, true, false);
      const d = tf.sqrt(tf.add(tf.sum(tf.square(c), 0), 1e-12)) as tf.Tensor1D;
      return tf.div(cov, tf.outerProduct(d, d));
    };
    return tf.mean(tf.abs(tf.sub(corr(teacherLogits), corr(studentLogits)))).dataSync()[0];
  });
}
