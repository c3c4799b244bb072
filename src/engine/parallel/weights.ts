/** A model's variables as one flat Float32Array (and back), to hand a model to another thread. */
import * as tf from '@tensorflow/tfjs-core';
import { Model } from '../models/model';

export function packWeights(model: Model): Float32Array {
  const entries = model.params.entries();
  const total = entries.reduce((n, [, v]) => n + v.size, 0);
  const out = new Float32Array(total);
  let at = 0;
  for (const [, v] of entries) {
    out.set(v.dataSync() as Float32Array, at);
    at += v.size;
  }
  return out;
}

export function unpackWeights(model: Model, values: Float32Array): void {
  tf.tidy(() => {
    let at = 0;
    for (const [, v] of model.params.entries()) {
      v.assign(tf.tensor(values.subarray(at, at + v.size), v.shape));
      at += v.size;
    }
    if (at !== values.length) throw new Error(`weights of ${model.arch}: expected ${at} values, got ${values.length}`);
  });
}
