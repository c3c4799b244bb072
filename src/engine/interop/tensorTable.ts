/**
 * The one in-memory shape of a set of named tensors that crosses this folder: a PyTorch
 * state_dict read from a file (in PyTorch's layouts), or a model's weights (in ours). Values are
 * always float32, row-major.
 */

export interface NamedTensor {
  shape: number[];
  values: Float32Array;
  /**
   * How an export writes it: float32 unless this says int64 (batch norm's `num_batches_tracked`,
   * an integer buffer in PyTorch). Reading always gives float32.
   */
  dtype?: 'int64';
}

/** The bytes a writer stores for `t`: float32 values, or int64 ones when `t.dtype` says so. */
export function bytesOf(t: NamedTensor): Uint8Array {
  if (t.dtype !== 'int64') return new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength);
  const ints = BigInt64Array.from(t.values, (v) => BigInt(Math.round(v)));
  return new Uint8Array(ints.buffer);
}

/** Named tensors in file order. */
export type TensorTable = Map<string, NamedTensor>;

export function sizeOf(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Row-major strides, in elements. */
export function contiguousStrides(shape: number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function formatShape(shape: number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Converts IEEE half-precision bits to a number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** The element types both file formats may hold, with their size in bytes and a float32 reader. */
export const ELEMENT_TYPES = {
  float32: { bytes: 4, read: (v: DataView, at: number) => v.getFloat32(at, true) },
  float64: { bytes: 8, read: (v: DataView, at: number) => v.getFloat64(at, true) },
  float16: { bytes: 2, read: (v: DataView, at: number) => halfToFloat(v.getUint16(at, true)) },
  bfloat16: { bytes: 2, read: (v: DataView, at: number) => new Float32Array(new Uint32Array([v.getUint16(at, true) << 16]).buffer)[0] },
  int64: { bytes: 8, read: (v: DataView, at: number) => Number(v.getBigInt64(at, true)) },
  int32: { bytes: 4, read: (v: DataView, at: number) => v.getInt32(at, true) },
  int16: { bytes: 2, read: (v: DataView, at: number) => v.getInt16(at, true) },
  int8: { bytes: 1, read: (v: DataView, at: number) => v.getInt8(at) },
  uint8: { bytes: 1, read: (v: DataView, at: number) => v.getUint8(at) },
  bool: { bytes: 1, read: (v: DataView, at: number) => v.getUint8(at) },
} as const;

export type ElementType = keyof typeof ELEMENT_TYPES;

/**
 * Reads `shape` elements of `type` from `bytes` as float32, element `i` (in row-major order of
 * `shape`) at element offset `offset + sum(index[d] * strides[d])`.
 */
export function readElements(
  bytes: Uint8Array,
  type: ElementType,
  shape: number[],
  offset: number,
  strides: number[],
): Float32Array {
  const n = sizeOf(shape);
  const { bytes: width, read } = ELEMENT_TYPES[type];
  const row = contiguousStrides(shape);
  const contiguous = strides.every((s, d) => s === row[d] || shape[d] === 1);
  if (type === 'float32' && contiguous && (bytes.byteOffset + offset * 4) % 4 === 0) {
    return new Float32Array(bytes.buffer, bytes.byteOffset + offset * 4, n).slice();
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let at = offset;
    for (let d = 0; d < shape.length; d++) at += index[d] * strides[d];
    out[i] = read(view, at * width);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}
