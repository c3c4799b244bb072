/**
 * Layer builders: each creates its variables in a `Params` once and returns a function that applies
 * the layer. Kept functional (no class hierarchy) so an architecture reads as its forward pass.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Params } from './params';
import { ForwardMode } from './model';

export type Layer = (x: tf.Tensor4D, mode: ForwardMode) => tf.Tensor4D;

export interface ConvOptions {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride?: number;
  padding?: 'same' | 'valid' | number;
  bias?: boolean;
}

export function conv2d(p: Params, name: string, o: ConvOptions): Layer {
  const k = o.kernel;
  const kernel = p.weight(`${name}.kernel`, [k, k, o.inChannels, o.outChannels], 'he-normal', {
    in: k * k * o.inChannels,
    out: k * k * o.outChannels,
  });
  const bias = o.bias === false ? null : p.weight(`${name}.bias`, [o.outChannels], 'zeros');
  const stride = o.stride ?? 1;
  const pad = padding(o.padding ?? 'same');
  return (x) => {
    const y = tf.conv2d(x, kernel as tf.Tensor4D, stride, pad);
    return bias ? tf.add(y, bias) : y;
  };
}

export function depthwiseConv2d(
  p: Params,
  name: string,
  o: { channels: number; kernel: number; stride?: number },
): Layer {
  const k = o.kernel;
  const kernel = p.weight(`${name}.kernel`, [k, k, o.channels, 1], 'he-normal', { in: k * k, out: k * k });
  const stride = o.stride ?? 1;
  return (x) => tf.depthwiseConv2d(x, kernel as tf.Tensor4D, stride, 'same');
}

/** Batch normalisation over the channel axis with running averages for evaluation. */
export function batchNorm(p: Params, name: string, channels: number, momentum = 0.1, epsilon = 1e-5): Layer {
  const gamma = p.weight(`${name}.gamma`, [channels], 'ones');
  const beta = p.weight(`${name}.beta`, [channels], 'zeros');
  const runningMean = p.buffer(`${name}.running_mean`, [channels], 0);
  const runningVar = p.buffer(`${name}.running_var`, [channels], 1);
  return (x, mode) => {
    if (!mode.training) {
      return tf.batchNorm(x, runningMean, runningVar, beta, gamma, epsilon) as tf.Tensor4D;
    }
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    // Running averages as PyTorch keeps them (unbiased variance, momentum on the new value).
    // tfjs-core has no stopGradient; none is needed, since the loss never reads the running
    // averages in training mode, so the gradient never reaches these updates.
    const n = x.shape[0] * x.shape[1] * x.shape[2];
    tf.tidy(() => {
      const unbiased = tf.mul(variance, n / Math.max(n - 1, 1));
      runningMean.assign(tf.add(tf.mul(runningMean, 1 - momentum), tf.mul(mean, momentum)));
      runningVar.assign(tf.add(tf.mul(runningVar, 1 - momentum), tf.mul(unbiased, momentum)));
    });
    return tf.batchNorm(x, mean, variance, beta, gamma, epsilon) as tf.Tensor4D;
  };
}

export type DenseLayer = (x: tf.Tensor2D) => tf.Tensor2D;

export function dense(p: Params, name: string, inUnits: number, outUnits: number): DenseLayer {
  const kernel = p.weight(`${name}.kernel`, [inUnits, outUnits], 'he-normal', { in: inUnits, out: outUnits });
  const bias = p.weight(`${name}.bias`, [outUnits], 'zeros');
  return (x) => tf.add(tf.matMul(x, kernel as tf.Tensor2D), bias);
}

export const relu: Layer = (x) => tf.relu(x);

export function maxPool(size = 2, stride = 2): Layer {
  return (x) => tf.maxPool(x, size, stride, 'valid');
}

/** Mean over height and width: [N, H, W, C] to [N, C]. */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}

export function flatten(x: tf.Tensor4D): tf.Tensor2D {
  return tf.reshape(x, [x.shape[0], -1]);
}

function padding(p: 'same' | 'valid' | number): 'same' | 'valid' | number {
  return p;
}

/**
 * Depthwise convolution with an explicit padding, by default `floor(kernel / 2)` on every side as
 * PyTorch's `padding=k//2` does. With stride 2 on an even input this differs from `'same'` (which
 * pads only the bottom and right), so weights converted from a PyTorch model give the same outputs.
 */
export function depthwiseConv2dPadded(
  p: Params,
  name: string,
  o: { channels: number; kernel: number; stride?: number; padding?: 'same' | 'valid' | number },
): Layer {
  const k = o.kernel;
  const kernel = p.weight(`${name}.kernel`, [k, k, o.channels, 1], 'he-normal', { in: k * k, out: k * k });
  const stride = o.stride ?? 1;
  const pad = padding(o.padding ?? Math.floor(k / 2));
  return (x) => tf.depthwiseConv2d(x, kernel as tf.Tensor4D, stride, pad);
}

/** `min(max(x, 0), 6)`, the activation of the original MobileNetV2 paper. */
export const relu6: Layer = (x) => tf.relu6(x);
