/**
 * Work shared among worker threads: evaluation gives exactly the single-thread figures, and a
 * training step (every stage split by rows, each thread with its own memory banks) the
 * single-thread weights up to rounding.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { threadsWords, WorkerPool, workerCount } from '../../src/engine/parallel/pool';
import { Rng } from '../../src/engine/util/rng';
import { buildModel } from '../../src/engine/models/registry';
import { evaluateModel } from '../../src/engine/run/evaluate';
import { resolveEvaluationEntry } from '../../src/engine/attacks/catalog';
import { fashionMini, firstN, shippedTeacher, useWasm } from './helpers';
import { methods as methodCatalog } from '../../src/engine/methods/catalog';
import { methodFactory } from '../../src/engine/methods/registry';
import { packParams } from '../../src/engine/parallel/weights';
import { Sgd } from '../../src/engine/step/sgd';
import { startNoiseFor, trainStep, trainableOf } from '../../src/engine/step/trainStep';

before(useWasm);

test('two threads evaluate to the same per-attack accuracies as one', async () => {
  const data = await fashionMini();
  const teacher = shippedTeacher();
  const split = firstN(data.test, 230); // not a multiple of the batch size: uneven shares
  // A long-form entry too: its settings travel to the worker in the evaluation message.
  const attacks = ['clean', 'fgsm', 'pgd-5', 'cw-5', { attack: 'pgd', steps: 3, restarts: 2, loss: 'cw' }].map((a) => resolveEvaluationEntry(a));
  const cfg = { epsilon: 0.1, attacks, epsilons: [0, 0.05], batchSize: 50, seed: 9 };
  const single = await evaluateModel(teacher, split, cfg);
  const pool = await WorkerPool.start(2, 'wasm');
  try {
    assert.equal(pool.size, 2);
    const shared = await evaluateModel(teacher, split, cfg, { correctness: pool.correctnessFor(teacher), threads: 2 });
    assert.deepEqual(shared, single);
  } finally {
    await pool.close();
    teacher.params.dispose();
  }
});

const defaults = (name: string) => methodCatalog.find((m) => m.name === name)!.settings.parse({}) as Record<string, unknown>;

/** A student (and teacher) with fixed initial weights and the context a method is built from. */
function setup(name: string, settings: Record<string, unknown>, train: { count: number; labels: Int32Array }) {
  const student = buildModel('tiny-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 4 });
  const teacher = shippedTeacher();
  const ctx = {
    student,
    teacher: name === 'pgd-at' ? null : teacher,
    teachers: name === 'pgd-at' ? {} : { adversarial: teacher },
    settings: { ...defaults(name), ...settings },
    attack: { epsilon: 0.1, stepSize: 0.025, steps: 3, randomStart: true },
    trainSize: train.count,
    trainLabels: train.labels,
    numClasses: 10,
    seed: 3,
  };
  return { student, teacher, ctx };
}

/** Runs `steps` training steps; returns the weights, the per-step results and the method's state. */
async function train(name: string, settings: Record<string, unknown>, threads: number, steps: number) {
  const data = await fashionMini();
  const split = firstN(data.train, 256);
  const { student, teacher, ctx } = setup(name, settings, split);
  const pool = threads > 1 ? await WorkerPool.start(threads, 'wasm') : null;
  const method = methodFactory(name)(ctx);
  const session = pool?.trainingSession(name, ctx, method) ?? null;
  const options = { startNoise: startNoiseFor(name, ctx.attack), workers: session?.workers };
  const sgd = new Sgd(trainableOf(student, method), { momentum: 0.9, weightDecay: 5e-4 });
  const rng = new Rng(5);
  const results = [];
  let tensors = 0;
  try {
    for (let i = 0; i < steps; i++) {
      const rows = Int32Array.from({ length: 61 }, (_, k) => (i * 61 + k) % split.count); // odd batch: uneven shares
      const images = new Float32Array(rows.length * 784);
      rows.forEach((r, k) => images.set(split.images.subarray(r * 784, (r + 1) * 784), k * 784));
      const b = {
        images,
        labels: Int32Array.from(rows, (r) => split.labels[r]),
        indices: rows,
        size: rows.length,
      };
      results.push(trainStep(student, method, sgd, b, 0.05, rng, options));
      // The first step makes the momentum buffers; later ones leave nothing behind.
      if (i === 1) tensors = tf.memory().numTensors;
      if (i > 1) assert.equal(tf.memory().numTensors, tensors, `step ${i + 1} left tensors behind`);
    }
    return { weights: packParams([student.params, method.extraParams]), results, state: method.state?.() ?? {} };
  } finally {
    await session?.close();
    await pool?.close();
    sgd.dispose();
    method.dispose?.();
    student.params.dispose();
    teacher.params.dispose();
  }
}

/** The largest difference between two parameter vectors, relative to the largest value of `a`. */
function maxRelativeGap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let gap = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    gap = Math.max(gap, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(a[i]));
  }
  return gap / Math.max(scale, 1e-12);
}

const cases: Array<[string, Record<string, unknown>]> = [
  ['pgd-at', {}],
  ['ard', { alpha: 0.7 }],
  ['gacd', { negatives: 64 }],
  ['gacd', { negatives: 64, direction: 'symmetric', reweight: 'correct', alpha: 0.5 }],
  ['gacd', { critic: 'infonce' }],
  ['gacd', { negatives: 64, attack_loss: 'kl-teacher', teacher_input: 'adversarial', class_negatives: false }],
  // A smoother critic than tau 0.07, whose sharp scores let PGD's sign() amplify rounding past the tolerances within 4 steps.
  ['gacd', { negatives: 64, attack_loss: 'contrastive', direction: 'symmetric', temperature: 0.5 }],
];
for (const [name, settings] of cases) {
  test(`${name} ${JSON.stringify(settings)}: two threads train to the weights of one`, async () => {
    const one = await train(name, settings, 1, 4);
    const two = await train(name, settings, 2, 4);
    // Tolerances: rounding differs (the gradients are summed in two parts), and PGD's sign() can
    // turn a last-bit difference of a gradient into a different step for a pixel.
    for (let i = 0; i < one.results.length; i++) {
      const [a, b] = [one.results[i], two.results[i]];
      assert.ok(Math.abs(a.loss - b.loss) <= 2e-3 * Math.abs(a.loss), `step ${i + 1}: loss ${a.loss} vs ${b.loss}`);
      assert.ok(Math.abs(a.correct - b.correct) <= 1, `step ${i + 1}: training accuracy ${a.correct} vs ${b.correct}`);
      for (const k of Object.keys(a.terms)) assert.ok(Math.abs(a.terms[k] - b.terms[k]) <= 2e-3 * (1 + Math.abs(a.terms[k])), `step ${i + 1}: ${k} ${a.terms[k]} vs ${b.terms[k]}`);
    }
    const gap = maxRelativeGap(one.weights, two.weights);
    assert.ok(gap < 2e-3, `weights differ by ${gap} (relative)`);
    for (const k of Object.keys(one.state)) assert.ok(maxRelativeGap(one.state[k], two.state[k]) < 2e-3, `method state ${k}`);
    // Not trivially equal: the weights moved.
    const start = await train(name, settings, 1, 0);
    assert.ok(maxRelativeGap(start.weights, one.weights) > 1e-2, 'the steps changed the weights');
  });
}

test('the backend line says how many threads a run computes on', () => {
  const cores = workerCount('auto');
  assert.equal(threadsWords('wasm', 'auto'), `${cores} thread${cores === 1 ? '' : 's'} (workers: auto, one per core)`);
  assert.equal(threadsWords('wasm', 2), '2 threads (workers: 2)');
  assert.equal(threadsWords('wasm', 1), '1 thread (workers: 1)');
  assert.equal(threadsWords('cpu', 4), '1 thread', 'the cpu backend runs on the main thread only');
  assert.equal(threadsWords('tensorflow', 4), "TensorFlow's own threads");
});
