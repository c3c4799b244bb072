/**
 * Regenerates data/fashion-mnist-mini/ from the Debian package dataset-fashion-mnist
 * (/usr/share/datasets/fashion-mnist): 6,000 training images (600 per class) and 1,000 test
 * images (100 per class), chosen by a seeded class-balanced selection and kept in their original
 * order, written as gzipped IDX files. Deterministic: the same source files give the same bytes.
 *
 *   node --import tsx scripts/make-fashion-mini.ts [source-folder] [output-folder]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeIdx, readIdx } from '../src/engine/data/idx';
import { locateDataset } from '../src/engine/data/locate.info';
import { balancedIndices } from '../src/engine/data/subset';
import { Rng } from '../src/engine/util/rng';

const SEED = 2017;
const TRAIN_PER_CLASS = 600;
const TEST_PER_CLASS = 100;

async function pick(imagesFile: string, labelsFile: string, size: number, rng: Rng) {
  const images = await readIdx(imagesFile);
  const labels = await readIdx(labelsFile);
  const [count, rows, cols] = images.dims;
  const indices = balancedIndices(labels.data, 10, size, rng);
  const per = rows * cols;
  const outImages = new Uint8Array(size * per);
  const outLabels = new Uint8Array(size);
  indices.forEach((i, k) => {
    outImages.set(images.data.subarray(i * per, (i + 1) * per), k * per);
    outLabels[k] = labels.data[i];
  });
  return { count, indices, images: encodeIdx([size, rows, cols], outImages, true), labels: encodeIdx([size], outLabels, true) };
}

async function main(): Promise<void> {
  const source = locateDataset('fashion-mnist', { path: process.argv[2] });
  const out = resolve(process.argv[3] ?? join(__dirname, '..', 'data', 'fashion-mnist-mini'));
  const rng = new Rng(SEED);
  const train = await pick(source.files.trainImages, source.files.trainLabels, TRAIN_PER_CLASS * 10, rng);
  const test = await pick(source.files.testImages, source.files.testLabels, TEST_PER_CLASS * 10, rng);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'train-images-idx3-ubyte.gz'), train.images);
  writeFileSync(join(out, 'train-labels-idx1-ubyte.gz'), train.labels);
  writeFileSync(join(out, 't10k-images-idx3-ubyte.gz'), test.images);
  writeFileSync(join(out, 't10k-labels-idx1-ubyte.gz'), test.labels);
  // The original indices, so that anyone can check which samples were taken.
  writeFileSync(
    join(out, 'indices.json'),
    JSON.stringify({
      source: source.source,
      seed: SEED,
      train: { of: train.count, indices: Array.from(train.indices) },
      test: { of: test.count, indices: Array.from(test.indices) },
    }) + '\n',
  );
  console.log(`wrote ${out} from ${source.source}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
