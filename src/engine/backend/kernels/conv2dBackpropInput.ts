/**
 * Conv2DBackpropInput for the wasm backend (the input gradient of tf.conv2d): the shipped kernel
 * is a plain loop; this one runs XNNPACK convolutions (see transposedConv.ts). Any stride, padding
 * ('same', 'valid', a number, explicit pairs) and filter size; NHWC only (the shipped kernel
 * handles NCHW).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConvGradientAttrs, gradientConvInfo } from './convInfo';
import { geometryOf, transposedConv } from './transposedConv';
import { assertFloat32, TensorInfo, WasmBackend } from './util';

export interface Conv2DBackpropInputAttrs extends ConvGradientAttrs {
  dataFormat: 'NHWC' | 'NCHW';
  inputShape: [number, number, number, number];
}

export function conv2dBackpropInput(
  backend: WasmBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: Conv2DBackpropInputAttrs,
): TensorInfo {
  assertFloat32('Conv2DBackpropInput', dy, filter);
  const info = gradientConvInfo('Conv2DBackpropInput', attrs.inputShape, filter.shape as [number, number, number, number], attrs, false, dy);
  return transposedConv(backend, dy, filter, geometryOf(info, false));
}

export const conv2dBackpropInputKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  return conv2dBackpropInput(backend as WasmBackend, dy, filter, attrs as unknown as Conv2DBackpropInputAttrs);
};
