/** The validation split: held out of the training images, class-balanced, seeded, disjoint from what trains. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoValidationSize, loadDataset } from '../../src/engine/data/load';
import { classCounts, imageSize } from '../../src/engine/data/types';

test('validation_size holds out a balanced, seeded set that no longer trains; auto is 10% up to 1,000', async () => {
  const all = await loadDataset('fashion-mnist-mini', { seed: 0 });
  const d = await loadDataset('fashion-mnist-mini', { seed: 0, validationSize: 'auto' });
  assert.equal(d.validation.count, 600);
  assert.equal(d.train.count, 5400);
  assert.deepEqual(classCounts(d.validation.labels, 10), new Array(10).fill(60));
  assert.equal(d.test.count, all.test.count, 'the test split is untouched');
  // Disjoint, and together the whole training split: compare the images as strings of bytes.
  const size = imageSize(d.train.shape);
  const key = (images: Float32Array, i: number) => Buffer.from(images.buffer, images.byteOffset + i * size * 4, size * 4).toString('base64');
  const held = new Set(Array.from({ length: d.validation.count }, (_, i) => key(d.validation.images, i)));
  let overlap = 0;
  for (let i = 0; i < d.train.count; i++) if (held.has(key(d.train.images, i))) overlap++;
  assert.equal(overlap, 0);
  const again = await loadDataset('fashion-mnist-mini', { seed: 0, validationSize: 'auto' });
  assert.deepEqual(again.validation.labels, d.validation.labels);
  assert.deepEqual(autoValidationSize(50000), 1000);
  assert.deepEqual(autoValidationSize(6000), 600);
  await assert.rejects(loadDataset('fashion-mnist-mini', { seed: 0, trainSize: 100, validationSize: 100 }), /validation_size 100 leaves no training images/);
});
