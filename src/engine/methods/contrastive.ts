/**
 * The contrastive machinery GACD and CRD share (Tian, Krishnan, Isola, "Contrastive
 * Representation Distillation", ICLR 2020; official code HobbitLong/RepDistiller, crd/): feature
 * taps as matrices, linear embedding heads with L2 normalisation, negatives drawn from the training
 * split, the NCE critic with CRD's normalising constant Z, and in-batch InfoNCE.
 *
 * Everything here is per row, so a share of a batch computes its rows' part. Z is CRD's mean of
 * exp(score / tau) over the first batch's pairs times the dataset size; it is computed outside the
 * gradient tape from partial sums (`nceScoreSums`) that the trainer adds over the shares.
 */
import * as tf from '@tensorflow/tfjs-core';
import { dense } from '../models/layers';
import type { Model } from '../models/model';
import type { Params } from '../models/params';
import type { Rng } from '../util/rng';
import { tidyPlain } from '../util/tidy';

/** A feature tap as a rank-2 matrix: spatial maps are average-pooled. */
export function tapFeatures(model: Model, out: { features: Record<string, tf.Tensor> }, tap: string): tf.Tensor2D {
  const f = out.features[tap];
  if (!f) throw new Error(`model ${model.arch} has no feature tap '${tap}' (it has: ${model.taps.join(', ')})`);
  return (f.rank === 4 ? tf.mean(f, [1, 2]) : f) as tf.Tensor2D;
}

/** The width of a tap's matrix, from one forward pass of a blank image. */
export function tapWidth(model: Model, tap: string): number {
  return tf.tidy(() => {
    const x = tf.zeros([1, ...model.inputShape]) as tf.Tensor4D;
    return tapFeatures(model, model.apply(x, { training: false }), tap).shape[1];
  });
}

export function l2normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.add(tf.norm(x, 'euclidean', 1, true), 1e-12));
}

/** CRD's `Embed`: a linear map to `dim` followed by L2 normalisation; its variables go in `params`. */
export function embeddingHead(params: Params, name: string, inWidth: number, dim: number): (features: tf.Tensor2D) => tf.Tensor2D {
  const linear = dense(params, name, inWidth, dim);
  return (features) => l2normalize(linear(features));
}

/** K indices drawn uniformly over the training split, shared by the whole batch (for speed). */
export function drawNegativeIndices(rng: Rng, k: number, trainSize: number): Int32Array {
  const idx = new Int32Array(k);
  for (let i = 0; i < k; i++) idx[i] = rng.int(trainSize);
  return idx;
}

/**
 * Which of the shared negatives each row may use: never its own sample and, with
 * `classNegatives` (CRD's 'exact' mode), never a sample of its own class. With classes, the mask
 * of a row is its class's row (its own sample has its class), made once per class; without, only
 * the positions of the rows' own samples are cleared. Both take O(K) per class or row, not a test
 * per row and negative.
 */
export function negativeMask(
  idx: Int32Array,
  rows: { indices: Int32Array; labels: Int32Array },
  trainLabels: Int32Array,
  classNegatives: boolean,
): tf.Tensor2D {
  const b = rows.indices.length;
  const k = idx.length;
  const mask = new Float32Array(b * k);
  if (classNegatives) {
    const byClass = new Map<number, Float32Array>();
    for (let i = 0; i < b; i++) {
      const y = rows.labels[i];
      let row = byClass.get(y);
      if (!row) {
        row = new Float32Array(k);
        for (let j = 0; j < k; j++) row[j] = trainLabels[idx[j]] !== y ? 1 : 0;
        byClass.set(y, row);
      }
      mask.set(row, i * k);
    }
  } else {
    mask.fill(1);
    const rowOf = new Map<number, number>();
    rows.indices.forEach((sample, i) => rowOf.set(sample, i));
    for (let j = 0; j < k; j++) {
      const i = rowOf.get(idx[j]);
      if (i !== undefined) mask[i * k + j] = 0;
    }
  }
  return tf.tensor2d(mask, [b, k]);
}

/** exp(a.p / tau) of each row's positive and exp(a.n / tau) of every negative. */
function scores(anchor: tf.Tensor2D, positive: tf.Tensor2D, negatives: tf.Tensor2D, temperature: number) {
  return {
    pos: tf.exp(tf.div(tf.sum(tf.mul(anchor, positive), 1), temperature)) as tf.Tensor1D,
    neg: tf.exp(tf.div(tf.matMul(anchor, negatives, false, true), temperature)) as tf.Tensor2D,
  };
}

/**
 * These rows' part of Z: the sum of their exp scores (positive and every negative) and how many.
 * With `mask`, only the negatives each row may use count (CRD's mean is over the pairs it scores).
 */
export function nceScoreSums(
  anchor: tf.Tensor2D,
  positive: tf.Tensor2D,
  negatives: tf.Tensor2D,
  temperature: number,
  mask?: tf.Tensor2D,
): { sum: number; count: number } {
  return tidyPlain(() => {
    const s = scores(anchor, positive, negatives, temperature);
    const neg = mask ? tf.mul(s.neg, mask) : s.neg;
    const sum = tf.add(tf.sum(s.pos), tf.sum(neg)).dataSync()[0];
    const negativeCount = mask ? tf.sum(mask).dataSync()[0] : anchor.shape[0] * negatives.shape[0];
    return { sum, count: anchor.shape[0] + negativeCount };
  });
}

/**
 * CRD's Z from the whole first batch's sums: the mean exp score times the dataset size, rounded
 * to float32 (the precision it is used at), so that a checkpoint keeps it exactly.
 */
export function normalisingConstant(sum: number, count: number, trainSize: number): number {
  return Math.fround((sum / Math.max(count, 1)) * trainSize);
}

/**
 * Z as each row's own estimate (its mean exp score, positive and every negative, times the dataset
 * size): for GACD's contrastive attack on the first batch, before the batch's Z is known.
 */
export function rowNormalisingConstants(anchor: tf.Tensor2D, positive: tf.Tensor2D, negatives: tf.Tensor2D, temperature: number, trainSize: number): tf.Tensor1D {
  return tf.tidy(() => {
    const s = scores(anchor, positive, negatives, temperature);
    return tf.mul(tf.add(s.pos, tf.sum(s.neg, 1)), trainSize / (1 + negatives.shape[0])) as tf.Tensor1D;
  });
}

/**
 * CRD's NCE loss of each row: the anchor against its positive and the negatives it may use
 * (`mask`), with h = exp(s/tau)/Z and P(real) = h / (h + m/N), m the row's valid negatives, in
 * CRD's own arithmetic (ContrastLoss, with its 1e-7 in the denominators):
 *   loss_i = -log(h_i+ / (h_i+ + m_i/N + 1e-7)) - sum_j mask_ij log((m_i/N) / (h_ij + m_i/N + 1e-7))
 * `z` is one constant, or one per row (GACD's contrastive attack before the first batch fixes Z).
 * (A log-space form with softplus was tried: no faster on wasm, whose softplus costs twice exp.)
 */
export function nceLoss(
  anchor: tf.Tensor2D,
  positive: tf.Tensor2D,
  negatives: tf.Tensor2D,
  mask: tf.Tensor2D,
  z: number | tf.Tensor1D,
  temperature: number,
  trainSize: number,
): tf.Tensor1D {
  const s = scores(anchor, positive, negatives, temperature);
  const mPn = tf.mul(tf.sum(mask, 1), 1 / trainSize);
  const pPos = tf.div(s.pos, z);
  const logD1 = tf.log(tf.div(pPos, tf.add(tf.add(pPos, mPn), 1e-7)));
  const pNeg = tf.div(s.neg, typeof z === 'number' ? z : tf.expandDims(z, 1));
  const mPnCol = tf.expandDims(mPn, 1);
  const logD0 = tf.log(tf.div(mPnCol, tf.add(tf.add(pNeg, mPnCol), 1e-7)));
  return tf.neg(tf.add(logD1, tf.sum(tf.mul(logD0, mask), 1))) as tf.Tensor1D;
}

/**
 * In-batch InfoNCE of each row: its anchor should pick its own partner (the one-hot row of
 * `positives`) among all `candidates`; `sameClass` rows are pushed out of the softmax.
 */
export function infoNceLoss(anchors: tf.Tensor2D, candidates: tf.Tensor2D, sameClass: tf.Tensor2D, positives: tf.Tensor2D, temperature: number): tf.Tensor1D {
  const logits = tf.div(tf.matMul(anchors, candidates, false, true), temperature);
  const logp = tf.logSoftmax(tf.sub(logits, tf.mul(sameClass, 1e4)));
  return tf.neg(tf.sum(tf.mul(logp, positives), 1)) as tf.Tensor1D;
}

/**
 * For rows starting at `offset` of a batch with `labels`: which candidates share the row's class
 * (when `classNegatives`, itself excluded) and the one-hot of the row's own position.
 */
export function inBatchMasks(labels: Int32Array, offset: number, rows: number, classNegatives: boolean): { sameClass: tf.Tensor2D; positives: tf.Tensor2D } {
  const b = labels.length;
  const same = new Float32Array(rows * b);
  const pos = new Float32Array(rows * b);
  for (let i = 0; i < rows; i++) {
    const gi = offset + i;
    pos[i * b + gi] = 1;
    for (let j = 0; j < b; j++) same[i * b + j] = gi !== j && classNegatives && labels[gi] === labels[j] ? 1 : 0;
  }
  return { sameClass: tf.tensor2d(same, [rows, b]), positives: tf.tensor2d(pos, [rows, b]) };
}

/**
 * Runs `fn` (a training-mode forward pass outside the tape) and puts the model's buffers (batch
 * norm's running statistics) back as they were, so that measuring does not move them.
 */
export function keepingBuffers<T>(params: Params, fn: () => T): T {
  const saved = params
    .entries()
    .filter(([name]) => !params.isTrainable(name))
    .map(([, v]) => [v, tf.clone(v)] as const);
  try {
    return fn();
  } finally {
    for (const [v, copy] of saved) {
      v.assign(copy);
      copy.dispose();
    }
  }
}
