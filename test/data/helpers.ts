/** Helpers for the data tests: temporary folders and files generated in the datasets' binary formats. */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeIdx } from '../../src/engine/data/idx';

export const DEBIAN_FASHION = '/usr/share/datasets/fashion-mnist';

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'gacd-data-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A pixel value that encodes its position, so a layout error shows up as a wrong value. */
export function pixelValue(n: number, y: number, x: number, c: number): number {
  return (n * 31 + y * 7 + x * 3 + c * 101) % 256;
}

/** Writes the four IDX files of a tiny dataset (count images h x w, label i % 10). */
export function writeIdxDataset(dir: string, opts: { train: number; test: number; h?: number; w?: number; gzip?: boolean }): void {
  mkdirSync(dir, { recursive: true });
  const h = opts.h ?? 28;
  const w = opts.w ?? 28;
  const suffix = opts.gzip ? '.gz' : '';
  for (const [stem, count] of [['train', opts.train], ['t10k', opts.test]] as const) {
    const data = new Uint8Array(count * h * w);
    for (let n = 0; n < count; n++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[(n * h + y) * w + x] = pixelValue(n, y, x, 0);
    const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
    writeFileSync(join(dir, `${stem}-images-idx3-ubyte${suffix}`), encodeIdx([count, h, w], data, opts.gzip));
    writeFileSync(join(dir, `${stem}-labels-idx1-ubyte${suffix}`), encodeIdx([count], labels, opts.gzip));
  }
}

/** CIFAR binary records: labelBytes label bytes then R, G, B planes of 32x32. */
export function cifarBytes(count: number, labelBytes: 1 | 2, label: (n: number) => number[]): Uint8Array {
  const rec = labelBytes + 3072;
  const out = new Uint8Array(count * rec);
  for (let n = 0; n < count; n++) {
    const base = n * rec;
    label(n).forEach((l, k) => (out[base + k] = l));
    for (let c = 0; c < 3; c++)
      for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) out[base + labelBytes + c * 1024 + y * 32 + x] = pixelValue(n, y, x, c);
  }
  return out;
}

/** STL-10 images: per image, per channel, per column (x), the 96 rows (y), i.e. column-major. */
export function stl10Bytes(count: number): Uint8Array {
  const out = new Uint8Array(count * 3 * 96 * 96);
  for (let n = 0; n < count; n++)
    for (let c = 0; c < 3; c++)
      for (let x = 0; x < 96; x++) for (let y = 0; y < 96; y++) out[n * 27648 + c * 9216 + x * 96 + y] = pixelValue(n, y, x, c);
  return out;
}

/** The NHWC float a generated pixel should become. */
export function expectedPixel(n: number, y: number, x: number, c: number): number {
  return Math.fround(pixelValue(n, y, x, c) / 255);
}
