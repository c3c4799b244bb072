/**
 * Sum and Mean over a block of leading or middle axes for the wasm backend, e.g. over [0, 1, 2]
 * of an NHWC tensor (a bias gradient, batch-norm's moments and gradients).
 *
 * The shipped kernels reduce innermost axes only: for any other axes they first transpose the
 * whole tensor, and on wasm that transpose is a slow generic loop (a Sum over [0, 1, 2] of a
 * [32, 32, 32, 64] tensor took 28 ms, its arithmetic is 2 M additions). Viewing x as
 * [outer, reduce, inner] with the reduced axes in the middle, this adds rows of `inner`
 * contiguous values into a float64 accumulator: one pass, no copy. The float64 sums are rounded
 * once to float32 (Mean divides before rounding), so the results are as close to the exact sums
 * as float32 allows, closer than the shipped float32 accumulation.
 * Other cases (innermost axes, where the shipped kernel needs no transpose; non-contiguous or
 * repeated axes; other dtypes; empty tensors) return null and the caller runs the shipped kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { f32, makeF32, TensorInfo, WasmBackend } from './util';

export interface ReduceAttrs {
  axis: number | number[];
  keepDims: boolean;
}

export function reduceMiddleAxes(backend: WasmBackend, x: TensorInfo, attrs: ReduceAttrs, mean: boolean): TensorInfo | null {
  if (x.dtype !== 'float32') return null;
  const shape = x.shape;
  const given = tf.util.parseAxisParam(attrs.axis, shape);
  const axes = [...new Set(given)].sort((a, b) => a - b);
  if (axes.length === 0 || axes.length !== given.length) return null; // none, or repeated

  const first = axes[0];
  const last = axes[axes.length - 1];
  if (last - first + 1 !== axes.length) return null; // not one block
  const size = (from: number, to: number) => shape.slice(from, to).reduce((a, b) => a * b, 1);
  const outer = size(0, first);
  const reduce = size(first, last + 1);
  const inner = size(last + 1, shape.length);
  if (inner === 1 || outer * reduce * inner === 0) return null;

  const kept = shape.filter((_, i) => i < first || i > last);
  const outShape = attrs.keepDims ? shape.map((d, i) => (i >= first && i <= last ? 1 : d)) : kept;
  const out = makeF32(backend, outShape);
  const src = f32(backend, x);
  const dst = f32(backend, out);
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    for (let r = 0, base = o * reduce * inner; r < reduce; r++, base += inner) {
      for (let c = 0; c < inner; c++) acc[c] += src[base + c];
    }
    const d = o * inner;
    if (mean) for (let c = 0; c < inner; c++) dst[d + c] = acc[c] / reduce;
    else for (let c = 0; c < inner; c++) dst[d + c] = acc[c];
  }
  return out;
}
