/**
 * ResNet-18 for CIFAR (src/engine/models/resnet18.ts) on the `cpu` backend, with the same checks
 * models.test.ts makes of every architecture: the parameter count of kuangliu's ResNet18, taps and
 * their shapes, running statistics touched only in training mode, finite gradients for every
 * weight, no tensor leak, seeded initialisation. Its agreement with PyTorch's module is checked in
 * test/interop.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ensureGradients } from '../../src/engine/backend/gradients';
import { models as catalog } from '../../src/engine/models/catalog';
import { ImageShape, Model } from '../../src/engine/models/model';
import { buildModel } from '../../src/engine/models/registry';

before(async () => {
  await ensureGradients();
  await tf.setBackend('cpu');
});

const build = (shape: ImageShape, seed = 7): Model => buildModel('resnet18', { inputShape: shape, numClasses: 10, seed });
const images = (n: number, shape: ImageShape) => tf.randomUniform([n, ...shape], 0, 1, 'float32', 1) as tf.Tensor4D;

test('resnet18: parameter count, taps and their shapes, running statistics, no leak', () => {
  const model = build([32, 32, 3]);
  try {
    assert.equal(model.arch, 'resnet18');
    assert.equal(model.params.count(), 11_173_962); // kuangliu's ResNet18 for 10 classes
    const info = catalog.find((m) => m.name === 'resnet18')!;
    assert.ok(Math.abs(model.params.count() / info.approxParams - 1) < 0.1);
    assert.deepEqual(model.taps, ['stage1', 'stage2', 'stage3', 'stage4', 'penultimate']);
    const x = images(2, [32, 32, 3]);
    const buffers = model.params.entries().filter(([n]) => !model.params.isTrainable(n));
    const before = buffers.map(([, v]) => v.dataSync().slice());
    const tensors = tf.memory().numTensors;
    for (const training of [false, true]) {
      tf.tidy(() => {
        const { logits, features } = model.apply(x, { training });
        assert.deepEqual(logits.shape, [2, 10]);
        assert.ok(logits.dataSync().every(Number.isFinite));
        assert.deepEqual(Object.keys(features), [...model.taps]);
        assert.deepEqual(features.stage1.shape, [2, 32, 32, 64]);
        assert.deepEqual(features.stage2.shape, [2, 16, 16, 128]);
        assert.deepEqual(features.stage3.shape, [2, 8, 8, 256]);
        assert.deepEqual(features.stage4.shape, [2, 4, 4, 512]);
        assert.deepEqual(features.penultimate.shape, [2, 512]);
      });
      buffers.forEach(([name, v], i) => {
        const changed = v.dataSync().some((value, j) => value !== before[i][j]);
        assert.equal(changed, training, `${name} ${training ? 'updated in training mode' : 'left alone in eval mode'}`);
      });
    }
    assert.equal(tf.memory().numTensors, tensors, 'no tensors leak from apply');
    x.dispose();
  } finally {
    model.params.dispose();
  }
});

test('resnet18: finite gradients for every weight (on 8x8 inputs), and seeded initialisation', () => {
  const model = build([8, 8, 3]);
  try {
    const x = images(2, [8, 8, 3]);
    const labels = tf.oneHot(tf.tensor1d([1, 4], 'int32'), 10);
    tf.tidy(() => {
      const { grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }).logits) as tf.Scalar,
        model.params.trainable(),
      );
      for (const [name, v] of model.params.trainableNamed()) {
        assert.deepEqual(grads[v.name].shape, v.shape, `gradient shape of ${name}`);
        assert.ok(grads[v.name].dataSync().every(Number.isFinite), `finite gradient of ${name}`);
      }
      assert.ok(grads[model.params.get('linear.kernel')!.name].dataSync().some((g) => g !== 0));
    });
    tf.dispose([x, labels]);
  } finally {
    model.params.dispose();
  }
  const [a, b, c] = [build([8, 8, 3], 3), build([8, 8, 3], 3), build([8, 8, 3], 4)];
  try {
    assert.deepEqual(a.params.get('conv1.kernel')!.dataSync(), b.params.get('conv1.kernel')!.dataSync());
    assert.notDeepEqual(a.params.get('conv1.kernel')!.dataSync(), c.params.get('conv1.kernel')!.dataSync());
  } finally {
    [a, b, c].forEach((m) => m.params.dispose());
  }
});

test('an input normalisation is applied in front of the network and checked', () => {
  const plain = buildModel('tiny-cnn', { inputShape: [8, 8, 3], numClasses: 10, seed: 5 });
  const mean = [0.4914, 0.4822, 0.4465];
  const std = [0.2471, 0.2435, 0.2616];
  const normalized = buildModel('tiny-cnn', { inputShape: [8, 8, 3], numClasses: 10, seed: 5, normalization: { mean, std } });
  try {
    tf.tidy(() => {
      const x = images(2, [8, 8, 3]);
      const expected = plain.apply(tf.div(tf.sub(x, mean), std) as tf.Tensor4D, { training: false }).logits;
      const got = normalized.apply(x, { training: false }).logits;
      assert.ok(tf.max(tf.abs(tf.sub(got, expected))).dataSync()[0] < 1e-6);
    });
    assert.throws(
      () => buildModel('tiny-cnn', { inputShape: [8, 8, 3], numClasses: 10, seed: 5, normalization: { mean: [0.5], std: [0.5] } }),
      /mean must be 3 finite numbers/,
    );
    assert.throws(
      () => buildModel('tiny-cnn', { inputShape: [8, 8, 3], numClasses: 10, seed: 5, normalization: { mean, std: [1, 0, 1] } }),
      /std must be positive/,
    );
  } finally {
    plain.params.dispose();
    normalized.params.dispose();
  }
});
