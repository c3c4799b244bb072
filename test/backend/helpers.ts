/** Shared helpers for the backend tests: seeded inputs, running on a backend, comparing. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { Rng } from '../../src/engine/util/rng';

/** Uniform values in [-1, 1) from a seeded stream. */
export function randomValues(size: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.next() * 2 - 1;
  return out;
}

/** Small integers in [0, levels): many equal values, so pooling windows have ties. */
export function tiedValues(size: number, seed: number, levels = 3): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.int(levels);
  return out;
}

export const sizeOf = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

export type Inputs = Record<string, { values: Float32Array; shape: number[] }>;

/**
 * Runs `kernelName` with `inputs` (made from the same values on each backend) on `backend` and
 * returns its output values and shape. Checks that nothing leaks: the engine's tensor count and
 * the backend's data-id count are back to where they were.
 */
export async function runKernelOn(
  backend: string,
  kernelName: string,
  inputs: Inputs,
  attrs: Record<string, unknown>,
): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const dataIdsBefore = tf.engine().backend.numDataIds();
  const tensors: Record<string, tf.Tensor> = {};
  for (const [k, v] of Object.entries(inputs)) tensors[k] = tf.tensor(v.values, v.shape, 'float32');
  const out = tf.engine().runKernel(kernelName, tensors as unknown as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
  const values = out.dataSync() as Float32Array;
  const shape = out.shape.slice();
  out.dispose();
  tf.dispose(Object.values(tensors));
  const after = tf.memory().numTensors;
  const dataIdsAfter = tf.engine().backend.numDataIds();
  if (after !== before) throw new Error(`${kernelName} on ${backend}: ${after - before} tensors leaked`);
  if (dataIdsAfter !== dataIdsBefore) {
    throw new Error(`${kernelName} on ${backend}: ${dataIdsAfter - dataIdsBefore} backend data ids leaked`);
  }
  return { values: Float32Array.from(values), shape };
}

/**
 * Relative error, as used in every comparison here: max_i |a_i - b_i| / max(max_i |b_i|, 1e-12),
 * the largest absolute difference over the largest magnitude of the reference b (the cpu backend).
 */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= diff)) diff = d; // NaN propagates
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-12);
}
