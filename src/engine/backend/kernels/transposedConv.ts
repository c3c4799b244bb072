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
 */
import { f32, free, makeF32, runWasm, TensorInfo, WasmBackend, window4d } from './util';

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

interface AxisPlan {
  /** First phase-row index and number of rows every phase computes. */
  q0: number;
  rows: number;
  /** Padding after dy (same for every phase); negative means rows of dy that no dx row uses. */
  after: number;
  /** Per phase r: number of taps, and padding before dy (negative: rows of dy to skip). */
  taps: number[];
  before: number[];
}

function planAxis(k: number, s: number, pad: number, inSize: number, outSize: number): AxisPlan {
  const q0 = Math.floor(pad / s);
  const q1 = Math.floor((pad + inSize - 1) / s);
  const rows = q1 - q0 + 1;
  const taps: number[] = [];
  const before: number[] = [];
  for (let r = 0; r < s; r++) {
    const t = r < k ? Math.ceil((k - r) / s) : 0;
    taps.push(t);
    before.push(t - 1 - q0);
  }
  return { q0, rows, after: rows + q0 - outSize, taps, before };
}

export function transposedConv(
  backend: WasmBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  g: TransposedConvGeometry,
): TensorInfo {
  const { batch: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: ho, outWidth: wo } = g;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = g;
  const mult = g.depthwise ? g.outChannels / ci : 1;
  const phaseChannels = g.depthwise ? g.outChannels : ci;
  const ph = planAxis(kh, sh, g.padTop, h, ho);
  const pw = planAxis(kw, sw, g.padLeft, w, wo);

  // One convolution per phase; null where a phase gets no tap (filter smaller than the stride).
  const phases: Array<{ rh: number; rw: number; out: TensorInfo } | null> = [];
  for (let rh = 0; rh < sh; rh++) {
    for (let rw = 0; rw < sw; rw++) {
      phases.push(phaseConv(backend, dy, filter, g, ph, pw, rh, rw));
    }
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
      const qh = ph.rows;
      const qw = pw.rows;
      for (let b = 0; b < n; b++) {
        for (let i = 0; i < qh; i++) {
          const y = (ph.q0 + i) * sh + p.rh - g.padTop;
          if (y < 0 || y >= h) continue;
          for (let j = 0; j < qw; j++) {
            const x = (pw.q0 + j) * sw + p.rw - g.padLeft;
            if (x < 0 || x >= w) continue;
            const d = ((b * h + y) * w + x) * ci;
            let s = ((b * qh + i) * qw + j) * phaseChannels;
            if (mult === 1) {
              for (let c = 0; c < ci; c++) dst[d + c] = src[s + c];
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
  if (th === 0 || tw === 0) return null;
  const ho = g.outHeight;
  const wo = g.outWidth;
  // Rows of dy to skip where the padding comes out negative (they only meet padding of x).
  const skipTop = Math.max(0, -ph.before[rh]);
  const skipBottom = Math.max(0, -ph.after);
  const skipLeft = Math.max(0, -pw.before[rw]);
  const skipRight = Math.max(0, -pw.after);
  const rowsIn = ho - skipTop - skipBottom;
  const colsIn = wo - skipLeft - skipRight;
  if (rowsIn <= 0 || colsIn <= 0) return null;
  const cropped = skipTop + skipBottom + skipLeft + skipRight > 0;
  const input = cropped ? window4d(backend, dy, skipTop, skipLeft, rowsIn, colsIn) : dy;
  const sub = subFilter(backend, filter, g, rh, rw, th, tw);
  try {
    const pad = [
      [0, 0],
      [Math.max(0, ph.before[rh]), Math.max(0, ph.after)],
      [Math.max(0, pw.before[rw]), Math.max(0, pw.after)],
      [0, 0],
    ];
    const out = g.depthwise
      ? runWasm(backend, 'DepthwiseConv2dNative', { x: input, filter: sub }, { strides: [1, 1], pad, dilations: [1, 1] })
      : runWasm(backend, 'Conv2D', { x: input, filter: sub }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1] });
    return { rh, rw, out };
  } finally {
    free(backend, sub);
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
