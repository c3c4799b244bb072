/**
 * MaxPoolGrad for the wasm backend: one pass over the pooling windows in JavaScript on the wasm
 * heap (the shipped kernel loops over every input position and every window around it).
 *
 * Semantics are exactly the cpu backend's (tfjs-backend-cpu maxPoolPositions + maxPoolGrad):
 * - a window scans its in-bounds positions row by row, column by column, and keeps the first
 *   strictly greater value starting from -Infinity, so on ties the first maximum in scan order
 *   gets the gradient, padding never does, and a window of only -Infinity/NaN passes nothing;
 * - overlapping windows (stride < filter) accumulate into the same input position, summed in
 *   float64 in window order (the order the cpu backend sums in) and rounded once to float32.
 * The forward output (`output` input) is not needed: the maximum is found again from x.
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertFloat32, f32, makeF32, TensorInfo, WasmBackend } from './util';

export interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function maxPoolGrad(backend: WasmBackend, dy: TensorInfo, input: TensorInfo, attrs: MaxPoolGradAttrs): TensorInfo {
  assertFloat32('MaxPoolGrad', dy, input);
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const want = info.outShape;
  if (dy.shape.length !== 4 || want.some((v, i) => dy.shape[i] !== v)) {
    throw new Error(`MaxPoolGrad (GACD wasm kernel): dy has shape [${dy.shape}], the pooling gives [${want}]`);
  }
  const n = info.batchSize;
  const h = info.inHeight;
  const w = info.inWidth;
  const c = info.inChannels;
  const ho = info.outHeight;
  const wo = info.outWidth;
  const fh = info.effectiveFilterHeight;
  const fw = info.effectiveFilterWidth;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const overlapping = sh < fh || sw < fw;

  const dxInfo = makeF32(backend, input.shape);
  const x = f32(backend, input);
  const g = f32(backend, dy);
  const dx = f32(backend, dxInfo);
  dx.fill(0);

  const imageSize = h * w * c;
  // Overlapping windows: sum one image in float64, then round once (as the cpu backend does).
  const acc = overlapping ? new Float64Array(imageSize) : null;
  const maxV = new Float64Array(c);
  const maxI = new Int32Array(c);

  for (let b = 0; b < n; b++) {
    const imageBase = b * imageSize;
    // Offsets below are relative to the image when accumulating in acc, absolute otherwise.
    const outBase = acc ? 0 : imageBase;
    if (acc) acc.fill(0);
    for (let yr = 0; yr < ho; yr++) {
      const rCorner = yr * sh - pt;
      const r0 = Math.max(0, rCorner);
      const r1 = Math.min(h, rCorner + fh);
      for (let yc = 0; yc < wo; yc++) {
        const cCorner = yc * sw - pl;
        const c0 = Math.max(0, cCorner);
        const c1 = Math.min(w, cCorner + fw);
        maxV.fill(-Infinity);
        maxI.fill(-1);
        for (let xr = r0; xr < r1; xr++) {
          for (let xc = c0; xc < c1; xc++) {
            const off = (xr * w + xc) * c;
            const src = imageBase + off;
            for (let d = 0; d < c; d++) {
              const v = x[src + d];
              if (v > maxV[d]) {
                maxV[d] = v;
                maxI[d] = off + d;
              }
            }
          }
        }
        const gOff = ((b * ho + yr) * wo + yc) * c;
        if (acc) {
          for (let d = 0; d < c; d++) {
            const p = maxI[d];
            if (p >= 0) acc[p] += g[gOff + d];
          }
        } else {
          for (let d = 0; d < c; d++) {
            const p = maxI[d];
            if (p >= 0) dx[outBase + p] += g[gOff + d];
          }
        }
      }
    }
    if (acc) dx.set(acc, imageBase);
  }
  return dxInfo;
}

export const maxPoolGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  return maxPoolGrad(backend as WasmBackend, dy, input, attrs as unknown as MaxPoolGradAttrs);
};
