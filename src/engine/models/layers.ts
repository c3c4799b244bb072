/**
 * Layer builders: each creates its variables in a `Params` once and returns a function that applies
 * the layer. Kept functional (no class hierarchy) so an architecture reads as its forward pass.
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv2dWithBias } from './fusedConv2d';
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
  return (x) =>
    bias
      ? conv2dWithBias(x, kernel as tf.Tensor4D, bias as tf.Tensor1D, stride, pad)
      : tf.conv2d(x, kernel as tf.Tensor4D, stride, pad);
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

/**
 * Batch normalisation over the channel axis with running averages for evaluation.
 *
 * Both modes apply it as `x * scale + shift` with per-channel `scale = gamma / sqrt(var + eps)`
 * and `shift = beta - mean * scale`, the same function as tf.batchNorm up to float rounding, for
 * the gradients' sake. tf.batchNorm's gradient tiles the scale to the input's full shape and
 * computes `x - mean` and `dy * gamma` even when only the input gradient is wanted; on wasm that
 * made a PGD step of a PreAct ResNet-18 spend a fifth of its time in Tile. Here the input
 * gradient in eval mode (what every attack needs) is one broadcast product `dy * scale`, and the
 * gradients of gamma and beta are left to autodiff, so they cost nothing when nobody asks.
 * Training mode has its own closed-form gradient (trainingBatchNorm).
 */
export function batchNorm(p: Params, name: string, channels: number, momentum = 0.1, epsilon = 1e-5): Layer {
  const gamma = p.weight(`${name}.gamma`, [channels], 'ones');
  const beta = p.weight(`${name}.beta`, [channels], 'zeros');
  const runningMean = p.buffer(`${name}.running_mean`, [channels], 0);
  const runningVar = p.buffer(`${name}.running_var`, [channels], 1);
  const training = trainingBatchNorm(epsilon, (mean, variance, n) => {
    // Running averages as PyTorch keeps them (unbiased variance, momentum on the new value).
    // They are updated inside the forward pass of the custom gradient, which tapes nothing,
    // so the gradient never reaches them.
    tf.tidy(() => {
      const unbiased = tf.mul(variance, n / Math.max(n - 1, 1));
      runningMean.assign(tf.add(tf.mul(runningMean, 1 - momentum), tf.mul(mean, momentum)));
      runningVar.assign(tf.add(tf.mul(runningVar, 1 - momentum), tf.mul(unbiased, momentum)));
    });
  });
  return (x, mode) => {
    if (mode.training) return training(x, gamma, beta);
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(runningVar, epsilon)));
    const shift = tf.sub(beta, tf.mul(runningMean, scale));
    return tf.add(tf.mul(x, scale), shift);
  };
}

/**
 * Training-mode batch normalisation over axes 0-2 with the closed-form gradient (Ioffe and
 * Szegedy 2015), instead of autodiff through tf.moments and tf.batchNorm (some twenty kernels
 * over the full tensor, a Tile among them). With xhat = (x - mean) / sqrt(var + eps), n values
 * per channel and g = dy:
 *   dbeta = sum(g), dgamma = sum(g * xhat), dx = scale * (g - dbeta / n - xhat * dgamma / n).
 * `onMoments` sees the batch's mean and biased variance (for the running averages).
 */
function trainingBatchNorm(
  epsilon: number,
  onMoments: (mean: tf.Tensor1D, variance: tf.Tensor1D, n: number) => void,
): (x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor) => tf.Tensor4D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [x, gamma, beta, save] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const n = x.shape[0] * x.shape[1] * x.shape[2];
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    onMoments(mean as tf.Tensor1D, variance as tf.Tensor1D, n);
    const rstd = tf.rsqrt(tf.add(variance, epsilon));
    const scale = tf.mul(gamma, rstd);
    const value = tf.add(tf.mul(x, scale), tf.sub(beta, tf.mul(mean, scale)));
    save([x, mean, rstd, scale]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, m, r, s] = saved;
        const xhat = tf.mul(tf.sub(xs, m), r);
        const dbeta = tf.sum(dy, [0, 1, 2]);
        const dgamma = tf.sum(tf.mul(dy, xhat), [0, 1, 2]);
        const centred = tf.sub(dy, tf.div(dbeta, n));
        const dx = tf.mul(tf.sub(centred, tf.mul(xhat, tf.div(dgamma, n))), s);
        return [dx, dgamma, dbeta];
      },
    };
  });
  return (x, gamma, beta) => op(x, gamma, beta) as tf.Tensor4D;
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
