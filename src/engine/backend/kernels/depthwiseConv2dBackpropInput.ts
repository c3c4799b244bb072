/**
 * DepthwiseConv2dNativeBackpropInput for the wasm backend (the input gradient of
 * tf.depthwiseConv2d), which the wasm backend as shipped lacks: per stride phase, a stride-1
 * depthwise convolution of dy with the flipped sub-filter (XNNPACK), interleaved into dx; with a
 * channel multiplier m > 1 the m results of each input channel are summed (transposedConv.ts).
 * Any stride, padding and filter size; dilation 1 (tfjs's gradient requires it).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConvGradientAttrs, gradientConvInfo } from './convInfo';
import { geometryOf, transposedConv } from './transposedConv';
import { assertFloat32, pair, TensorInfo, WasmBackend } from './util';

export interface DepthwiseBackpropInputAttrs extends ConvGradientAttrs {
  dilations?: number | [number, number];
  inputShape: [number, number, number, number];
}

export function depthwiseConv2dBackpropInput(
  backend: WasmBackend,
  dy: TensorInfo,
  filter: TensorInfo,
  attrs: DepthwiseBackpropInputAttrs,
): TensorInfo {
  const kernel = 'DepthwiseConv2dNativeBackpropInput';
  assertFloat32(kernel, dy, filter);
  assertNoDilation(kernel, attrs.dilations);
  const info = gradientConvInfo(kernel, attrs.inputShape, filter.shape as [number, number, number, number], attrs, true, dy);
  return transposedConv(backend, dy, filter, geometryOf(info, true));
}

export function assertNoDilation(kernel: string, dilations: number | number[] | undefined): void {
  const [dh, dw] = pair(dilations, 'dilations');
  if (dh !== 1 || dw !== 1) {
    throw new Error(`${kernel} (GACD wasm kernel): dilation ${dh}x${dw} is not supported, only 1`);
  }
}

export const depthwiseConv2dBackpropInputKernel: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  return depthwiseConv2dBackpropInput(backend as WasmBackend, dy, filter, attrs as unknown as DepthwiseBackpropInputAttrs);
};
