/**
 * The IDX format of MNIST and Fashion-MNIST, raw or gzipped (told apart by the magic bytes):
 * a big-endian header `00 00 08 <ndims>` followed by ndims 32-bit sizes, then the uint8 data.
 * Images (idx3: count x rows x cols) become NHWC float32 in [0, 1] with one channel; labels
 * (idx1: count) become Int32Array.
 */
import { gzipSync } from 'node:zlib';
import { bytesText, maybeGunzip, readBytes } from './read';
import { checkLabels, type Split } from './types';

export interface IdxArray {
  /** The sizes from the header, e.g. [60000, 28, 28]. */
  dims: number[];
  /** The uint8 values, row-major. */
  data: Uint8Array;
}

const TYPE_UINT8 = 0x08;

/**
 * Parses uncompressed IDX bytes. `file` names the source in errors; `note` adds to the size error
 * (e.g. why a gzip stream came out short).
 */
export function parseIdx(bytes: Uint8Array, file: string, note?: string): IdxArray {
  if (bytes.length < 4) {
    throw new Error(
      `${file}: expected an IDX header of at least 4 bytes, found ${bytesText(bytes.length)}; ` +
        'the file looks truncated; re-download it.',
    );
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(
      `${file}: not an IDX file (magic bytes ${hex(bytes[0])} ${hex(bytes[1])}, expected 00 00); ` +
        'check the file name or re-download it.',
    );
  }
  if (bytes[2] !== TYPE_UINT8) {
    throw new Error(
      `${file}: IDX element type ${hex(bytes[2])} is not supported, expected 08 (unsigned byte).`,
    );
  }
  const ndims = bytes[3];
  const headerSize = 4 + 4 * ndims;
  if (ndims === 0 || bytes.length < headerSize) {
    throw new Error(
      `${file}: expected an IDX header of ${bytesText(headerSize)} (${ndims} dimensions), found ` +
        `${bytesText(bytes.length)}; the file looks truncated; re-download it.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const dataSize = dims.reduce((a, b) => a * b, 1);
  const expected = headerSize + dataSize;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? 'the file looks truncated' : 'the file has extra bytes at its end';
    throw new Error(
      `${file}: expected ${bytesText(expected)} (IDX header for ${dims.join(' x ')} uint8), found ` +
        `${bytesText(bytes.length)}${note ? ` (${note})` : ''}; ${what}; re-download it.`,
    );
  }
  return { dims, data: bytes.subarray(headerSize) };
}

/** Reads an IDX file, gzipped or raw. */
export async function readIdx(file: string): Promise<IdxArray> {
  const raw = await readBytes(file);
  const { bytes, truncated } = await maybeGunzip(raw, file);
  const note = truncated
    ? `after decompressing; the gzip stream of ${bytesText(raw.length)} ends early: ${truncated}`
    : undefined;
  return parseIdx(bytes, file, note);
}

/** IDX bytes for `data` with sizes `dims` (uint8), gzipped when `gzip` is set. */
export function encodeIdx(dims: number[], data: Uint8Array, gzip = false): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new Error(`encodeIdx: ${data.length} values for dims ${dims.join('x')}`);
  const out = new Uint8Array(4 + 4 * dims.length + size);
  const view = new DataView(out.buffer);
  out[2] = TYPE_UINT8;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  if (!gzip) return out;
  const z = gzipSync(out, { level: 9 });
  return new Uint8Array(z.buffer, z.byteOffset, z.byteLength);
}

/** The images of an idx3 file as NHWC float32 in [0, 1], with one channel. */
export async function readIdxImages(
  file: string,
): Promise<{ images: Float32Array; count: number; shape: [number, number, number] }> {
  const { dims, data } = await readIdx(file);
  if (dims.length !== 3) {
    throw new Error(
      `${file}: expected an image file with 3 dimensions (count x rows x cols), found ${dims.length} ` +
        `(${dims.join(' x ')}); is this a label file?`,
    );
  }
  return { images: toUnitFloat(data), count: dims[0], shape: [dims[1], dims[2], 1] };
}

/** The labels of an idx1 file. */
export async function readIdxLabels(file: string): Promise<Int32Array> {
  const { dims, data } = await readIdx(file);
  if (dims.length !== 1) {
    throw new Error(
      `${file}: expected a label file with 1 dimension, found ${dims.length} (${dims.join(' x ')}); ` +
        'is this an image file?',
    );
  }
  return Int32Array.from(data);
}

/** One split from an image file and its label file, checked against each other. */
export async function readIdxSplit(imagesFile: string, labelsFile: string, numClasses: number): Promise<Split> {
  const [img, labels] = await Promise.all([readIdxImages(imagesFile), readIdxLabels(labelsFile)]);
  if (labels.length !== img.count) {
    throw new Error(
      `${labelsFile}: expected ${img.count} labels (the image count of ${imagesFile}), found ` +
        `${labels.length}; the two files do not belong together; re-download them.`,
    );
  }
  checkLabels(labels, numClasses, labelsFile);
  return { images: img.images, labels, count: img.count, shape: img.shape, numClasses };
}

/** uint8 values scaled to float32 in [0, 1]. */
export function toUnitFloat(data: Uint8Array): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i] / 255;
  return out;
}

function hex(b: number | undefined): string {
  return (b ?? 0).toString(16).padStart(2, '0');
}
