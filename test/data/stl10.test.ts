import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStl10 } from '../../src/engine/data/stl10';
import { expectedPixel, stl10Bytes, tempDir } from './helpers';

const at = (n: number, y: number, x: number, c: number) => ((n * 96 + y) * 96 + x) * 3 + c;

test('STL-10 binary: column-major images land in NHWC, labels 1..10 become 0..9', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'train_X.bin'), stl10Bytes(3));
    writeFileSync(join(dir, 'train_y.bin'), Uint8Array.from([1, 10, 5]));
    // One known pixel: image 0, channel 1 (green), row 3, column 70.
    const t = new Uint8Array(2 * 27648);
    t[27648 + 1 * 9216 + 70 * 96 + 3] = 255;
    writeFileSync(join(dir, 'test_X.bin'), t);
    writeFileSync(join(dir, 'test_y.bin'), Uint8Array.from([2, 3]));
    const { train, test: testSplit } = await readStl10(dir, { strict: false });
    assert.equal(train.count, 3);
    assert.deepEqual(train.shape, [96, 96, 3]);
    assert.deepEqual(Array.from(train.labels), [0, 9, 4]);
    assert.deepEqual(Array.from(testSplit.labels), [1, 2]);
    for (const [n, y, x, c] of [[0, 0, 0, 0], [1, 3, 70, 1], [2, 95, 1, 2], [2, 10, 90, 0]]) {
      assert.equal(train.images[at(n, y, x, c)], expectedPixel(n, y, x, c), `pixel ${n},${y},${x},${c}`);
    }
    assert.equal(testSplit.images[at(1, 3, 70, 1)], 1);
    assert.equal(testSplit.images.reduce((a, v) => a + v, 0), 1);
  } finally {
    cleanup();
  }
});

test('STL-10: truncated image file and short label file are named with their sizes', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'train_X.bin'), stl10Bytes(2).subarray(0, 40000));
    writeFileSync(join(dir, 'train_y.bin'), Uint8Array.from([1, 2]));
    writeFileSync(join(dir, 'test_X.bin'), stl10Bytes(1));
    writeFileSync(join(dir, 'test_y.bin'), Uint8Array.from([1]));
    await assert.rejects(readStl10(dir, { strict: false }), /train_X\.bin: expected a non-zero multiple of 27648 bytes.*found 40,000 bytes.*truncated/);
    writeFileSync(join(dir, 'train_X.bin'), stl10Bytes(2));
    writeFileSync(join(dir, 'train_y.bin'), Uint8Array.from([1]));
    await assert.rejects(readStl10(dir, { strict: false }), /train_y\.bin: expected 2 bytes.*found 1 byte;/);
    await assert.rejects(readStl10(dir), /train_X\.bin: expected 138,240,000 bytes \(5,000 images/);
  } finally {
    cleanup();
  }
});
