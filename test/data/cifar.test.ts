import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCifar10, readCifar100, readCifarFiles, CIFAR10_FORMAT } from '../../src/engine/data/cifar';
import { cifarBytes, expectedPixel, tempDir } from './helpers';

/** The NHWC offset of pixel (n, y, x, c) in 32x32x3 images. */
const at = (n: number, y: number, x: number, c: number) => ((n * 32 + y) * 32 + x) * 3 + c;

test('CIFAR-10 binary: six files, channel-planar records land in NHWC', async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (let b = 1; b <= 5; b++) writeFileSync(join(dir, `data_batch_${b}.bin`), cifarBytes(3, 1, (n) => [(b + n) % 10]));
    writeFileSync(join(dir, 'test_batch.bin'), cifarBytes(4, 1, (n) => [9 - n]));
    const { train, test: testSplit } = await readCifar10(dir, { strict: false });
    assert.equal(train.count, 15);
    assert.equal(testSplit.count, 4);
    assert.deepEqual(train.shape, [32, 32, 3]);
    assert.equal(train.images.length, 15 * 3072);
    assert.deepEqual(Array.from(train.labels.subarray(0, 6)), [1, 2, 3, 2, 3, 4]);
    assert.deepEqual(Array.from(testSplit.labels), [9, 8, 7, 6]);
    // Image 1 of batch 2 is sample 4; its pixel values were made from its position in its own file.
    for (const [y, x, c] of [[0, 0, 0], [5, 17, 1], [31, 2, 2], [31, 31, 0]]) {
      assert.equal(train.images[at(4, y, x, c)], expectedPixel(1, y, x, c), `pixel ${y},${x},${c}`);
      assert.equal(testSplit.images[at(3, y, x, c)], expectedPixel(3, y, x, c));
    }
    // A single known red pixel.
    const one = new Uint8Array(1 + 3072);
    one[0] = 3;
    one[1 + 0 * 1024 + 10 * 32 + 20] = 255; // R at row 10, column 20
    one[1 + 2 * 1024 + 0 * 32 + 1] = 51; // B at row 0, column 1
    writeFileSync(join(dir, 'one.bin'), one);
    const s = await readCifarFiles([join(dir, 'one.bin')], CIFAR10_FORMAT);
    assert.equal(s.images[at(0, 10, 20, 0)], 1);
    assert.equal(s.images[at(0, 0, 1, 2)], Math.fround(51 / 255));
    assert.ok(Math.abs(s.images.reduce((a, v) => a + v, 0) - 1.2) < 1e-6);
  } finally {
    cleanup();
  }
});

test('CIFAR-100 binary: the fine label is used', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'train.bin'), cifarBytes(5, 2, (n) => [n % 20, 50 + n]));
    writeFileSync(join(dir, 'test.bin'), cifarBytes(2, 2, (n) => [19, 99 - n]));
    const { train, test: testSplit } = await readCifar100(dir, { strict: false });
    assert.equal(train.numClasses, 100);
    assert.deepEqual(Array.from(train.labels), [50, 51, 52, 53, 54]);
    assert.deepEqual(Array.from(testSplit.labels), [99, 98]);
    assert.equal(train.images[at(2, 7, 9, 1)], expectedPixel(2, 7, 9, 1));
    assert.equal(testSplit.images[at(1, 31, 0, 2)], expectedPixel(1, 31, 0, 2));
  } finally {
    cleanup();
  }
});

test('a truncated CIFAR file names the file and the sizes', async () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(dir, { recursive: true });
    for (let b = 1; b <= 5; b++) writeFileSync(join(dir, `data_batch_${b}.bin`), cifarBytes(2, 1, () => [0]));
    writeFileSync(join(dir, 'data_batch_3.bin'), cifarBytes(2, 1, () => [0]).subarray(0, 5000));
    writeFileSync(join(dir, 'test_batch.bin'), cifarBytes(2, 1, () => [0]));
    await assert.rejects(readCifar10(dir, { strict: false }), (err: Error) => {
      assert.match(err.message, /data_batch_3\.bin/);
      assert.match(err.message, /multiple of 3073 bytes/);
      assert.match(err.message, /found 5,000 bytes/);
      assert.match(err.message, /truncated/);
      return true;
    });
    // Strict: a file cut at a record boundary is caught by the standard record count.
    writeFileSync(join(dir, 'data_batch_3.bin'), cifarBytes(2, 1, () => [0]));
    await assert.rejects(readCifar10(dir), (err: Error) => {
      assert.match(err.message, /data_batch_1\.bin: expected 30,730,000 bytes \(10,000 records/);
      assert.match(err.message, /found 6,146 bytes/);
      assert.match(err.message, /re-download/);
      return true;
    });
    // A CIFAR-10 label out of range.
    writeFileSync(join(dir, 'bad.bin'), cifarBytes(1, 1, () => [10]));
    await assert.rejects(readCifarFiles([join(dir, 'bad.bin')], CIFAR10_FORMAT), /bad\.bin: label 10/);
  } finally {
    cleanup();
  }
});
