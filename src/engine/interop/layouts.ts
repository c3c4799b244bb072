/**
 * How one weight is laid out in PyTorch and in our models, and the conversion both ways.
 *
 * PyTorch is channels-first, we are channels-last (TensorFlow.js's NHWC), so:
 * - a convolution kernel is [out, in, h, w] there and [h, w, in, out] here (tf.conv2d's filter);
 * - a depthwise kernel is [channels, 1, h, w] there and [h, w, channels, 1] here;
 * - a linear weight is [out, in] there and [in, out] here (we compute x @ W);
 * - a linear layer that reads a flattened feature map (the small CNNs' fc1) sees its inputs in
 *   (c, h, w) order there and (h, w, c) order here, so its columns are permuted as well;
 * - vectors (biases, batch-norm weights and running statistics) are the same.
 * Each conversion is one transpose of the PyTorch tensor viewed with the right shape.
 */
import { sizeOf } from './tensorTable';

export type Layout =
  | { kind: 'conv' }
  | { kind: 'depthwise' }
  | { kind: 'dense' }
  /** A dense layer reading a flattened [height, width, channels] map. */
  | { kind: 'dense-flattened'; height: number; width: number; channels: number }
  | { kind: 'vector' };

interface Transpose {
  /** The PyTorch tensor's shape, as the file stores it. */
  torchShape: number[];
  /** The PyTorch tensor viewed so that one transpose gives ours. */
  torchView: number[];
  /** Our axis k is the view's axis perm[k]. */
  perm: number[];
}

/** The transpose from PyTorch's layout to ours for a weight of our shape `shape`. */
function transposeOf(layout: Layout, shape: number[]): Transpose {
  switch (layout.kind) {
    case 'conv': {
      const [h, w, i, o] = shape;
      return { torchShape: [o, i, h, w], torchView: [o, i, h, w], perm: [2, 3, 1, 0] };
    }
    case 'depthwise': {
      const [h, w, c] = shape;
      return { torchShape: [c, 1, h, w], torchView: [c, 1, h, w], perm: [2, 3, 0, 1] };
    }
    case 'dense': {
      const [i, o] = shape;
      return { torchShape: [o, i], torchView: [o, i], perm: [1, 0] };
    }
    case 'dense-flattened': {
      const [i, o] = shape;
      const { height: h, width: w, channels: c } = layout;
      if (h * w * c !== i) throw new Error(`a flattened ${h}x${w}x${c} map has ${h * w * c} values, not the layer's ${i} inputs`);
      return { torchShape: [o, i], torchView: [o, c, h, w], perm: [2, 3, 1, 0] };
    }
    case 'vector':
      return { torchShape: shape, torchView: shape, perm: shape.map((_, k) => k) };
  }
}

/** The shape PyTorch gives the weight whose shape here is `shape`. */
export function torchShapeOf(layout: Layout, shape: number[]): number[] {
  return transposeOf(layout, shape).torchShape;
}

/** PyTorch's values of a weight, in our layout (`shape` is ours). */
export function fromTorch(layout: Layout, shape: number[], values: Float32Array): Float32Array {
  const t = transposeOf(layout, shape);
  return transpose(values, t.torchView, t.perm);
}

/** Our values of a weight of shape `shape`, in PyTorch's layout. */
export function toTorch(layout: Layout, shape: number[], values: Float32Array): Float32Array {
  const t = transposeOf(layout, shape);
  const ourView = t.perm.map((p) => t.torchView[p]);
  const inverse = t.perm.map((_, k) => t.perm.indexOf(k));
  return transpose(values, ourView, inverse);
}

/** `values` of row-major shape `shape`, transposed so that output axis k is input axis perm[k]. */
export function transpose(values: Float32Array, shape: number[], perm: number[]): Float32Array {
  if (perm.every((p, k) => p === k)) return values.slice();
  const n = sizeOf(shape);
  const inStrides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const outShape = perm.map((p) => shape[p]);
  const strideOfOut = perm.map((p) => inStrides[p]);
  const out = new Float32Array(n);
  const index = new Array<number>(outShape.length).fill(0);
  let source = 0;
  for (let i = 0; i < n; i++) {
    out[i] = values[source];
    for (let d = outShape.length - 1; d >= 0; d--) {
      source += strideOfOut[d];
      if (++index[d] < outShape[d]) break;
      source -= strideOfOut[d] * outShape[d];
      index[d] = 0;
    }
  }
  return out;
}
