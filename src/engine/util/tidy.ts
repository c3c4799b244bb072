/**
 * tf.tidy for work whose result is plain data (numbers, typed arrays), not tensors. tf.tidy walks
 * whatever its function returns looking for tensors, key by key, which for a typed array of a few
 * hundred thousand floats costs more than the kernels that made it; the result is handed out
 * through a closure instead, so tidy sees nothing to walk. Every tensor made inside is released.
 */
import * as tf from '@tensorflow/tfjs-core';

export function tidyPlain<T>(fn: () => T): T {
  let out: { value: T } | null = null;
  tf.tidy(() => {
    out = { value: fn() };
  });
  return (out as unknown as { value: T }).value;
}
