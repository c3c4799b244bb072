/**
 * Class-balanced subsets by seeded selection: each class gets size / numClasses samples (the
 * remainder goes to classes drawn by the RNG, and a class with too few samples gives its share to
 * the others), drawn at random within the class. The chosen indices are returned in ascending order,
 * so a subset keeps the original order of its samples.
 */
import type { Rng } from '../util/rng';
import { takeSamples, type Split } from './types';

/** `size` sample indices of `labels`, as balanced over the classes as their counts allow. */
export function balancedIndices(labels: ArrayLike<number>, numClasses: number, size: number, rng: Rng): Int32Array {
  const n = labels.length;
  if (!Number.isInteger(size) || size < 0 || size > n) {
    throw new RangeError(`subset size ${size} must be a whole number in 0..${n}`);
  }
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (!(l >= 0 && l < numClasses)) throw new RangeError(`label ${l} at ${i} outside 0..${numClasses - 1}`);
    byClass[l].push(i);
  }
  // Quotas: an even share, the remainder to classes in a seeded order; then move the shortfall of
  // small classes to classes that still have samples, in that same order.
  const order = rng.permutation(numClasses);
  const quota = new Array<number>(numClasses).fill(Math.floor(size / numClasses));
  for (let k = 0; k < size % numClasses; k++) quota[order[k]]++;
  let short = 0;
  for (let c = 0; c < numClasses; c++) {
    if (quota[c] > byClass[c].length) {
      short += quota[c] - byClass[c].length;
      quota[c] = byClass[c].length;
    }
  }
  while (short > 0) {
    let moved = false;
    for (let k = 0; k < numClasses && short > 0; k++) {
      const c = order[k];
      if (quota[c] < byClass[c].length) {
        quota[c]++;
        short--;
        moved = true;
      }
    }
    if (!moved) break; // cannot happen: size <= n
  }
  const out = new Int32Array(size);
  let o = 0;
  for (let c = 0; c < numClasses; c++) {
    const members = byClass[c];
    const perm = rng.permutation(members.length);
    for (let k = 0; k < quota[c]; k++) out[o++] = members[perm[k]];
  }
  return out.sort();
}

/** A class-balanced subset of `size` samples of `split` (the split itself when size is its count). */
export function balancedSubset(split: Split, size: number, rng: Rng): Split {
  if (size === split.count) return split;
  return takeSamples(split, balancedIndices(split.labels, split.numClasses, size, rng));
}
