/**
 * MobileNetV2 (Sandler et al., CVPR 2018) in the CIFAR form of kuangliu/pytorch-cifar that ARD uses
 * as its default student: a 3x3/32 stem with stride 1, inverted residual blocks configured as
 * (expansion, out, num, stride) = (1,16,1,1) (6,24,2,1) (6,32,3,2) (6,64,4,2) (6,96,3,1)
 * (6,160,3,2) (6,320,1,1), a 1x1/1280 convolution, BN, ReLU, global average pooling and a linear
 * layer. As in kuangliu's version the activation is ReLU (not ReLU6), every block has its 1x1
 * expansion convolution (even with expansion 1), and a stride-1 block adds a shortcut: the identity,
 * or a 1x1 conv + BN where the channel count changes. Convolutions have no bias, padding is
 * PyTorch's, and parameter names follow the PyTorch module paths (`layers.3.conv2.kernel`).
 *
 * Taps, one per resolution: `stage1` (after the 24-channel blocks, full resolution), `stage2`
 * (32 channels, /2), `stage3` (96 channels, /4), `stage4` (320 channels, /8), then `penultimate`
 * (the pooled, activated 1280-vector).
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchNorm, conv2d, dense, depthwiseConv2dPadded, globalAvgPool, Layer } from './layers';
import { Model, ModelConfig } from './model';
import { integerOptions } from './options';
import { Params } from './params';

const ARCH = 'mobilenetv2';

/** (expansion, out channels, blocks, first stride) and the tap after the group, if any. */
const CONFIG: Array<[number, number, number, number, string | null]> = [
  [1, 16, 1, 1, null],
  [6, 24, 2, 1, 'stage1'],
  [6, 32, 3, 2, 'stage2'],
  [6, 64, 4, 2, null],
  [6, 96, 3, 1, 'stage3'],
  [6, 160, 3, 2, null],
  [6, 320, 1, 1, 'stage4'],
];

/** expand 1x1 - BN - ReLU, depthwise 3x3(stride) - BN - ReLU, project 1x1 - BN, plus the shortcut at stride 1. */
function invertedResidual(p: Params, name: string, inPlanes: number, outPlanes: number, expansion: number, stride: number): Layer {
  const planes = expansion * inPlanes;
  const conv1 = conv2d(p, `${name}.conv1`, { inChannels: inPlanes, outChannels: planes, kernel: 1, padding: 0, bias: false });
  const bn1 = batchNorm(p, `${name}.bn1`, planes);
  const conv2 = depthwiseConv2dPadded(p, `${name}.conv2`, { channels: planes, kernel: 3, stride, padding: 1 });
  const bn2 = batchNorm(p, `${name}.bn2`, planes);
  const conv3 = conv2d(p, `${name}.conv3`, { inChannels: planes, outChannels: outPlanes, kernel: 1, padding: 0, bias: false });
  const bn3 = batchNorm(p, `${name}.bn3`, outPlanes);
  let shortcut: Layer | null = null;
  if (stride === 1 && inPlanes !== outPlanes) {
    const sc = conv2d(p, `${name}.shortcut.0`, { inChannels: inPlanes, outChannels: outPlanes, kernel: 1, padding: 0, bias: false });
    const scBn = batchNorm(p, `${name}.shortcut.1`, outPlanes);
    shortcut = (x, mode) => scBn(sc(x, mode), mode);
  }
  return (x, mode) => {
    let out = tf.relu(bn1(conv1(x, mode), mode)) as tf.Tensor4D;
    out = tf.relu(bn2(conv2(out, mode), mode)) as tf.Tensor4D;
    out = bn3(conv3(out, mode), mode);
    if (stride !== 1) return out;
    return tf.add(out, shortcut ? shortcut(x, mode) : x);
  };
}

export function mobilenetV2(config: ModelConfig): Model {
  integerOptions(ARCH, config, {});
  const [, , channels] = config.inputShape;
  const params = new Params(config.seed);
  const conv1 = conv2d(params, 'conv1', { inChannels: channels, outChannels: 32, kernel: 3, stride: 1, padding: 1, bias: false });
  const bn1 = batchNorm(params, 'bn1', 32);
  const blocks: Array<{ layer: Layer; tap: string | null }> = [];
  let inPlanes = 32;
  let index = 0;
  for (const [expansion, outPlanes, num, stride, tap] of CONFIG) {
    for (let i = 0; i < num; i++) {
      const layer = invertedResidual(params, `layers.${index++}`, inPlanes, outPlanes, expansion, i === 0 ? stride : 1);
      blocks.push({ layer, tap: i === num - 1 ? tap : null });
      inPlanes = outPlanes;
    }
  }
  const conv2 = conv2d(params, 'conv2', { inChannels: inPlanes, outChannels: 1280, kernel: 1, padding: 0, bias: false });
  const bn2 = batchNorm(params, 'bn2', 1280);
  const linear = dense(params, 'linear', 1280, config.numClasses);
  return {
    arch: ARCH,
    inputShape: config.inputShape,
    numClasses: config.numClasses,
    params,
    taps: ['stage1', 'stage2', 'stage3', 'stage4', 'penultimate'],
    apply(x, mode) {
      const features: Record<string, tf.Tensor> = {};
      let out = tf.relu(bn1(conv1(x, mode), mode)) as tf.Tensor4D;
      for (const { layer, tap } of blocks) {
        out = layer(out, mode);
        if (tap) features[tap] = out;
      }
      out = tf.relu(bn2(conv2(out, mode), mode)) as tf.Tensor4D;
      const penultimate = globalAvgPool(out);
      features.penultimate = penultimate;
      return { logits: linear(penultimate), features };
    },
  };
}
