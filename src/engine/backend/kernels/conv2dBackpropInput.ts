/**
 * Conv2DBackpropInput for the wasm backend (the input gradient of tf.conv2d): the shipped kernel
 * is a plain loop; this one runs XNNPACK convolutions (see transposedConv.ts). Any stride, padding
 * ('same', 'valid', a number, explicit pairs) and filter size; NHWC only (the shipped kernel
 * handles NCHW).
 */
import * as tf from '@tensorflow/tfjs-core';
import { geometryOf, transposedConv } from './transposedConv';
import { assertFloat32, TensorInfo, WasmBackend } from './util';

export interface Conv2DBackpropInputAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

export function conv2dBackpropInput(
  backend: WasmBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: Conv2DBackpropInputAttrs,
): TensorInfo {
  assertFloat32('Conv2DBackpropInput', dy, filter);
  const { strides, pad, dimRoundingMode, inputShape } = attrs;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  checkDy('Conv2DBackpropInput', dy, info);
  return transposedConv(backend, dy, filter, geometryOf(info, false));
}

export function checkDy(kernel: string, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): void {
  const want = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dy.shape.length !== 4 || want.some((v, i) => dy.shape[i] !== v)) {
    throw new Error(`${kernel} (GACD wasm kernel): dy has shape [${dy.shape}], the convolution gives [${want}]`);
  }
}

export const conv2dBackpropInputKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  return conv2dBackpropInput(backend as WasmBackend, dy, filter, attrs as unknown as Conv2DBackpropInputAttrs);
};
