import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../../src/engine/data/load';
import { classCounts } from '../../src/engine/data/types';
import { DEBIAN_FASHION, cifarBytes, tempDir, writeIdxDataset } from './helpers';

test('the bundled fashion-mnist-mini loads with 6000/1000 images, 600/100 per class', async () => {
  const d = await loadDataset('fashion-mnist-mini', { seed: 0 });
  assert.equal(d.info.name, 'fashion-mnist-mini');
  assert.equal(d.train.count, 6000);
  assert.equal(d.test.count, 1000);
  assert.deepEqual(d.train.shape, [28, 28, 1]);
  assert.equal(d.train.images.length, 6000 * 784);
  assert.deepEqual(classCounts(d.train.labels, 10), new Array(10).fill(600));
  assert.deepEqual(classCounts(d.test.labels, 10), new Array(10).fill(100));
  assert.match(d.source, /data[/\\]fashion-mnist-mini/);
  let max = 0;
  for (const v of d.test.images) if (v > max) max = v;
  assert.equal(max, 1);
});

test('the bundled mini set matches the Debian files at the recorded indices', async () => {
  const { readFileSync } = await import('node:fs');
  const { readIdxImages, readIdxLabels } = await import('../../src/engine/data/idx');
  const root = join(__dirname, '..', '..', 'data', 'fashion-mnist-mini');
  const recorded = JSON.parse(readFileSync(join(root, 'indices.json'), 'utf8')) as { test: { indices: number[] } };
  const full = await readIdxImages(join(DEBIAN_FASHION, 't10k-images-idx3-ubyte.gz'));
  const fullLabels = await readIdxLabels(join(DEBIAN_FASHION, 't10k-labels-idx1-ubyte.gz'));
  const mini = await readIdxImages(join(root, 't10k-images-idx3-ubyte.gz'));
  const miniLabels = await readIdxLabels(join(root, 't10k-labels-idx1-ubyte.gz'));
  for (const k of [0, 1, 500, 999]) {
    const i = recorded.test.indices[k];
    assert.equal(miniLabels[k], fullLabels[i]);
    assert.deepEqual(mini.images.subarray(k * 784, (k + 1) * 784), full.images.subarray(i * 784, (i + 1) * 784));
  }
});

test('loadDataset: balanced subsets by seed, through $GACD_DATA', async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeIdxDataset(join(dir, 'mnist'), { train: 200, test: 50, gzip: true });
    const locate = { env: { GACD_DATA: dir }, cacheRoot: join(dir, 'cache') };
    const a = await loadDataset('mnist', { seed: 1, trainSize: 50, testSize: 20, locate });
    assert.equal(a.train.count, 50);
    assert.deepEqual(classCounts(a.train.labels, 10), new Array(10).fill(5));
    assert.deepEqual(classCounts(a.test.labels, 10), new Array(10).fill(2));
    assert.match(a.source, /GACD_DATA/);
    const b = await loadDataset('mnist', { seed: 1, trainSize: 50, locate });
    assert.deepEqual(b.train.images, a.train.images, 'the training subset does not depend on testSize');
    assert.equal(b.test.count, 50);
    const c = await loadDataset('mnist', { seed: 2, trainSize: 50, locate });
    assert.notDeepEqual(c.train.images, a.train.images);
    await assert.rejects(loadDataset('mnist', { seed: 1, trainSize: 500, locate }), /trainSize 500 must be a whole number from 1 to 200/);
    await assert.rejects(loadDataset('nope', { seed: 1 }), /Unknown dataset "nope"/);
  } finally {
    cleanup();
  }
});

test('loadDataset: CIFAR-10 from an explicit path; a wrong shape is reported', async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (let b = 1; b <= 5; b++) writeFileSync(join(dir, `data_batch_${b}.bin`), cifarBytes(4, 1, (n) => [n]));
    writeFileSync(join(dir, 'test_batch.bin'), cifarBytes(2, 1, (n) => [n]));
    const d = await loadDataset('cifar10', { seed: 0, path: dir, strict: false });
    assert.equal(d.train.count, 20);
    assert.equal(d.info.defaultAugment, 'crop-flip');
    await assert.rejects(loadDataset('cifar10', { seed: 0, path: dir }), /data_batch_1\.bin: expected 30,730,000 bytes/);
    writeIdxDataset(join(dir, 'small'), { train: 10, test: 10, h: 8, w: 8 });
    await assert.rejects(loadDataset('fashion-mnist', { seed: 0, path: join(dir, 'small') }), /8x8x1, but fashion-mnist images are 28x28x1/);
  } finally {
    cleanup();
  }
});
