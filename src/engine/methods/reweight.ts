/**
 * GACD's "sample reweighted estimation": discount the samples the teacher gets wrong. The paper's
 * formula is unknown; these are the candidate forms (algorithm.md), each from the teacher's output
 * at the adversarial input. Weights are computed per row (on any share of a batch) and normalised
 * over the whole batch: the loss divides by the batch's sum of weights, the charts show them with
 * mean 1.
 *   none:             w_i = 1
 *   correct:          w_i = 1[argmax T(x'_i) = y_i]
 *   confidence:       w_i = p_T(y_i | x'_i)
 *   confidence-power: w_i = p_T(y_i | x'_i)^beta   (IAD's trust weight, beta = 0.1)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { SampleWeights } from './method';

export type ReweightScheme = 'none' | 'correct' | 'confidence' | 'confidence-power';

/** The raw (unnormalised) weight of each row, with the teacher's confidence and correctness. */
export function reweightRows(scheme: ReweightScheme, beta: number, teacherLogits: tf.Tensor2D, labels: Int32Array): SampleWeights {
  const probs = tf.tidy(() => tf.softmax(teacherLogits).dataSync() as Float32Array);
  const c = teacherLogits.shape[1];
  const n = labels.length;
  const confidence = new Float32Array(n);
  const teacherCorrect = new Uint8Array(n);
  const weights = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const row = probs.subarray(i * c, (i + 1) * c);
    confidence[i] = row[labels[i]];
    let best = 0;
    for (let k = 1; k < c; k++) if (row[k] > row[best]) best = k;
    teacherCorrect[i] = best === labels[i] ? 1 : 0;
    weights[i] =
      scheme === 'none' ? 1
      : scheme === 'correct' ? teacherCorrect[i]
      : scheme === 'confidence' ? confidence[i]
      : Math.pow(confidence[i], beta);
  }
  return { weights, confidence, teacherCorrect };
}

/**
 * A whole batch's weights scaled to mean 1. A batch the teacher gets entirely wrong under
 * 'correct' would zero the term: it is kept uniform instead (the loss does the same).
 */
export function normalisedWeights(raw: Float32Array): Float32Array {
  const mean = raw.reduce((a, b) => a + b, 0) / Math.max(raw.length, 1);
  return mean > 0 ? raw.map((w) => w / mean) : new Float32Array(raw.length).fill(1);
}

/** Raw weights of a whole batch normalised to mean 1 (the two steps above in one). */
export function reweight(scheme: ReweightScheme, beta: number, teacherLogits: tf.Tensor2D, labels: Int32Array): SampleWeights {
  const rows = reweightRows(scheme, beta, teacherLogits, labels);
  return { ...rows, weights: normalisedWeights(rows.weights) };
}
