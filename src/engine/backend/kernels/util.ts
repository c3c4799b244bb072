/**
 * Helpers for our wasm kernels. A kernel of ours works on the wasm backend's own tensors
 * (`TensorInfo`s that live in the wasm heap): it calls the backend's fast kernels directly
 * (`kernelFunc({ inputs, attrs, backend })`, as tfjs's own kernels compose), reads and writes the
 * heap through typed-array views, and frees every intermediate with `backend.disposeData`. No
 * `tf.*` op runs inside a kernel, so nothing is tracked by the engine, nothing is recorded on a
 * gradient tape, and the engine's leak check (`IS_TEST`) counts only the kernel's output.
 *
 * Heap views go stale when the wasm memory grows (any allocation, including one inside a wasm
 * kernel), so a view is taken right before it is used and never kept across an allocation.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type WasmBackend = BackendWasm;
export type TensorInfo = tf.TensorInfo;

/** Runs the kernel registered for 'wasm' under `kernelName` (ours where we replaced it). */
export function runWasm(
  backend: WasmBackend,
  kernelName: string,
  inputs: Record<string, TensorInfo>,
  attrs: Record<string, unknown> = {},
): TensorInfo {
  const kernel = tf.getKernel(kernelName, 'wasm');
  if (!kernel) throw new Error(`wasm kernel ${kernelName} is not registered`);
  const out = kernel.kernelFunc({
    inputs: inputs as tf.NamedTensorInfoMap,
    attrs: attrs as unknown as tf.NamedAttrMap,
    backend,
  });
  if (Array.isArray(out)) throw new Error(`wasm kernel ${kernelName} returned several outputs`);
  return out as TensorInfo;
}

/** Frees intermediates made inside a kernel (reference-counted, like tfjs's own kernels). */
export function free(backend: WasmBackend, ...infos: Array<TensorInfo | null | undefined>): void {
  for (const info of infos) if (info) backend.disposeData(info.dataId);
}

/** A fresh float32 view of a tensor's heap memory; take it after the last allocation. */
export function f32(backend: WasmBackend, info: TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${info.dtype}`);
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** A new float32 tensor in the heap, uninitialised unless `values` is given. */
export function makeF32(backend: WasmBackend, shape: number[], values?: Float32Array): TensorInfo {
  return backend.makeOutput(shape, 'float32', undefined, values);
}

/** A reshape that shares memory (increments the reference count, free it like any tensor). */
export function reshapeInfo(backend: WasmBackend, x: TensorInfo, shape: number[]): TensorInfo {
  return runWasm(backend, 'Reshape', { x }, { shape });
}

export function pair(v: number | number[] | undefined, name: string): [number, number] {
  if (v == null) return [1, 1];
  if (typeof v === 'number') return [v, v];
  if (v.length === 2) return [v[0], v[1]];
  throw new Error(`${name} must be a number or a pair, got ${JSON.stringify(v)}`);
}

export function assertFloat32(kernel: string, ...infos: TensorInfo[]): void {
  for (const t of infos) {
    if (t.dtype !== 'float32') throw new Error(`${kernel} (GACD wasm kernel): float32 only, got ${t.dtype}`);
  }
}

/**
 * Copies a 4-D window `x[:, top:top+h, left:left+w, :]` (the window may reach outside `x`: those
 * parts are zero) into a new tensor of shape [n, h, w, c].
 */
export function window4d(backend: WasmBackend, x: TensorInfo, top: number, left: number, h: number, w: number): TensorInfo {
  const [n, xh, xw, c] = x.shape;
  const out = makeF32(backend, [n, h, w, c]);
  const src = f32(backend, x);
  const dst = f32(backend, out);
  dst.fill(0);
  const r0 = Math.max(0, -top);
  const r1 = Math.min(h, xh - top);
  const c0 = Math.max(0, -left);
  const c1 = Math.min(w, xw - left);
  if (r1 <= r0 || c1 <= c0) return out;
  const run = (c1 - c0) * c;
  for (let b = 0; b < n; b++) {
    for (let r = r0; r < r1; r++) {
      const s = ((b * xh + r + top) * xw + c0 + left) * c;
      const d = ((b * h + r) * w + c0) * c;
      dst.set(src.subarray(s, s + run), d);
    }
  }
  return out;
}

/**
 * Tensors derived from another tensor's values and kept while that tensor lives: the flipped
 * filters of an input gradient, a transposed weight matrix. A PGD attack differentiates through
 * the same weights ten times, and XNNPACK keeps its packed copy of a filter (an operator) per
 * tensor id: a derived filter made afresh on every call was transposed in JavaScript, copied,
 * transposed again and packed by XNNPACK on every call, which cost a 512-channel ResNet
 * layer's input gradient half again the time of its convolution.
 *
 * tfjs never changes a tensor's values in place (a variable's assign gives it a new data id), so
 * a derived tensor stays valid while its source's data id is alive. Each call first frees the
 * derived tensors whose source is gone. The source's shape is part of the key (a reshape shares
 * the data id). The tensor returned belongs to the cache: the caller must not free it.
 *
 * Under IS_TEST the cache is off: tfjs's per-kernel leak check counts any data id that outlives
 * the kernel, so every call derives afresh and frees (`owned` says which the caller got).
 */
/** Per backend: source data id -> derived tensors by key. */
const derivedTensors = new WeakMap<WasmBackend, Map<object, Map<string, TensorInfo>>>();

export function derivedTensor(
  backend: WasmBackend,
  source: TensorInfo,
  key: string,
  make: () => TensorInfo,
): { tensor: TensorInfo; owned: boolean } {
  if (tf.env().getBool('IS_TEST')) return { tensor: make(), owned: true };
  let bySource = derivedTensors.get(backend);
  if (!bySource) derivedTensors.set(backend, (bySource = new Map()));
  for (const [dataId, tensors] of bySource) {
    if (backend.dataIdMap.has(dataId as tf.DataId)) continue;
    for (const t of tensors.values()) free(backend, t);
    bySource.delete(dataId);
  }
  let tensors = bySource.get(source.dataId);
  if (!tensors) bySource.set(source.dataId, (tensors = new Map()));
  const fullKey = `${source.shape.join('x')}:${key}`;
  let tensor = tensors.get(fullKey);
  if (!tensor) tensors.set(fullKey, (tensor = make()));
  return { tensor, owned: false };
}

/** Frees every derived tensor kept for `backend` (tests; a run that ends can call it too). */
export function clearDerivedTensors(backend: WasmBackend): void {
  const bySource = derivedTensors.get(backend);
  if (!bySource) return;
  for (const tensors of bySource.values()) for (const t of tensors.values()) free(backend, t);
  bySource.clear();
}

/** How many derived tensors are kept for `backend` (tests). */
export function derivedTensorCount(backend: WasmBackend): number {
  let n = 0;
  for (const tensors of derivedTensors.get(backend)?.values() ?? []) n += tensors.size;
  return n;
}
