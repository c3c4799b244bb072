/**
 * Whole training steps on wasm with GACD's kernels against the cpu backend: tf.variableGrads (the
 * weight gradients of an SGD step) and tf.grad with respect to the input (what PGD uses) for
 * - the small CNN (conv3x3 relu maxpool 2x2, twice, dense relu, dense),
 * - a PreAct ResNet-18 stage (batch norm from batch statistics, relu, conv3x3 stride 2 with a
 *   1x1 stride 2 shortcut, an identity block, 3x3 stride 2 'same' max pooling in the stem,
 *   average pooling, dense),
 * - MobileNetV2 inverted residual blocks (1x1 expand, relu6, depthwise 3x3 stride 2 and 1,
 *   1x1 project, residual add).
 * Every kernel these dispatch must exist on wasm; gradients must agree with cpu to a relative
 * error (max |wasm - cpu| / max |cpu|, per tensor) of 1e-4: looser than the single kernels' 1e-5
 * because the forward passes (XNNPACK vs JavaScript) already differ by float32 rounding, which
 * batch normalisation's division by the batch deviation amplifies. A tensor whose largest
 * gradient is under 1e-3 of the model's largest is measured against that 1e-3 floor instead of
 * its own maximum (its values are rounding noise; see compareSteps).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/engine/backend/select';
import { buildModel } from '../../src/engine/models/registry';
import { ImageShape } from '../../src/engine/models/model';
import { randomValues, relativeError, sizeOf } from './helpers';

const TOL = 1e-4;

type Spec = Record<string, number[]>;
type Vars = Record<string, tf.Variable>;
type Forward = (v: Vars, x: tf.Tensor4D) => tf.Tensor2D;

before(async () => {
  // (Not IS_TEST here: its per-kernel leak check misfires on tfjs's own custom-gradient ops
  // under tf.profile. The step's tensor count is checked instead.)
  assert.equal((await selectBackend('wasm')).name, 'wasm');
});

function bn(v: Vars, name: string, x: tf.Tensor4D): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.batchNorm(x, mean, variance, v[`${name}.beta`], v[`${name}.gamma`], 1e-5) as tf.Tensor4D;
}

const conv = (v: Vars, name: string, x: tf.Tensor4D, stride: number, pad: 'same' | 'valid' = 'same') =>
  tf.conv2d(x, v[name] as tf.Tensor4D, stride, pad);

const dense = (v: Vars, name: string, x: tf.Tensor2D) => tf.add(tf.matMul(x, v[`${name}.w`] as tf.Tensor2D), v[`${name}.b`]) as tf.Tensor2D;

const bnSpec = (name: string, c: number): Spec => ({ [`${name}.gamma`]: [c], [`${name}.beta`]: [c] });

const smallCnn = {
  input: [4, 28, 28, 1],
  spec: { c1: [3, 3, 1, 8], c1b: [8], c2: [3, 3, 8, 16], c2b: [16], 'd1.w': [7 * 7 * 16, 32], 'd1.b': [32], 'd2.w': [32, 10], 'd2.b': [10] },
  forward: ((v, x) => {
    let h = tf.maxPool(tf.relu(tf.add(conv(v, 'c1', x, 1), v.c1b)) as tf.Tensor4D, 2, 2, 'valid');
    h = tf.maxPool(tf.relu(tf.add(conv(v, 'c2', h, 1), v.c2b)) as tf.Tensor4D, 2, 2, 'valid');
    const f = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D;
    return dense(v, 'd2', tf.relu(dense(v, 'd1', f)));
  }) as Forward,
};

const preActResNet = {
  input: [2, 16, 16, 3],
  spec: {
    stem: [3, 3, 3, 16],
    ...bnSpec('b1.bn1', 16),
    'b1.conv1': [3, 3, 16, 32],
    ...bnSpec('b1.bn2', 32),
    'b1.conv2': [3, 3, 32, 32],
    'b1.shortcut': [1, 1, 16, 32],
    ...bnSpec('b2.bn1', 32),
    'b2.conv1': [3, 3, 32, 32],
    ...bnSpec('b2.bn2', 32),
    'b2.conv2': [3, 3, 32, 32],
    ...bnSpec('final', 32),
    'fc.w': [32, 10],
    'fc.b': [10],
  } as Spec,
  forward: ((v, x) => {
    let h = tf.maxPool(conv(v, 'stem', x, 1), 3, 2, 'same'); // 8x8x16
    // Down-sampling block: the shortcut sees the pre-activated input.
    const a1 = tf.relu(bn(v, 'b1.bn1', h)) as tf.Tensor4D;
    const sc = conv(v, 'b1.shortcut', a1, 2);
    let r = conv(v, 'b1.conv1', a1, 2);
    r = conv(v, 'b1.conv2', tf.relu(bn(v, 'b1.bn2', r)) as tf.Tensor4D, 1);
    h = tf.add(r, sc) as tf.Tensor4D; // 4x4x32
    // Identity block.
    const a2 = tf.relu(bn(v, 'b2.bn1', h)) as tf.Tensor4D;
    r = conv(v, 'b2.conv2', tf.relu(bn(v, 'b2.bn2', conv(v, 'b2.conv1', a2, 1))) as tf.Tensor4D, 1);
    h = tf.add(h, r) as tf.Tensor4D;
    h = tf.avgPool(tf.relu(bn(v, 'final', h)) as tf.Tensor4D, 2, 2, 'valid'); // 2x2x32
    return dense(v, 'fc', tf.mean(h, [1, 2]) as tf.Tensor2D);
  }) as Forward,
};

const mobileNetV2 = {
  input: [2, 8, 8, 8],
  spec: {
    'm1.expand': [1, 1, 8, 24],
    ...bnSpec('m1.bn1', 24),
    'm1.dw': [3, 3, 24, 1],
    ...bnSpec('m1.bn2', 24),
    'm1.project': [1, 1, 24, 16],
    ...bnSpec('m1.bn3', 16),
    'm2.expand': [1, 1, 16, 48],
    ...bnSpec('m2.bn1', 48),
    'm2.dw': [3, 3, 48, 1],
    ...bnSpec('m2.bn2', 48),
    'm2.project': [1, 1, 48, 16],
    ...bnSpec('m2.bn3', 16),
    'fc.w': [16, 10],
    'fc.b': [10],
  } as Spec,
  forward: ((v, x) => {
    const block = (p: string, h: tf.Tensor4D, stride: number) => {
      let e = tf.relu6(bn(v, `${p}.bn1`, conv(v, `${p}.expand`, h, 1))) as tf.Tensor4D;
      e = tf.relu6(bn(v, `${p}.bn2`, tf.depthwiseConv2d(e, v[`${p}.dw`] as tf.Tensor4D, stride, 'same'))) as tf.Tensor4D;
      return bn(v, `${p}.bn3`, conv(v, `${p}.project`, e, 1));
    };
    const h1 = block('m1', x, 2); // 4x4x16
    const h2 = tf.add(h1, block('m2', h1, 1)) as tf.Tensor4D; // inverted residual
    return dense(v, 'fc', tf.mean(h2, [1, 2]) as tf.Tensor2D);
  }) as Forward,
};

let variableCount = 0;

interface Result {
  loss: number;
  grads: Record<string, Float32Array>;
  inputGrad: Float32Array;
  kernels: string[];
}

async function trainStepOn(backend: string, model: { input: number[]; spec: Spec; forward: Forward }): Promise<Result> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  let seed = 1;
  const vars: Vars = {};
  const specName: Record<string, string> = {};
  for (const [name, shape] of Object.entries(model.spec)) {
    const scale = name.endsWith('gamma') ? 0 : name.endsWith('beta') ? 0 : 1 / Math.sqrt(sizeOf(shape.slice(0, -1)) || 1);
    const values = randomValues(sizeOf(shape), seed++).map((u) => (name.endsWith('gamma') ? 1 + 0.1 * u : u * scale));
    const init = tf.tensor(values, shape);
    const v = tf.variable(init, true, `${backend}/${name}/${variableCount++}`);
    init.dispose();
    vars[name] = v;
    specName[v.name] = name;
  }
  const x = tf.tensor4d(randomValues(sizeOf(model.input), 999), model.input as [number, number, number, number]);
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: model.input[0] }, (_, i) => (i * 3) % 10), 'int32'), 10));
  const loss = (xx: tf.Tensor4D) => tf.losses.softmaxCrossEntropy(labels, model.forward(vars, xx)) as tf.Scalar;

  const step = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => loss(x));
      const gx = tf.grad((xx: tf.Tensor) => loss(xx as tf.Tensor4D))(x);
      return { value, gx, grads };
    });
  const profile = await tf.profile(() => {
    const r = step();
    return [r.value, r.gx, ...Object.values(r.grads)];
  });
  tf.dispose(profile.result as tf.Tensor[]);
  const { value, gx, grads } = step();
  const result: Result = {
    loss: value.dataSync()[0],
    grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [specName[k], Float32Array.from(g.dataSync())])),
    inputGrad: Float32Array.from(gx.dataSync()),
    kernels: [...new Set(profile.kernelNames)].sort(),
  };
  tf.dispose([value, gx, x, labels, ...Object.values(grads), ...Object.values(vars)]);
  const leaked = tf.memory().numTensors - before;
  assert.equal(leaked, 0, `${backend}: ${leaked} tensors leaked by the training step`);
  return result;
}

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function compareSteps(name: string, model: { input: number[]; spec: Spec; forward: Forward }, mustUse: string[]) {
  test(`${name}: weight and input gradients on wasm match cpu`, async () => {
    const cpu = await trainStepOn('cpu', model);
    const wasm = await trainStepOn('wasm', model);
    for (const k of mustUse) assert.ok(wasm.kernels.includes(k), `${name} should dispatch ${k} (got ${wasm.kernels.join(' ')})`);
    // (Profiles also list custom-gradient scopes such as softmaxCrossEntropy__op: not kernels.)
    const missing = wasm.kernels.filter((k) => tf.getKernel(k, 'cpu') != null && tf.getKernel(k, 'wasm') == null);
    assert.deepEqual(missing, [], 'kernels missing on wasm');
    assert.ok(Math.abs(wasm.loss - cpu.loss) <= 1e-5 * Math.max(1, Math.abs(cpu.loss)), `loss ${wasm.loss} vs ${cpu.loss}`);
    const errors: string[] = [];
    // A tensor whose gradient is tiny next to the model's largest (a batch-norm scale ahead of a
    // linear layer and another batch norm: the loss barely depends on it) holds rounding noise;
    // its differences are measured against 1e-3 of the largest gradient instead.
    const floor = 1e-3 * Math.max(...Object.values(cpu.grads).map(maxAbs), maxAbs(cpu.inputGrad));
    const check = (label: string, a: Float32Array, b: Float32Array) => {
      const e = (relativeError(a, b) * Math.max(maxAbs(b), 1e-12)) / Math.max(maxAbs(b), floor);
      if (!(e <= TOL)) errors.push(`${label}: ${e.toExponential(2)}`);
      if (process.env.GACD_TEST_VERBOSE) console.log(`${name} ${label}: relative error ${e.toExponential(2)}`);
      if (process.env.GACD_TEST_DUMP === label) console.log(Array.from(a).map((v, i) => `${v.toExponential(3)}/${b[i].toExponential(3)}`).join(' '));
    };
    assert.deepEqual(Object.keys(wasm.grads).sort(), Object.keys(model.spec).sort());
    for (const k of Object.keys(cpu.grads)) check(k, wasm.grads[k], cpu.grads[k]);
    check('input', wasm.inputGrad, cpu.inputGrad);
    assert.deepEqual(errors, [], 'gradients differ');
  });
}

describe('training steps on wasm', () => {
  compareSteps('small CNN', smallCnn, ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'BatchMatMul']);
  compareSteps('PreAct ResNet block', preActResNet, ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'AvgPoolGrad']);
  compareSteps('MobileNetV2 block', mobileNetV2, [
    'DepthwiseConv2dNativeBackpropFilter',
    'DepthwiseConv2dNativeBackpropInput',
    'Relu6',
  ]);
});

/**
 * The engine's own models (their FusedConv2D with its registered gradient, batch norm with its
 * closed-form training gradient, the wasm Sum/Mean): the training step's weight gradients
 * (training mode) and the attack's input gradient (eval mode) on wasm against cpu.
 */
async function engineStepOn(backend: string, arch: string, shape: ImageShape, batch: number): Promise<Omit<Result, 'kernels'>> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const model = buildModel(arch, { inputShape: shape, numClasses: 10, seed: 3 });
  const x = tf.tensor4d(randomValues(batch * sizeOf(shape), 77).map((v) => (v + 1) / 2), [batch, ...shape]);
  const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, i) => (i * 7) % 10), 'int32'), 10));
  const loss = (xx: tf.Tensor, training: boolean) =>
    tf.losses.softmaxCrossEntropy(labels, model.apply(xx as tf.Tensor4D, { training }).logits) as tf.Scalar;
  const result = tf.tidy(() => {
    const gx = tf.grad((xx: tf.Tensor) => loss(xx, false))(x);
    const { value, grads } = tf.variableGrads(() => loss(x, true), model.params.trainable());
    const names = new Map(model.params.trainableNamed().map(([n, v]) => [v.name, n]));
    return {
      loss: value.dataSync()[0],
      grads: Object.fromEntries(Object.entries(grads).map(([k, g]) => [names.get(k)!, Float32Array.from(g.dataSync())])),
      inputGrad: Float32Array.from(gx.dataSync()),
    };
  });
  tf.dispose([x, labels]);
  model.params.dispose();
  assert.equal(tf.memory().numTensors - before, 0, `${backend}: tensors leaked`);
  return result;
}

describe("the engine's models on wasm", () => {
  const cases: Array<[string, ImageShape, number]> = [
    ['small-cnn', [28, 28, 1], 4],
    ['small-cnn', [32, 32, 3], 2],
    // Batch 4: the last stage (1x1 at 8x8) normalises 4 values a channel; with 2, their variance
    // amplifies float32 rounding past the tolerance, with tfjs's batch norm as with ours.
    ['preact-resnet18', [8, 8, 3], 4],
  ];
  for (const [arch, shape, batch] of cases) {
    test(`${arch} ${shape.join('x')}: weight gradients (training mode) and input gradient (eval mode) match cpu`, async () => {
      const cpu = await engineStepOn('cpu', arch, shape, batch);
      const wasm = await engineStepOn('wasm', arch, shape, batch);
      assert.ok(Math.abs(wasm.loss - cpu.loss) <= 1e-5 * Math.max(1, Math.abs(cpu.loss)), `loss ${wasm.loss} vs ${cpu.loss}`);
      const floor = 1e-3 * Math.max(...Object.values(cpu.grads).map(maxAbs), maxAbs(cpu.inputGrad));
      const errors: string[] = [];
      const check = (label: string, a: Float32Array, b: Float32Array) => {
        const e = (relativeError(a, b) * Math.max(maxAbs(b), 1e-12)) / Math.max(maxAbs(b), floor);
        if (!(e <= TOL)) errors.push(`${label}: ${e.toExponential(2)}`);
      };
      assert.deepEqual(Object.keys(wasm.grads).sort(), Object.keys(cpu.grads).sort());
      for (const k of Object.keys(cpu.grads)) check(k, wasm.grads[k], cpu.grads[k]);
      check('input', wasm.inputGrad, cpu.inputGrad);
      assert.deepEqual(errors, [], 'gradients differ');
    });
  }
});
