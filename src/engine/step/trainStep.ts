/**
 * One optimisation step: the method prepares the batch (adversarial search, teacher outputs), the
 * loss and its gradients are computed, the optimiser applies them. With peers (worker threads),
 * the rows of the batch are split: each thread computes the loss and gradients of its rows, and
 * this thread adds them up in a fixed order (its own first, then each peer's), so the result does
 * not depend on timing and equals the one-thread step up to float rounding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Batch, LossOutput, Method, Prepared } from '../methods/method';
import { countCorrect } from '../methods/losses';
import { Model } from '../models/model';
import { Rng } from '../util/rng';
import { tidyPlain } from '../util/tidy';
import { Sgd } from './sgd';

/** A shard's part of the step, as a peer returns it. */
export interface PeerShare {
  /** Gradients of `trainableOf(model, method)`, flat, in that order. */
  grads: Float32Array;
  loss: number;
  terms: Record<string, number>;
  correct: number;
  keep: Record<string, tf.Tensor>;
}

/** Other threads that compute the loss and gradients of some rows of a batch. */
export interface GradientPeers {
  /** Threads taking part, this one included. */
  readonly threads: number;
  /**
   * Hands rows [bounds[i], bounds[i + 1]) to peer i (i >= 1) and returns a function that waits
   * for their shares (in peer order) and one that drops them after an error on this thread.
   */
  start(model: Model, method: Method, batch: Batch, prepared: Prepared, bounds: number[]): { collect: () => PeerShare[]; drain: () => void };
}

export interface StepResult {
  loss: number;
  terms: Record<string, number>;
  correct: number;
  weights?: { weights: Float32Array; confidence: Float32Array; teacherCorrect: Uint8Array };
}

/** The variables a step trains: the model's, then the method's own (e.g. projection heads). */
export function trainableOf(model: Model, method: Method): Array<[string, tf.Variable]> {
  return [...model.params.trainableNamed(), ...(method.extraParams?.trainableNamed() ?? [])];
}

/** Row bounds of `threads` contiguous shares of `n` rows, the first (this thread's) the largest. */
export function shareBounds(n: number, threads: number): number[] {
  const per = Math.ceil(n / threads);
  return Array.from({ length: threads + 1 }, (_, i) => Math.min(n, i * per));
}

/** Rows [from, to) of a batch and of what `prepare` made of it (shared tensors stay whole). */
export function rowsOf(batch: Batch, prepared: Prepared, from: number, to: number): { batch: Batch; prepared: Prepared } {
  const rows = <T extends tf.Tensor>(t: T): T => tf.slice(t, [from], [to - from]) as T;
  return {
    batch: {
      x: rows(batch.x),
      y: rows(batch.y),
      labels: batch.labels.subarray(from, to),
      indices: batch.indices.subarray(from, to),
      total: batch.total,
    },
    prepared: {
      ...prepared,
      input: rows(prepared.input),
      tensors: Object.fromEntries(Object.entries(prepared.tensors).map(([k, t]) => [k, rows(t)])),
    },
  };
}

/** A share's loss and gradients, with the numbers a step reports for it. */
export interface ShareLoss {
  grads: tf.NamedTensorMap;
  loss: number;
  terms: Record<string, number>;
  correct: number;
  /** The loss's `keep` tensors: kept past every tidy, so the caller disposes them. */
  keep: Record<string, tf.Tensor>;
}

/**
 * The loss of `batch`'s rows (the whole batch or a share) and its gradients for `vars`, on the
 * thread that calls it: the main thread for its own share, a worker for its share.
 */
export function lossAndGradients(method: Method, batch: Batch, prepared: Prepared, vars: Array<[string, tf.Variable]>): ShareLoss {
  let out: LossOutput | null = null;
  const { value, grads } = tf.variableGrads(() => {
    out = method.loss(batch, prepared);
    // Read after the tape, so kept past its tidy; released below (keep: by the caller).
    for (const t of [out.logits, ...Object.values(out.terms), ...Object.values(out.keep ?? {})]) tf.keep(t);
    return out.loss;
  }, vars.map(([, v]) => v));
  const o = out as unknown as LossOutput;
  const share: ShareLoss = {
    grads,
    loss: value.dataSync()[0],
    terms: Object.fromEntries(Object.entries(o.terms).map(([k, v]) => [k, v.dataSync()[0]])),
    correct: countCorrect(o.logits, batch.y),
    keep: o.keep ?? {},
  };
  tf.dispose([o.logits, ...Object.values(o.terms)]);
  return share;
}

/** One optimisation step; every tensor it makes is released before it returns. */
export function trainStep(
  model: Model,
  method: Method,
  sgd: Sgd,
  b: { images: Float32Array; labels: Int32Array; indices: Int32Array; size: number },
  lr: number,
  rng: Rng,
  peers?: GradientPeers | null,
): StepResult {
  return tidyPlain((): StepResult => {
    const batch: Batch = {
      x: tf.tensor4d(b.images, [b.size, ...model.inputShape]),
      y: tf.tensor1d(b.labels, 'int32'),
      labels: b.labels,
      indices: b.indices,
      total: b.size,
    };
    const prepared = method.prepare(batch, rng);
    const shared = peers && peers.threads > 1 && prepared.shardable !== false && b.size >= peers.threads;
    const bounds = shared ? shareBounds(b.size, peers.threads) : [0, b.size];
    const remote = shared ? peers.start(model, method, batch, prepared, bounds) : null;
    const own = shared ? rowsOf(batch, prepared, 0, bounds[1]) : { batch, prepared };
    const vars = trainableOf(model, method);

    let mine: ShareLoss;
    try {
      mine = lossAndGradients(method, own.batch, own.prepared, vars);
    } catch (err) {
      remote?.drain();
      throw err;
    }
    const { grads, terms } = mine;
    let { loss, correct } = mine;
    const kept: Record<string, tf.Tensor[]> = Object.fromEntries(Object.entries(mine.keep).map(([k, t]) => [k, [t]]));

    // The peers' shares, added in peer order.
    for (const share of remote?.collect() ?? []) {
      loss += share.loss;
      for (const [k, v] of Object.entries(share.terms)) terms[k] = (terms[k] ?? 0) + v;
      correct += share.correct;
      for (const [k, t] of Object.entries(share.keep)) kept[k]?.push(t);
      let at = 0;
      for (const [, v] of vars) {
        const g = tf.tensor(share.grads.subarray(at, at + v.size), v.shape);
        grads[v.name] = grads[v.name] ? tf.add(grads[v.name], g) : g;
        at += v.size;
      }
    }

    if (Number.isFinite(loss)) {
      sgd.apply(grads, lr);
      const whole = Object.fromEntries(Object.entries(kept).map(([k, ts]) => [k, ts.length === 1 ? ts[0] : tf.concat(ts)]));
      method.afterStep?.(batch, prepared, whole);
    }
    // Kept past the tape, so released by hand, as is what `prepare` handed over.
    tf.dispose(Object.values(mine.keep));
    tf.dispose([prepared.input, ...Object.values(prepared.tensors), ...Object.values(prepared.shared ?? {})]);
    return { loss, terms, correct, weights: prepared.weights };
  });
}
