/**
 * Every message between the engine's main thread and its worker threads, in one place: the pool's
 * messages (start, a model's weights, an evaluation share, a training session's setup) and, inside a
 * training session, the synchronous requests on a share of a batch's rows. Tensors travel as flat
 * arrays with their shapes. A "share" is always a contiguous slice of a batch's rows.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { AttackOptions } from '../attacks/attack';
import type { ImageShape } from '../models/model';
import type { ServerEnd } from './syncChannel';

export interface ModelRef {
  arch: string;
  inputShape: ImageShape;
  numClasses: number;
}

export type ToWorker =
  | { type: 'init'; backend: string }
  | { type: 'set-model'; model: ModelRef; weights: Float32Array }
  | { type: 'training-session'; setup: TrainingSetup; end: ServerEnd }
  | {
      type: 'correctness';
      id: number;
      images: Float32Array;
      labels: Int32Array;
      shape: ImageShape;
      label: string;
      epsilon: number;
      batchSize: number;
      seed: number;
      /** Position of the first image in the whole split (for the per-batch seeds). */
      offset: number;
    };

export type FromWorker =
  | { type: 'ready'; backend: string }
  | { type: 'session-closed' }
  | { type: 'correctness'; id: number; correct: Uint8Array }
  | { type: 'error'; id?: number; message: string };

export interface Flat {
  values: Float32Array | Int32Array;
  shape: number[];
  dtype: 'float32' | 'int32';
}

export function flatten(t: tf.Tensor): Flat {
  return { values: t.dataSync() as Float32Array | Int32Array, shape: t.shape.slice(), dtype: t.dtype === 'int32' ? 'int32' : 'float32' };
}

export function unflatten(f: Flat): tf.Tensor {
  return tf.tensor(f.values, f.shape, f.dtype);
}

export function flattenAll(ts: Record<string, tf.Tensor> | undefined): Record<string, Flat> {
  return Object.fromEntries(Object.entries(ts ?? {}).map(([k, t]) => [k, flatten(t)]));
}

export function unflattenAll(fs: Record<string, Flat>): Record<string, tf.Tensor> {
  return Object.fromEntries(Object.entries(fs).map(([k, f]) => [k, unflatten(f)]));
}

/** Everything a worker needs to build its mirror of the training: plain data only. */
export interface TrainingSetup {
  student: ModelRef;
  teacher: ModelRef | null;
  /** The teacher's weights: it is frozen, so they travel once per session. */
  teacherWeights: Float32Array | null;
  method: string;
  settings: Record<string, unknown>;
  attack: Omit<AttackOptions, 'loss' | 'targetProbs' | 'startNoise'>;
  trainSize: number;
  trainLabels: Int32Array;
  numClasses: number;
  seed: number;
}

/** PGD on rows of a batch, against the student with `weights`. */
export interface AttackRequest {
  kind: 'attack';
  weights: Float32Array;
  x: Flat;
  labels: Flat;
  noise: Flat | null;
  targetProbs: Flat | null;
  options: Pick<AttackOptions, 'epsilon' | 'stepSize' | 'steps' | 'loss' | 'randomStart'>;
}

/** The frozen teacher's logits and feature taps on rows of a batch. */
export interface InferRequest {
  kind: 'infer';
  x: Flat;
  taps: string[];
}

export interface InferReply {
  logits: Flat;
  features: Record<string, Flat>;
}

/** The loss and gradients of rows of a batch, with the student's and the method's `weights`. */
export interface GradientRequest {
  kind: 'gradients';
  /** The student's variables, then the method's own, in `entries()` order. */
  weights: Float32Array;
  x: Flat;
  y: Flat;
  labels: Int32Array;
  indices: Int32Array;
  total: number;
  input: Flat;
  tensors: Record<string, Flat>;
  shared: Record<string, Flat>;
  constants: Record<string, number>;
}

export type TrainingRequest = AttackRequest | InferRequest | GradientRequest;

/** A shard's part of a step. */
export interface ShardResult {
  /** Gradients of the trainable variables (student's, then the method's), flat, in order. */
  grads: Float32Array;
  loss: number;
  terms: Record<string, number>;
  correct: number;
  keep: Record<string, Flat>;
}

export type TrainingReply = Flat | InferReply | ShardResult;
