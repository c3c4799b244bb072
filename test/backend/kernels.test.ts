/**
 * GACD's wasm kernels against the cpu backend, on seeded random inputs, for every stride, padding
 * and filter size the models use (and a few more). Relative error (helpers.relativeError):
 * max |wasm - cpu| / max |cpu| <= 1e-5. Every run also checks that no tensor and no backend data id
 * leaks, and tfjs's own per-kernel leak check is on (IS_TEST).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/engine/backend/select';
import { backpropFilterOptions } from '../../src/engine/backend/kernels/conv2dBackpropFilter';
import { transposedConvOptions } from '../../src/engine/backend/kernels/transposedConv';
import { maxPoolGradOptions } from '../../src/engine/backend/kernels/maxPoolGrad';
import { wasmKernelsRegistered } from '../../src/engine/backend/kernels/register';
import { simdKernels, simdModuleBytes } from '../../src/engine/backend/kernels/simd';
import { clearDerivedTensors, derivedTensorCount, WasmBackend } from '../../src/engine/backend/kernels/util';
import { Inputs, randomValues, relativeError, runKernelOn, sizeOf, tiedValues } from './helpers';

const TOL = 1e-5;

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type Shape4 = [number, number, number, number];

before(async () => {
  tf.env().set('IS_TEST', true);
  const info = await selectBackend('wasm');
  assert.equal(info.name, 'wasm');
});

async function compare(kernelName: string, inputs: Inputs, attrs: Record<string, unknown>): Promise<number> {
  const cpu = await runKernelOn('cpu', kernelName, inputs, attrs);
  const wasm = await runKernelOn('wasm', kernelName, inputs, attrs);
  assert.deepEqual(wasm.shape, cpu.shape, `${kernelName} shape`);
  const err = relativeError(wasm.values, cpu.values);
  assert.ok(err <= TOL, `${kernelName}: relative error ${err.toExponential(2)} > ${TOL}`);
  if (process.env.GACD_TEST_VERBOSE) console.log(`${kernelName} ${JSON.stringify(attrs)}: relative error ${err.toExponential(2)}`);
  return err;
}

interface ConvCase {
  name: string;
  x: Shape4;
  f: Shape4;
  strides: number | [number, number];
  pad: Pad;
}

const convCases: ConvCase[] = [
  { name: '3x3 stride 1 same', x: [2, 7, 7, 3], f: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { name: '3x3 stride 2 same, odd size', x: [2, 9, 9, 3], f: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { name: '3x3 stride 2 same, even size', x: [2, 8, 8, 5], f: [3, 3, 5, 6], strides: 2, pad: 'same' },
  { name: '3x3 stride 1 valid', x: [2, 7, 6, 3], f: [3, 3, 3, 4], strides: 1, pad: 'valid' },
  { name: '3x3 stride 2 valid, last row unused', x: [2, 8, 8, 3], f: [3, 3, 3, 4], strides: 2, pad: 'valid' },
  { name: '1x1 stride 1', x: [2, 6, 6, 5], f: [1, 1, 5, 7], strides: 1, pad: 'same' },
  { name: '1x1 stride 2 same', x: [2, 8, 8, 5], f: [1, 1, 5, 7], strides: 2, pad: 'same' },
  { name: '1x1 stride 2 valid, odd size', x: [2, 7, 7, 5], f: [1, 1, 5, 7], strides: 2, pad: 'valid' },
  { name: '5x5 stride 1 same', x: [2, 9, 9, 3], f: [5, 5, 3, 4], strides: 1, pad: 'same' },
  { name: '5x5 stride 1 valid', x: [2, 9, 9, 3], f: [5, 5, 3, 4], strides: 1, pad: 'valid' },
  { name: '5x5 stride 2 same', x: [2, 10, 10, 3], f: [5, 5, 3, 4], strides: 2, pad: 'same' },
  { name: '3x3 stride 2 pad 1 (number)', x: [2, 8, 8, 3], f: [3, 3, 3, 4], strides: 2, pad: 1 },
  { name: '3x3 stride 1 pad 2 (number)', x: [2, 6, 6, 3], f: [3, 3, 3, 4], strides: 1, pad: 2 },
  { name: '3x3 stride 3 valid', x: [2, 10, 10, 3], f: [3, 3, 3, 4], strides: 3, pad: 'valid' },
  { name: '2x2 stride 2 valid', x: [2, 8, 8, 3], f: [2, 2, 3, 4], strides: 2, pad: 'valid' },
  {
    name: '3x3 stride 2 explicit [[2,0],[0,1]]',
    x: [2, 8, 7, 3],
    f: [3, 3, 3, 4],
    strides: 2,
    pad: [[0, 0], [2, 0], [0, 1], [0, 0]],
  },
  {
    name: '3x3 stride 2 explicit, large bottom padding',
    x: [2, 6, 6, 3],
    f: [3, 3, 3, 4],
    strides: 2,
    pad: [[0, 0], [0, 4], [3, 0], [0, 0]],
  },
  { name: '3x1 filter, strides [2, 1]', x: [2, 8, 7, 3], f: [3, 1, 3, 4], strides: [2, 1], pad: 'same' },
  { name: '1x3 filter, strides [1, 2] valid', x: [2, 7, 8, 3], f: [1, 3, 3, 4], strides: [1, 2], pad: 'valid' },
  { name: 'small CNN conv1, 28x28x1 -> 32', x: [3, 28, 28, 1], f: [3, 3, 1, 32], strides: 1, pad: 'same' },
  { name: 'small CNN conv2, 14x14x32 -> 64', x: [2, 14, 14, 32], f: [3, 3, 32, 64], strides: 1, pad: 'same' },
  { name: 'ResNet downsample, 8x8x16 -> 32 stride 2', x: [2, 8, 8, 16], f: [3, 3, 16, 32], strides: 2, pad: 'same' },
  { name: 'PreAct ResNet downsample, pad 1, 8x8x16 -> 32 stride 2', x: [2, 8, 8, 16], f: [3, 3, 16, 32], strides: 2, pad: 1 },
  { name: 'PreAct ResNet downsample, pad 1, odd 7x9 input', x: [2, 7, 9, 16], f: [3, 3, 16, 32], strides: 2, pad: 1 },
  { name: 'PreAct ResNet shortcut, 1x1 stride 2 pad 0, 8x8x16 -> 32', x: [2, 8, 8, 16], f: [1, 1, 16, 32], strides: 2, pad: 0 },
];

function convGeometry(c: ConvCase, depthwise = false): { dyShape: number[] } {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.strides, 1, c.pad, undefined, depthwise);
  return { dyShape: info.outShape };
}

// Two layouts compute the input gradient (transposedConv.ts): per-phase convolutions, and
// dy @ W^T + col2im for inputs with few channels (stride 1 gathers each pixel's taps, other
// strides scatter tap by tap). Every case runs through all three.
const layouts = [
  { name: 'phase convolutions', col2imMaxChannels: 0, col2imGather: true },
  { name: 'col2im (stride 1 gathered)', col2imMaxChannels: 1 << 30, col2imGather: true },
  { name: 'col2im (scattered)', col2imMaxChannels: 1 << 30, col2imGather: false },
];

describe('Conv2DBackpropInput (wasm) matches cpu', () => {
  for (const layout of layouts) {
    describe(layout.name, () => {
      convCases.forEach((c, k) => {
        test(c.name, async () => {
          const saved = { ...transposedConvOptions };
          transposedConvOptions.col2imMaxChannels = layout.col2imMaxChannels;
          transposedConvOptions.col2imGather = layout.col2imGather;
          try {
            const { dyShape } = convGeometry(c);
            await compare(
              'Conv2DBackpropInput',
              {
                dy: { values: randomValues(sizeOf(dyShape), 100 + k), shape: dyShape },
                filter: { values: randomValues(sizeOf(c.f), 200 + k), shape: c.f },
              },
              { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x },
            );
          } finally {
            Object.assign(transposedConvOptions, saved);
          }
        });
      });
    });
  }

  test('NCHW goes to the shipped kernel', async () => {
    const inputShape = [2, 3, 7, 7];
    const f = [3, 3, 3, 4];
    await compare(
      'Conv2DBackpropInput',
      {
        dy: { values: randomValues(2 * 4 * 7 * 7, 21), shape: [2, 4, 7, 7] },
        filter: { values: randomValues(sizeOf(f), 22), shape: f },
      },
      { strides: 1, pad: 'same', dataFormat: 'NCHW', inputShape },
    );
  });
});

describe('Conv2DBackpropFilter (wasm) matches cpu', () => {
  convCases.forEach((c, k) => {
    test(c.name, async () => {
      const { dyShape } = convGeometry(c);
      await compare(
        'Conv2DBackpropFilter',
        {
          x: { values: randomValues(sizeOf(c.x), 300 + k), shape: c.x },
          dy: { values: randomValues(sizeOf(dyShape), 400 + k), shape: dyShape },
        },
        { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.f },
      );
    });
  });

  test('batch cut into chunks (small im2col budget)', async () => {
    const saved = backpropFilterOptions.colsBudget;
    backpropFilterOptions.colsBudget = 3 * 3 * 4 * 8 * 8 * 2; // two images per chunk
    try {
      for (const c of [convCases[2], convCases[0]]) {
        const x: Shape4 = [5, c.x[1], c.x[2], c.x[3]];
        const cc = { ...c, x };
        const { dyShape } = convGeometry(cc);
        await compare(
          'Conv2DBackpropFilter',
          {
            x: { values: randomValues(sizeOf(x), 7), shape: x },
            dy: { values: randomValues(sizeOf(dyShape), 8), shape: dyShape },
          },
          { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.f },
        );
      }
    } finally {
      backpropFilterOptions.colsBudget = saved;
    }
  });
});

const depthwiseCases: ConvCase[] = [
  { name: '3x3 stride 1 same', x: [2, 7, 7, 4], f: [3, 3, 4, 1], strides: 1, pad: 'same' },
  { name: '3x3 stride 2 same, even size', x: [2, 8, 8, 4], f: [3, 3, 4, 1], strides: 2, pad: 'same' },
  { name: '3x3 stride 2 same, odd size', x: [2, 9, 9, 4], f: [3, 3, 4, 1], strides: 2, pad: 'same' },
  { name: '3x3 stride 1 valid', x: [2, 7, 7, 4], f: [3, 3, 4, 1], strides: 1, pad: 'valid' },
  { name: '3x3 stride 2 valid', x: [2, 8, 8, 4], f: [3, 3, 4, 1], strides: 2, pad: 'valid' },
  { name: '5x5 stride 2 same', x: [2, 9, 9, 3], f: [5, 5, 3, 1], strides: 2, pad: 'same' },
  { name: '3x3 stride 2 pad 1 (number)', x: [2, 8, 8, 4], f: [3, 3, 4, 1], strides: 2, pad: 1 },
  { name: 'multiplier 2, stride 1 same', x: [2, 6, 6, 3], f: [3, 3, 3, 2], strides: 1, pad: 'same' },
  { name: 'multiplier 3, stride 2 same', x: [2, 8, 8, 3], f: [3, 3, 3, 3], strides: 2, pad: 'same' },
  { name: 'MobileNetV2 width, 8x8x32 stride 1', x: [2, 8, 8, 32], f: [3, 3, 32, 1], strides: 1, pad: 'same' },
];

describe('DepthwiseConv2dNativeBackpropInput (wasm) matches cpu', () => {
  depthwiseCases.forEach((c, k) => {
    test(c.name, async () => {
      const { dyShape } = convGeometry(c, true);
      await compare(
        'DepthwiseConv2dNativeBackpropInput',
        {
          dy: { values: randomValues(sizeOf(dyShape), 500 + k), shape: dyShape },
          filter: { values: randomValues(sizeOf(c.f), 600 + k), shape: c.f },
        },
        { strides: c.strides, pad: c.pad, dilations: [1, 1], inputShape: c.x },
      );
    });
  });
});

describe('DepthwiseConv2dNativeBackpropFilter (wasm) matches cpu', () => {
  depthwiseCases.forEach((c, k) => {
    test(c.name, async () => {
      const { dyShape } = convGeometry(c, true);
      await compare(
        'DepthwiseConv2dNativeBackpropFilter',
        {
          x: { values: randomValues(sizeOf(c.x), 700 + k), shape: c.x },
          dy: { values: randomValues(sizeOf(dyShape), 800 + k), shape: dyShape },
        },
        { strides: c.strides, pad: c.pad, dilations: [1, 1], filterShape: c.f },
      );
    });
  });
});

interface PoolCase {
  name: string;
  x: Shape4;
  size: number | [number, number];
  strides: number | [number, number];
  pad: Pad;
}

const poolCases: PoolCase[] = [
  { name: '2x2 stride 2 valid', x: [2, 8, 8, 3], size: 2, strides: 2, pad: 'valid' },
  { name: '2x2 stride 2 valid, odd size', x: [2, 9, 7, 3], size: 2, strides: 2, pad: 'valid' },
  { name: '3x3 stride 2 same', x: [2, 8, 8, 3], size: 3, strides: 2, pad: 'same' },
  { name: '3x3 stride 2 same, odd size', x: [2, 9, 9, 3], size: 3, strides: 2, pad: 'same' },
  { name: '3x3 stride 1 same (overlapping)', x: [2, 7, 7, 3], size: 3, strides: 1, pad: 'same' },
  { name: '3x3 stride 2 valid', x: [2, 9, 9, 3], size: 3, strides: 2, pad: 'valid' },
  { name: '2x2 stride 1 valid (overlapping)', x: [2, 6, 6, 3], size: 2, strides: 1, pad: 'valid' },
  { name: '3x3 stride 2 pad 1 (number)', x: [2, 8, 8, 3], size: 3, strides: 2, pad: 1 },
  { name: '3x2 window, strides [2, 1]', x: [2, 8, 7, 3], size: [3, 2], strides: [2, 1], pad: 'same' },
  { name: 'small CNN pool, 28x28x32', x: [2, 28, 28, 32], size: 2, strides: 2, pad: 'valid' },
];

function poolInputs(c: PoolCase, x: Float32Array, seed: number): Inputs {
  const info = tf.backend_util.computePool2DInfo(c.x, c.size, c.strides, 1, c.pad);
  const dyShape = info.outShape;
  // `output` is the forward result; neither backend's gradient needs its values.
  return {
    dy: { values: randomValues(sizeOf(dyShape), seed), shape: dyShape },
    input: { values: x, shape: c.x },
    output: { values: new Float32Array(sizeOf(dyShape)), shape: dyShape },
  };
}

const poolAttrs = (c: PoolCase) => ({ filterSize: c.size, strides: c.strides, pad: c.pad });

describe('MaxPoolGrad (wasm) matches cpu', () => {
  poolCases.forEach((c, k) => {
    test(`${c.name}: random values`, async () => {
      await compare('MaxPoolGrad', poolInputs(c, randomValues(sizeOf(c.x), 900 + k), 1000 + k), poolAttrs(c));
    });
    test(`${c.name}: ties (values in {0, 1, 2})`, async () => {
      await compare('MaxPoolGrad', poolInputs(c, tiedValues(sizeOf(c.x), 1100 + k), 1200 + k), poolAttrs(c));
    });
  });

  test('ties go to the first maximum in scan order, once per window', async () => {
    // One image, one channel, 2x2 windows stride 2 over a 4x4 input, all values equal: each
    // window's gradient goes to its top-left position only.
    const c: PoolCase = { name: 'equal', x: [1, 4, 4, 1], size: 2, strides: 2, pad: 'valid' };
    const dy = Float32Array.from([1, 2, 3, 4]);
    const inputs: Inputs = {
      dy: { values: dy, shape: [1, 2, 2, 1] },
      input: { values: new Float32Array(16).fill(5), shape: c.x },
      output: { values: new Float32Array(4).fill(5), shape: [1, 2, 2, 1] },
    };
    const wasm = await runKernelOn('wasm', 'MaxPoolGrad', inputs, poolAttrs(c));
    assert.deepEqual(Array.from(wasm.values), [1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0]);
    // Overlapping 3x3 stride 1 'same' windows over equal values: each window picks its first
    // in-bounds position, and those sums are what the cpu backend gives.
    const o: PoolCase = { name: 'equal overlapping', x: [1, 4, 4, 2], size: 3, strides: 1, pad: 'same' };
    await compare('MaxPoolGrad', poolInputs(o, new Float32Array(32).fill(1), 77), poolAttrs(o));
  });

  test('2x2 windows with -0, +0, NaN and infinities (the branch-free path and its fallback)', async () => {
    const c: PoolCase = { name: 'special', x: [1, 4, 4, 2], size: 2, strides: 2, pad: 'valid' };
    // Window by window (channel 0, then channel 1 mirrored), scan order top-left, top-right,
    // bottom-left, bottom-right.
    const windows = [
      [-0, 0, 0, -0],
      [NaN, 1, 2, 2],
      [-Infinity, -Infinity, -Infinity, -Infinity],
      [Infinity, Infinity, 5, 6],
      [-1, -3, -1, -2],
      [0, -0, NaN, NaN],
      [-Infinity, -5, Infinity, Infinity],
      [3.5, 3.5, 3.5, 3.5],
    ];
    const x = new Float32Array(32);
    windows.forEach((vals, wIdx) => {
      const ch = wIdx >= 4 ? 1 : 0;
      const w = wIdx % 4;
      const r0 = 2 * Math.floor(w / 2);
      const c0 = 2 * (w % 2);
      vals.forEach((v, k) => {
        x[((r0 + Math.floor(k / 2)) * 4 + c0 + (k % 2)) * 2 + ch] = v;
      });
    });
    await compare('MaxPoolGrad', poolInputs(c, x, 9), poolAttrs(c));
  });

  test('-Infinity and NaN windows pass no gradient (as on cpu)', async () => {
    const c: PoolCase = { name: 'inf', x: [1, 6, 6, 2], size: 3, strides: 2, pad: 'same' };
    const x = randomValues(72, 5);
    for (let i = 0; i < 72; i += 2) x[i] = -Infinity; // channel 0: all -Infinity
    x[1] = NaN;
    x[3] = NaN;
    await compare('MaxPoolGrad', poolInputs(c, x, 6), poolAttrs(c));
  });
});

describe('MaxPoolGrad 2x2 stride 2: the SIMD and the JavaScript paths match cpu', () => {
  test('the SIMD kernels load on this engine', async () => {
    await tf.setBackend('wasm');
    const wasmApi = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;
    assert.ok(wasmApi.validate(simdModuleBytes()), 'the assembled module validates');
    assert.ok(simdKernels(tf.engine().backend as WasmBackend), 'bound to the wasm heap');
  });

  // Special windows (scan order: top-left, top-right, bottom-left, bottom-right); channel k of
  // window w gets specials[(w + k) % 8], so every lane of a SIMD block sees each of them.
  const specials = [
    [-0, 0, 0, -0],
    [NaN, 1, 2, 2],
    [-Infinity, -Infinity, -Infinity, -Infinity],
    [Infinity, Infinity, 5, 6],
    [-1, -3, -1, -2],
    [0, -0, NaN, NaN],
    [-Infinity, -5, Infinity, Infinity],
    [3.5, 3.5, 3.5, 3.5],
  ];
  const special = (c: number): Float32Array => {
    const x = new Float32Array(16 * c); // [1, 4, 4, c]: four windows
    for (let w = 0; w < 4; w++) {
      const r0 = 2 * Math.floor(w / 2);
      const c0 = 2 * (w % 2);
      for (let ch = 0; ch < c; ch++) {
        specials[(w + ch) % 8].forEach((v, k) => {
          x[((r0 + Math.floor(k / 2)) * 4 + c0 + (k % 2)) * c + ch] = v;
        });
      }
    }
    return x;
  };
  const cases: Array<{ name: string; c: PoolCase; x: () => Float32Array }> = [
    { name: 'special values, 8 channels', c: { name: '', x: [1, 4, 4, 8], size: 2, strides: 2, pad: 'valid' }, x: () => special(8) },
    { name: 'random, 12 channels', c: { name: '', x: [3, 6, 10, 12], size: 2, strides: 2, pad: 'valid' }, x: () => randomValues(3 * 6 * 10 * 12, 41) },
    { name: 'ties, 4 channels', c: { name: '', x: [2, 8, 8, 4], size: 2, strides: 2, pad: 'valid' }, x: () => tiedValues(2 * 8 * 8 * 4, 42) },
    { name: 'ties, small CNN size 28x28x32', c: { name: '', x: [2, 28, 28, 32], size: 2, strides: 2, pad: 'valid' }, x: () => tiedValues(2 * 28 * 28 * 32, 43, 2) },
  ];
  for (const simd of [true, false]) {
    for (const k of cases) {
      test(`${simd ? 'SIMD' : 'JavaScript'}: ${k.name}`, async () => {
        const saved = maxPoolGradOptions.simd;
        maxPoolGradOptions.simd = simd;
        try {
          await compare('MaxPoolGrad', poolInputs(k.c, k.x(), 44), poolAttrs(k.c));
        } finally {
          maxPoolGradOptions.simd = saved;
        }
      });
    }
  }
});

describe('AvgPoolGrad (shipped wasm kernel) matches cpu', () => {
  for (const c of poolCases.filter((p) => p.pad !== 1)) {
    test(c.name, async () => {
      const info = tf.backend_util.computePool2DInfo(c.x, c.size, c.strides, 1, c.pad);
      await compare(
        'AvgPoolGrad',
        {
          dy: { values: randomValues(sizeOf(info.outShape), 31), shape: info.outShape },
          input: { values: randomValues(sizeOf(c.x), 32), shape: c.x },
        },
        poolAttrs(c),
      );
    });
  }
});

const reduceCases: Array<{ name: string; x: number[]; axis: number | number[]; keepDims?: boolean }> = [
  { name: 'NHWC over [0, 1, 2] (bias gradient, batch-norm moments)', x: [4, 6, 5, 16], axis: [0, 1, 2] },
  { name: 'NHWC over [0, 1, 2], keepDims', x: [3, 4, 4, 8], axis: [0, 1, 2], keepDims: true },
  { name: 'NHWC over [1, 2] (global average pooling)', x: [3, 5, 4, 7], axis: [1, 2] },
  { name: 'NHWC over [1, 2], keepDims, negative axes', x: [2, 4, 4, 6], axis: [-3, -2], keepDims: true },
  { name: 'matrix over axis 0 (dense bias gradient)', x: [33, 10], axis: 0 },
  { name: 'rank 3 over the middle axis', x: [3, 9, 5], axis: 1 },
  { name: 'axes given out of order', x: [2, 3, 4, 5], axis: [2, 0, 1] },
  { name: 'one channel (inner size 1: the shipped kernel)', x: [2, 4, 4, 1], axis: [0, 1, 2] },
  { name: 'innermost axes (the shipped kernel)', x: [3, 4, 5], axis: [1, 2] },
  { name: 'axes [0, 2], not one block (the shipped kernel)', x: [3, 4, 5, 2], axis: [0, 2] },
  { name: 'every axis (the shipped kernel)', x: [3, 4, 5], axis: [0, 1, 2] },
];

for (const kernelName of ['Sum', 'Mean']) {
  describe(`${kernelName} (wasm) matches cpu`, () => {
    reduceCases.forEach((c, k) => {
      test(c.name, async () => {
        await compare(kernelName, { x: { values: randomValues(sizeOf(c.x), 1300 + k), shape: c.x } }, { axis: c.axis, keepDims: c.keepDims ?? false });
      });
    });
  });
}

describe('Maximum, Minimum and Sign (wasm) match cpu exactly', () => {
  // Values that tell the semantics apart: NaN, both zeros, infinities, ties.
  const special = [NaN, -0, 0, Infinity, -Infinity, 1.5, -1.5, 2, -2, 0.25];
  const valuesA = (n: number, seed: number) => randomValues(n, seed).map((v, i) => (i % 3 === 0 ? special[(i / 3) % special.length] : v));
  const valuesB = (n: number, seed: number) => randomValues(n, seed).map((v, i) => (i % 4 === 1 ? special[(i * 7) % special.length] : v));
  const shapes = [
    [128, 4, 4, 3],
    [3, 5, 7], // 105 values: a tail after the last vector of four
    [2], // only a tail
    [10, 10], // every pair of specials meets
  ];
  for (const shape of shapes) {
    for (const kernelName of ['Maximum', 'Minimum', 'Sign']) {
      test(`${kernelName} [${shape}]`, async () => {
        const n = sizeOf(shape);
        // [10, 10]: a[i] and b[i] run through all pairs of specials.
        const a = shape.length === 2 ? Float32Array.from({ length: n }, (_, i) => special[i % 10]) : valuesA(n, 51);
        const b = shape.length === 2 ? Float32Array.from({ length: n }, (_, i) => special[Math.floor(i / 10)]) : valuesB(n, 52);
        const inputs: Inputs = kernelName === 'Sign' ? { x: { values: a, shape } } : { a: { values: a, shape }, b: { values: b, shape } };
        const cpu = await runKernelOn('cpu', kernelName, inputs, {});
        const wasm = await runKernelOn('wasm', kernelName, inputs, {});
        assert.deepEqual(wasm.shape, cpu.shape);
        const differ = [...cpu.values.keys()].filter((i) => !Object.is(wasm.values[i], cpu.values[i]));
        assert.deepEqual(
          differ.slice(0, 5).map((i) => `${i}: ${a[i]}, ${b[i]} -> ${wasm.values[i]} (cpu ${cpu.values[i]})`),
          [],
          `${differ.length} values differ`,
        );
      });
    }
  }
  test('broadcasting goes to the shipped kernel', async () => {
    await compare('Maximum', { a: { values: randomValues(6, 53), shape: [2, 3] }, b: { values: randomValues(3, 54), shape: [3] } }, {});
  });
});

describe('derived filters and transposed weights are kept while their source lives', () => {
  // With IS_TEST off (tfjs's per-kernel leak check would count the kept tensors as leaks).
  const cases: Array<{ name: string; kernel: string; weight: string; inputs: Inputs; attrs: Record<string, unknown> }> = [];
  const add = (name: string, kernel: string, weight: string, inputs: Inputs, attrs: Record<string, unknown>) =>
    cases.push({ name, kernel, weight, inputs, attrs });
  {
    const c = convCases.find((k) => k.name === '3x3 stride 2 same, even size')!; // four phases
    const { dyShape } = convGeometry(c);
    add('Conv2DBackpropInput, stride-2 phases', 'Conv2DBackpropInput', 'filter', {
      dy: { values: randomValues(sizeOf(dyShape), 1) , shape: dyShape },
      filter: { values: randomValues(sizeOf(c.f), 2), shape: c.f },
    }, { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x });
    const first = convCases.find((k) => k.name.startsWith('small CNN conv1'))!; // one input channel: col2im
    const g = convGeometry(first);
    add('Conv2DBackpropInput, col2im', 'Conv2DBackpropInput', 'filter', {
      dy: { values: randomValues(sizeOf(g.dyShape), 3), shape: g.dyShape },
      filter: { values: randomValues(sizeOf(first.f), 4), shape: first.f },
    }, { strides: first.strides, pad: first.pad, dataFormat: 'NHWC', inputShape: first.x });
    for (const d of [depthwiseCases[0], depthwiseCases[1]]) {
      const dg = convGeometry(d, true);
      add(`DepthwiseConv2dNativeBackpropInput, ${d.name}`, 'DepthwiseConv2dNativeBackpropInput', 'filter', {
        dy: { values: randomValues(sizeOf(dg.dyShape), 5), shape: dg.dyShape },
        filter: { values: randomValues(sizeOf(d.f), 6), shape: d.f },
      }, { strides: d.strides, pad: d.pad, dilations: [1, 1], inputShape: d.x });
    }
    add('BatchMatMul, transposed right operand (dy @ W^T)', 'BatchMatMul', 'b', {
      a: { values: randomValues(6 * 5, 7), shape: [6, 5] },
      b: { values: randomValues(9 * 5, 8), shape: [9, 5] },
    }, { transposeA: false, transposeB: true });
  }

  for (const c of cases) {
    test(c.name, async () => {
      const expected = await runKernelOn('cpu', c.kernel, c.inputs, c.attrs);
      await tf.setBackend('wasm');
      const backend = tf.engine().backend as WasmBackend;
      const wasIsTest = tf.env().getBool('IS_TEST');
      tf.env().set('IS_TEST', false);
      const idsBefore = backend.numDataIds();
      try {
        const run = (weight: tf.Tensor) => {
          const tensors: Record<string, tf.Tensor> = {};
          for (const [k, v] of Object.entries(c.inputs)) tensors[k] = k === c.weight ? weight : tf.tensor(v.values, v.shape);
          const out = tf.engine().runKernel(c.kernel, tensors as unknown as tf.NamedTensorMap, c.attrs as tf.NamedAttrMap) as tf.Tensor;
          const values = out.dataSync() as Float32Array;
          tf.dispose([out, ...Object.entries(tensors).filter(([k]) => k !== c.weight).map(([, t]) => t)]);
          return values;
        };
        const w = c.inputs[c.weight];
        const weight = tf.tensor(w.values, w.shape);
        for (let i = 0; i < 3; i++) {
          assert.ok(relativeError(run(weight), expected.values) <= TOL, `call ${i + 1}`);
        }
        const kept = derivedTensorCount(backend);
        assert.ok(kept > 0, 'something derived from the weights is kept');
        // New weights (negated: the output is linear in them): nothing stale is used, and the
        // first weights' derived tensors are freed.
        weight.dispose();
        const again = tf.tensor(w.values.map((v) => -v), w.shape);
        assert.ok(relativeError(run(again), expected.values.map((v) => -v)) <= TOL, 'with new weights');
        assert.equal(derivedTensorCount(backend), kept, 'the disposed weights\' derived tensors were freed');
        again.dispose();
      } finally {
        clearDerivedTensors(backend);
        tf.env().set('IS_TEST', wasIsTest);
      }
      assert.equal(derivedTensorCount(backend), 0);
      assert.equal(backend.numDataIds(), idsBefore, 'nothing left in the wasm heap');
    });
  }
});

test('our kernels are the ones registered for wasm', () => {
  assert.ok(wasmKernelsRegistered());
  for (const k of [
    'Conv2DBackpropFilter',
    'Conv2DBackpropInput',
    'MaxPoolGrad',
    'DepthwiseConv2dNativeBackpropFilter',
    'DepthwiseConv2dNativeBackpropInput',
    'Sum',
    'Mean',
    'Maximum',
    'Minimum',
    'Sign',
  ]) {
    assert.ok(tf.getKernel(k, 'wasm'), k);
  }
});
