/**
 * conv2d + bias in one kernel (FusedConv2D, activation 'linear'), with a gradient that computes
 * only what backpropagation asks for.
 *
 * tf.fused.conv2d is no use for training here: under a gradient tape it fuses nothing but a
 * linear activation, and its custom gradient computes the input, filter and bias gradients every
 * time, so each PGD step (which only needs the input gradient) would pay for a filter gradient
 * too. Running the FusedConv2D kernel directly records it on the tape like any kernel, and the
 * gradient registered here gives the engine one thunk per input: it calls only those on the path
 * to what is differentiated. Every backend GACD uses (wasm, cpu, tensorflow) has FusedConv2D.
 */
import * as tf from '@tensorflow/tfjs-core';

interface FusedConvAttrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number;
  dataFormat: 'NHWC';
  dilations: [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  activation: 'linear';
}

let registered = false;

/** Registers the gradient of FusedConv2D (linear activation, NHWC) once. tfjs-core has none. */
function ensureGradient(): void {
  if (registered || tf.getGradient('FusedConv2D') != null) {
    registered = true;
    return;
  }
  tf.registerGradient({
    kernelName: 'FusedConv2D',
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter] = saved;
      const a = attrs as unknown as FusedConvAttrs;
      if (a.activation !== 'linear' || a.dataFormat !== 'NHWC') {
        throw new Error(`FusedConv2D gradient (GACD): only the linear NHWC form is supported, got ${a.activation} ${a.dataFormat}`);
      }
      const d = dy as tf.Tensor4D;
      const conv: tf.NamedAttrMap = { strides: a.strides, pad: a.pad, dataFormat: 'NHWC' };
      if (a.dimRoundingMode) conv.dimRoundingMode = a.dimRoundingMode;
      return {
        x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: d, filter }, { ...conv, inputShape: x.shape }) as tf.Tensor,
        filter: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: d }, { ...conv, filterShape: filter.shape }) as tf.Tensor,
        bias: () => tf.sum(d, [0, 1, 2]),
      };
    },
  });
  registered = true;
}

/** `conv2d(x, filter) + bias` (bias of shape [outChannels]), NHWC, dilation 1. */
export function conv2dWithBias(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  bias: tf.Tensor1D,
  strides: number,
  pad: 'same' | 'valid' | number,
): tf.Tensor4D {
  ensureGradient();
  const attrs: FusedConvAttrs = { strides, pad, dataFormat: 'NHWC', dilations: [1, 1], activation: 'linear' };
  return tf.engine().runKernel('FusedConv2D', { x, filter, bias }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}
