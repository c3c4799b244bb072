/**
 * The binary versions of CIFAR-10 and CIFAR-100 (cifar-10-binary.tar.gz, cifar-100-binary.tar.gz).
 * Each record is its label byte(s) then 3072 pixel bytes, channel-planar: 1024 red values (a 32x32
 * image row by row), then 1024 green, then 1024 blue. CIFAR-10 has one label byte; CIFAR-100 has
 * two, coarse then fine, and we use the fine label. Out: NHWC float32 in [0, 1].
 */
import { join } from 'node:path';
import { CIFAR100_TEST_FILE, CIFAR100_TRAIN_FILE, CIFAR10_TEST_FILE, CIFAR10_TRAIN_FILES } from './locate.info';
import { bytesText, readBytes } from './read';
import { checkLabels, type Split } from './types';

const SIDE = 32;
const PLANE = SIDE * SIDE;
const PIXELS = 3 * PLANE;

export interface CifarFormat {
  /** 1 for CIFAR-10, 2 for CIFAR-100. */
  labelBytes: 1 | 2;
  /** Which label byte is the class: 0 for CIFAR-10, 1 (fine) for CIFAR-100. */
  labelIndex: number;
  numClasses: number;
}

export const CIFAR10_FORMAT: CifarFormat = { labelBytes: 1, labelIndex: 0, numClasses: 10 };
export const CIFAR100_FORMAT: CifarFormat = { labelBytes: 2, labelIndex: 1, numClasses: 100 };

export interface CifarReadOptions {
  /**
   * Check that each file holds the standard number of records (10,000 per CIFAR-10 batch; 50,000
   * and 10,000 for CIFAR-100), so that a file cut at a record boundary is caught. Default true;
   * tests with small generated files turn it off. Record alignment is always checked.
   */
  strict?: boolean;
}

/** The number of whole records in `bytes`, or an Error naming the file and the sizes. */
export function cifarRecordCount(
  length: number,
  file: string,
  format: CifarFormat,
  expectedRecords?: number,
): number {
  const recordSize = format.labelBytes + PIXELS;
  const layout = `${format.labelBytes} label byte${format.labelBytes > 1 ? 's' : ''} + ${PIXELS} pixel bytes per record`;
  if (expectedRecords !== undefined && length !== expectedRecords * recordSize) {
    const what = length < expectedRecords * recordSize ? 'the file looks truncated' : 'the file is larger than expected';
    throw new Error(
      `${file}: expected ${bytesText(expectedRecords * recordSize)} (${expectedRecords.toLocaleString('en-US')} ` +
        `records of ${recordSize} bytes: ${layout}), found ${bytesText(length)}; ${what}; re-download it.`,
    );
  }
  if (length === 0 || length % recordSize !== 0) {
    throw new Error(
      `${file}: expected a non-zero multiple of ${recordSize} bytes (${layout}), found ${bytesText(length)} ` +
        `(${Math.floor(length / recordSize)} whole records and ${length % recordSize} bytes over); ` +
        'the file looks truncated or is not in the CIFAR binary format; re-download it.',
    );
  }
  return length / recordSize;
}

/**
 * Decodes the records of one CIFAR binary file into `images` (NHWC) and `labels`, starting at
 * sample `offset`.
 */
export function decodeCifarRecords(
  bytes: Uint8Array,
  count: number,
  format: CifarFormat,
  images: Float32Array,
  labels: Int32Array,
  offset: number,
): void {
  const recordSize = format.labelBytes + PIXELS;
  for (let n = 0; n < count; n++) {
    const base = n * recordSize;
    labels[offset + n] = bytes[base + format.labelIndex];
    const px = base + format.labelBytes;
    const out = (offset + n) * PIXELS;
    for (let p = 0; p < PLANE; p++) {
      const o = out + p * 3;
      images[o] = bytes[px + p] / 255;
      images[o + 1] = bytes[px + PLANE + p] / 255;
      images[o + 2] = bytes[px + 2 * PLANE + p] / 255;
    }
  }
}

/** One split from one or more CIFAR binary files, concatenated in order. */
export async function readCifarFiles(
  files: string[],
  format: CifarFormat,
  expectedPerFile?: number,
): Promise<Split> {
  const contents: { file: string; bytes: Uint8Array; count: number }[] = [];
  for (const file of files) {
    const bytes = await readBytes(file);
    contents.push({ file, bytes, count: cifarRecordCount(bytes.length, file, format, expectedPerFile) });
  }
  const total = contents.reduce((a, c) => a + c.count, 0);
  const images = new Float32Array(total * PIXELS);
  const labels = new Int32Array(total);
  let offset = 0;
  for (const c of contents) {
    decodeCifarRecords(c.bytes, c.count, format, images, labels, offset);
    checkLabels(labels.subarray(offset, offset + c.count), format.numClasses, c.file);
    offset += c.count;
  }
  return { images, labels, count: total, shape: [SIDE, SIDE, 3], numClasses: format.numClasses };
}

/** CIFAR-10 from a folder holding data_batch_1..5.bin and test_batch.bin. */
export async function readCifar10(dir: string, opts: CifarReadOptions = {}): Promise<{ train: Split; test: Split }> {
  const strict = opts.strict ?? true;
  const train = await readCifarFiles(
    CIFAR10_TRAIN_FILES.map((f) => join(dir, f)),
    CIFAR10_FORMAT,
    strict ? 10000 : undefined,
  );
  const test = await readCifarFiles([join(dir, CIFAR10_TEST_FILE)], CIFAR10_FORMAT, strict ? 10000 : undefined);
  return { train, test };
}

/** CIFAR-100 (fine labels) from a folder holding train.bin and test.bin. */
export async function readCifar100(dir: string, opts: CifarReadOptions = {}): Promise<{ train: Split; test: Split }> {
  const strict = opts.strict ?? true;
  const train = await readCifarFiles([join(dir, CIFAR100_TRAIN_FILE)], CIFAR100_FORMAT, strict ? 50000 : undefined);
  const test = await readCifarFiles([join(dir, CIFAR100_TEST_FILE)], CIFAR100_FORMAT, strict ? 10000 : undefined);
  return { train, test };
}
