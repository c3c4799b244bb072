/** Variables as one flat Float32Array (and back), to hand a model to another thread. */
import * as tf from '@tensorflow/tfjs-core';
import { Model } from '../models/model';
import { Params } from '../models/params';

/** Every variable of `groups` (trainable or not), group after group, in creation order. */
export function packParams(groups: Array<Params | null>): Float32Array {
  const entries = groups.flatMap((g) => g?.entries() ?? []);
  const total = entries.reduce((n, [, v]) => n + v.size, 0);
  const out = new Float32Array(total);
  let at = 0;
  for (const [, v] of entries) {
    out.set(v.dataSync() as Float32Array, at);
    at += v.size;
  }
  return out;
}

export function unpackParams(groups: Array<Params | null>, values: Float32Array, what: string): void {
  tf.tidy(() => {
    let at = 0;
    for (const [, v] of groups.flatMap((g) => g?.entries() ?? [])) {
      v.assign(tf.tensor(values.subarray(at, at + v.size), v.shape));
      at += v.size;
    }
    if (at !== values.length) throw new Error(`weights of ${what}: expected ${at} values, got ${values.length}`);
  });
}

export function packWeights(model: Model): Float32Array {
  return packParams([model.params]);
}

export function unpackWeights(model: Model, values: Float32Array): void {
  unpackParams([model.params], values, model.arch);
}
