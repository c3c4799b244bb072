/**
 * Bench case `gacd`: the cost of GACD's distillation step against plain PGD adversarial training of
 * the same student (tiny-cnn, 28x28x1, batch 128, PGD-10 at 8/255). GACD adds the frozen teacher's
 * forward passes (clean x and x'), the sample weights, K memory-bank negatives per batch with their
 * mask, the embedding heads, the NCE critic and the bank updates; both go through the real
 * trainStep, and GACD runs with its catalog defaults (K capped at the train-set size, as in a run).
 */
import { ImageShape } from '../models/model';
import { buildModel } from '../models/registry';
import { Rng } from '../util/rng';
import type { WorkerPool } from '../parallel/pool';
import { BenchCaseFigure } from './figure';
import { benchAttack, openTraining, splitBatches, caseFigure } from './harness';

export const DISTILL_METHODS = ['pgd-at', 'gacd'] as const;

export interface DistillOptions {
  /** Which step to time: one of DISTILL_METHODS. */
  method: string;
  steps: number;
  batch: number;
  /** Size of the notional training split (the memory bank's rows); 60,000 is Fashion-MNIST's. */
  trainSize: number;
  pool: WorkerPool | null;
}

const SHAPE: ImageShape = [28, 28, 1];

export async function distillCase(o: DistillOptions): Promise<BenchCaseFigure[]> {
  if (!(DISTILL_METHODS as readonly string[]).includes(o.method)) {
    throw new Error(`the gacd case times ${DISTILL_METHODS.join(' or ')}, not '${o.method}'`);
  }
  const student = buildModel('tiny-cnn', { inputShape: SHAPE, numClasses: 10, seed: 1 });
  const teacher = o.method === 'gacd' ? buildModel('small-cnn', { inputShape: SHAPE, numClasses: 10, seed: 2 }) : null;
  const rng = new Rng(1);
  const { trainLabels, batches } = splitBatches(SHAPE, o.batch, o.steps + 1, o.trainSize, rng);
  const training = openTraining({
    method: o.method,
    student,
    teacher,
    attack: benchAttack(10),
    trainSize: o.trainSize,
    trainLabels,
    numClasses: 10,
    maxBatch: o.batch,
    seed: 1,
    pool: o.pool,
  });
  try {
    const perStep = training.secondsPerStep(batches, o.steps, rng);
    const settings = training.settings;
    return [
      caseFigure('gacd', o.method, o.pool?.size ?? 1, {
        student: 'tiny-cnn',
        teacher: teacher ? 'small-cnn' : null,
        shape: SHAPE.join('x'),
        batch: o.batch,
        steps: o.steps,
        trainSize: o.trainSize,
        secondsPerStep: perStep,
        imagesPerSecond: o.batch / perStep,
        settings,
        // The negatives the method really draws per batch (the catalog's K, capped at the split).
        ...(o.method === 'gacd' && settings.critic === 'nce' ? { negatives: Math.min(Number(settings.negatives), o.trainSize - 1) } : {}),
      }),
    ];
  } finally {
    await training.close();
    student.params.dispose();
    teacher?.params.dispose();
  }
}
