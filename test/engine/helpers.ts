/** Shared set-up for the engine tests: the wasm backend with our kernels, and small real data. */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '../../src/engine/backend/select';
import { loadDataset } from '../../src/engine/data/load';
import { takeSamples, type Split } from '../../src/engine/data/types';
import type { Model } from '../../src/engine/models/model';
import { buildModel } from '../../src/engine/models/registry';
import { loadWeights, readCheckpoint } from '../../src/engine/run/checkpoint';
import { TEACHER_CHECKPOINT } from './paths';

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

/** The teacher shipped with the examples (a PGD-AT small-cnn): a model that classifies well, so an attack has accuracy to take away. */
export function shippedTeacher(): Model {
  const model = buildModel('small-cnn', { inputShape: [28, 28, 1], numClasses: 10, seed: 0 });
  loadWeights(readCheckpoint(TEACHER_CHECKPOINT), model, TEACHER_CHECKPOINT);
  return model;
}
