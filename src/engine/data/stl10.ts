/**
 * The binary version of STL-10 (stl10_binary.tar.gz): train_X.bin / test_X.bin hold uint8 images
 * of 3x96x96, each stored column-major (as MATLAB writes it): for each channel, for each column,
 * the 96 values of that column top to bottom. train_y.bin / test_y.bin hold one byte per image,
 * the class 1..10, which becomes 0..9. Out: NHWC float32 in [0, 1]. The unlabelled images
 * (unlabeled_X.bin) are not read.
 */
import { join } from 'node:path';
import { STL10_FILES } from './locate.info';
import { bytesText, readBytes } from './read';
import { checkLabels, type Split } from './types';

const SIDE = 96;
const PLANE = SIDE * SIDE;
const IMAGE_BYTES = 3 * PLANE;

export interface Stl10ReadOptions {
  /** Check the standard counts (5,000 train, 8,000 test). Default true; tests turn it off. */
  strict?: boolean;
}

/** Decodes `count` column-major 3x96x96 images into NHWC float32 in [0, 1]. */
export function decodeStl10Images(bytes: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count * IMAGE_BYTES);
  for (let n = 0; n < count; n++) {
    const src = n * IMAGE_BYTES;
    for (let c = 0; c < 3; c++) {
      for (let x = 0; x < SIDE; x++) {
        const col = src + c * PLANE + x * SIDE;
        for (let y = 0; y < SIDE; y++) {
          out[src + (y * SIDE + x) * 3 + c] = bytes[col + y] / 255;
        }
      }
    }
  }
  return out;
}

/** One split from an image file and its label file. */
export async function readStl10Split(imagesFile: string, labelsFile: string, expectedCount?: number): Promise<Split> {
  const [imageBytes, labelBytes] = await Promise.all([readBytes(imagesFile), readBytes(labelsFile)]);
  const layout = `${IMAGE_BYTES} bytes per image: 3 x 96 x 96 uint8`;
  if (expectedCount !== undefined && imageBytes.length !== expectedCount * IMAGE_BYTES) {
    throw new Error(
      `${imagesFile}: expected ${bytesText(expectedCount * IMAGE_BYTES)} (${expectedCount.toLocaleString('en-US')} ` +
        `images of ${layout}), found ${bytesText(imageBytes.length)}; ` +
        `${imageBytes.length < expectedCount * IMAGE_BYTES ? 'the file looks truncated' : 'the file is larger than expected'}; re-download it.`,
    );
  }
  if (imageBytes.length === 0 || imageBytes.length % IMAGE_BYTES !== 0) {
    throw new Error(
      `${imagesFile}: expected a non-zero multiple of ${IMAGE_BYTES} bytes (${layout}), found ` +
        `${bytesText(imageBytes.length)}; the file looks truncated; re-download it.`,
    );
  }
  const count = imageBytes.length / IMAGE_BYTES;
  if (labelBytes.length !== count) {
    throw new Error(
      `${labelsFile}: expected ${bytesText(count)} (one label byte for each of the ${count} images in ` +
        `${imagesFile}), found ${bytesText(labelBytes.length)}; ` +
        `${labelBytes.length < count ? 'the file looks truncated' : 'the files do not belong together'}; re-download it.`,
    );
  }
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) labels[i] = labelBytes[i] - 1;
  checkLabels(labels, 10, `${labelsFile} (stored as 1..10)`);
  return { images: decodeStl10Images(imageBytes, count), labels, count, shape: [SIDE, SIDE, 3], numClasses: 10 };
}

/** STL-10's labelled train and test splits from a folder holding the four .bin files. */
export async function readStl10(dir: string, opts: Stl10ReadOptions = {}): Promise<{ train: Split; test: Split }> {
  const strict = opts.strict ?? true;
  const train = await readStl10Split(
    join(dir, STL10_FILES.trainImages),
    join(dir, STL10_FILES.trainLabels),
    strict ? 5000 : undefined,
  );
  const test = await readStl10Split(
    join(dir, STL10_FILES.testImages),
    join(dir, STL10_FILES.testLabels),
    strict ? 8000 : undefined,
  );
  return { train, test };
}
