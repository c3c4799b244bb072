/**
 * ResNet-18 (He, Zhang, Ren, Sun, "Deep Residual Learning for Image Recognition", CVPR 2016) in the
 * CIFAR form of kuangliu/pytorch-cifar, the `ResNet18` that RSLAD and IAD distil into: a 3x3/64
 * stem with BN-ReLU, four stages of two BasicBlocks (widths 64, 128, 256, 512, strides 1, 2, 2, 2),
 * a shortcut of a 1x1 convolution and BN where the stride or the width changes, average pooling and
 * a linear layer. A BasicBlock is post-activation: conv3x3(stride)-BN-ReLU, conv3x3-BN, add the
 * shortcut, ReLU. Convolutions have no bias; padding is PyTorch's, and parameter names follow the
 * PyTorch module paths (`layer2.0.shortcut.1.gamma`), so converted weights map one to one.
 *
 * kuangliu pools with `F.avg_pool2d(out, 4)`, which on a 32x32 input is the global average of the
 * final 4x4 map; a global average pool is used here so that other input sizes work too.
 *
 * Taps: `stage1`..`stage4` (the output of each stage) and `penultimate` (the pooled 512-vector).
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchNorm, conv2d, dense, globalAvgPool, Layer } from './layers';
import { Model, ModelConfig } from './model';
import { integerOptions } from './options';
import { Params } from './params';
import { resnet18Stages, runStages } from './resnet18Stages';

const ARCH = 'resnet18';

/** conv3x3(stride)-BN-ReLU, conv3x3-BN, plus the shortcut (1x1 conv + BN when the shape changes), then ReLU. */
function basicBlock(p: Params, name: string, inPlanes: number, planes: number, stride: number): Layer {
  const conv1 = conv2d(p, `${name}.conv1`, { inChannels: inPlanes, outChannels: planes, kernel: 3, stride, padding: 1, bias: false });
  const bn1 = batchNorm(p, `${name}.bn1`, planes);
  const conv2 = conv2d(p, `${name}.conv2`, { inChannels: planes, outChannels: planes, kernel: 3, stride: 1, padding: 1, bias: false });
  const bn2 = batchNorm(p, `${name}.bn2`, planes);
  let shortcut: Layer | null = null;
  if (stride !== 1 || inPlanes !== planes) {
    const sc = conv2d(p, `${name}.shortcut.0`, { inChannels: inPlanes, outChannels: planes, kernel: 1, stride, padding: 0, bias: false });
    const scBn = batchNorm(p, `${name}.shortcut.1`, planes);
    shortcut = (x, mode) => scBn(sc(x, mode), mode);
  }
  return (x, mode) => {
    const out = bn2(conv2(tf.relu(bn1(conv1(x, mode), mode)) as tf.Tensor4D, mode), mode);
    return tf.relu(tf.add(out, shortcut ? shortcut(x, mode) : x)) as tf.Tensor4D;
  };
}

export function resnet18(config: ModelConfig): Model {
  integerOptions(ARCH, config, {});
  const [, , channels] = config.inputShape;
  const params = new Params(config.seed);
  const conv1 = conv2d(params, 'conv1', { inChannels: channels, outChannels: 64, kernel: 3, stride: 1, padding: 1, bias: false });
  const bn1 = batchNorm(params, 'bn1', 64);
  const { stages, outPlanes: inPlanes } = resnet18Stages(params, basicBlock);
  const linear = dense(params, 'linear', inPlanes, config.numClasses);
  return {
    arch: ARCH,
    inputShape: config.inputShape,
    numClasses: config.numClasses,
    params,
    taps: ['stage1', 'stage2', 'stage3', 'stage4', 'penultimate'],
    apply(x, mode) {
      const features: Record<string, tf.Tensor> = {};
      const out = runStages(stages, tf.relu(bn1(conv1(x, mode), mode)) as tf.Tensor4D, mode, features);
      const penultimate = globalAvgPool(out);
      features.penultimate = penultimate;
      return { logits: linear(penultimate), features };
    },
  };
}
