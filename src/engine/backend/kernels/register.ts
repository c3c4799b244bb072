/**
 * Registers GACD's kernels for the wasm backend, replacing the shipped ones where they exist.
 * Call it after `@tensorflow/tfjs-backend-wasm` is imported (its import registers the shipped
 * kernels) and before `tf.setBackend('wasm')`; calling it again does nothing.
 *
 * | kernel | shipped wasm | ours |
 * | --- | --- | --- |
 * | Conv2DBackpropFilter | missing | im2col^T @ dy on XNNPACK (conv2dBackpropFilter.ts) |
 * | Conv2DBackpropInput | plain loop | per-stride-phase XNNPACK convolutions (transposedConv.ts) |
 * | MaxPoolGrad | plain loop | one pass over the windows, cpu backend's tie rule (maxPoolGrad.ts); 2x2 stride 2 in WebAssembly SIMD (simd.ts) |
 * | DepthwiseConv2dNativeBackpropFilter | missing | one pass, float64 sums |
 * | DepthwiseConv2dNativeBackpropInput | missing | per-phase XNNPACK depthwise convolutions |
 * | BatchMatMul, transposed operand | slow loop | explicit transpose, then XNNPACK (batchMatMul.ts) |
 * | Identity, Cast to the same dtype | copy | shared memory, reference counted (identity.ts) |
 * | Sum, Mean over leading or middle axes | transpose, then reduce | one pass, float64 sums (reduceAxes.ts) |
 * | Maximum, Minimum (same shapes), Sign | slow loops | WebAssembly SIMD (elementwise.ts, simd.ts) |
 *
 * Cases ours does not cover (NCHW, batched products, casts between dtypes, broadcasting
 * Maximum/Minimum) run the shipped kernel.
 *
 * Checked and left as shipped: AvgPoolGrad (a loop, matches the cpu backend, about 25x slower
 * than the forward pooling but only the last pooling of ResNet/WRN uses it), Relu6 (its gradient
 * is elementary ops). Batch norm is models/layers.ts's own multiply-add with a closed-form
 * training gradient (tfjs's gradient tiled the scale: a fifth of a ResNet PGD step on wasm).
 * scripts/profile-step.ts times a PGD-10 training step kernel by kernel. test/backend runs
 * whole training steps of a small CNN, a PreAct ResNet stage and MobileNetV2 blocks on wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchMatMulTransposed, BatchMatMulAttrs, fastTransposedProduct } from './batchMatMul';
import { conv2dBackpropFilterKernel } from './conv2dBackpropFilter';
import { conv2dBackpropInputKernel } from './conv2dBackpropInput';
import { depthwiseConv2dBackpropFilterKernel } from './depthwiseConv2dBackpropFilter';
import { depthwiseConv2dBackpropInputKernel } from './depthwiseConv2dBackpropInput';
import { maxOrMin, sign } from './elementwise';
import { castSameDtype, identityKernel } from './identity';
import { maxPoolGradKernel } from './maxPoolGrad';
import { ReduceAttrs, reduceMiddleAxes } from './reduceAxes';
import { TensorInfo, WasmBackend } from './util';

type KernelArgs = Parameters<tf.KernelFunc>[0];
type KernelResult = ReturnType<tf.KernelFunc>;

interface OurKernel {
  kernelName: string;
  /** `shipped` runs the kernel the wasm backend came with (throws where it had none). */
  kernelFunc: (args: KernelArgs, shipped: (args: KernelArgs) => KernelResult) => KernelResult;
}

const reduction =
  (mean: boolean): OurKernel['kernelFunc'] =>
  (args, shipped) => {
    const { x } = args.inputs as { x: TensorInfo };
    return reduceMiddleAxes(args.backend as WasmBackend, x, args.attrs as unknown as ReduceAttrs, mean) ?? shipped(args);
  };

const binaryMaxOrMin =
  (which: 'maximum' | 'minimum'): OurKernel['kernelFunc'] =>
  (args, shipped) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    return maxOrMin(args.backend as WasmBackend, a, b, which) ?? shipped(args);
  };

const unlessNchw =
  (f: tf.KernelFunc): OurKernel['kernelFunc'] =>
  (args, shipped) =>
    args.attrs?.dataFormat === 'NCHW' ? shipped(args) : f(args);

export const GACD_WASM_KERNELS: readonly OurKernel[] = [
  { kernelName: 'Conv2DBackpropFilter', kernelFunc: unlessNchw(conv2dBackpropFilterKernel) },
  { kernelName: 'Conv2DBackpropInput', kernelFunc: unlessNchw(conv2dBackpropInputKernel) },
  { kernelName: 'MaxPoolGrad', kernelFunc: (args) => maxPoolGradKernel(args) },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', kernelFunc: (args) => depthwiseConv2dBackpropFilterKernel(args) },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', kernelFunc: (args) => depthwiseConv2dBackpropInputKernel(args) },
  {
    kernelName: 'BatchMatMul',
    kernelFunc: (args, shipped) => {
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      const attrs = args.attrs as unknown as BatchMatMulAttrs;
      if (!fastTransposedProduct(a, b, attrs)) return shipped(args);
      return batchMatMulTransposed(args.backend as WasmBackend, a, b, attrs, (a2, b2) =>
        shipped({ ...args, inputs: { a: a2, b: b2 }, attrs: { ...args.attrs, transposeA: false, transposeB: false } }) as TensorInfo,
      );
    },
  },
  { kernelName: 'Identity', kernelFunc: (args) => identityKernel(args) },
  { kernelName: 'Sum', kernelFunc: reduction(false) },
  { kernelName: 'Maximum', kernelFunc: binaryMaxOrMin('maximum') },
  { kernelName: 'Minimum', kernelFunc: binaryMaxOrMin('minimum') },
  {
    kernelName: 'Sign',
    kernelFunc: (args, shipped) => sign(args.backend as WasmBackend, (args.inputs as { x: TensorInfo }).x) ?? shipped(args),
  },
  { kernelName: 'Mean', kernelFunc: reduction(true) },
  {
    kernelName: 'Cast',
    kernelFunc: (args, shipped) => {
      const { x } = args.inputs as { x: TensorInfo };
      const dtype = (args.attrs as unknown as { dtype: tf.DataType }).dtype;
      return castSameDtype(args.backend as WasmBackend, x, dtype) ?? shipped(args);
    },
  },
];

/** The kernels as shipped, kept for the cases ours hand back, and for benchmarks and tests. */
const shipped = new Map<string, tf.KernelConfig>();
const ours = new Set<tf.KernelFunc>();
// A shipped kernel unregistered before the backend started never had its setup (the binding to
// its wasm function) run: run it once per backend instance before its first call.
const setUp = new WeakMap<tf.KernelConfig, WeakSet<object>>();

/** True when every GACD kernel is the one registered for 'wasm'. */
export function wasmKernelsRegistered(): boolean {
  return GACD_WASM_KERNELS.every((k) => {
    const registered = tf.getKernel(k.kernelName, 'wasm');
    return registered != null && ours.has(registered.kernelFunc);
  });
}

/** Registers our kernels for 'wasm' (idempotent). Returns the names registered. */
export function registerWasmKernels(): string[] {
  if (tf.getKernel('Conv2D', 'wasm') == null) {
    throw new Error('registerWasmKernels: import @tensorflow/tfjs-backend-wasm first (its kernels are not registered)');
  }
  for (const k of GACD_WASM_KERNELS) {
    const current = tf.getKernel(k.kernelName, 'wasm');
    if (current && ours.has(current.kernelFunc)) continue;
    if (current) {
      shipped.set(k.kernelName, current);
      tf.unregisterKernel(k.kernelName, 'wasm');
    }
    const name = k.kernelName;
    const kernelFunc: tf.KernelFunc = (args) => k.kernelFunc(args, (a) => runShippedWasmKernel(name, a));
    ours.add(kernelFunc);
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
  }
  return GACD_WASM_KERNELS.map((k) => k.kernelName);
}

/** Puts the shipped kernels back (for benchmarks and tests); registerWasmKernels() undoes it. */
export function unregisterWasmKernels(): void {
  for (const k of GACD_WASM_KERNELS) {
    const current = tf.getKernel(k.kernelName, 'wasm');
    if (!current || !ours.has(current.kernelFunc)) continue;
    tf.unregisterKernel(k.kernelName, 'wasm');
    const original = shipped.get(k.kernelName);
    if (original) {
      tf.registerKernel(original);
      // Bind it to the running backend if there is one (setBackend did not see it).
      const engine = tf.engine();
      if (original.setupFunc && engine.backendName === 'wasm') runSetup(original, engine.backend);
    }
  }
}

/**
 * Runs the wasm kernel `kernelName` as shipped (for the cases ours hand back, comparisons and
 * benchmarks); throws where the wasm backend had none.
 */
export function runShippedWasmKernel(kernelName: string, args: KernelArgs): KernelResult {
  let config = shipped.get(kernelName);
  if (!config) {
    const registered = tf.getKernel(kernelName, 'wasm');
    if (registered && !ours.has(registered.kernelFunc)) config = registered;
  }
  if (!config) throw new Error(`the wasm backend as shipped has no ${kernelName} kernel`);
  if (config.setupFunc) runSetup(config, args.backend);
  return config.kernelFunc(args);
}

function runSetup(config: tf.KernelConfig, backend: object): void {
  let done = setUp.get(config);
  if (!done) setUp.set(config, (done = new WeakSet()));
  if (!done.has(backend)) {
    config.setupFunc!(backend as tf.KernelBackend);
    done.add(backend);
  }
}
