/**
 * Bench case `resnet` (and the figures of the plain `gacd bench`): images per second of the PGD-10
 * adversarial training step (pgd-at: PGD on the model in evaluation mode, then CE at x' in training
 * mode, SGD momentum 0.9, weight decay 5e-4) through the engine's real trainStep.
 */
import { ImageShape } from '../models/model';
import { buildModel } from '../models/registry';
import { Rng } from '../util/rng';
import type { WorkerPool } from '../parallel/pool';
import { BenchCaseFigure } from './figure';
import { benchAttack, openTraining, randomImages, seconds, caseFigure } from './harness';

export interface TrainingStepTiming {
  secondsPerStep: number;
  imagesPerSecond: number;
}

/** Times `steps` PGD-10 training steps of `arch` after `warmup` steps, on this thread or shared with `pool`. */
export async function timeTrainingStep(arch: string, shape: ImageShape, batch: number, steps: number, pool: WorkerPool | null, warmup = 1): Promise<TrainingStepTiming> {
  const model = buildModel(arch, { inputShape: shape, numClasses: 10, seed: 1 });
  const rng = new Rng(1);
  const { images, labels } = randomImages(shape, batch, 10, rng);
  const b = { images, labels, indices: Int32Array.from({ length: batch }, (_, i) => i), size: batch };
  const training = openTraining({
    method: 'pgd-at',
    student: model,
    attack: benchAttack(10),
    trainSize: batch,
    trainLabels: labels,
    numClasses: 10,
    maxBatch: batch,
    seed: 1,
    pool,
  });
  try {
    for (let i = 0; i < warmup; i++) training.step(b, 0.01, rng);
    const s = seconds(() => {
      for (let i = 0; i < steps; i++) training.step(b, 0.01, rng);
    });
    return { secondsPerStep: s / steps, imagesPerSecond: (steps * batch) / s };
  } finally {
    await training.close();
    model.params.dispose();
  }
}

export interface ResnetOptions {
  steps: number;
  batch: number;
  pool: WorkerPool | null;
}

/** PreAct ResNet-18 at 32x32x3 (the students' architecture of the papers), batch 32 by default. */
export async function resnetCase(o: ResnetOptions): Promise<BenchCaseFigure[]> {
  const shape: ImageShape = [32, 32, 3];
  const t = await timeTrainingStep('preact-resnet18', shape, o.batch, o.steps, o.pool);
  return [
    caseFigure('resnet', 'pgd-at', o.pool?.size ?? 1, {
      arch: 'preact-resnet18',
      shape: shape.join('x'),
      batch: o.batch,
      steps: o.steps,
      ...t,
    }),
  ];
}
