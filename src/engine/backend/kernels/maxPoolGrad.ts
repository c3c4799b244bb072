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
 * The small CNN's 2x2 stride-2 pooling has two faster paths: a WebAssembly SIMD kernel, four
 * channels at a time, when the channel count is a multiple of 4 (simd.ts, about 10x faster), and a
 * branch-free JavaScript one (pool2x2): which position holds a window's maximum is random, and
 * mispredicted branches made the plain scan 1.6x slower.
 */
import * as tf from '@tensorflow/tfjs-core';
import { simdKernels } from './simd';
import { assertFloat32, f32, makeF32, TensorInfo, WasmBackend } from './util';

/** simd: use the WebAssembly SIMD kernel for 2x2 stride-2 windows when it loads (tests turn it off to check the JavaScript path). */
export const maxPoolGradOptions = { simd: true };

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
  const pool2x2Case = fh === 2 && fw === 2 && sh === 2 && sw === 2 && pt === 0 && pl === 0 && h === 2 * ho && w === 2 * wo;
  const simd = pool2x2Case && c % 4 === 0 && maxPoolGradOptions.simd ? simdKernels(backend) : null;
  if (simd) {
    // The small CNN's pooling, four channels at a time (simd.ts).
    simd.maxPoolGrad2x2(input, dy, dxInfo, n * ho, wo, c);
    return dxInfo;
  }
  const x = f32(backend, input);
  const g = f32(backend, dy);
  const dx = f32(backend, dxInfo);
  if (pool2x2Case) {
    // Every input position is in exactly one full window.
    pool2x2(x, g, dx, n, ho, wo, c);
    return dxInfo;
  }
  dx.fill(0);

  const imageSize = h * w * c;
  // Overlapping windows: sum one image in float64, then round once (as the cpu backend does).
  // Without overlap every input position belongs to at most one window: a plain store.
  const acc = overlapping ? new Float64Array(imageSize) : null;
  // The window's in-bounds positions (offsets within the image), in scan order.
  const offs = new Int32Array(fh * fw);

  for (let b = 0; b < n; b++) {
    const imageBase = b * imageSize;
    if (acc) acc.fill(0);
    for (let yr = 0; yr < ho; yr++) {
      const rCorner = yr * sh - pt;
      const r0 = Math.max(0, rCorner);
      const r1 = Math.min(h, rCorner + fh);
      for (let yc = 0; yc < wo; yc++) {
        const cCorner = yc * sw - pl;
        const c0 = Math.max(0, cCorner);
        const c1 = Math.min(w, cCorner + fw);
        let count = 0;
        for (let xr = r0; xr < r1; xr++) {
          for (let xc = c0; xc < c1; xc++) offs[count++] = (xr * w + xc) * c;
        }
        const gOff = ((b * ho + yr) * wo + yc) * c;
        for (let d = 0; d < c; d++) {
          let best = -Infinity;
          let at = -1;
          for (let k = 0; k < count; k++) {
            const v = x[imageBase + offs[k] + d];
            if (v > best) {
              best = v;
              at = offs[k];
            }
          }
          if (at < 0) continue;
          if (acc) acc[at + d] += g[gOff + d];
          else dx[imageBase + at + d] = g[gOff + d];
        }
      }
    }
    if (acc) dx.set(acc, imageBase);
  }
  return dxInfo;
}

// Scratch for the branch-free comparisons below: a float64 and its high 32 bits (sign first).
const diff = new Float64Array(1);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const diffHigh = new Int32Array(diff.buffer, littleEndian ? 4 : 0, 1);
const pairV = new Float64Array(2);
const pairC = new Int32Array(2);
const out4 = new Float32Array(4);

/** 1 when b > a, else 0, without a branch: the sign of (a - b) + 0 (the + 0 turns -0 into +0). */
function greater(b: number, a: number): number {
  diff[0] = a - b + 0;
  return diffHigh[0] >>> 31;
}

/**
 * 2x2 windows, stride 2, no padding, even sizes: each window writes all four of its positions
 * (the gradient at the first maximum, zero elsewhere), so no separate zeroing pass. Which of the
 * four is the maximum is data-dependent and unpredictable, so it is found without branches:
 * the first maximum of the top row (v1 > v0), of the bottom row (v3 > v2), then the bottom row's
 * only if it is strictly greater. This equals the scan-order rule for finite values; a window
 * with a NaN or an infinity (its sum is not finite) takes the plain scan.
 */
function pool2x2(x: Float32Array, g: Float32Array, dx: Float32Array, n: number, ho: number, wo: number, c: number): void {
  const rowStride = 2 * wo * c;
  for (let b = 0; b < n; b++) {
    for (let yr = 0; yr < ho; yr++) {
      for (let yc = 0; yc < wo; yc++) {
        const p0 = ((b * 2 * ho + 2 * yr) * 2 * wo + 2 * yc) * c;
        const p1 = p0 + c;
        const p2 = p0 + rowStride;
        const p3 = p2 + c;
        const gOff = ((b * ho + yr) * wo + yc) * c;
        for (let d = 0; d < c; d++) {
          const v0 = x[p0 + d];
          const v1 = x[p1 + d];
          const v2 = x[p2 + d];
          const v3 = x[p3 + d];
          const gv = g[gOff + d];
          const sum = v0 + v1 + v2 + v3;
          if (sum - sum !== 0) {
            // NaN or infinity somewhere: the cpu backend's scan, literally.
            let best = -Infinity;
            let at = -1;
            if (v0 > best) {
              best = v0;
              at = 0;
            }
            if (v1 > best) {
              best = v1;
              at = 1;
            }
            if (v2 > best) {
              best = v2;
              at = 2;
            }
            if (v3 > best) at = 3;
            dx[p0 + d] = at === 0 ? gv : 0;
            dx[p1 + d] = at === 1 ? gv : 0;
            dx[p2 + d] = at === 2 ? gv : 0;
            dx[p3 + d] = at === 3 ? gv : 0;
            continue;
          }
          const top = greater(v1, v0);
          const bottom = greater(v3, v2);
          pairV[0] = v0;
          pairV[1] = v1;
          const topMax = pairV[top];
          pairV[0] = v2;
          pairV[1] = v3;
          const bottomMax = pairV[bottom];
          const row = greater(bottomMax, topMax);
          pairC[0] = top;
          pairC[1] = bottom;
          const at = 2 * row + pairC[row];
          out4[at] = gv;
          dx[p0 + d] = out4[0];
          dx[p1 + d] = out4[1];
          dx[p2 + d] = out4[2];
          dx[p3 + d] = out4[3];
          out4[at] = 0;
        }
      }
    }
  }
}

export const maxPoolGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
  return maxPoolGrad(backend as WasmBackend, dy, input, attrs as unknown as MaxPoolGradAttrs);
};
