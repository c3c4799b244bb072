/**
 * Sharing a training batch's PGD with a worker thread, synchronously. The training step runs inside
 * tf.tidy and cannot await a message, so the two threads meet in a SharedArrayBuffer: the main
 * thread writes the request (weights, its share of the batch, the start noise), wakes the worker
 * with Atomics.notify, attacks its own share meanwhile, then Atomics.wait()s for the worker's
 * adversarial images. The noise is drawn once for the whole batch, so the result is the same as
 * attacking the batch on one thread.
 */
import * as tf from '@tensorflow/tfjs-core';
import { AttackOptions, Perturber, randomStartNoise } from '../attacks/attack';
import { localPgd } from '../attacks/pgd';
import type { Model } from '../models/model';
import { packWeights, unpackWeights } from './weights';
import { Rng } from '../util/rng';

/** Control words at the start of the buffer. */
export const enum Slot {
  State = 0,
  Count = 1,
  Steps = 2,
  Loss = 3,
  RandomStart = 4,
  HasTarget = 5,
  WeightsLength = 6,
}
export const enum State {
  Idle = 0,
  Request = 1,
  Done = 2,
  Failed = 3,
  Closed = 4,
}
const CONTROL_INTS = 8;
/** Float parameters after the control words: epsilon, step size. */
const PARAM_FLOATS = 2;
const LOSSES = ['ce', 'kl', 'cw'] as const;
const MESSAGE_BYTES = 1024;

export interface SessionLayout {
  weights: number;
  imageSize: number;
  maxBatch: number;
  numClasses: number;
}

/** Float offsets of each region of the payload. */
export function regions(l: SessionLayout) {
  const base = CONTROL_INTS + PARAM_FLOATS;
  const weights = base;
  const images = weights + l.weights;
  const noise = images + l.maxBatch * l.imageSize;
  const labels = noise + l.maxBatch * l.imageSize;
  const target = labels + l.maxBatch;
  const end = target + l.maxBatch * l.numClasses;
  return { weights, images, noise, labels, target, message: end, bytes: end * 4 + MESSAGE_BYTES };
}

export interface SharedRequest {
  epsilon: number;
  stepSize: number;
  steps: number;
  loss: (typeof LOSSES)[number];
  randomStart: boolean;
  count: number;
}

export function readRequest(ints: Int32Array, floats: Float32Array): SharedRequest {
  return {
    epsilon: floats[CONTROL_INTS],
    stepSize: floats[CONTROL_INTS + 1],
    steps: ints[Slot.Steps],
    loss: LOSSES[ints[Slot.Loss]],
    randomStart: ints[Slot.RandomStart] === 1,
    count: ints[Slot.Count],
  };
}

export function writeFailure(buffer: SharedArrayBuffer, l: SessionLayout, message: string): void {
  const r = regions(l);
  const bytes = new TextEncoder().encode(message.slice(0, MESSAGE_BYTES / 4));
  new Uint8Array(buffer, r.message * 4, MESSAGE_BYTES).set(bytes.subarray(0, MESSAGE_BYTES - 1));
  new Int32Array(buffer)[Slot.Count] = bytes.length;
}

/** The main thread's side: a Perturber that attacks the second half of each batch on the worker. */
export function sharedPerturber(buffer: SharedArrayBuffer, layout: SessionLayout): Perturber {
  const ints = new Int32Array(buffer);
  const floats = new Float32Array(buffer);
  const r = regions(layout);
  return (model: Model, x, labels, options: AttackOptions, rng) => {
    const n = x.shape[0];
    const mine = Math.ceil(n / 2);
    const theirs = n - mine;
    if (theirs === 0 || options.epsilon === 0) return localPgd(model, x, labels, options, rng);
    return tf.tidy(() => {
      const noise = options.randomStart ? options.startNoise ?? randomStartNoise(x.shape, options.epsilon, rng) : null;
      // The request: the current weights and the worker's rows.
      floats.set(packWeights(model), r.weights);
      ints[Slot.WeightsLength] = layout.weights;
      floats.set(tf.slice(x, [mine], [theirs]).dataSync(), r.images);
      if (noise) floats.set(tf.slice(noise, [mine], [theirs]).dataSync(), r.noise);
      floats.set(Float32Array.from(tf.slice(labels, [mine], [theirs]).dataSync()), r.labels);
      ints[Slot.HasTarget] = options.targetProbs ? 1 : 0;
      if (options.targetProbs) floats.set(tf.slice(options.targetProbs, [mine], [theirs]).dataSync(), r.target);
      floats[CONTROL_INTS] = options.epsilon;
      floats[CONTROL_INTS + 1] = options.stepSize;
      ints[Slot.Steps] = options.steps;
      ints[Slot.Loss] = LOSSES.indexOf(options.loss);
      ints[Slot.RandomStart] = noise ? 1 : 0;
      ints[Slot.Count] = theirs;
      Atomics.store(ints, Slot.State, State.Request);
      Atomics.notify(ints, Slot.State);

      const head = (t: tf.Tensor) => tf.slice(t, [0], [mine]);
      const own = localPgd(model, head(x) as tf.Tensor4D, head(labels) as tf.Tensor1D, {
        ...options,
        startNoise: noise ? (head(noise) as tf.Tensor4D) : undefined,
        targetProbs: options.targetProbs ? (head(options.targetProbs) as tf.Tensor2D) : undefined,
      }, rng);

      while (Atomics.load(ints, Slot.State) === State.Request) Atomics.wait(ints, Slot.State, State.Request);
      const state = Atomics.load(ints, Slot.State);
      if (state !== State.Done) {
        const len = ints[Slot.Count];
        const message = new TextDecoder().decode(new Uint8Array(buffer, r.message * 4, len).slice());
        Atomics.store(ints, Slot.State, State.Idle);
        Atomics.notify(ints, Slot.State);
        throw new Error(`the attack's worker thread failed: ${message}`);
      }
      const rest = tf.tensor4d(floats.slice(r.images, r.images + theirs * layout.imageSize), [theirs, ...(x.shape.slice(1) as [number, number, number])]);
      Atomics.store(ints, Slot.State, State.Idle);
      Atomics.notify(ints, Slot.State);
      return tf.concat([own, rest]) as tf.Tensor4D;
    });
  };
}

export function closeSession(buffer: SharedArrayBuffer): void {
  const ints = new Int32Array(buffer);
  Atomics.store(ints, Slot.State, State.Closed);
  Atomics.notify(ints, Slot.State);
}

/**
 * The worker's side: serve attack requests on `buffer` until the main thread closes the session.
 * Blocks this worker thread, which has nothing else to do while the main thread trains.
 */
export function serveAttacks(buffer: SharedArrayBuffer, layout: SessionLayout, model: Model): void {
  const ints = new Int32Array(buffer);
  const floats = new Float32Array(buffer);
  const r = regions(layout);
  const [h, w, c] = model.inputShape;
  const unused = new Rng(0); // the start noise comes with the request
  for (;;) {
    const state = Atomics.load(ints, Slot.State);
    if (state === State.Closed) return;
    if (state !== State.Request) {
      Atomics.wait(ints, Slot.State, state);
      continue;
    }
    try {
      const q = readRequest(ints, floats);
      unpackWeights(model, floats.subarray(r.weights, r.weights + ints[Slot.WeightsLength]));
      tf.tidy(() => {
        const n = q.count;
        const x = tf.tensor4d(floats.slice(r.images, r.images + n * layout.imageSize), [n, h, w, c]);
        const y = tf.tensor1d(Int32Array.from(floats.subarray(r.labels, r.labels + n)), 'int32');
        const options: AttackOptions = {
          epsilon: q.epsilon,
          stepSize: q.stepSize,
          steps: q.steps,
          loss: q.loss,
          randomStart: q.randomStart,
          startNoise: q.randomStart ? tf.tensor4d(floats.slice(r.noise, r.noise + n * layout.imageSize), [n, h, w, c]) : undefined,
          targetProbs:
            ints[Slot.HasTarget] === 1 ? tf.tensor2d(floats.slice(r.target, r.target + n * layout.numClasses), [n, layout.numClasses]) : undefined,
        };
        floats.set(localPgd(model, x, y, options, unused).dataSync(), r.images);
      });
      Atomics.store(ints, Slot.State, State.Done);
    } catch (err) {
      writeFailure(buffer, layout, (err as Error).message);
      Atomics.store(ints, Slot.State, State.Failed);
    }
    Atomics.notify(ints, Slot.State);
  }
}
