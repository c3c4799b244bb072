/**
 * Bench case `leak`: whether a long run holds its memory flat. A cheap GACD configuration (tiny-cnn
 * student, small-cnn teacher, batch 16, PGD-2, catalog defaults otherwise) goes through the real
 * trainStep; the process's RSS and tfjs's live tensors are read after a tenth of the steps and after
 * all of them. Tensors must not grow at all; RSS may move a little with the garbage collector.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ImageShape } from '../models/model';
import { buildModel } from '../models/registry';
import { Rng } from '../util/rng';
import type { WorkerPool } from '../parallel/pool';
import { BenchCaseFigure } from './figure';
import { benchAttack, openTraining, randomImages, caseFigure } from './harness';

export interface LeakOptions {
  /** Steps in all; the first reading is taken after a tenth of them. */
  steps: number;
  batch: number;
  trainSize: number;
  pool: WorkerPool | null;
}

interface Reading {
  step: number;
  rssKiB: number;
  numTensors: number;
  numBytes: number;
}

const SHAPE: ImageShape = [28, 28, 1];

function reading(step: number): Reading {
  return { step, rssKiB: Math.round(process.memoryUsage().rss / 1024), numTensors: tf.memory().numTensors, numBytes: tf.memory().numBytes };
}

export async function leakCase(o: LeakOptions): Promise<BenchCaseFigure[]> {
  if (o.trainSize < o.batch) throw new Error(`--train-size (${o.trainSize}) must be at least the batch (${o.batch})`);
  const student = buildModel('tiny-cnn', { inputShape: SHAPE, numClasses: 10, seed: 1 });
  const teacher = buildModel('small-cnn', { inputShape: SHAPE, numClasses: 10, seed: 2 });
  const rng = new Rng(1);
  // A notional split of `trainSize` random images, walked through in order as epochs do.
  const data = randomImages(SHAPE, o.trainSize, 10, rng);
  const size = SHAPE[0] * SHAPE[1] * SHAPE[2];
  const training = openTraining({
    method: 'gacd',
    student,
    teacher,
    attack: benchAttack(2),
    trainSize: o.trainSize,
    trainLabels: data.labels,
    numClasses: 10,
    maxBatch: o.batch,
    seed: 1,
    pool: o.pool,
  });
  const first = Math.max(1, Math.round(o.steps / 10));
  const readings: Reading[] = [];
  const started = process.hrtime.bigint();
  try {
    const perEpoch = Math.floor(o.trainSize / o.batch);
    for (let step = 1; step <= o.steps; step++) {
      const from = ((step - 1) % perEpoch) * o.batch;
      const batch = {
        images: data.images.subarray(from * size, (from + o.batch) * size),
        labels: data.labels.subarray(from, from + o.batch),
        indices: Int32Array.from({ length: o.batch }, (_, i) => from + i),
        size: o.batch,
      };
      const loss = training.step(batch, 0.01, rng);
      if (!Number.isFinite(loss)) throw new Error(`the loss became ${loss} at step ${step}`);
      if (step === first || step === o.steps) readings.push(reading(step));
    }
  } finally {
    await training.close();
    student.params.dispose();
    teacher.params.dispose();
  }
  const [a, b] = readings.length === 2 ? readings : [readings[0], readings[0]];
  return [
    caseFigure('leak', 'gacd', o.pool?.size ?? 1, {
      student: 'tiny-cnn',
      teacher: 'small-cnn',
      batch: o.batch,
      attackSteps: 2,
      trainSize: o.trainSize,
      seconds: Number(process.hrtime.bigint() - started) / 1e9,
      readings,
      rssRatio: b.rssKiB / a.rssKiB,
      tensorGrowth: b.numTensors - a.numTensors,
    }),
  ];
}
