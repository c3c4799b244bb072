/**
 * The one place where the bench cases call the engine's training API: a method built by name from
 * the registry with its catalog defaults, an SGD over the model and the method's own variables,
 * and the real `trainStep`, with the worker pool's training session when there is more than one
 * thread. When that API changes, this file is what changes; the cases do not.
 */
import * as tf from '@tensorflow/tfjs-core';
import { experimentFields } from '../experiment/schema';
import { findMethod } from '../methods/catalog';
import { Method, MethodContext, Teachers } from '../methods/method';
import { methodFactory } from '../methods/registry';
import { Model } from '../models/model';
import { Sgd } from '../step/sgd';
import { startNoiseFor, trainableOf, trainStep } from '../step/trainStep';
import { Rng } from '../util/rng';
import type { WorkerPool } from '../parallel/pool';
import type { BenchCaseFigure } from './figure';

/** PGD at the bench's usual radius: epsilon 8/255, step 2/255, random start. */
export function benchAttack(steps: number): MethodContext['attack'] {
  return { epsilon: 8 / 255, stepSize: 2 / 255, steps, randomStart: true };
}

/** A method's settings as a run resolves them: its catalog schema with every default filled in. */
export function methodSettings(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const info = findMethod(name);
  if (!info) throw new Error(`unknown method '${name}'`);
  return info.settings.parse(overrides) as Record<string, unknown>;
}

/** The evaluation batch size an experiment gets when it does not set one. */
export function defaultEvalBatch(): number {
  const evaluation = experimentFields.shape.evaluation as unknown as { parse(v: unknown): { batch_size: number } };
  return evaluation.parse(undefined).batch_size;
}

export interface TrainBatch {
  images: Float32Array;
  labels: Int32Array;
  indices: Int32Array;
  size: number;
}

export interface TrainingOptions {
  method: string;
  student: Model;
  teacher?: Model | null;
  /** Teachers by role, for methods that need more than the robust one (`teacher` is the adversarial role). */
  teachers?: Teachers;
  /** Overrides of the method's catalog defaults. */
  settings?: Record<string, unknown>;
  attack: MethodContext['attack'];
  /** Size of the (notional) training split: GACD's memory bank has one row per sample. */
  trainSize: number;
  trainLabels: Int32Array;
  numClasses: number;
  maxBatch: number;
  seed: number;
  /** Threads to share each step with; null or a pool of one means this thread only. */
  pool?: WorkerPool | null;
}

export interface Training {
  method: Method;
  /** The resolved method settings (catalog defaults plus overrides). */
  settings: Record<string, unknown>;
  /** One real training step (`trainStep`, SGD momentum 0.9, weight decay 5e-4); returns the loss. */
  step(batch: TrainBatch, lr: number, rng: Rng): number;
  /** Seconds per step over `batches[1..steps]`, after a warm-up step on `batches[0]` (lr 0.01). */
  secondsPerStep(batches: TrainBatch[], steps: number, rng: Rng): number;
  close(): Promise<void>;
}

export function openTraining(o: TrainingOptions): Training {
  const settings = methodSettings(o.method, o.settings);
  const ctx: MethodContext = {
    student: o.student,
    teacher: o.teacher ?? o.teachers?.adversarial ?? null,
    teachers: { ...(o.teacher ? { adversarial: o.teacher } : {}), ...o.teachers },
    settings,
    attack: { ...o.attack, start: findMethod(o.method)?.attackStart ?? 'uniform' },
    trainSize: o.trainSize,
    trainLabels: o.trainLabels,
    numClasses: o.numClasses,
    seed: o.seed,
  };
  const method = methodFactory(o.method)(ctx);
  // Several threads: every stage of each step is shared among them, as in a run.
  const session = o.pool && o.pool.size > 1 ? o.pool.trainingSession(o.method, ctx, method) : null;
  const options = { startNoise: startNoiseFor(o.method, o.attack), workers: session?.workers };
  const sgd = new Sgd(trainableOf(o.student, method), { momentum: 0.9, weightDecay: 5e-4 });
  const step = (batch: TrainBatch, lr: number, rng: Rng) => trainStep(o.student, method, sgd, batch, lr, rng, options).loss;
  return {
    method,
    settings,
    step,
    secondsPerStep(batches, steps, rng) {
      // The warm-up builds (and caches) the kernels of each shape and the momentum buffers.
      step(batches[0], 0.01, rng);
      const s = seconds(() => {
        for (let i = 1; i <= steps; i++) step(batches[i], 0.01, rng);
      });
      return s / steps;
    },
    close: async () => {
      await session?.close();
      sgd.dispose();
      method.dispose?.();
    },
  };
}

/** `count` random images in [0, 1) and random labels: the bench's data (the cost does not depend on content). */
export function randomImages(shape: readonly [number, number, number], count: number, numClasses: number, rng: Rng): { images: Float32Array; labels: Int32Array } {
  const images = new Float32Array(count * shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < images.length; i++) images[i] = rng.next();
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) labels[i] = rng.int(numClasses);
  return { images, labels };
}

/**
 * `count` random batches of `batch` images over a notional split of `trainSize` samples with random
 * labels: consecutive slices of the split, so each step touches other rows of a memory bank, as an
 * epoch does. Returns the split's labels too (CRD-style negatives read them).
 */
export function splitBatches(
  shape: readonly [number, number, number],
  batch: number,
  count: number,
  trainSize: number,
  rng: Rng,
): { trainLabels: Int32Array; batches: TrainBatch[] } {
  const trainLabels = Int32Array.from({ length: trainSize }, () => rng.int(10));
  const batches = Array.from({ length: count }, (_, k) => {
    const indices = Int32Array.from({ length: batch }, (_, i) => (k * batch + i) % trainSize);
    const { images } = randomImages(shape, batch, 10, rng);
    return { images, labels: indices.map((j) => trainLabels[j]), indices, size: batch };
  });
  return { trainLabels, batches };
}

/** Seconds that `fn` takes. */
export function seconds(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** Peak resident set size of this process so far, in KiB (Linux's ru_maxrss, worker threads included). */
export function peakRssKiB(): number {
  return process.resourceUsage().maxRSS;
}

/** A bench case's figure taken now: the backend in use, the threads, this process's peak RSS, then `detail`. */
export function caseFigure(name: string, variant: string, workers: number, detail: Record<string, unknown>): BenchCaseFigure {
  return { case: name, variant, backend: tf.getBackend(), workers, peakRssKiB: peakRssKiB(), ...detail };
}
