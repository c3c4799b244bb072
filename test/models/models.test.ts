/**
 * The architectures of src/engine/models on the `cpu` backend: shapes, taps, gradients, batch-norm
 * running statistics, tensor leaks, seeded initialisation and parameter counts.
 *
 * The cpu backend's Conv2DBackpropFilter is very slow (a PreAct ResNet-18 training step on two
 * 32x32 images takes minutes), so the large networks are differentiated on small inputs: every
 * architecture here is fully convolutional up to a global average pool, so its variables, and
 * therefore what the gradient check covers, do not depend on the input size. Forward passes run
 * at 32x32. WRN-34-10 is built in full for its parameter count and one eval forward pass; its
 * training and gradients are checked on a thin WRN-16-1 with the same code.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ensureGradients } from '../../src/engine/backend/gradients';
import { models as catalog, modelNames } from '../../src/engine/models/catalog';
import { batchNorm } from '../../src/engine/models/layers';
import { ImageShape, Model } from '../../src/engine/models/model';
import { Params } from '../../src/engine/models/params';
import { buildModel, modelFactories } from '../../src/engine/models/registry';

before(async () => {
  await ensureGradients(); // tfjs-core's main entry registers no gradients
  await tf.setBackend('cpu');
});

const NUM_CLASSES = 10;

function build(arch: string, inputShape: ImageShape, options?: Record<string, unknown>, seed = 7): Model {
  return buildModel(arch, { inputShape, numClasses: NUM_CLASSES, seed, options });
}

function images(n: number, shape: ImageShape, seed = 1): tf.Tensor4D {
  return tf.randomUniform([n, ...shape], 0, 1, 'float32', seed) as tf.Tensor4D;
}

function buffers(model: Model): Array<[string, tf.Variable]> {
  return model.params.entries().filter(([name]) => !model.params.isTrainable(name));
}

function snapshot(vars: Array<[string, tf.Variable]>): Map<string, Float32Array> {
  return new Map(vars.map(([name, v]) => [name, v.dataSync().slice() as Float32Array]));
}

function approxParams(arch: string): number {
  const info = catalog.find((m) => m.name === arch);
  assert.ok(info, `${arch} is in the catalog`);
  return info.approxParams;
}

function assertWithin10Percent(arch: string, count: number): void {
  const expected = approxParams(arch);
  const ratio = count / expected;
  assert.ok(ratio > 0.9 && ratio < 1.1, `${arch}: ${count} parameters, catalog says ${expected}`);
}

/**
 * Forward passes in eval and training mode: logits shape, taps, expected tap shapes, the running
 * statistics (unchanged by eval, all changed by training), and no leaked tensors.
 */
function checkForward(model: Model, batch: number, tapShapes?: Record<string, number[]>): void {
  const x = images(batch, model.inputShape);
  const stats = buffers(model);
  const before = snapshot(stats);
  const tensorsBefore = tf.memory().numTensors;

  for (const training of [false, true]) {
    tf.tidy(() => {
      const { logits, features } = model.apply(x, { training });
      assert.deepEqual(logits.shape, [batch, NUM_CLASSES]);
      assert.ok(logits.dataSync().every(Number.isFinite), 'finite logits');
      assert.deepEqual(Object.keys(features), [...model.taps], 'features are the declared taps, in order');
      assert.equal(model.taps[model.taps.length - 1], 'penultimate');
      const penultimate = features.penultimate;
      assert.equal(penultimate.rank, 2, 'penultimate is rank 2');
      assert.equal(penultimate.shape[0], batch);
      for (const [name, shape] of Object.entries(tapShapes ?? {})) {
        assert.deepEqual(features[name].shape, [batch, ...shape], `shape of tap ${name}`);
      }
    });
    const after = snapshot(stats);
    for (const [name, values] of before) {
      const changed = !values.every((v, i) => v === after.get(name)![i]);
      if (training) assert.ok(changed, `training mode updates ${name}`);
      else assert.ok(!changed, `eval mode leaves ${name} alone`);
    }
  }
  assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensors leak from apply');
  x.dispose();
}

/**
 * tf.variableGrads of the mean cross-entropy in training mode: a finite gradient of the right shape
 * for every trainable variable, and a non-zero one for the classifier. (Not every gradient need be
 * non-zero: a BN offset whose output only reaches the loss through further training-mode BNs is
 * exactly cancelled, e.g. `layers.13.bn3.beta` of MobileNetV2.)
 */
function checkGradients(model: Model, batch: number): void {
  const x = images(batch, model.inputShape, 2);
  const labels = tf.oneHot(tf.tensor1d([...Array(batch).keys()].map((i) => (3 * i + 1) % NUM_CLASSES), 'int32'), NUM_CLASSES);
  const tensorsBefore = tf.memory().numTensors;
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => {
      const { logits } = model.apply(x, { training: true });
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    }, model.params.trainable());
    assert.ok(Number.isFinite(value.dataSync()[0]), 'finite loss');
    const named = model.params.trainableNamed();
    assert.equal(Object.keys(grads).length, named.length, 'one gradient per trainable variable');
    for (const [name, v] of named) {
      const g = grads[v.name];
      assert.ok(g, `gradient for ${name}`);
      assert.deepEqual(g.shape, v.shape, `gradient shape of ${name}`);
      const data = g.dataSync();
      assert.ok(data.every(Number.isFinite), `finite gradient for ${name}`);
    }
    const [lastName, lastVar] = named[named.length - 2]; // the classifier's kernel (its bias is last)
    assert.ok(grads[lastVar.name].dataSync().some((d) => d !== 0), `non-zero gradient for ${lastName}`);
  });
  assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensors leak from variableGrads');
  x.dispose();
  labels.dispose();
}

/** Same seed: identical initial weights; another seed: different ones. */
function checkSeeding(arch: string, inputShape: ImageShape, options?: Record<string, unknown>): void {
  const a = build(arch, inputShape, options, 11);
  const b = build(arch, inputShape, options, 11);
  const c = build(arch, inputShape, options, 12);
  try {
    const ea = a.params.entries();
    const eb = b.params.entries();
    assert.deepEqual(ea.map(([n, v]) => [n, v.shape]), eb.map(([n, v]) => [n, v.shape]));
    for (let i = 0; i < ea.length; i++) {
      assert.deepEqual(ea[i][1].dataSync(), eb[i][1].dataSync(), `same seed, same ${ea[i][0]}`);
    }
    const first = ea[0][0];
    assert.notDeepEqual(a.params.get(first)!.dataSync(), c.params.get(first)!.dataSync(), 'another seed, other weights');
  } finally {
    a.params.dispose();
    b.params.dispose();
    c.params.dispose();
  }
}

test('the registry builds exactly the catalog architectures', () => {
  assert.deepEqual(Object.keys(modelFactories).sort(), [...modelNames].sort());
});

test('an unknown architecture is an error naming the known ones', () => {
  assert.throws(
    () => build('resnet-1001', [32, 32, 3]),
    (e: Error) => /resnet-1001/.test(e.message) && modelNames.every((n) => e.message.includes(n)),
  );
});

test('architecture options are checked', () => {
  assert.throws(() => build('preact-resnet18', [32, 32, 3], { width: 2 }), /preact-resnet18: unknown option 'width'/);
  assert.throws(() => build('wrn-34-10', [32, 32, 3], { depth: 35 }), /6n \+ 4/);
  assert.throws(() => build('wrn-34-10', [32, 32, 3], { widen: 0.5 }), /positive integer/);
  assert.throws(() => build('wrn-34-10', [32, 32, 3], { dropout: 0.3 }), /unknown option 'dropout'.*depth, widen/);
});

for (const arch of ['small-cnn', 'tiny-cnn']) {
  test(`${arch}: forward, gradients, seeding and parameter count`, () => {
    for (const shape of [[32, 32, 3], [28, 28, 1]] as ImageShape[]) {
      const model = build(arch, shape);
      try {
        assert.equal(model.arch, arch);
        checkForward(model, 2);
        checkGradients(model, 2);
        if (shape[2] === 3) assertWithin10Percent(arch, model.params.count());
      } finally {
        model.params.dispose();
      }
      checkSeeding(arch, shape);
    }
    // Exact counts: conv, conv, dense, dense (weights + biases).
    const exact = (s: ImageShape) => {
      const m = build(arch, s);
      const n = m.params.count();
      m.params.dispose();
      return n;
    };
    assert.deepEqual(
      [exact([32, 32, 3]), exact([28, 28, 1])],
      arch === 'small-cnn' ? [545_098, 421_642] : [136_874, 105_866],
    );
  });
}

test('preact-resnet18: forward, gradients, seeding and parameter count', () => {
  const full = build('preact-resnet18', [32, 32, 3]);
  try {
    assert.equal(full.arch, 'preact-resnet18');
    // 11,171,146 of kuangliu's version plus the final BN (2 x 512) of the robust-distillation repos.
    assert.equal(full.params.count(), 11_172_170);
    assertWithin10Percent('preact-resnet18', full.params.count());
    checkForward(full, 2, { stage1: [32, 32, 64], stage2: [16, 16, 128], stage3: [8, 8, 256], stage4: [4, 4, 512], penultimate: [512] });
  } finally {
    full.params.dispose();
  }
  const small = build('preact-resnet18', [8, 8, 3]);
  try {
    checkGradients(small, 2);
  } finally {
    small.params.dispose();
  }
  checkSeeding('preact-resnet18', [8, 8, 3]);
});

test('mobilenetv2: forward, gradients, seeding and parameter count', () => {
  const full = build('mobilenetv2', [32, 32, 3]);
  try {
    assert.equal(full.arch, 'mobilenetv2');
    assert.equal(full.params.count(), 2_296_922); // kuangliu's MobileNetV2 for 10 classes
    assertWithin10Percent('mobilenetv2', full.params.count());
    checkForward(full, 2, { stage1: [32, 32, 24], stage2: [16, 16, 32], stage3: [8, 8, 96], stage4: [4, 4, 320], penultimate: [1280] });
    // In eval mode an image's logits do not depend on the rest of the batch.
    tf.tidy(() => {
      const x = images(2, [32, 32, 3], 5);
      const both = full.apply(x, { training: false }).logits;
      const one = full.apply(tf.slice(x, [0, 0, 0, 0], [1, 32, 32, 3]), { training: false }).logits;
      const diff = tf.max(tf.abs(tf.sub(tf.slice(both, [0, 0], [1, NUM_CLASSES]), one))).dataSync()[0];
      assert.ok(diff < 1e-4, `eval mode is per-image (max difference ${diff})`);
    });
  } finally {
    full.params.dispose();
  }
  const small = build('mobilenetv2', [8, 8, 3]);
  try {
    checkGradients(small, 2);
  } finally {
    small.params.dispose();
  }
  checkSeeding('mobilenetv2', [8, 8, 3]);
});

test('wrn-34-10: full-size parameter count, taps and one eval forward pass', () => {
  const full = build('wrn-34-10', [32, 32, 3]);
  try {
    assert.equal(full.arch, 'wrn-34-10');
    assert.deepEqual(full.taps, ['block1', 'block2', 'block3', 'penultimate']);
    assert.equal(full.params.count(), 46_160_474); // TRADES's WRN-34-10 without its unused sub_block1
    assertWithin10Percent('wrn-34-10', full.params.count());
    const tensorsBefore = tf.memory().numTensors;
    tf.tidy(() => {
      const { logits, features } = full.apply(images(1, [32, 32, 3]), { training: false });
      assert.deepEqual(logits.shape, [1, NUM_CLASSES]);
      assert.ok(logits.dataSync().every(Number.isFinite));
      assert.deepEqual(Object.keys(features), [...full.taps]);
      assert.deepEqual(features.block1.shape, [1, 32, 32, 160]);
      assert.deepEqual(features.block2.shape, [1, 16, 16, 320]);
      assert.deepEqual(features.block3.shape, [1, 8, 8, 640]);
      assert.deepEqual(features.penultimate.shape, [1, 640]);
    });
    assert.equal(tf.memory().numTensors, tensorsBefore);
  } finally {
    full.params.dispose();
  }
});

test('wrn-34-10 as a thin WRN-16-1: forward, gradients and seeding', () => {
  const options = { depth: 16, widen: 1 };
  const thin = build('wrn-34-10', [32, 32, 3], options);
  try {
    // conv 432 + block1 (first block keeps 16 channels: identity shortcut) + block2 + block3 + BN + fc.
    assert.equal(thin.params.count(), 175_066);
    checkForward(thin, 2, { block1: [32, 32, 16], block2: [16, 16, 32], block3: [8, 8, 64], penultimate: [64] });
    checkGradients(thin, 2);
  } finally {
    thin.params.dispose();
  }
  // A WRN-10-2 has a 1x1 shortcut in every group.
  const other = build('wrn-34-10', [16, 16, 3], { depth: 10, widen: 2 });
  try {
    assert.ok(other.params.entries().some(([n]) => n === 'block1.layer.0.convShortcut.kernel'));
    checkGradients(other, 2);
  } finally {
    other.params.dispose();
  }
  checkSeeding('wrn-34-10', [32, 32, 3], options);
});

test('training-mode batch-norm: the input gradient matches finite differences', () => {
  const params = new Params(3);
  const bn = batchNorm(params, 'bn', 3);
  try {
    const gamma = params.get('bn.gamma')!;
    const beta = params.get('bn.beta')!;
    gamma.assign(tf.tensor1d([0.5, 1.5, -2]));
    beta.assign(tf.tensor1d([0.1, -0.3, 0.2]));
    const weights = tf.randomNormal([2, 2, 3, 3], 0, 1, 'float32', 4);
    const x0 = tf.randomNormal([2, 2, 3, 3], 0, 1, 'float32', 5);
    // A loss that is not invariant to the normalisation: a weighted sum of squares of the output.
    const loss = (x: tf.Tensor) => tf.sum(tf.mul(weights, tf.square(bn(x as tf.Tensor4D, { training: true }))));
    const analytic = tf.grad(loss)(x0).dataSync();
    const base = x0.dataSync();
    const h = 1e-2;
    for (const i of [0, 5, 17, 29]) {
      const shifted = (d: number) => {
        const v = base.slice();
        v[i] += d;
        return tf.tidy(() => loss(tf.tensor(v, x0.shape)).dataSync()[0]);
      };
      const numeric = (shifted(h) - shifted(-h)) / (2 * h);
      assert.ok(Math.abs(numeric - analytic[i]) < 2e-2 * Math.max(1, Math.abs(numeric)), `element ${i}: ${analytic[i]} vs ${numeric}`);
    }
    weights.dispose();
    x0.dispose();
  } finally {
    params.dispose();
  }
});

test('batch-norm matches tf.batchNorm (with tf.moments in training mode): outputs, running averages and gradients', () => {
  const channels = 5;
  const shape: [number, number, number, number] = [3, 4, 2, channels];
  const params = new Params(9);
  const bn = batchNorm(params, 'bn', channels, 0.1, 1e-5);
  const gamma = params.get('bn.gamma')!;
  const beta = params.get('bn.beta')!;
  const runningMean = params.get('bn.running_mean')!;
  const runningVar = params.get('bn.running_var')!;
  const maxRelDiff = (a: tf.Tensor, b: tf.Tensor) =>
    tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / Math.max(tf.max(tf.abs(b)).dataSync()[0], 1e-12));
  try {
    gamma.assign(tf.tensor1d([0.5, 1.5, -2, 1, 0.25]));
    beta.assign(tf.tensor1d([0.1, -0.3, 0.2, 0, 1]));
    runningMean.assign(tf.tensor1d([0.3, -0.2, 1, 0, 0.5]));
    runningVar.assign(tf.tensor1d([0.5, 2, 1, 0.1, 3]));
    // Channels with an offset and a spread unlike 0 and 1, so the normalisation matters.
    const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', 6), tf.tensor1d([1, 3, 0.5, 2, 1])), tf.tensor1d([2, -1, 0, 5, 0.5])));
    const weights = tf.randomNormal(shape, 0, 1, 'float32', 7);
    for (const training of [false, true]) {
      const ours = (xi: tf.Tensor) => bn(xi as tf.Tensor4D, { training });
      const reference = (xi: tf.Tensor) => {
        if (!training) return tf.batchNorm(xi as tf.Tensor4D, runningMean, runningVar, beta, gamma, 1e-5);
        const { mean, variance } = tf.moments(xi, [0, 1, 2]);
        return tf.batchNorm(xi as tf.Tensor4D, mean, variance, beta, gamma, 1e-5);
      };
      const statsBefore = [runningMean.dataSync().slice(), runningVar.dataSync().slice()];
      tf.tidy(() => {
        const y = ours(x);
        const yRef = reference(x);
        assert.ok(maxRelDiff(y, yRef) < 1e-6, `training=${training}: output differs by ${maxRelDiff(y, yRef)}`);
      });
      if (training) {
        // One forward pass moved the running averages by momentum 0.1 towards the batch's.
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        const n = shape[0] * shape[1] * shape[2];
        const m = mean.dataSync();
        const v = variance.dataSync();
        runningMean.dataSync().forEach((r, i) => assert.ok(Math.abs(r - (0.9 * statsBefore[0][i] + 0.1 * m[i])) < 1e-6, 'running mean'));
        runningVar.dataSync().forEach((r, i) => assert.ok(Math.abs(r - (0.9 * statsBefore[1][i] + 0.1 * v[i] * (n / (n - 1)))) < 1e-5, 'running var'));
        tf.dispose([mean, variance]);
        runningMean.assign(tf.tensor1d(Array.from(statsBefore[0])));
        runningVar.assign(tf.tensor1d(Array.from(statsBefore[1])));
      }
      tf.tidy(() => {
        // A loss that is not invariant to the normalisation: a weighted sum of squares of the output.
        const loss = (f: (xi: tf.Tensor) => tf.Tensor) => (xi: tf.Tensor) => tf.sum(tf.mul(weights, tf.square(f(xi)))) as tf.Scalar;
        const dx = tf.grad(loss(ours))(x);
        const dxRef = tf.grad(loss(reference))(x);
        assert.ok(maxRelDiff(dx, dxRef) < 1e-5, `training=${training}: input gradient differs by ${maxRelDiff(dx, dxRef)}`);
        const g = tf.variableGrads(() => loss(ours)(x), [gamma, beta]).grads;
        const gRef = tf.variableGrads(() => loss(reference)(x), [gamma, beta]).grads;
        for (const v of [gamma, beta]) {
          assert.ok(maxRelDiff(g[v.name], gRef[v.name]) < 1e-5, `training=${training}: gradient of ${v.name} differs by ${maxRelDiff(g[v.name], gRef[v.name])}`);
        }
      });
      // Leave the running averages as they were for the next mode.
      runningMean.assign(tf.tensor1d(Array.from(statsBefore[0])));
      runningVar.assign(tf.tensor1d(Array.from(statsBefore[1])));
    }
    tf.dispose([x, weights]);
  } finally {
    params.dispose();
  }
});

test('small-cnn equals its textbook form: conv + bias, relu, max-pool (outputs, input and weight gradients)', () => {
  // The model pools before the relu and adds the bias inside the convolution kernel
  // (FusedConv2D): the same function and the same gradients as the plain ops in this order.
  for (const shape of [[28, 28, 1], [32, 32, 3]] as ImageShape[]) {
    const model = build('small-cnn', shape);
    const w = (name: string) => model.params.get(name)!;
    const textbook = (x: tf.Tensor4D) => {
      const block = (h: tf.Tensor4D, conv: string): tf.Tensor4D =>
        tf.maxPool(tf.relu(tf.add(tf.conv2d(h, w(`${conv}.kernel`) as tf.Tensor4D, 1, 'same'), w(`${conv}.bias`))) as tf.Tensor4D, 2, 2, 'valid');
      const b2 = block(block(x, 'conv1'), 'conv2');
      const p = tf.relu(tf.add(tf.matMul(tf.reshape(b2, [x.shape[0], -1]), w('fc1.kernel') as tf.Tensor2D), w('fc1.bias')));
      return tf.add(tf.matMul(p, w('fc2.kernel') as tf.Tensor2D), w('fc2.bias'));
    };
    const ours = (x: tf.Tensor4D) => model.apply(x, { training: true }).logits;
    // Pixels in {0, 0.5, 1}: many equal values, so the pooling windows see ties.
    const x = tf.tidy(() => tf.div(tf.floor(tf.randomUniform([3, ...shape], 0, 3, 'float32', 8)), 2) as tf.Tensor4D);
    const labels = tf.oneHot(tf.tensor1d([1, 4, 7], 'int32'), NUM_CLASSES);
    const loss = (f: (x: tf.Tensor4D) => tf.Tensor) => (xi: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, f(xi as tf.Tensor4D)) as tf.Scalar;
    const maxRelDiff = (a: tf.Tensor, b: tf.Tensor) =>
      tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / Math.max(tf.max(tf.abs(b)).dataSync()[0], 1e-12));
    const tensorsBefore = tf.memory().numTensors;
    try {
      tf.tidy(() => {
        assert.ok(maxRelDiff(ours(x), textbook(x)) < 1e-6, `${shape}: logits`);
        assert.ok(maxRelDiff(tf.grad(loss(ours))(x), tf.grad(loss(textbook))(x)) < 1e-5, `${shape}: input gradient`);
        const g = tf.variableGrads(() => loss(ours)(x), model.params.trainable()).grads;
        const gRef = tf.variableGrads(() => loss(textbook)(x), model.params.trainable()).grads;
        for (const [name, v] of model.params.trainableNamed()) {
          const d = maxRelDiff(g[v.name], gRef[v.name]);
          assert.ok(d < 1e-5, `${shape}: gradient of ${name} differs by ${d}`);
        }
      });
      assert.equal(tf.memory().numTensors, tensorsBefore, 'no tensors leak');
    } finally {
      tf.dispose([x, labels]);
      model.params.dispose();
    }
  }
});
