/**
 * The interface every training method implements: given a batch, the loss to minimise. The run's
 * training loop is the same for all of them; what differs is what happens before the gradient (the
 * adversarial search, the teacher's outputs) and the loss itself.
 */
import * as tf from '@tensorflow/tfjs-core';
import { AttackOptions, Perturber } from '../attacks/attack';
import { Model, ModelOutput } from '../models/model';
import { Params } from '../models/params';
import { Rng } from '../util/rng';

export interface Batch {
  x: tf.Tensor4D;
  /** Integer labels. */
  y: tf.Tensor1D;
  /** The labels on the JS side (for memory-bank negatives and statistics). */
  labels: Int32Array;
  /** Indices of the samples in the training split (GACD's memory bank is indexed by them). */
  indices: Int32Array;
  /**
   * Samples in the whole batch. When the step is shared among threads, `loss` sees a shard of the
   * rows, so every batch mean divides by this and the shards' losses (and gradients) add up to the
   * whole batch's.
   */
  total: number;
}

export interface MethodContext {
  student: Model;
  /** Present for distillation methods; frozen (never trained here). */
  teacher: Model | null;
  /** The method's own settings, validated by its catalog schema, defaults filled in. */
  settings: Record<string, unknown>;
  /** The training attack (epsilon, step size, steps, random start). */
  attack: Omit<AttackOptions, 'loss' | 'targetProbs'>;
  trainSize: number;
  /** Labels of the whole training split, for class-aware negatives. */
  trainLabels: Int32Array;
  numClasses: number;
  seed: number;
  /** The training attack's PGD (on this thread, or shared with a worker); default: this thread. */
  perturb?: Perturber;
  /** The frozen teacher's forward pass (on this thread, or shared with workers); default: this thread. */
  infer?: Inference;
}

/** A model's outputs in evaluation mode: its logits and the feature taps asked for. */
export type Inference = (model: Model, x: tf.Tensor4D, taps: readonly string[]) => ModelOutput;

/** Inference on this thread. */
export const localInference: Inference = (model, x, taps) =>
  tf.tidy(() => {
    const out = model.apply(x, { training: false });
    return { logits: out.logits, features: Object.fromEntries(taps.map((t) => [t, out.features[t]])) } as unknown as tf.TensorContainer;
  }) as unknown as ModelOutput;

/** Per-sample weights of a batch, for the reweighting charts. */
export interface SampleWeights {
  weights: Float32Array;
  /** The teacher's probability of the true class where the weight was computed. */
  confidence: Float32Array;
  teacherCorrect: Uint8Array;
}

/**
 * What `prepare` hands the loss. Everything the loss reads is here (never the teacher itself), so a
 * worker thread can compute the loss of a shard of the rows from these alone.
 */
export interface Prepared {
  /** The input the student trains on (clean or adversarial). Owned by the caller once returned. */
  input: tf.Tensor4D;
  /** Further tensors, one row per sample (a shard gets its rows); the caller disposes them. */
  tensors: Record<string, tf.Tensor>;
  /** Tensors every shard gets whole (e.g. memory-bank negatives); the caller disposes them. */
  shared?: Record<string, tf.Tensor>;
  /** Numbers of the whole batch the loss needs (normalisers, constants fixed by earlier steps). */
  constants?: Record<string, number>;
  /** False when this step's loss couples the rows (it then runs whole, on this thread). */
  shardable?: boolean;
  weights?: SampleWeights;
}

export interface LossOutput {
  /** Sum over the rows of their part of the loss: the shards' losses add up to the batch's. */
  loss: tf.Scalar;
  /** Named loss terms for the logs (already weighted as they enter the loss), shard parts as `loss`. */
  terms: Record<string, tf.Scalar>;
  /** The student's logits on `prepared.input`, for the training accuracy. */
  logits: tf.Tensor2D;
  /** Per-row tensors `afterStep` needs (e.g. embeddings for a memory bank), gathered over shards. */
  keep?: Record<string, tf.Tensor>;
}

export interface Method {
  readonly name: string;
  /** Trainable variables of the method's own (e.g. GACD's projection heads), or null. */
  readonly extraParams: Params | null;
  /** Outside the gradient tape: adversarial examples, teacher outputs, sample weights. */
  prepare(batch: Batch, rng: Rng): Prepared;
  /** Inside the gradient tape, on the whole batch or on a shard of its rows (see `Batch.total`). */
  loss(batch: Batch, prepared: Prepared): LossOutput;
  /** After the update, with the loss's `keep` tensors of every row (e.g. the memory bank's update). */
  afterStep?(batch: Batch, prepared: Prepared, kept: Record<string, tf.Tensor>): void;
  /** The paired embeddings (student, teacher) the method aligns, when it has projection heads. */
  embeddings?(student: ModelOutput, teacher: ModelOutput): [tf.Tensor2D, tf.Tensor2D];
  /** State beyond the parameters that a checkpoint must keep (e.g. a memory bank). */
  state?(): Record<string, Float32Array | number[]>;
  loadState?(state: Record<string, Float32Array | number[]>): void;
  dispose?(): void;
}

export type MethodFactory = (ctx: MethodContext) => Method;

/** The model in evaluation mode as a logits function, the convention for every attack we run. */
export function evalLogits(model: Model): (x: tf.Tensor4D) => tf.Tensor2D {
  return (x) => model.apply(x, { training: false }).logits;
}
