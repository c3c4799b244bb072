/**
 * Registers GACD's kernels for the wasm backend, replacing the shipped ones where they exist.
 * Call it after `@tensorflow/tfjs-backend-wasm` is imported (its import registers the shipped
 * kernels) and before `tf.setBackend('wasm')`; calling it again does nothing.
 *
 * | kernel | shipped wasm | ours |
 * | --- | --- | --- |
 * | Conv2DBackpropFilter | missing | im2col^T @ dy on XNNPACK |
 * | Conv2DBackpropInput | loop | per-stride-phase XNNPACK convolutions |
 * | MaxPoolGrad | loop | one pass over the windows, cpu backend's tie rule |
 * | DepthwiseConv2dNativeBackpropFilter | missing | one pass, float64 sums |
 * | DepthwiseConv2dNativeBackpropInput | missing | per-phase XNNPACK depthwise convolutions |
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterKernel } from './conv2dBackpropFilter';
import { conv2dBackpropInputKernel } from './conv2dBackpropInput';
import { depthwiseConv2dBackpropFilterKernel } from './depthwiseConv2dBackpropFilter';
import { depthwiseConv2dBackpropInputKernel } from './depthwiseConv2dBackpropInput';
import { maxPoolGradKernel } from './maxPoolGrad';

interface OurKernel {
  kernelName: string;
  kernelFunc: tf.KernelFunc;
  /** Cases ours does not cover go to the shipped kernel (when there is one). */
  unsupported?: (attrs: tf.NamedAttrMap) => string | null;
}

const nchwOnly = (attrs: tf.NamedAttrMap): string | null =>
  attrs.dataFormat === 'NCHW' ? 'dataFormat NCHW' : null;

export const GACD_WASM_KERNELS: readonly OurKernel[] = [
  { kernelName: 'Conv2DBackpropFilter', kernelFunc: conv2dBackpropFilterKernel, unsupported: nchwOnly },
  { kernelName: 'Conv2DBackpropInput', kernelFunc: conv2dBackpropInputKernel, unsupported: nchwOnly },
  { kernelName: 'MaxPoolGrad', kernelFunc: maxPoolGradKernel },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', kernelFunc: depthwiseConv2dBackpropFilterKernel },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', kernelFunc: depthwiseConv2dBackpropInputKernel },
];

/** The kernels as shipped, kept for the cases ours hand back, and for benchmarks and tests. */
const shipped = new Map<string, tf.KernelConfig>();
const ours = new Set<tf.KernelFunc>();

/** The shipped wasm kernel that ours replaced (undefined where wasm had none). */
export function shippedWasmKernel(kernelName: string): tf.KernelConfig | undefined {
  return shipped.get(kernelName);
}

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
    const kernelFunc = wrap(k);
    ours.add(kernelFunc);
    tf.registerKernel({ kernelName: k.kernelName, backendName: 'wasm', kernelFunc });
  }
  return GACD_WASM_KERNELS.map((k) => k.kernelName);
}

/** Puts the shipped kernels back (for benchmarks and tests). */
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

function runSetup(config: tf.KernelConfig, backend: object): void {
  let done = setUp.get(config);
  if (!done) setUp.set(config, (done = new WeakSet()));
  if (!done.has(backend)) {
    config.setupFunc!(backend as tf.KernelBackend);
    done.add(backend);
  }
}

function wrap(k: OurKernel): tf.KernelFunc {
  return (args) => {
    const why = k.unsupported?.(args.attrs ?? {});
    if (why) {
      const original = shipped.get(k.kernelName);
      if (original) return runShipped(original, args);
      throw new Error(`${k.kernelName} on wasm: ${why} is not supported`);
    }
    return k.kernelFunc(args);
  };
}

// A shipped kernel that was unregistered before the backend started never had its setup (the
// binding to its wasm function) run; run it once per backend instance before the first call.
const setUp = new WeakMap<tf.KernelConfig, WeakSet<object>>();

function runShipped(config: tf.KernelConfig, args: Parameters<tf.KernelFunc>[0]): ReturnType<tf.KernelFunc> {
  if (config.setupFunc) runSetup(config, args.backend);
  return config.kernelFunc(args);
}

/**
 * Runs the shipped wasm kernel `kernelName` (for comparisons and benchmarks); throws where the
 * wasm backend had none.
 */
export function runShippedWasmKernel(kernelName: string, args: Parameters<tf.KernelFunc>[0]): ReturnType<tf.KernelFunc> {
  const config = shipped.get(kernelName) ?? tf.getKernel(kernelName, 'wasm');
  if (!config) throw new Error(`the wasm backend as shipped has no ${kernelName} kernel`);
  return runShipped(config, args);
}
