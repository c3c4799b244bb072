/**
 * BatchMatMul for the wasm backend with transposed operands on the fast path. The shipped
 * kernel runs XNNPACK only for a plain product of two batch-1 matrices and a slow triple loop
 * otherwise, and a dense layer's gradients are exactly the transposed products
 * (dx = dy @ W^T, dW = x^T @ dy). Here a transposed batch-1 operand is transposed explicitly
 * (wasm Transpose) and the plain product goes to XNNPACK; a transposed right operand is kept
 * while its source lives (util.derivedTensor). Batched products (batch > 1) go to the shipped
 * kernel unchanged.
 */
import { derivedTensor, f32, free, makeF32, reshapeInfo, runWasm, TensorInfo, WasmBackend } from './util';

export interface BatchMatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

const batchOf = (t: TensorInfo): number => t.shape.slice(0, -2).reduce((p, v) => p * v, 1);

/** True when this kernel takes the product (float32, both operands batch 1, something transposed). */
export function fastTransposedProduct(a: TensorInfo, b: TensorInfo, attrs: BatchMatMulAttrs): boolean {
  return (
    (attrs.transposeA || attrs.transposeB) &&
    a.dtype === 'float32' &&
    b.dtype === 'float32' &&
    a.shape.length >= 2 &&
    b.shape.length >= 2 &&
    batchOf(a) === 1 &&
    batchOf(b) === 1
  );
}

export function batchMatMulTransposed(
  backend: WasmBackend,
  a: TensorInfo,
  b: TensorInfo,
  attrs: BatchMatMulAttrs,
  plain: (a: TensorInfo, b: TensorInfo) => TensorInfo,
): TensorInfo {
  const a2 = attrs.transposeA ? transpose2d(backend, a) : a;
  // A transposed right operand is a layer's weights in dx = dy @ W^T: kept while W lives, so
  // PGD's ten products transpose it, and XNNPACK packs it, once.
  const bT = attrs.transposeB ? derivedTensor(backend, b, 'transposed', () => transpose2d(backend, b)) : null;
  const b2 = bT ? bT.tensor : b;
  try {
    const out = plain(a2, b2);
    // Keep the shipped kernel's output rank: [m, n] for rank-2 operands, [1, m, n] otherwise.
    const rank = Math.max(a.shape.length, b.shape.length);
    const m = out.shape[out.shape.length - 2];
    const n = out.shape[out.shape.length - 1];
    const want = rank === 2 ? [m, n] : [...new Array(rank - 2).fill(1), m, n];
    if (want.length === out.shape.length && want.every((v, i) => v === out.shape[i])) return out;
    const shaped = reshapeInfo(backend, out, want);
    free(backend, out);
    return shaped;
  } finally {
    if (a2 !== a) free(backend, a2);
    if (bT?.owned) free(backend, bT.tensor);
  }
}

/** The last two axes swapped, as a fresh [cols, rows] tensor (a new id: XNNPACK caches by id). */
function transpose2d(backend: WasmBackend, t: TensorInfo): TensorInfo {
  const rows = t.shape[t.shape.length - 2];
  const cols = t.shape[t.shape.length - 1];
  if (rows === 1 || cols === 1) {
    // wasm Transpose would hand back the same memory (a no-op permutation); copy instead so the
    // [cols, rows] operand has its own id.
    const out = makeF32(backend, [cols, rows]);
    f32(backend, out).set(f32(backend, t));
    return out;
  }
  const flat = reshapeInfo(backend, t, [rows, cols]);
  try {
    return runWasm(backend, 'Transpose', { x: flat }, { perm: [1, 0] });
  } finally {
    free(backend, flat);
  }
}

