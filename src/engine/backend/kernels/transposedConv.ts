/**
 * The input gradient of a 2-D convolution (regular or depthwise), computed with the wasm
 * backend's fast forward convolution (XNNPACK) instead of the shipped loop.
 *
 * For stride s, the padded input row Y = q*s + r (phase r = Y mod s) only receives the filter taps
 * a = r, r+s, r+2s, ...: dxPadded[q*s + r] = sum_t dy[q - t] * w[r + s*t]. So each of the
 * sh*sw phases is a stride-1 convolution of dy with the flipped sub-filter w[r::s] (and, for a
 * regular convolution, input and output channels swapped), run on the rows q the output needs;
 * the phases are then interleaved into dx. Stride 1 is the single phase w flipped, written
 * straight to dx. The work equals the forward convolution's: no zeros are inserted into dy.
 *
 * Two other layouts win in their corner: a first layer (few input channels) goes through
 * dy @ W^T and col2im; a strided depthwise convolution, whose arithmetic is cheap next to the
 * data movement of interleaving phases, convolves dy spread out with zeros (dilatedDepthwise).
 */
import type * as tf from '@tensorflow/tfjs-core';
import { derivedTensor, f32, free, makeF32, reshapeInfo, runWasm, TensorInfo, WasmBackend, window4d } from './util';

export interface TransposedConvGeometry {
  batch: number;
  /** dx (the forward input): height, width, channels. */
  inHeight: number;
  inWidth: number;
  inChannels: number;
  /** dy (the forward output): height, width. */
  outHeight: number;
  outWidth: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
  /** Depthwise: the filter is [kh, kw, C, multiplier] and dy has C*multiplier channels. */
  depthwise: boolean;
  /** Channels of dy (regular: filter's out channels; depthwise: C * multiplier). */
  outChannels: number;
}

/**
 * Per phase r along one axis: the dx rows y = q*s + r - pad it fills are q = q0[r] .. q0[r] +
 * rows[r] - 1, from taps[r] filter taps, with `before` and `after` rows of zeros around dy
 * (negative: rows of dy to skip). Each phase computes only its own rows: a common range for all
 * phases (the previous plan) computed 5x5 outputs per phase where 4x4 are used at a ResNet
 * stride-2 layer's 8x8 input, 1.56 times the work.
 */
interface AxisPlan {
  taps: number[];
  q0: number[];
  rows: number[];
  before: number[];
  after: number[];
}

function planAxis(k: number, s: number, pad: number, inSize: number, outSize: number): AxisPlan {
  const plan: AxisPlan = { taps: [], q0: [], rows: [], before: [], after: [] };
  for (let r = 0; r < s; r++) {
    const t = r < k ? Math.ceil((k - r) / s) : 0;
    const q0 = Math.max(0, Math.ceil((pad - r) / s));
    const rows = Math.max(0, Math.floor((pad + inSize - 1 - r) / s) - q0 + 1);
    plan.taps.push(t);
    plan.q0.push(q0);
    plan.rows.push(rows);
    plan.before.push(t - 1 - q0);
    plan.after.push(q0 + rows - outSize);
  }
  return plan;
}

/**
 * When the convolution's input has few channels (a network's first layer), XNNPACK runs the
 * flipped convolution (many input channels, 1 to 4 output channels) poorly; there the product
 * cols = dy @ W^T ([n*ho*wo, kh*kw*ci], XNNPACK) scattered back (col2im) is 2-3x faster.
 * colsBudget bounds that product's size in floats.
 */
/** The geometry of a (depthwise) convolution as tfjs's computeConv2DInfo describes it. */
export function geometryOf(info: tf.backend_util.Conv2DInfo, depthwise: boolean): TransposedConvGeometry {
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
    depthwise,
    outChannels: info.outChannels,
  };
}

/** col2imGather: stride 1 gathers (col2imGather); tests turn it off to check the scatter on the same cases. */
export const transposedConvOptions = { col2imMaxChannels: 4, colsBudget: 16 * 1024 * 1024, col2imGather: true };

export function transposedConv(
  backend: WasmBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  g: TransposedConvGeometry,
): TensorInfo {
  if (
    !g.depthwise &&
    g.inChannels <= transposedConvOptions.col2imMaxChannels &&
    g.batch * g.outHeight * g.outWidth * g.filterHeight * g.filterWidth * g.inChannels <= transposedConvOptions.colsBudget
  ) {
    return col2imConv(backend, dy, filter, g);
  }
  if (g.depthwise && (g.strideHeight > 1 || g.strideWidth > 1)) return dilatedDepthwise(backend, dy, filter, g);
  const { batch: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo } = g;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = g;
  const mult = g.depthwise ? g.outChannels / ci : 1;
  const phaseChannels = g.depthwise ? g.outChannels : ci;
  const ph = planAxis(kh, sh, g.padTop, h, ho);
  const pw = planAxis(kw, sw, g.padLeft, w, wo);

  // One convolution per phase; null where a phase gets no tap (filter smaller than the stride).
  const phases: Array<{ rh: number; rw: number; out: TensorInfo } | null> = [];
  try {
    for (let rh = 0; rh < sh; rh++) {
      for (let rw = 0; rw < sw; rw++) {
        phases.push(phaseConv(backend, dy, filter, g, ph, pw, rh, rw));
      }
    }
  } catch (e) {
    for (const p of phases) if (p) free(backend, p.out);
    throw e;
  }

  const single = phases.length === 1 && phases[0] !== null && mult === 1;
  if (single) {
    const out = phases[0]!.out;
    if (out.shape[1] !== h || out.shape[2] !== w) {
      free(backend, out);
      throw new Error(`transposed convolution: internal shape mismatch ${out.shape} vs ${[n, h, w, ci]}`);
    }
    return out;
  }

  const dx = makeF32(backend, [n, h, w, ci]);
  try {
    const dst = f32(backend, dx);
    if (phases.some((p) => p === null)) dst.fill(0);
    for (const p of phases) {
      if (!p) continue;
      const src = f32(backend, p.out);
      const qh = ph.rows[p.rh];
      const qw = pw.rows[p.rw];
      if (p.out.shape[1] !== qh || p.out.shape[2] !== qw) {
        throw new Error(`transposed convolution: phase (${p.rh}, ${p.rw}) gave ${p.out.shape}, planned ${qh}x${qw}`);
      }
      for (let b = 0; b < n; b++) {
        for (let i = 0; i < qh; i++) {
          const y = (ph.q0[p.rh] + i) * sh + p.rh - g.padTop;
          for (let j = 0; j < qw; j++) {
            const x = (pw.q0[p.rw] + j) * sw + p.rw - g.padLeft;
            const d = ((b * h + y) * w + x) * ci;
            let s = ((b * qh + i) * qw + j) * phaseChannels;
            if (mult === 1) {
              if (ci >= 16) dst.set(src.subarray(s, s + ci), d);
              else for (let c = 0; c < ci; c++) dst[d + c] = src[s + c];
            } else {
              for (let c = 0; c < ci; c++) {
                let acc = 0;
                for (let m = 0; m < mult; m++) acc += src[s++];
                dst[d + c] = acc;
              }
            }
          }
        }
      }
    }
  } finally {
    for (const p of phases) if (p) free(backend, p.out);
  }
  return dx;
}

function phaseConv(
  backend: WasmBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  g: TransposedConvGeometry,
  ph: AxisPlan,
  pw: AxisPlan,
  rh: number,
  rw: number,
): { rh: number; rw: number; out: TensorInfo } | null {
  const th = ph.taps[rh];
  const tw = pw.taps[rw];
  if (th === 0 || tw === 0 || ph.rows[rh] === 0 || pw.rows[rw] === 0) return null;
  const ho = g.outHeight;
  const wo = g.outWidth;
  // Rows of dy to skip where the padding comes out negative (they only meet padding of x).
  const skipTop = Math.max(0, -ph.before[rh]);
  const skipBottom = Math.max(0, -ph.after[rh]);
  const skipLeft = Math.max(0, -pw.before[rw]);
  const skipRight = Math.max(0, -pw.after[rw]);
  const rowsIn = ho - skipTop - skipBottom;
  const colsIn = wo - skipLeft - skipRight;
  if (rowsIn <= 0 || colsIn <= 0) return null;
  const cropped = skipTop + skipBottom + skipLeft + skipRight > 0;
  const input = cropped ? window4d(backend, dy, skipTop, skipLeft, rowsIn, colsIn) : dy;
  const sub = derivedTensor(backend, filter, `phase ${g.depthwise ? 'dw' : ''} ${g.strideHeight},${g.strideWidth} ${rh},${rw}`, () =>
    subFilter(backend, filter, g, rh, rw, th, tw),
  );
  try {
    const pad = [
      [0, 0],
      [Math.max(0, ph.before[rh]), Math.max(0, ph.after[rh])],
      [Math.max(0, pw.before[rw]), Math.max(0, pw.after[rw])],
      [0, 0],
    ];
    const out = g.depthwise
      ? runWasm(backend, 'DepthwiseConv2dNative', { x: input, filter: sub.tensor }, { strides: [1, 1], pad, dilations: [1, 1] })
      : runWasm(backend, 'Conv2D', { x: input, filter: sub.tensor }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1] });
    return { rh, rw, out };
  } finally {
    if (sub.owned) free(backend, sub.tensor);
    if (cropped) free(backend, input);
  }
}

/** The flipped sub-filter of phase (rh, rw): regular [th, tw, co, ci]; depthwise [th, tw, C*m, 1]. */
function subFilter(
  backend: WasmBackend,
  filter: TensorInfo,
  g: TransposedConvGeometry,
  rh: number,
  rw: number,
  th: number,
  tw: number,
): TensorInfo {
  const kw = g.filterWidth;
  const ci = g.inChannels;
  const co = g.outChannels;
  const tap = g.depthwise ? co : ci * co;
  const values = new Float32Array(th * tw * tap);
  const src = f32(backend, filter);
  for (let u = 0; u < th; u++) {
    const a = rh + g.strideHeight * (th - 1 - u);
    for (let v = 0; v < tw; v++) {
      const b = rw + g.strideWidth * (tw - 1 - v);
      const srcTap = (a * kw + b) * tap;
      const dstTap = (u * tw + v) * tap;
      if (g.depthwise) {
        // [kh, kw, C, m] flattens its last two axes to the C*m channels of dy.
        values.set(src.subarray(srcTap, srcTap + tap), dstTap);
      } else {
        // [kh, kw, ci, co] -> [th, tw, co, ci]
        for (let c = 0; c < ci; c++) {
          for (let o = 0; o < co; o++) values[dstTap + o * ci + c] = src[srcTap + c * co + o];
        }
      }
    }
  }
  return makeF32(backend, g.depthwise ? [th, tw, co, 1] : [th, tw, co, ci], values);
}

/** dx = col2im(dy @ W^T): one XNNPACK product, then each column added back at its position. */
function col2imConv(backend: WasmBackend, dy: TensorInfo, filter: TensorInfo, g: TransposedConvGeometry): TensorInfo {
  const { batch: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: co } = g;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, padTop: pt, padLeft: pl } = g;
  const k = kh * kw * ci;
  // W [kh, kw, ci, co] viewed as [k, co], transposed to [co, k] (kept: XNNPACK packs it once per tensor id).
  const wInfo = derivedTensor(backend, filter, 'col2im', () => {
    const wSrc = f32(backend, filter);
    const wT = new Float32Array(co * k);
    for (let r = 0; r < k; r++) for (let o = 0; o < co; o++) wT[o * k + r] = wSrc[r * co + o];
    return makeF32(backend, [1, co, k], wT);
  });
  const dy3 = reshapeInfo(backend, dy, [1, n * ho * wo, co]);
  let cols: TensorInfo;
  try {
    cols = runWasm(backend, 'BatchMatMul', { a: dy3, b: wInfo.tensor }, { transposeA: false, transposeB: false });
  } finally {
    free(backend, dy3);
    if (wInfo.owned) free(backend, wInfo.tensor);
  }
  const dx = makeF32(backend, [n, h, w, ci]);
  try {
    const src = f32(backend, cols);
    const dst = f32(backend, dx);
    if (sh === 1 && sw === 1 && transposedConvOptions.col2imGather) {
      col2imGather(src, dst, g);
      return dx;
    }
    dst.fill(0);
    // Tap by tap: a row of dy's positions adds to a strided row of dx.
    for (let a = 0; a < kh; a++) {
      for (let c2 = 0; c2 < kw; c2++) {
        const j0 = Math.max(0, Math.ceil((pl - c2) / sw));
        const j1 = Math.min(wo, Math.floor((w - 1 + pl - c2) / sw) + 1);
        if (j1 <= j0) continue;
        const tap = (a * kw + c2) * ci;
        const step = sw * ci;
        for (let b = 0; b < n; b++) {
          for (let i = 0; i < ho; i++) {
            const y = i * sh - pt + a;
            if (y < 0 || y >= h) continue;
            let d = ((b * h + y) * w + j0 * sw - pl + c2) * ci;
            let s = ((b * ho + i) * wo + j0) * k + tap;
            if (ci === 1) {
              for (let j = j0; j < j1; j++, d += step, s += k) dst[d] += src[s];
            } else if (ci === 3) {
              for (let j = j0; j < j1; j++, d += step, s += k) {
                dst[d] += src[s];
                dst[d + 1] += src[s + 1];
                dst[d + 2] += src[s + 2];
              }
            } else {
              for (let j = j0; j < j1; j++, d += step, s += k) {
                for (let c = 0; c < ci; c++) dst[d + c] += src[s + c];
              }
            }
          }
        }
      }
    }
  } finally {
    free(backend, cols);
  }
  return dx;
}

/**
 * col2im for stride 1 as a gather: each dx pixel sums its kh*kw taps from the rows of cols
 * around it (in tap order, a then b, as the scatter adds them). Reading cols tap by tap instead
 * (the scatter below) walks the whole [n*ho*wo, kh*kw*ci] matrix once per tap, touching every
 * cache line each time: for the 32x32x3 first layer the gather is about 1.5x faster.
 */
function col2imGather(src: Float32Array, dst: Float32Array, g: TransposedConvGeometry): void {
  const { batch: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo } = g;
  const { filterHeight: kh, filterWidth: kw, padTop: pt, padLeft: pl } = g;
  const k = kh * kw * ci;
  const acc = new Float64Array(ci);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      // Taps a with a dy row i = y + pt - a inside [0, ho).
      const a0 = Math.max(0, y + pt - ho + 1);
      const a1 = Math.min(kh, y + pt + 1);
      for (let x = 0; x < w; x++) {
        const c0 = Math.max(0, x + pl - wo + 1);
        const c1 = Math.min(kw, x + pl + 1);
        const d = ((b * h + y) * w + x) * ci;
        if (ci === 1) {
          let sum = 0;
          for (let a = a0; a < a1; a++) {
            const row = (b * ho + y + pt - a) * wo + x + pl;
            for (let c2 = c0; c2 < c1; c2++) sum += src[(row - c2) * k + a * kw + c2];
          }
          dst[d] = sum;
        } else if (ci === 3) {
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          for (let a = a0; a < a1; a++) {
            const row = (b * ho + y + pt - a) * wo + x + pl;
            for (let c2 = c0; c2 < c1; c2++) {
              const s = (row - c2) * k + (a * kw + c2) * 3;
              s0 += src[s];
              s1 += src[s + 1];
              s2 += src[s + 2];
            }
          }
          dst[d] = s0;
          dst[d + 1] = s1;
          dst[d + 2] = s2;
        } else {
          acc.fill(0);
          for (let a = a0; a < a1; a++) {
            const row = (b * ho + y + pt - a) * wo + x + pl;
            for (let c2 = c0; c2 < c1; c2++) {
              const s = (row - c2) * k + (a * kw + c2) * ci;
              for (let c = 0; c < ci; c++) acc[c] += src[s + c];
            }
          }
          for (let c = 0; c < ci; c++) dst[d + c] = acc[c];
        }
      }
    }
  }
}

/**
 * Strided depthwise input gradient: dy spread out by the stride, with the padding the flipped
 * filter needs, in one buffer [n, h + kh - 1, w + kw - 1, C*m] (zeros elsewhere), then one
 * stride-1 'valid' depthwise convolution (XNNPACK) with the flipped filter gives dx directly
 * (summed over the multiplier when m > 1).
 */
function dilatedDepthwise(backend: WasmBackend, dy: TensorInfo, filter: TensorInfo, g: TransposedConvGeometry): TensorInfo {
  const { batch: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo, outChannels: cm } = g;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = g;
  const hb = h + kh - 1;
  const wb = w + kw - 1;
  // dy[i, j] sits at buffer row i*sh + offH, column j*sw + offW.
  const offH = kh - 1 - g.padTop;
  const offW = kw - 1 - g.padLeft;
  const flippedInfo = derivedTensor(backend, filter, 'depthwise flipped', () => {
    const flipped = new Float32Array(kh * kw * cm);
    const src = f32(backend, filter);
    for (let a = 0; a < kh; a++) {
      for (let b = 0; b < kw; b++) {
        const from = ((kh - 1 - a) * kw + (kw - 1 - b)) * cm;
        flipped.set(src.subarray(from, from + cm), (a * kw + b) * cm);
      }
    }
    return makeF32(backend, [kh, kw, cm, 1], flipped);
  });
  const spread = makeF32(backend, [n, hb, wb, cm]);
  let out: TensorInfo;
  try {
    const src = f32(backend, dy);
    const dst = f32(backend, spread);
    dst.fill(0);
    for (let b = 0; b < n; b++) {
      for (let i = 0; i < ho; i++) {
        const r = i * sh + offH;
        if (r < 0 || r >= hb) continue;
        for (let j = 0; j < wo; j++) {
          const q = j * sw + offW;
          if (q < 0 || q >= wb) continue;
          const s = ((b * ho + i) * wo + j) * cm;
          const d = ((b * hb + r) * wb + q) * cm;
          if (cm >= 16) dst.set(src.subarray(s, s + cm), d);
          else for (let c = 0; c < cm; c++) dst[d + c] = src[s + c];
        }
      }
    }
    out = runWasm(backend, 'DepthwiseConv2dNative', { x: spread, filter: flippedInfo.tensor }, { strides: [1, 1], pad: 'valid', dilations: [1, 1] });
  } finally {
    free(backend, spread);
    if (flippedInfo.owned) free(backend, flippedInfo.tensor);
  }
  const mult = cm / ci;
  if (mult === 1) return out;
  const dx = makeF32(backend, [n, h, w, ci]);
  try {
    const src = f32(backend, out);
    const dst = f32(backend, dx);
    for (let p = 0, s = 0; p < dst.length; p++) {
      let acc = 0;
      for (let m = 0; m < mult; m++) acc += src[s++];
      dst[p] = acc;
    }
  } finally {
    free(backend, out);
  }
  return dx;
}
