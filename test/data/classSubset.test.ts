/** Class subsets relabel in the order given; downsampling averages whole blocks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkClassList, infoWithClasses, keepClasses } from '../../src/engine/data/classSubset';
import { downsample, downsampleFactor } from '../../src/engine/data/downsample';
import { findDataset } from '../../src/engine/data/catalog';
import type { Split } from '../../src/engine/data/types';

const split = (labels: number[], shape: [number, number, number] = [1, 1, 1]): Split => ({
  images: Float32Array.from(labels.flatMap((l) => new Array(shape[0] * shape[1] * shape[2]).fill(l / 10))),
  labels: Int32Array.from(labels),
  count: labels.length,
  shape,
  numClasses: 10,
});

test('keepClasses keeps the listed classes, relabelled by their place in the list, images with them', () => {
  const s = keepClasses(split([0, 7, 5, 9, 1, 5]), [5, 6, 7, 8, 9]);
  assert.deepEqual([...s.labels], [2, 0, 4, 0]);
  assert.deepEqual([...s.images].map((v) => Math.round(v * 10)), [7, 5, 9, 5]);
  assert.equal(s.numClasses, 5);
  const info = infoWithClasses(findDataset('fashion-mnist')!, [5, 6, 7, 8, 9]);
  assert.deepEqual(info.classNames, ['Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
  assert.equal(info.numClasses, 5);
});

test('a class list outside the dataset, repeated or of one class is refused', () => {
  const info = findDataset('fashion-mnist')!;
  assert.throws(() => checkClassList([3, 10], info), /class 10 is not a class of fashion-mnist \(0..9\)/);
  assert.throws(() => checkClassList([3, 3], info), /repeats a class/);
  assert.throws(() => checkClassList([3], info), /at least two classes/);
  assert.doesNotThrow(() => checkClassList([0, 1, 2, 3, 4], info));
});

test('downsample averages each factor x factor block per channel', () => {
  const s: Split = { images: Float32Array.from({ length: 4 * 4 * 2 }, (_, i) => i), labels: Int32Array.of(0), count: 1, shape: [4, 4, 2], numClasses: 10 };
  const d = downsample(s, 2, 'toy');
  assert.deepEqual(d.shape, [2, 2, 2]);
  // Block (0,0), channel 0: pixels (0,0),(0,1),(1,0),(1,1) hold 0, 2, 8, 10.
  assert.equal(d.images[0], 5);
  assert.equal(d.images[1], 6);
  assert.equal(d.images[(1 * 2 + 1) * 2], (20 + 22 + 28 + 30) / 4);
  assert.equal(downsampleFactor([96, 96, 3], 32, 'stl10'), 3);
  assert.throws(() => downsampleFactor([96, 96, 3], 40, 'stl10'), /stl10 images are 96x96: data.resize must divide them by a whole factor \(one of 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 96\)/);
});
