/** Shared set-up for the engine tests: the wasm backend with our kernels, and small real data. */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/engine/backend/select';
import { loadDataset } from '../../src/engine/data/load';
import { takeSamples, type Split } from '../../src/engine/data/types';

export async function useWasm(): Promise<void> {
  const b = await selectBackend('wasm');
  if (b.name !== 'wasm' || tf.getBackend() !== 'wasm') throw new Error(`expected the wasm backend, got ${b.name}`);
}

let mini: Awaited<ReturnType<typeof loadDataset>> | null = null;

/** The bundled Fashion-MNIST subset (6,000 / 1,000), loaded once. */
export async function fashionMini() {
  mini ??= await loadDataset('fashion-mnist-mini', { seed: 0 });
  return mini;
}

export function firstN(split: Split, n: number): Split {
  return takeSamples(split, Array.from({ length: n }, (_, i) => i));
}

export function tensorsOf(split: Split): { x: tf.Tensor4D; y: tf.Tensor1D } {
  return { x: tf.tensor4d(split.images, [split.count, ...split.shape]), y: tf.tensor1d(split.labels, 'int32') };
}
