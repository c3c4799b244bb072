/**
 * Bench case `apgd`: images per second and accuracy of APGD-CE and APGD-T (100 iterations, 9
 * targets, eps 0.1; Croce and Hein, ICML 2020, as fra31/auto-attack codes them) on the shipped
 * teacher (examples/checkpoints/teacher-fashion) over the first bundled Fashion-MNIST test images,
 * each attack alone on all the images, then their per-sample worst case. bench/torch_apgd.py is the
 * PyTorch reference on the same weights (as `gacd export` writes them) and the same images, so that
 * the accuracies can be compared side by side as well as the speed.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { emptyReport } from '../attacks/attack';
import { AttackEntry, resolveEvaluationEntry } from '../attacks/catalog';
import { perturbWith } from '../attacks/registry';
import { loadDataset } from '../data/load';
import { findPackageRoot } from '../data/locate.info';
import { takeSamples } from '../data/types';
import { evalLogits } from '../methods/method';
import { buildModel } from '../models/registry';
import { loadWeights, readCheckpoint } from '../run/checkpoint';
import { Rng } from '../util/rng';
import { BenchCaseFigure } from './figure';
import { caseFigure, seconds } from './harness';

export interface ApgdBenchOptions {
  images: number;
  batch: number;
  steps: number;
}

const EPSILON = 0.1;

/** The shipped teacher's folder in this package. */
export function shippedTeacher(): string {
  const root = findPackageRoot();
  if (!root) throw new Error('the gacd-studio package folder (with examples/checkpoints/teacher-fashion) was not found');
  return path.join(root, 'examples', 'checkpoints', 'teacher-fashion');
}

export async function apgdCase(o: ApgdBenchOptions): Promise<BenchCaseFigure[]> {
  const dir = shippedTeacher();
  const model = buildModel('small-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 0 });
  loadWeights(readCheckpoint(dir), model, dir);
  const test = (await loadDataset('fashion-mnist-mini', { seed: 0 })).test;
  const split = takeSamples(test, Array.from({ length: Math.min(o.images, test.count) }, (_, i) => i));
  const n = split.count;
  const logitsFn = evalLogits(model);
  const figures: BenchCaseFigure[] = [];
  const correctAll: Record<string, Uint8Array> = {};
  try {
    const batches = Array.from({ length: Math.ceil(n / o.batch) }, (_, b) => [b * o.batch, Math.min(n, (b + 1) * o.batch)]);
    const tensorsOf = (from: number, to: number) => {
      const size = split.images.length / n;
      return {
        x: tf.tensor4d(split.images.subarray(from * size, to * size), [to - from, ...split.shape]),
        y: tf.tensor1d(split.labels.subarray(from, to), 'int32'),
      };
    };
    // Warm-up: a few iterations on a few images, so that every kernel has run once.
    const warm = tensorsOf(0, Math.min(8, n));
    tf.dispose([perturbWith(resolveEvaluationEntry({ attack: 'apgd-ce', steps: 3 }) as AttackEntry, logitsFn, warm.x, warm.y, EPSILON, new Rng(0)), warm.x, warm.y]);
    const clean = new Uint8Array(n);
    for (const [from, to] of batches) {
      const { x, y } = tensorsOf(from, to);
      clean.set(tf.tidy(() => tf.equal(tf.argMax(logitsFn(x), 1), y).dataSync()), from);
      tf.dispose([x, y]);
    }
    for (const attack of ['apgd-ce', 'apgd-t'] as const) {
      const entry = resolveEvaluationEntry({ attack, steps: o.steps }) as AttackEntry;
      const correct = new Uint8Array(n);
      const report = emptyReport();
      const rng = new Rng(0);
      const time = seconds(() => {
        for (const [from, to] of batches) {
          const { x, y } = tensorsOf(from, to);
          const adversarial = perturbWith(entry, logitsFn, x, y, EPSILON, rng, report);
          correct.set(tf.tidy(() => tf.equal(tf.argMax(logitsFn(adversarial), 1), y).dataSync()), from);
          tf.dispose([x, y, adversarial]);
        }
      });
      correctAll[attack] = correct;
      figures.push(
        caseFigure('apgd', attack, 1, {
          arch: 'small-cnn',
          checkpoint: 'examples/checkpoints/teacher-fashion',
          images: n,
          batch: o.batch,
          steps: o.steps,
          epsilon: EPSILON,
          seconds: time,
          imagesPerSecond: n / time,
          clean: mean(clean),
          accuracy: mean(correct),
          zeroGradient: report.samples ? report.zeroGradient / report.samples : 0,
          flatRuns: report.flatRuns,
        }),
      );
    }
    const worst = correctAll['apgd-ce'].map((c, i) => c & correctAll['apgd-t'][i]);
    figures.push(caseFigure('apgd', 'worst-case', 1, { images: n, epsilon: EPSILON, accuracy: mean(worst) }));
    return figures;
  } finally {
    model.params.dispose();
  }
}

const mean = (flags: Uint8Array) => flags.reduce((s, f) => s + f, 0) / Math.max(flags.length, 1);
