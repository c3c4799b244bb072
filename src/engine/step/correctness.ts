/**
 * What one thread computes of an evaluation: whether the model stays correct under one attack at
 * one epsilon, for a range of a split's samples. The main thread calls it for its share; a worker
 * for its own (parallel/). Each evaluation batch draws its random start from its own seed (the
 * attack's seed and the batch's position), so the figures are the same however batches are shared.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EvaluationEntry } from '../attacks/catalog';
import { type AttackReport, emptyReport } from '../attacks/attack';
import { perturbWith } from '../attacks/registry';
import { Split, imageSize } from '../data/types';
import { Model } from '../models/model';
import { evalLogits } from '../methods/method';
import { Rng } from '../util/rng';

/** One attack at one epsilon over a whole split: 1 where the model stays correct. */
export interface CorrectnessJob {
  /** The resolved evaluation entry: the attack and all its settings (clean: no attack). */
  entry: EvaluationEntry;
  epsilon: number;
  batchSize: number;
  seed: number;
  /** Position of the split's first sample in the whole test split (a block of it), for the per-batch seeds. */
  offset?: number;
}

/** Per sample, 1 where the model stays correct; and what the attack reported of its reliability. */
export interface Correctness {
  correct: Uint8Array;
  report: AttackReport;
}

/** Computes correctness over a split; a thread pool shares the batches out, a plain call does them here. */
export type CorrectnessFn = (split: Split, job: CorrectnessJob) => Promise<Correctness>;

/**
 * Correctness of the samples [from, to) of `split` (from a multiple of the batch size). `offset` is
 * the position of `split`'s first sample in the whole test split, for the per-batch seeds.
 */
export function correctnessRange(model: Model, split: Split, job: CorrectnessJob, from = 0, to = split.count, offset = job.offset ?? 0): Correctness {
  const { entry } = job;
  const size = imageSize(split.shape);
  const out = new Uint8Array(to - from);
  const report = emptyReport();
  const logitsFn = evalLogits(model);
  for (let start = from; start < to; start += job.batchSize) {
    const n = Math.min(job.batchSize, to - start);
    const rng = new Rng((job.seed ^ Math.imul(offset + start + 1, 0x9e3779b1)) >>> 0);
    const preds = tf.tidy(() => {
      const x = tf.tensor4d(split.images.subarray(start * size, (start + n) * size), [n, ...split.shape]);
      const y = tf.tensor1d(split.labels.subarray(start, start + n), 'int32');
      const xAdv = entry.attack !== 'clean' && job.epsilon > 0 ? perturbWith(entry, logitsFn, x, y, job.epsilon, rng, report) : x;
      return tf.argMax(logitsFn(xAdv), 1).dataSync();
    });
    for (let i = 0; i < n; i++) out[start - from + i] = preds[i] === split.labels[start + i] ? 1 : 0;
  }
  return { correct: out, report };
}

