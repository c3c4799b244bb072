/**
 * The in-memory form of a loaded dataset, shared by every reader. Images are NHWC float32 in
 * [0, 1]; labels are class indices 0..numClasses-1. Plain typed arrays, no tfjs: the trainer turns
 * batches into tensors.
 */
import type { DatasetInfo } from '../catalog/types';

export interface Split {
  /** count * h * w * c values, NHWC, in [0, 1]. */
  images: Float32Array;
  /** count class indices. */
  labels: Int32Array;
  count: number;
  /** Height, width, channels of one image. */
  shape: [number, number, number];
  numClasses: number;
}

export interface LoadedDataset {
  info: DatasetInfo;
  train: Split;
  /**
   * Held out from the training images (class-balanced, seeded), for what training watches each
   * epoch and for choosing a best checkpoint: the test split is for the final evaluation only.
   * Empty when none was asked for.
   */
  validation: Split;
  test: Split;
  /** Where it came from, in words, e.g. "/usr/share/datasets/fashion-mnist (Debian package)". */
  source: string;
}

/** Values in one image of a split. */
export function imageSize(shape: readonly [number, number, number]): number {
  return shape[0] * shape[1] * shape[2];
}

/** Checks that every label of a split lies in 0..numClasses-1; throws naming the file otherwise. */
export function checkLabels(labels: Int32Array, numClasses: number, file: string): void {
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!(l >= 0 && l < numClasses)) {
      throw new Error(
        `${file}: label ${l} at record ${i} is outside 0..${numClasses - 1}; ` +
          'the file is corrupt or is not the file it is named after; re-download it.',
      );
    }
  }
}

/** The new split holding the samples at `indices` of `split`, in that order. */
export function takeSamples(split: Split, indices: ArrayLike<number>): Split {
  const size = imageSize(split.shape);
  const n = indices.length;
  const images = new Float32Array(n * size);
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = indices[k];
    if (!(i >= 0 && i < split.count)) throw new RangeError(`sample index ${i} outside 0..${split.count - 1}`);
    images.set(split.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = split.labels[i];
  }
  return { images, labels, count: n, shape: [...split.shape], numClasses: split.numClasses };
}

/** How many samples of each class a label array holds. */
export function classCounts(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}
