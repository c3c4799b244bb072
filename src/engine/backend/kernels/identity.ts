/**
 * Identity and same-dtype Cast for the wasm backend without a copy. The shipped kernels copy the
 * whole tensor; gradients call them a lot (a ReLU's gradient casts its float32 step mask to
 * float32, tf.grad clones). tfjs tensors are immutable, so, as the cpu backend and wasm's own
 * Reshape do, the output shares the input's memory and its reference count goes up.
 * A Cast to another dtype goes to the shipped kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { TensorInfo, WasmBackend } from './util';

export function shareData(backend: WasmBackend, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}

export const identityKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo };
  return shareData(backend as WasmBackend, x);
};

/** Cast that shares when the dtype does not change; `null` means "not mine, use the shipped one". */
export function castSameDtype(backend: WasmBackend, x: TensorInfo, dtype: tf.DataType): TensorInfo | null {
  if (x.dtype !== dtype || dtype === 'string' || dtype === 'complex64') return null;
  return shareData(backend, x);
}
