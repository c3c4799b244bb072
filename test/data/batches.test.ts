import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batches, batchCount } from '../../src/engine/data/batches';
import { cropFlip } from '../../src/engine/data/augment';
import type { Split } from '../../src/engine/data/types';
import { Rng } from '../../src/engine/util/rng';

/** 25 images of 2x2x1 whose pixels all equal the sample index / 100; label = index % 5. */
function split(count = 25): Split {
  const images = new Float32Array(count * 4);
  for (let i = 0; i < count; i++) images.fill(i / 100, i * 4, (i + 1) * 4);
  return { images, labels: Int32Array.from({ length: count }, (_, i) => i % 5), count, shape: [2, 2, 1], numClasses: 5 };
}

const order = (s: Split, seed: number, opts = {}) =>
  [...batches(s, 8, new Rng(seed), opts)].flatMap((b) => Array.from(b.indices));

test('batches: every sample once, indices match images and labels', () => {
  const s = split();
  const all = [...batches(s, 8, new Rng(1))];
  assert.deepEqual(all.map((b) => b.size), [8, 8, 8, 1]);
  assert.equal(batchCount(25, 8), 4);
  const seen = all.flatMap((b) => Array.from(b.indices)).sort((a, b) => a - b);
  assert.deepEqual(seen, Array.from({ length: 25 }, (_, i) => i));
  for (const b of all) {
    assert.equal(b.images.length, b.size * 4);
    for (let k = 0; k < b.size; k++) {
      assert.equal(b.labels[k], b.indices[k] % 5);
      assert.equal(b.images[k * 4 + 3], Math.fround(b.indices[k] / 100));
    }
  }
});

test('batches: seeded shuffling is reproducible and differs across seeds', () => {
  const s = split();
  assert.deepEqual(order(s, 42), order(s, 42));
  assert.notDeepEqual(order(s, 42), order(s, 43));
  assert.deepEqual(order(s, 42, { shuffle: false }), Array.from({ length: 25 }, (_, i) => i));
  // Two epochs from one stream differ.
  const rng = new Rng(42);
  const e1 = [...batches(s, 8, rng)].flatMap((b) => Array.from(b.indices));
  const e2 = [...batches(s, 8, rng)].flatMap((b) => Array.from(b.indices));
  assert.notDeepEqual(e1, e2);
});

test('batches: dropLast, and augmentation works on copies', () => {
  const s = split();
  const before = s.images.slice();
  const all = [...batches(s, 8, new Rng(1), { dropLast: true, augment: cropFlip({ pad: 1 }) })];
  assert.deepEqual(all.map((b) => b.size), [8, 8, 8]);
  assert.equal(batchCount(25, 8, true), 3);
  assert.deepEqual(s.images, before);
  for (const b of all) assert.ok(b.images.every((v) => v >= 0 && v <= 1));
  assert.throws(() => [...batches(s, 0, new Rng(1))], RangeError);
});
