/**
 * Every message between the engine's main thread and its worker threads, in one place: the pool's
 * messages (start, a model's weights, an evaluation share, a training session's setup) and, inside a
 * training session, the synchronous requests on a share of a batch's rows. Tensors travel as flat
 * arrays with their shapes. A "share" is always a contiguous slice of a batch's rows.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EvaluationEntry } from '../attacks/catalog';
import type { AttackReport } from '../attacks/attack';
import type { ImageShape } from '../models/model';
import type { BatchInfo, MethodContext, Plan, SampleWeights, Teachers, Whole } from '../methods/method';
import type { LossShare } from '../step/trainStep';
import type { ServerEnd } from './syncChannel';

export interface ModelRef {
  arch: string;
  inputShape: ImageShape;
  numClasses: number;
  /** What it was built with beyond the architecture (a WideResNet's depth, an input normalisation). */
  options?: Record<string, unknown>;
  normalization?: { mean: number[]; std: number[] };
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
      /** The resolved evaluation entry (plain data): the attack and every one of its settings. */
      entry: EvaluationEntry;
      epsilon: number;
      batchSize: number;
      seed: number;
      /** Position of the first image in the whole split (for the per-batch seeds). */
      offset: number;
    };

export type FromWorker =
  | { type: 'ready'; backend: string }
  | { type: 'session-closed' }
  | { type: 'correctness'; id: number; correct: Uint8Array; report: AttackReport }
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

/**
 * Everything a worker needs to build its mirror of the training: the method's context with the
 * models named instead of given (plain data only).
 */
export interface TrainingSetup extends Omit<MethodContext, 'student' | 'teacher' | 'teachers'> {
  student: ModelRef;
  /** The teachers by role with their weights: they are frozen, so they travel once per session. */
  teachers: { [role in keyof Teachers]?: { model: ModelRef; weights: Float32Array } };
  method: string;
  /** The method's state on the main thread when the session opens (e.g. memory banks after a resume). */
  methodState: Record<string, Float32Array | number[]>;
}

/** A step's rows as every thread's copy of the method takes them after the update. */
export interface AfterStep {
  batch: BatchInfo;
  whole: Omit<Whole, 'gathered'>;
  kept: Record<string, Float32Array>;
}

/**
 * Prepare a share of a batch's rows (PGD, teachers, weights) with the student's and the method's
 * current `weights`; the worker keeps what it prepared for the loss request that follows. The
 * steps' `afterStep` data not yet applied on the worker come first.
 */
export interface PrepareRequest {
  kind: 'prepare';
  /** The student's variables, then the method's own, in `entries()` order. */
  weights: Float32Array;
  x: Flat;
  y: Flat;
  labels: Int32Array;
  indices: Int32Array;
  total: number;
  offset: number;
  noise: Flat | null;
  plan: Plan;
  afterSteps: AfterStep[];
}

export interface PrepareReply {
  sums: Record<string, number>;
  gathered: Record<string, Flat>;
  weights?: SampleWeights;
}

/** The loss and gradients of the rows the worker prepared, with the whole batch's sums and gathered tensors. */
export interface LossRequest {
  kind: 'loss';
  sums: Record<string, number>;
  gathered: Record<string, Flat>;
}

/** A share's part of a step: its loss, gradients and kept rows. */
export type LossReply = LossShare;

/** Steps whose rows the worker's method has not taken yet (when no prepare request carried them). */
export interface AfterStepRequest {
  kind: 'after-step';
  afterSteps: AfterStep[];
}

export type TrainingRequest = PrepareRequest | LossRequest | AfterStepRequest;

export type TrainingReply = PrepareReply | LossReply | null;
