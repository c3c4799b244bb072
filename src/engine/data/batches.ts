/**
 * Seeded shuffling and batching of a split into plain typed arrays (the trainer makes tensors).
 * Each batch carries the indices of its samples in the split, which GACD's memory bank needs.
 * The RNG draws the permutation first, then the augmentation of each batch as it is produced.
 */
import type { Rng } from '../util/rng';
import type { Augmenter } from './augment';
import { imageSize, type Split } from './types';

export interface Batch {
  /** size * h * w * c values, NHWC, a fresh copy (augmentation never touches the split). */
  images: Float32Array;
  labels: Int32Array;
  /** The index in the split of each sample. */
  indices: Int32Array;
  size: number;
}

export interface BatchOptions {
  /** Shuffle with the RNG (default true); otherwise the split's order. */
  shuffle?: boolean;
  /** Leave out a last batch smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Applied in place to each batch's copy, e.g. `cropFlip()`. */
  augment?: Augmenter;
}

/** The number of batches `batches` yields. */
export function batchCount(count: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
}

export function* batches(
  split: Split,
  batchSize: number,
  rng: Rng,
  opts: BatchOptions = {},
): Generator<Batch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size ${batchSize} must be a whole number >= 1`);
  const n = split.count;
  let order: Int32Array;
  if (opts.shuffle ?? true) {
    order = rng.permutation(n);
  } else {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  }
  const per = imageSize(split.shape);
  const total = batchCount(n, batchSize, opts.dropLast ?? false);
  for (let b = 0; b < total; b++) {
    const start = b * batchSize;
    const size = Math.min(batchSize, n - start);
    const indices = order.slice(start, start + size);
    const images = new Float32Array(size * per);
    const labels = new Int32Array(size);
    for (let k = 0; k < size; k++) {
      const i = indices[k];
      images.set(split.images.subarray(i * per, (i + 1) * per), k * per);
      labels[k] = split.labels[i];
    }
    if (opts.augment) opts.augment(images, size, split.shape, rng);
    yield { images, labels, indices, size };
  }
}
