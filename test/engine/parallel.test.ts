/** Evaluation shared among worker threads gives exactly the single-thread figures. */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { localPgd } from '../../src/engine/attacks/pgd';
import { WorkerPool } from '../../src/engine/parallel/pool';
import { Rng } from '../../src/engine/util/rng';
import { buildModel } from '../../src/engine/models/registry';
import { loadWeights, readCheckpoint } from '../../src/engine/run/checkpoint';
import { evaluateModel } from '../../src/engine/run/evaluate';
import { fashionMini, firstN, useWasm } from './helpers';
import { TEACHER_CHECKPOINT } from './paths';

before(useWasm);

test('two threads evaluate to the same per-attack accuracies as one', async () => {
  const data = await fashionMini();
  const teacher = buildModel('small-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 0 });
  loadWeights(readCheckpoint(TEACHER_CHECKPOINT), teacher, TEACHER_CHECKPOINT);
  const split = firstN(data.test, 230); // not a multiple of the batch size: uneven shares
  const cfg = { epsilon: 0.1, attacks: ['clean', 'fgsm', 'pgd-5', 'cw-5'], epsilons: [0, 0.05], batchSize: 50, seed: 9 };
  const single = await evaluateModel(teacher, split, cfg);
  const pool = await WorkerPool.start(2, 'wasm');
  try {
    assert.equal(pool.size, 2);
    const shared = await evaluateModel(teacher, split, cfg, pool.correctnessFor(teacher));
    assert.deepEqual(shared, single);
  } finally {
    await pool.close();
    teacher.params.dispose();
  }
});

test('PGD shared with a worker thread gives the same adversarial batch as on one thread', async () => {
  const data = await fashionMini();
  const model = buildModel('tiny-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 4 });
  const split = firstN(data.test, 37); // odd: the halves differ in size
  const x = tf.tensor4d(split.images, [37, 28, 28, 1]);
  const y = tf.tensor1d(split.labels, 'int32');
  const options = { epsilon: 0.1, stepSize: 0.025, steps: 4, randomStart: true, loss: 'ce' as const };
  const one = localPgd(model, x, y, options, new Rng(11));
  const pool = await WorkerPool.start(2, 'wasm');
  const session = pool.attackSession(model, 64);
  try {
    const before = tf.memory().numTensors;
    const two = session.perturb(model, x, y, options, new Rng(11));
    assert.equal(tf.memory().numTensors, before + 1, 'only the result is left');
    const diff = tf.max(tf.abs(tf.sub(one, two))).dataSync()[0];
    assert.ok(diff <= 1e-6, `the shared attack differs by ${diff}`);
    // The KL loss, with target probabilities split along with the batch.
    const target = tf.softmax(model.apply(x, { training: false }).logits);
    const kl = { ...options, loss: 'kl' as const, targetProbs: target };
    const a = localPgd(model, x, y, kl, new Rng(12));
    const b = session.perturb(model, x, y, kl, new Rng(12));
    assert.ok(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] <= 1e-6);
    tf.dispose([target, a, b, two]);
  } finally {
    await session.close();
    await pool.close();
    tf.dispose([x, y, one]);
    model.params.dispose();
  }
});
