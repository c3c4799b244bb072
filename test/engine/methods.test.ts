import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { MemoryBank } from '../../src/engine/methods/memoryBank';
import { methodImplementations } from '../../src/engine/methods/registry';
import { methods as methodCatalog } from '../../src/engine/methods/catalog';
import { reweight } from '../../src/engine/methods/reweight';
import { buildModel } from '../../src/engine/models/registry';
import { Sgd } from '../../src/engine/step/sgd';
import { trainStep } from '../../src/engine/step/trainStep';
import { Rng } from '../../src/engine/util/rng';
import { fashionMini, firstN, useWasm } from './helpers';

before(useWasm);

const defaults = (name: string) => methodCatalog.find((m) => m.name === name)!.settings.parse({}) as Record<string, unknown>;

test('every catalogued method has an implementation and every implementation a description', () => {
  assert.deepEqual(Object.keys(methodImplementations).sort(), methodCatalog.map((m) => m.name).sort());
});

test('reweighting: schemes, mean 1, confidence ordering', () => {
  const logits = tf.tensor2d([[5, 0, 0], [0, 5, 0], [0, 0, 5], [1, 1, 1]]);
  const labels = Int32Array.from([0, 0, 2, 1]);
  const none = reweight('none', 0.1, logits, labels);
  assert.deepEqual(Array.from(none.weights), [1, 1, 1, 1]);
  const correct = reweight('correct', 0.1, logits, labels);
  assert.deepEqual(Array.from(correct.teacherCorrect), [1, 0, 1, 0]);
  assert.ok(Math.abs(correct.weights.reduce((a, b) => a + b) / 4 - 1) < 1e-6);
  assert.equal(correct.weights[1], 0);
  const conf = reweight('confidence', 0.1, logits, labels);
  assert.ok(conf.weights[0] > conf.weights[3] && conf.weights[3] > conf.weights[1]);
  const power = reweight('confidence-power', 0.1, logits, labels);
  // beta = 0.1 flattens the weights: the spread is smaller than with plain confidence.
  assert.ok(Math.max(...power.weights) - Math.min(...power.weights) < Math.max(...conf.weights) - Math.min(...conf.weights));
  logits.dispose();
});

test('memory bank: momentum update keeps rows unit length and moves towards the new embedding', () => {
  const bank = new MemoryBank(10, 4, 0.5, 1);
  const e = Float32Array.from([1, 0, 0, 0]);
  for (let i = 0; i < 10; i++) bank.update(Int32Array.from([3]), e);
  const row = bank.values.subarray(12, 16);
  assert.ok(Math.abs(Math.hypot(...row) - 1) < 1e-5);
  assert.ok(row[0] > 0.99, `row 3 should converge to e, got ${Array.from(row)}`);
  const g = bank.gather(Int32Array.from([3, 3]));
  assert.deepEqual(g.shape, [2, 4]);
  g.dispose();
});

for (const name of ['natural', 'pgd-at', 'ard', 'gacd']) {
  test(`${name}: a few steps reduce the loss, leak no tensors, and keep it finite`, async () => {
    const data = await fashionMini();
    const train = firstN(data.train, 128);
    const student = buildModel('tiny-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
    const teacher = buildModel('small-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 2 });
    const settings = { ...defaults(name), ...(name === 'gacd' ? { negatives: 64 } : {}) };
    const method = methodImplementations[name]({
      student,
      teacher,
      settings,
      attack: { epsilon: 0.1, stepSize: 0.025, steps: 3, randomStart: true },
      trainSize: train.count,
      trainLabels: train.labels,
      numClasses: 10,
      seed: 1,
    });
    const vars = [...student.params.trainableNamed(), ...(method.extraParams?.trainableNamed() ?? [])];
    const sgd = new Sgd(vars, { momentum: 0.9, weightDecay: 5e-4 });
    const rng = new Rng(4);
    const b = { images: train.images.subarray(0, 64 * 784), labels: train.labels.subarray(0, 64), indices: Int32Array.from({ length: 64 }, (_, i) => i), size: 64 };
    const first = trainStep(student, method, sgd, b, 0.05, rng);
    const tensors = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 8; i++) last = trainStep(student, method, sgd, b, 0.05, rng);
    assert.equal(tf.memory().numTensors, tensors, 'tensors leaked across steps');
    assert.ok(Number.isFinite(last.loss));
    assert.ok(last.loss < first.loss, `${name}: loss ${first.loss} -> ${last.loss} did not fall`);
    if (name === 'gacd') {
      assert.ok('contrastive' in last.terms && 'ce' in last.terms);
      assert.ok(last.weights && Math.abs(last.weights.weights.reduce((a, v) => a + v, 0) / 64 - 1) < 1e-4);
      const heads = method.extraParams!.trainableNamed();
      assert.ok(heads.length === 4, 'student and teacher heads (kernel and bias each)');
    }
    sgd.dispose();
    method.dispose?.();
    student.params.dispose();
    teacher.params.dispose();
  });
}
