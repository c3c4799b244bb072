/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend (the filter gradient of
 * tf.depthwiseConv2d), which the wasm backend as shipped lacks.
 * dW[a, b, c, q] = sum over n, i, j of x[n, i*sh - pt + a, j*sw - pl + b, c] * dy[n, i, j, c*m + q],
 * in JavaScript on the wasm heap with float64 sums (as the cpu backend sums).
 * Any stride, padding, filter size and channel multiplier m; dilation 1.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConvGradientAttrs, gradientConvInfo } from './convInfo';
import { assertNoDilation } from './depthwiseConv2dBackpropInput';
import { assertFloat32, f32, makeF32, TensorInfo, WasmBackend } from './util';

export interface DepthwiseBackpropFilterAttrs extends ConvGradientAttrs {
  dilations?: number | [number, number];
  filterShape: [number, number, number, number];
}

export function depthwiseConv2dBackpropFilter(
  backend: WasmBackend,
  x: TensorInfo,
  dy: TensorInfo,
  attrs: DepthwiseBackpropFilterAttrs,
): TensorInfo {
  const kernel = 'DepthwiseConv2dNativeBackpropFilter';
  assertFloat32(kernel, x, dy);
  assertNoDilation(kernel, attrs.dilations);
  const { filterShape } = attrs;
  const info = gradientConvInfo(kernel, x.shape as [number, number, number, number], filterShape, attrs, true, dy);
  const n = info.batchSize;
  const h = info.inHeight;
  const w = info.inWidth;
  const c = info.inChannels;
  const cm = info.outChannels;
  const m = cm / c;
  const ho = info.outHeight;
  const wo = info.outWidth;
  const kh = info.filterHeight;
  const kw = info.filterWidth;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;

  const xs = f32(backend, x);
  const g = f32(backend, dy);
  const acc = new Float64Array(kh * kw * cm);
  const xStep = sw * c;
  // Row by row: for each tap and output channel, a dot product along the output row with four
  // independent partial sums (a single running sum would wait on each addition's latency).
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < ho; i++) {
      const gRow = (b * ho + i) * wo * cm;
      for (let a = 0; a < kh; a++) {
        const y = i * sh - pt + a;
        if (y < 0 || y >= h) continue;
        const xRow = (b * h + y) * w * c;
        for (let bb = 0; bb < kw; bb++) {
          // Output columns j whose input column j*sw - pl + bb lies inside x.
          const j0 = Math.max(0, Math.ceil((pl - bb) / sw));
          const j1 = Math.min(wo, Math.floor((w - 1 + pl - bb) / sw) + 1);
          const len = j1 - j0;
          if (len <= 0) continue;
          const tapOff = (a * kw + bb) * cm;
          const xStart = xRow + (j0 * sw - pl + bb) * c;
          const gStart = gRow + j0 * cm;
          for (let k = 0; k < cm; k++) {
            let xi = xStart + ((k / m) | 0);
            let gi = gStart + k;
            let s0 = 0;
            let s1 = 0;
            let s2 = 0;
            let s3 = 0;
            let j = 0;
            for (; j + 3 < len; j += 4, xi += 4 * xStep, gi += 4 * cm) {
              s0 += xs[xi] * g[gi];
              s1 += xs[xi + xStep] * g[gi + cm];
              s2 += xs[xi + 2 * xStep] * g[gi + 2 * cm];
              s3 += xs[xi + 3 * xStep] * g[gi + 3 * cm];
            }
            for (; j < len; j++, xi += xStep, gi += cm) s0 += xs[xi] * g[gi];
            acc[tapOff + k] += s0 + s1 + (s2 + s3);
          }
        }
      }
    }
  }
  return makeF32(backend, [kh, kw, c, m], Float32Array.from(acc));
}

export const depthwiseConv2dBackpropFilterKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  return depthwiseConv2dBackpropFilter(backend as WasmBackend, x, dy, attrs as unknown as DepthwiseBackpropFilterAttrs);
};
