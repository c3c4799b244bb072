import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { encodeIdx, readIdx, readIdxImages, readIdxLabels, readIdxSplit } from '../../src/engine/data/idx';
import { DEBIAN_FASHION, expectedPixel, tempDir, writeIdxDataset } from './helpers';


test('IDX raw and gzip give the same tiny dataset, NHWC in [0, 1]', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeIdxDataset(join(dir, 'raw'), { train: 12, test: 5, h: 4, w: 6 });
    writeIdxDataset(join(dir, 'gz'), { train: 12, test: 5, h: 4, w: 6, gzip: true });
    const raw = await readIdxSplit(join(dir, 'raw/train-images-idx3-ubyte'), join(dir, 'raw/train-labels-idx1-ubyte'), 10);
    const gz = await readIdxSplit(join(dir, 'gz/train-images-idx3-ubyte.gz'), join(dir, 'gz/train-labels-idx1-ubyte.gz'), 10);
    assert.equal(raw.count, 12);
    assert.deepEqual(raw.shape, [4, 6, 1]);
    assert.deepEqual(gz.images, raw.images);
    assert.deepEqual(gz.labels, raw.labels);
    assert.deepEqual(Array.from(raw.labels), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    // image 7, row 2, column 5
    assert.equal(raw.images[(7 * 4 + 2) * 6 + 5], expectedPixel(7, 2, 5, 0));
  } finally {
    cleanup();
  }
});

test('IDX on the Debian Fashion-MNIST test files, gzip and raw', async () => {
  const gzFile = join(DEBIAN_FASHION, 't10k-images-idx3-ubyte.gz');
  const img = await readIdxImages(gzFile);
  assert.equal(img.count, 10000);
  assert.deepEqual(img.shape, [28, 28, 1]);
  let min = Infinity;
  let max = -Infinity;
  for (const v of img.images) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  assert.equal(min, 0);
  assert.equal(max, 1);
  const labels = await readIdxLabels(join(DEBIAN_FASHION, 't10k-labels-idx1-ubyte.gz'));
  assert.equal(labels.length, 10000);
  assert.deepEqual(Array.from(labels.subarray(0, 3)), [9, 2, 1]); // Ankle boot, Pullover, Trouser
  const { dir, cleanup } = tempDir();
  try {
    const rawFile = join(dir, 't10k-images-idx3-ubyte');
    writeFileSync(rawFile, gunzipSync(readFileSync(gzFile)));
    const raw = await readIdxImages(rawFile);
    assert.deepEqual(raw.images, img.images);
  } finally {
    cleanup();
  }
});

test('a truncated IDX file names the file and the expected and actual sizes', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const full = encodeIdx([10, 28, 28], new Uint8Array(7840));
    const file = join(dir, 'train-images-idx3-ubyte');
    writeFileSync(file, full.subarray(0, 5000));
    await assert.rejects(readIdx(file), (err: Error) => {
      assert.match(err.message, /train-images-idx3-ubyte/);
      assert.match(err.message, /expected 7,856 bytes/);
      assert.match(err.message, /found 5,000 bytes/);
      assert.match(err.message, /truncated/);
      assert.match(err.message, /re-download/);
      return true;
    });
    // The same cut inside a gzip stream: the sizes are those after decompressing.
    const gz = encodeIdx([10, 28, 28], Uint8Array.from({ length: 7840 }, (_, i) => (i * 13) % 256), true);
    const gzFile = join(dir, 'train-images-idx3-ubyte.gz');
    writeFileSync(gzFile, gz.subarray(0, Math.floor(gz.length / 2)));
    await assert.rejects(readIdx(gzFile), (err: Error) => {
      assert.match(err.message, /train-images-idx3-ubyte\.gz/);
      assert.match(err.message, /expected 7,856 bytes/);
      assert.match(err.message, /truncated/);
      return true;
    });
  } finally {
    cleanup();
  }
});

test('IDX: wrong magic, missing file, label/image count mismatch', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const bad = join(dir, 'bad');
    writeFileSync(bad, Buffer.from('hello world'));
    await assert.rejects(readIdx(bad), /bad: not an IDX file/);
    await assert.rejects(readIdx(join(dir, 'nope')), /nope: no such file/);
    writeFileSync(join(dir, 'i'), encodeIdx([3, 2, 2], new Uint8Array(12)));
    writeFileSync(join(dir, 'l'), encodeIdx([4], new Uint8Array(4)));
    await assert.rejects(readIdxSplit(join(dir, 'i'), join(dir, 'l'), 10), /expected 3 labels.*found 4/);
    writeFileSync(join(dir, 'l3'), encodeIdx([3], Uint8Array.from([0, 12, 1])));
    await assert.rejects(readIdxSplit(join(dir, 'i'), join(dir, 'l3'), 10), /label 12 at record 1/);
  } finally {
    cleanup();
  }
});
