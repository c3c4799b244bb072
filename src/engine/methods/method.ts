/**
 * The shape every training method implements. A method is a description (its `*.info.ts` file,
 * tfjs-free, read by the schema and the language server) and an implementation (a factory of this
 * interface), registered side by side in catalog.ts and registry.ts.
 *
 * A training step is cut into stages so that the trainer can share every stage among threads
 * without knowing what the method does:
 *   plan      whole batch, main thread, plain data: every random choice beyond the start noise
 *             (e.g. the negatives' indices), so that the shares agree;
 *   prepare   row-wise, outside the gradient tape, on any share of rows: the adversarial input,
 *             the teachers' outputs, per-row weights, and partial sums of whole-batch normalisers;
 *   loss      row-wise, inside the tape, with the whole batch's sums and gathered tensors;
 *   afterStep on every thread, with every row's kept tensors (e.g. a memory bank's update), so
 *             that each thread's copy of the method's state stays the same.
 * Each worker thread builds its own copy of the method from the same factory, so only plain data
 * and per-row tensors cross threads.
 */
import * as tf from '@tensorflow/tfjs-core';
import { AttackOptions } from '../attacks/attack';
import { Model, ModelOutput } from '../models/model';
import { Params } from '../models/params';
import { Rng } from '../util/rng';
import type { TeacherRole } from '../catalog/types';

/** Rows of a training batch: the whole batch, or one thread's share of it. */
export interface Batch {
  x: tf.Tensor4D;
  /** Integer labels. */
  y: tf.Tensor1D;
  /** The labels on the JS side (for negatives and statistics). */
  labels: Int32Array;
  /** Indices of the samples in the training split (memory banks are indexed by them). */
  indices: Int32Array;
  /**
   * Samples in the whole batch, more than these rows when the step is shared. Every batch mean
   * divides by it (through `batchMean`), so the shares' losses and gradients add up to the batch's.
   */
  total: number;
  /** Position of the first of these rows in the whole batch. */
  offset: number;
  /** The random start of the training attack for these rows, drawn once per batch; null when none. */
  noise: tf.Tensor4D | null;
}

/** The whole batch as plain data, for `plan` and `afterStep`. */
export interface BatchInfo {
  labels: Int32Array;
  indices: Int32Array;
  total: number;
}

/**
 * Plain data every share of a step agrees on (made by `plan` on the main thread). The trainer adds
 * `epoch` (from 0) and `epochs`, for methods whose loss follows the schedule (IAD's warm-up,
 * IGDM's ramp).
 */
export type Plan = Record<string, number | Int32Array | Float32Array>;

/** The epoch of a step (from 0) and the number of epochs, as the trainer put them in its plan. */
export function scheduleOf(plan: Plan): { epoch: number; epochs: number } {
  return { epoch: (plan.epoch as number) ?? 0, epochs: (plan.epochs as number) ?? 1 };
}

/** A run's teachers by role (catalog/types.ts `TeacherRole`); all frozen (never trained here). */
export type Teachers = Partial<Record<TeacherRole, Model>>;

export interface MethodContext {
  student: Model;
  /** The robust teacher (`teachers.adversarial`), present for distillation methods; frozen. */
  teacher: Model | null;
  /** Every teacher of the run by role, the robust one included; a method reads the roles it declares. */
  teachers: Teachers;
  /** The method's own settings, validated by its description's schema, defaults filled in. */
  settings: Record<string, unknown>;
  /**
   * The training attack (epsilon, step size, steps, random start), and how its random start is
   * drawn (the method description's `attackStart`; default uniform).
   */
  attack: Omit<AttackOptions, 'loss' | 'targetProbs' | 'startNoise'> & { start?: 'uniform' | 'normal' };
  trainSize: number;
  /** Labels of the whole training split, for class-aware negatives. */
  trainLabels: Int32Array;
  numClasses: number;
  seed: number;
}

/** A model's outputs in evaluation mode: its logits and the feature taps asked for. */
export function inference(model: Model, x: tf.Tensor4D, taps: readonly string[]): ModelOutput {
  return tf.tidy(() => {
    const out = model.apply(x, { training: false });
    return { logits: out.logits, features: Object.fromEntries(taps.map((t) => [t, out.features[t]])) } as unknown as tf.TensorContainer;
  }) as unknown as ModelOutput;
}

/** Per-sample weights of some rows, for the reweighting charts (raw: the trainer normalises them). */
export interface SampleWeights {
  weights: Float32Array;
  /** The teacher's probability of the true class where the weight was computed. */
  confidence: Float32Array;
  teacherCorrect: Uint8Array;
}

/** What `prepare` makes of some rows. Everything the loss reads is here, never a teacher. */
export interface Prepared {
  /** The input the student trains on (clean or adversarial), one row per sample. */
  input: tf.Tensor4D;
  /** Further tensors, one row per sample; they stay on the thread that made them. */
  tensors: Record<string, tf.Tensor>;
  /** Per-row tensors that every share's loss needs whole (e.g. in-batch negatives), gathered in row order. */
  gathered?: Record<string, tf.Tensor>;
  /** Partial sums over these rows of whole-batch normalisers (e.g. the sum of the sample weights). */
  sums?: Record<string, number>;
  weights?: SampleWeights;
}

/** The whole batch as the loss sees it on any share. */
export interface Whole {
  total: number;
  plan: Plan;
  /** `Prepared.sums` added over every share. */
  sums: Record<string, number>;
  /** `Prepared.gathered` of every share, concatenated in row order. */
  gathered: Record<string, tf.Tensor>;
}

export interface LossOutput {
  /** Sum over the rows of their part of the loss: the shares' losses add up to the batch's. */
  loss: tf.Scalar;
  /** Named loss terms for the logs (already weighted as they enter the loss), share parts as `loss`. */
  terms: Record<string, tf.Scalar>;
  /** The student's logits on `prepared.input`, for the training accuracy. */
  logits: tf.Tensor2D;
  /** Per-row tensors `afterStep` needs (e.g. embeddings for a memory bank). */
  keep?: Record<string, tf.Tensor>;
}

export interface Method {
  readonly name: string;
  /** Trainable variables of the method's own (e.g. GACD's projection heads), or null. */
  readonly extraParams: Params | null;
  /** Whole batch, main thread: random choices every share must agree on (drawn after the start noise). */
  plan?(batch: BatchInfo, rng: Rng): Plan;
  /** False when this step's loss couples the rows (the step then runs whole, on the main thread). */
  shareable?(plan: Plan): boolean;
  /** Row-wise, outside the gradient tape: adversarial examples, teacher outputs, sample weights. */
  prepare(rows: Batch, plan: Plan): Prepared;
  /** Row-wise, inside the gradient tape. */
  loss(rows: Batch, prepared: Prepared, whole: Whole): LossOutput;
  /** After the update, on every thread, with the `keep` tensors of every row as plain arrays. */
  afterStep?(batch: BatchInfo, whole: Omit<Whole, 'gathered'>, kept: Record<string, Float32Array>): void;
  /** The paired embeddings (student, teacher) the method aligns, when it has projection heads. */
  embeddings?(student: ModelOutput, teacher: ModelOutput): [tf.Tensor2D, tf.Tensor2D];
  /**
   * The current values of loss weights the method adapts as it trains (MTARD's weights of its two
   * teachers), reported once per epoch for the dashboard; identical on every thread.
   */
  adaptiveWeights?(): Record<string, number>;
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
