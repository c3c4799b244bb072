/**
 * The convolution geometry every gradient kernel starts from: tfjs's computeConv2DInfo for the
 * forward convolution, checked against the incoming dy so that a shape mismatch fails with a clear
 * message instead of reading past a buffer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { TensorInfo } from './util';

type Shape4 = [number, number, number, number];

/** The attributes the regular and depthwise gradient kernels share. */
export interface ConvGradientAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function checkDy(kernel: string, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): void {
  const want = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dy.shape.length !== 4 || want.some((v, i) => dy.shape[i] !== v)) {
    throw new Error(`${kernel} (GACD wasm kernel): dy has shape [${dy.shape}], the convolution gives [${want}]`);
  }
}

/** The forward convolution's geometry (dilation 1, channels last), with dy checked against it. */
export function gradientConvInfo(
  kernel: string,
  inputShape: Shape4,
  filterShape: Shape4,
  attrs: ConvGradientAttrs,
  depthwise: boolean,
  dy: TensorInfo,
): tf.backend_util.Conv2DInfo {
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    'channelsLast',
  );
  checkDy(kernel, dy, info);
  return info;
}
