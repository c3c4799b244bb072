/**
 * Conv2DBackpropFilter for the wasm backend (the filter gradient of tf.conv2d), which the wasm
 * backend as shipped lacks.
 *
 * dW[a, b, c, o] = sum over n, i, j of x[n, i*sh - pt + a, j*sw - pl + b, c] * dy[n, i, j, o], that is
 * dW = colsT @ dy with colsT[(a, b, c), (n, i, j)] the transposed im2col of x (zero where the
 * window reaches into the padding) and dy viewed as [n*ho*wo, co]. The product is the wasm
 * BatchMatMul fast path (XNNPACK fully-connected: neither operand transposed, batch 1); the other
 * layouts fall to a slow loop there. colsT is built from x transposed to [ci, n, h, w] so that
 * its rows are copied from contiguous rows of x. Large batches are cut into chunks so that
 * colsT stays under backpropFilterOptions.colsBudget floats, and the chunks' products are summed in float64.
 * Any stride, padding and filter size; dilation 1 (tfjs's conv2d gradient requires it); NHWC.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConvGradientAttrs, gradientConvInfo } from './convInfo';
import { assertFloat32, f32, free, makeF32, reshapeInfo, runWasm, TensorInfo, WasmBackend } from './util';

/** colsBudget: the largest im2col chunk, in floats (default 8 Mi floats, 32 MiB). */
export const backpropFilterOptions = { colsBudget: 8 * 1024 * 1024 };

export interface Conv2DBackpropFilterAttrs extends ConvGradientAttrs {
  dataFormat: 'NHWC' | 'NCHW';
  filterShape: [number, number, number, number];
}

export function conv2dBackpropFilter(
  backend: WasmBackend,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: Conv2DBackpropFilterAttrs,
): TensorInfo {
  assertFloat32('Conv2DBackpropFilter', x, dy);
  const { filterShape } = attrs;
  const info = gradientConvInfo('Conv2DBackpropFilter', x.shape as [number, number, number, number], filterShape, attrs, false, dy);
  const n = info.batchSize;
  const [kh, kw, ci, co] = filterShape;
  const ho = info.outHeight;
  const wo = info.outWidth;
  const perImage = ho * wo;
  const rows = kh * kw * ci;
  const chunk = Math.max(1, Math.min(n, Math.floor(backpropFilterOptions.colsBudget / Math.max(1, rows * perImage))));

  // x as [ci, n, h, w]: a row of colsT then reads a row of x. With one channel x already is.
  const xT = ci === 1 ? null : runWasm(backend, 'Transpose', { x }, { perm: [3, 0, 1, 2] });
  try {
    if (chunk >= n) {
      const product = chunkProduct(backend, xT ?? x, dy, info, 0, n);
      const dw = reshapeInfo(backend, product, [kh, kw, ci, co]);
      free(backend, product);
      return dw;
    }
    const acc = new Float64Array(rows * co);
    for (let n0 = 0; n0 < n; n0 += chunk) {
      const product = chunkProduct(backend, xT ?? x, dy, info, n0, Math.min(chunk, n - n0));
      const p = f32(backend, product);
      for (let k = 0; k < acc.length; k++) acc[k] += p[k];
      free(backend, product);
    }
    return makeF32(backend, [kh, kw, ci, co], Float32Array.from(acc));
  } finally {
    free(backend, xT);
  }
}

/** colsT(images n0..n0+count) @ dy(same images): a [kh*kw*ci, co] tensor (batch axis 1 in front). */
function chunkProduct(
  backend: WasmBackend,
  xT: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
  n0: number,
  count: number,
): TensorInfo {
  const n = info.batchSize;
  const h = info.inHeight;
  const w = info.inWidth;
  const ci = info.inChannels;
  const co = info.outChannels;
  const kh = info.filterHeight;
  const kw = info.filterWidth;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const ho = info.outHeight;
  const wo = info.outWidth;
  const cols = count * ho * wo;
  const rows = kh * kw * ci;

  const colsT = makeF32(backend, [1, rows, cols]);
  let dyChunk: TensorInfo;
  if (count === n) {
    dyChunk = reshapeInfo(backend, dy, [1, cols, co]);
  } else {
    // A fresh tensor per chunk: XNNPACK caches its packed copy of the right operand by tensor id.
    dyChunk = makeF32(backend, [1, cols, co]);
    const start = n0 * ho * wo * co;
    f32(backend, dyChunk).set(f32(backend, dy).subarray(start, start + cols * co));
  }
  try {
    const src = f32(backend, xT);
    const dst = f32(backend, colsT);
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        // Output columns j whose input column j*sw - pl + b lies inside x.
        const j0 = Math.max(0, Math.ceil((pl - b) / sw));
        const j1 = Math.min(wo, Math.floor((w - 1 + pl - b) / sw) + 1);
        for (let c = 0; c < ci; c++) {
          let d = ((a * kw + b) * ci + c) * cols;
          for (let m = n0; m < n0 + count; m++) {
            const plane = (c * n + m) * h;
            for (let i = 0; i < ho; i++, d += wo) {
              const y = i * sh - pt + a;
              if (y < 0 || y >= h || j1 <= j0) {
                dst.fill(0, d, d + wo);
                continue;
              }
              const s = (plane + y) * w - pl + b;
              for (let j = 0; j < j0; j++) dst[d + j] = 0;
              if (sw === 1) {
                for (let j = j0; j < j1; j++) dst[d + j] = src[s + j];
              } else {
                for (let j = j0; j < j1; j++) dst[d + j] = src[s + j * sw];
              }
              for (let j = j1; j < wo; j++) dst[d + j] = 0;
            }
          }
        }
      }
    }
    return runWasm(backend, 'BatchMatMul', { a: colsT, b: dyChunk }, { transposeA: false, transposeB: false });
  } finally {
    free(backend, colsT, dyChunk);
  }
}

export const conv2dBackpropFilterKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  return conv2dBackpropFilter(backend as WasmBackend, x, dy, attrs as unknown as Conv2DBackpropFilterAttrs);
};
