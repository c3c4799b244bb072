/**
 * One optimisation step, in the method's stages (methods/method.ts): the trainer draws the
 * attack's random start for the whole batch and the method's plan, every thread prepares its
 * share of the rows, the shares' sums and gathered tensors make the whole batch's, every thread
 * computes the loss and gradients of its rows, and the main thread adds the gradients in share
 * order (its own first), applies them and lets every thread's copy of the method take the step's
 * rows. The result does not depend on timing and equals the one-thread step up to float rounding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { normalStartNoise, randomStartNoise } from '../attacks/attack';
import { findMethod } from '../methods/catalog';
import { countCorrect } from '../methods/losses';
import type { Batch, BatchInfo, LossOutput, Method, Plan, Prepared, SampleWeights, Whole } from '../methods/method';
import { normalisedWeights } from '../methods/reweight';
import type { Model } from '../models/model';
import { Rng } from '../util/rng';
import { tidyPlain } from '../util/tidy';
import { Sgd } from './sgd';
import { addSums, concatArrays, concatWeights, rowsOf, shareBounds } from './shares';

/** What a worker's share of the prepare stage sends back. */
export interface PreparedShare {
  sums: Record<string, number>;
  gathered: Record<string, tf.Tensor>;
  weights?: SampleWeights;
}

/** What a worker's share of the loss stage sends back. */
export interface LossShare {
  /** Gradients of `trainableOf(model, method)`, flat, in that order. */
  grads: Float32Array;
  loss: number;
  terms: Record<string, number>;
  correct: number;
  keep: Record<string, Float32Array>;
}

/**
 * The worker threads that compute shares of a step (parallel/trainingSession.ts). Each call posts
 * to every worker and returns a function that waits for their replies, in worker order.
 */
export interface ShareWorkers {
  /** Threads taking part, the main thread included. */
  readonly threads: number;
  /** Worker k (from 1) prepares rows [bounds[k], bounds[k + 1]) with the current weights. */
  prepare(batch: Batch, bounds: number[], plan: Plan): () => PreparedShare[];
  /** Every worker computes the loss and gradients of the rows it prepared. */
  loss(whole: Whole): () => LossShare[];
  /** Every worker's copy of the method takes the step's rows (sent with the next request). */
  afterStep(batch: BatchInfo, whole: Omit<Whole, 'gathered'>, kept: Record<string, Float32Array>): void;
  /** Drops the replies still due after an error on the main thread. */
  drain(): void;
}

export interface StepResult {
  loss: number;
  terms: Record<string, number>;
  correct: number;
  /** The batch's sample weights normalised to mean 1, when the method weights its samples. */
  weights?: SampleWeights;
}

/** The random start of a method's training attack: uniform in the epsilon ball, or x + std·N(0, I). */
export type StartNoise = { kind: 'uniform'; epsilon: number } | { kind: 'normal'; std: number };

/** The standard deviation of the Gaussian start of TRADES's, RSLAD's and AdaAD's code. */
export const NORMAL_START_STD = 0.001;

export interface StepOptions {
  /** The start noise when the method trains on adversarial inputs with a random start. */
  startNoise?: StartNoise | null;
  workers?: ShareWorkers | null;
  /** The epoch (from 0) and the number of epochs, for methods whose loss follows the schedule. */
  epoch?: number;
  epochs?: number;
}

/** The start noise a method's steps need: adversarial methods with a random start. */
export function startNoiseFor(method: string, attack: { epsilon: number; randomStart: boolean }): StartNoise | null {
  const info = findMethod(method);
  if (!info?.adversarial || !attack.randomStart) return null;
  return info.attackStart === 'normal' ? { kind: 'normal', std: NORMAL_START_STD } : { kind: 'uniform', epsilon: attack.epsilon };
}

/** The start noise of a batch of `shape`, drawn from `rng`. */
export function drawStartNoise(noise: StartNoise, shape: [number, number, number, number], rng: Rng): tf.Tensor4D {
  return noise.kind === 'normal' ? normalStartNoise(shape, noise.std, rng) : randomStartNoise(shape, noise.epsilon, rng);
}

/** The variables a step trains: the model's, then the method's own (e.g. projection heads). */
export function trainableOf(model: Model, method: Method): Array<[string, tf.Variable]> {
  return [...model.params.trainableNamed(), ...(method.extraParams?.trainableNamed() ?? [])];
}

/** A share's loss and gradients, with the numbers a step reports for it. */
export interface ShareLoss {
  grads: tf.NamedTensorMap;
  loss: number;
  terms: Record<string, number>;
  correct: number;
  keep: Record<string, Float32Array>;
}

/**
 * The loss of some rows (the whole batch or a share) and its gradients for `vars`, on the thread
 * that calls it: the main thread for its own share, a worker for its share.
 */
export function lossAndGradients(method: Method, rows: Batch, prepared: Prepared, whole: Whole, vars: Array<[string, tf.Variable]>): ShareLoss {
  let out: LossOutput | null = null;
  const { value, grads } = tf.variableGrads(() => {
    out = method.loss(rows, prepared, whole);
    // Read after the tape, so kept past its tidy; released below.
    for (const t of [out.logits, ...Object.values(out.terms), ...Object.values(out.keep ?? {})]) tf.keep(t);
    return out.loss;
  }, vars.map(([, v]) => v));
  const o = out as unknown as LossOutput;
  const share: ShareLoss = {
    grads,
    loss: value.dataSync()[0],
    terms: Object.fromEntries(Object.entries(o.terms).map(([k, v]) => [k, v.dataSync()[0]])),
    correct: countCorrect(o.logits, rows.y),
    keep: Object.fromEntries(Object.entries(o.keep ?? {}).map(([k, t]) => [k, t.dataSync() as Float32Array])),
  };
  tf.dispose([value, o.logits, ...Object.values(o.terms), ...Object.values(o.keep ?? {})]);
  return share;
}

/** Releases what `prepare` handed over. */
export function disposePrepared(p: Prepared): void {
  tf.dispose([p.input, ...Object.values(p.tensors), ...Object.values(p.gathered ?? {})]);
}

/** The samples of a training batch, as plain data. */
export interface BatchData {
  images: Float32Array;
  labels: Int32Array;
  indices: Int32Array;
  size: number;
}

/**
 * The whole batch as the trainer hands it to a method: its tensors, and the attack's random start
 * drawn from `rng` when `start` says the method needs one.
 */
export function batchOf(b: BatchData, inputShape: readonly [number, number, number], start: StartNoise | null, rng: Rng): Batch {
  const shape: [number, number, number, number] = [b.size, ...inputShape];
  return {
    x: tf.tensor4d(b.images, shape),
    y: tf.tensor1d(b.labels, 'int32'),
    labels: b.labels,
    indices: b.indices,
    total: b.size,
    offset: 0,
    noise: start !== null ? drawStartNoise(start, shape, rng) : null,
  };
}

/** One optimisation step; every tensor it makes is released before it returns. */
export function trainStep(
  model: Model,
  method: Method,
  sgd: Sgd,
  b: BatchData,
  lr: number,
  rng: Rng,
  options: StepOptions = {},
): StepResult {
  return tidyPlain((): StepResult => {
    const start = options.startNoise ?? null;
    const batch = batchOf(b, model.inputShape, start, rng);
    const info: BatchInfo = { labels: b.labels, indices: b.indices, total: b.size };
    // Where the step stands in the schedule travels with the plan, to every share and stage.
    const plan: Plan = { ...(method.plan?.(info, rng) ?? {}), epoch: options.epoch ?? 0, epochs: options.epochs ?? 1 };
    const workers = options.workers;
    const shared = !!workers && workers.threads > 1 && b.size >= workers.threads && method.shareable?.(plan) !== false;
    const bounds = shared ? shareBounds(b.size, workers.threads) : [0, b.size];
    const own = shared ? rowsOf(batch, 0, bounds[1]) : batch;
    const vars = trainableOf(model, method);

    // Prepare: each thread its rows; the sums and gathered tensors made whole, in share order.
    const theirPrepared = shared ? workers.prepare(batch, bounds, plan) : () => [];
    let prepared: Prepared;
    try {
      prepared = method.prepare(own, plan);
    } catch (err) {
      workers?.drain();
      throw err;
    }
    const others = theirPrepared();
    const gatheredKeys = Object.keys(prepared.gathered ?? {});
    const whole: Whole = {
      total: b.size,
      plan,
      sums: addSums([prepared.sums, ...others.map((o) => o.sums)]),
      gathered: Object.fromEntries(gatheredKeys.map((k) => [k, tf.concat([prepared.gathered![k], ...others.map((o) => o.gathered[k])])])),
    };
    const weights = prepared.weights ? concatWeights([prepared.weights, ...others.flatMap((o) => (o.weights ? [o.weights] : []))]) : undefined;

    // Loss and gradients: each thread its rows; the gradients added in share order.
    const theirLoss = shared ? workers.loss(whole) : () => [];
    let mine: ShareLoss;
    try {
      mine = lossAndGradients(method, own, prepared, whole, vars);
    } catch (err) {
      workers?.drain();
      throw err;
    }
    const { grads, terms } = mine;
    let { loss, correct } = mine;
    const kept: Record<string, Float32Array[]> = Object.fromEntries(Object.entries(mine.keep).map(([k, t]) => [k, [t]]));
    for (const share of theirLoss()) {
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

    // A non-finite loss leaves the weights and the method's state as they were.
    if (Number.isFinite(loss)) {
      sgd.apply(grads, lr);
      const rows = Object.fromEntries(Object.entries(kept).map(([k, parts]) => [k, parts.length === 1 ? parts[0] : concatArrays(parts, (n) => new Float32Array(n))]));
      const after = { total: whole.total, plan, sums: whole.sums };
      method.afterStep?.(info, after, rows);
      workers?.afterStep(info, after, rows);
    }
    disposePrepared(prepared);
    return { loss, terms, correct, weights: weights && { ...weights, weights: normalisedWeights(weights.weights) } };
  });
}

