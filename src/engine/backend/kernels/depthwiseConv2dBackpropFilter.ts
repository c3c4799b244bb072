/**
 * DepthwiseConv2dNativeBackpropFilter for the wasm backend (the filter gradient of
 * tf.depthwiseConv2d), which the wasm backend as shipped lacks.
 * dW[a, b, c, q] = sum over n, i, j of x[n, i*sh - pt + a, j*sw - pl + b, c] * dy[n, i, j, c*m + q],
 * one pass over dy in JavaScript on the wasm heap with float64 sums (as the cpu backend sums).
 * Any stride, padding, filter size and channel multiplier m; dilation 1.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkDy } from './conv2dBackpropInput';
import { assertNoDilation } from './depthwiseConv2dBackpropInput';
import { assertFloat32, f32, makeF32, TensorInfo, WasmBackend } from './util';

export interface DepthwiseBackpropFilterAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
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
  const { strides, pad, dimRoundingMode, filterShape } = attrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    true,
  );
  checkDy(kernel, dy, info);
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
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < ho; i++) {
      for (let j = 0; j < wo; j++) {
        const gOff = ((b * ho + i) * wo + j) * cm;
        for (let a = 0; a < kh; a++) {
          const y = i * sh - pt + a;
          if (y < 0 || y >= h) continue;
          for (let bb = 0; bb < kw; bb++) {
            const xc = j * sw - pl + bb;
            if (xc < 0 || xc >= w) continue;
            const xOff = ((b * h + y) * w + xc) * c;
            const aOff = (a * kw + bb) * cm;
            if (m === 1) {
              for (let d = 0; d < c; d++) acc[aOff + d] += xs[xOff + d] * g[gOff + d];
            } else {
              for (let d = 0; d < c; d++) {
                const xv = xs[xOff + d];
                for (let q = 0; q < m; q++) acc[aOff + d * m + q] += xv * g[gOff + d * m + q];
              }
            }
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
