import { test } from 'node:test';
import assert from 'node:assert/strict';
import { balancedIndices, balancedSubset } from '../../src/engine/data/subset';
import { classCounts, type Split } from '../../src/engine/data/types';
import { Rng } from '../../src/engine/util/rng';

function labelsOf(counts: number[]): Int32Array {
  const out: number[] = [];
  counts.forEach((n, c) => {
    for (let i = 0; i < n; i++) out.push(c);
  });
  // interleave deterministically so classes are not contiguous
  return Int32Array.from(out.map((l, i) => [l, (i * 7919) % out.length] as const).sort((a, b) => a[1] - b[1]).map((p) => p[0]));
}

test('balanced subset: equal counts per class, sorted unique indices, seeded', () => {
  const labels = labelsOf(new Array(10).fill(100));
  const idx = balancedIndices(labels, 10, 300, new Rng(1));
  assert.equal(idx.length, 300);
  assert.deepEqual(classCounts(Array.from(idx, (i) => labels[i]), 10), new Array(10).fill(30));
  assert.equal(new Set(idx).size, 300);
  for (let k = 1; k < idx.length; k++) assert.ok(idx[k] > idx[k - 1]);
  assert.deepEqual(balancedIndices(labels, 10, 300, new Rng(1)), idx);
  assert.notDeepEqual(balancedIndices(labels, 10, 300, new Rng(2)), idx);
});

test('balanced subset: a remainder is spread one per class; small classes give their share away', () => {
  const labels = labelsOf(new Array(10).fill(50));
  const counts = classCounts(Array.from(balancedIndices(labels, 10, 103, new Rng(3)), (i) => labels[i]), 10);
  assert.equal(counts.reduce((a, b) => a + b), 103);
  assert.ok(counts.every((c) => c === 10 || c === 11));
  assert.equal(counts.filter((c) => c === 11).length, 3);

  const skewed = labelsOf([2, 40, 40]);
  const sc = classCounts(Array.from(balancedIndices(skewed, 3, 30, new Rng(4)), (i) => skewed[i]), 3);
  assert.equal(sc[0], 2);
  assert.equal(sc[1] + sc[2], 28);
  assert.ok(Math.abs(sc[1] - sc[2]) <= 1);
  assert.throws(() => balancedIndices(skewed, 3, 83, new Rng(1)), RangeError);
});

test('balancedSubset copies the chosen images with their labels', () => {
  const count = 40;
  const labels = Int32Array.from({ length: count }, (_, i) => i % 4);
  const images = Float32Array.from({ length: count * 2 }, (_, i) => Math.floor(i / 2) / count);
  const split: Split = { images, labels, count, shape: [1, 2, 1], numClasses: 4 };
  const sub = balancedSubset(split, 8, new Rng(5));
  assert.equal(sub.count, 8);
  assert.deepEqual(classCounts(sub.labels, 4), [2, 2, 2, 2]);
  for (let k = 0; k < 8; k++) {
    const original = Math.round(sub.images[2 * k] * count);
    assert.equal(sub.labels[k], original % 4);
    assert.equal(sub.images[2 * k + 1], sub.images[2 * k]);
  }
  assert.equal(balancedSubset(split, count, new Rng(5)), split);
});
