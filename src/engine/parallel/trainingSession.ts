/**
 * The main thread's side of training with worker threads: each worker mirrors the student, the
 * teacher and the method, and serves three synchronous requests on its channel, each on its rows
 * of a batch: PGD (the start noise drawn once, for the whole batch, here), the teacher's forward
 * pass, and the loss and gradients of a step. Rows are split in contiguous shares, this thread's
 * first.
 */
import * as tf from '@tensorflow/tfjs-core';
import { AttackOptions, Perturber, randomStartNoise } from '../attacks/attack';
import { localPgd } from '../attacks/pgd';
import { Batch, Inference, Method, Prepared, localInference } from '../methods/method';
import type { Model, ModelOutput } from '../models/model';
import { GradientPeers, PeerShare, rowsOf, shareBounds } from '../step/trainStep';
import { SyncCaller } from './syncChannel';
import { Flat, InferReply, ShardResult, TrainingReply, TrainingRequest, flatten, flattenAll, unflatten } from './messages';
import { packParams, packWeights } from './weights';
import { tidyPlain } from '../util/tidy';

/** Share i (rows bounds[i] to bounds[i + 1]) of a batch tensor. */
function shareOf<T extends tf.Tensor>(t: T, bounds: number[], i: number): T {
  return tf.slice(t, [bounds[i]], [bounds[i + 1] - bounds[i]]) as T;
}

export type TrainingCaller = SyncCaller<TrainingRequest, TrainingReply>;

export class TrainingSession implements GradientPeers {
  constructor(
    private readonly callers: TrainingCaller[],
    /** The frozen teacher whose weights the workers hold, or null. */
    private readonly teacher: Model | null,
  ) {}

  get threads(): number {
    return this.callers.length + 1;
  }

  /** PGD with the batch's rows shared among the threads; the same images as on one thread. */
  readonly perturb: Perturber = (model: Model, x, labels, options: AttackOptions, rng) => {
    const n = x.shape[0];
    if (n < this.threads || options.epsilon === 0) return localPgd(model, x, labels, options, rng);
    return tf.tidy(() => {
      const noise = options.randomStart ? options.startNoise ?? randomStartNoise(x.shape, options.epsilon, rng) : null;
      const bounds = shareBounds(n, this.threads);
      const rows = <T extends tf.Tensor>(t: T, i: number): T => shareOf(t, bounds, i);
      const weights = packWeights(model);
      const { own, theirs } = this.alongside(
        (i) => ({
          kind: 'attack',
          weights,
          x: flatten(rows(x, i)),
          labels: flatten(rows(labels, i)),
          noise: noise ? flatten(rows(noise, i)) : null,
          targetProbs: options.targetProbs ? flatten(rows(options.targetProbs, i)) : null,
          options: { epsilon: options.epsilon, stepSize: options.stepSize, steps: options.steps, loss: options.loss, randomStart: noise !== null },
        }),
        () =>
          localPgd(model, rows(x, 0), rows(labels, 0), {
            ...options,
            startNoise: noise ? rows(noise, 0) : undefined,
            targetProbs: options.targetProbs ? rows(options.targetProbs, 0) : undefined,
          }, rng),
        (reply) => unflatten(reply as Flat),
      );
      return tf.concat([own, ...theirs]) as tf.Tensor4D;
    });
  };

  /** The teacher's forward pass with the batch's rows shared among the threads. */
  readonly infer: Inference = (model, x, taps) => {
    const n = x.shape[0];
    if (model !== this.teacher || n < this.threads) return localInference(model, x, taps);
    return tf.tidy(() => {
      const bounds = shareBounds(n, this.threads);
      const { own, theirs } = this.alongside(
        (i) => ({ kind: 'infer', x: flatten(shareOf(x, bounds, i)), taps: [...taps] }),
        () => localInference(model, shareOf(x, bounds, 0), taps),
        (reply) => reply as InferReply,
      );
      const whole = (mine: tf.Tensor, parts: Flat[]) => tf.concat([mine, ...parts.map(unflatten)]);
      return {
        logits: whole(own.logits, theirs.map((r) => r.logits)),
        features: Object.fromEntries(taps.map((t) => [t, whole(own.features[t], theirs.map((r) => r.features[t]))])),
      } as unknown as tf.TensorContainer;
    }) as unknown as ModelOutput;
  };

  start(model: Model, method: Method, batch: Batch, prepared: Prepared, bounds: number[]): { collect: () => PeerShare[]; drain: () => void } {
    const weights = packParams([model.params, method.extraParams]);
    const shared = flattenAll(prepared.shared);
    this.callers.forEach((caller, k) => {
      const part = tidyPlain(() => {
        const r = rowsOf(batch, prepared, bounds[k + 1], bounds[k + 2]);
        return {
          x: flatten(r.batch.x),
          y: flatten(r.batch.y),
          input: flatten(r.prepared.input),
          tensors: flattenAll(r.prepared.tensors),
          labels: r.batch.labels.slice(),
          indices: r.batch.indices.slice(),
        };
      });
      caller.post({ kind: 'gradients', weights, ...part, total: batch.total, shared, constants: prepared.constants ?? {} });
    });
    return {
      collect: () =>
        this.collectAll((reply) => {
          const r = reply as ShardResult;
          return { ...r, keep: Object.fromEntries(Object.entries(r.keep).map(([k, f]) => [k, unflatten(f)])) };
        }),
      drain: () => {
        for (const c of this.callers) c.drain();
      },
    };
  }

  /**
   * Posts worker i (from 1) its `request(i)`, computes this thread's share with `own` meanwhile,
   * then collects the workers' replies in order (after an error here, drops them and rethrows).
   */
  private alongside<T, R>(request: (i: number) => TrainingRequest, own: () => T, read: (reply: TrainingReply) => R): { own: T; theirs: R[] } {
    this.callers.forEach((caller, k) => caller.post(request(k + 1)));
    let mine: T;
    try {
      mine = own();
    } catch (err) {
      for (const c of this.callers) c.drain();
      throw err;
    }
    return { own: mine, theirs: this.collectAll(read) };
  }

  /** Every caller's reply, in order; if one fails, the others are still collected, then it throws. */
  private collectAll<T>(read: (reply: TrainingReply) => T): T[] {
    const out: T[] = [];
    let failure: Error | null = null;
    for (const c of this.callers) {
      try {
        out.push(read(c.collect()));
      } catch (err) {
        failure ??= err as Error;
      }
    }
    if (failure) throw failure;
    return out;
  }

  close(): void {
    for (const c of this.callers) c.close();
  }
}
