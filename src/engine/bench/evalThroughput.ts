/**
 * Bench case `eval`: images per second of a PGD-20 evaluation (epsilon 8/255, step 2/255, random
 * start, model in evaluation mode) of the small CNN over a split of random images, through the
 * engine's own evaluation (evaluateModel with correctnessRange, or a worker pool's correctnessFor).
 * The weights and images are random: the cost of the attack does not depend on them.
 */
import { resolveEvaluationEntry } from '../attacks/catalog';
import { Split } from '../data/types';
import { ImageShape } from '../models/model';
import { buildModel } from '../models/registry';
import { evaluateModel } from '../run/evaluate';
import { CorrectnessFn, correctnessRange } from '../step/correctness';
import { Rng } from '../util/rng';
import type { WorkerPool } from '../parallel/pool';
import { BenchCaseFigure } from './figure';
import { randomImages, caseFigure } from './harness';

export interface EvalOptions {
  images: number;
  batch: number;
  pool: WorkerPool | null;
}

const SHAPE: ImageShape = [28, 28, 1];
const EPSILON = 8 / 255;

function randomSplit(count: number, rng: Rng): Split {
  return { ...randomImages(SHAPE, count, 10, rng), count, shape: SHAPE, numClasses: 10 };
}

export async function evalCase(o: EvalOptions): Promise<BenchCaseFigure[]> {
  const model = buildModel('small-cnn', { inputShape: SHAPE, numClasses: 10, seed: 1 });
  const rng = new Rng(1);
  const split = randomSplit(o.images, rng);
  const correctness: CorrectnessFn = o.pool ? o.pool.correctnessFor(model) : async (s, job) => correctnessRange(model, s, job);
  const config = { epsilon: EPSILON, attacks: [resolveEvaluationEntry('pgd-20')], epsilons: [], batchSize: o.batch, seed: 1 };
  try {
    // Warm-up: one small batch per thread, so every thread has run its kernels once.
    const threads = o.pool?.size ?? 1;
    await evaluateModel(model, randomSplit(8 * threads, rng), { ...config, batchSize: 8 }, { correctness, threads });
    const t0 = process.hrtime.bigint();
    const evaluation = await evaluateModel(model, split, config, { correctness, threads });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    return [
      caseFigure('eval', 'pgd-20', threads, {
        arch: 'small-cnn',
        shape: SHAPE.join('x'),
        images: o.images,
        batch: o.batch,
        epsilon: EPSILON,
        seconds: s,
        imagesPerSecond: o.images / s,
        // Of random weights on random images: a check that the evaluation ran, not a result.
        accuracy: evaluation.results[0].accuracy,
      }),
    ];
  } finally {
    model.params.dispose();
  }
}
