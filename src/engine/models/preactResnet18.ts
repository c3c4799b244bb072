/**
 * PreAct ResNet-18 (He, Zhang, Ren, Sun, "Identity Mappings in Deep Residual Networks", 2016) in the
 * CIFAR form that the robust-distillation repositories (ARD, IAD, RSLAD, AdaAD) use as student:
 * a 3x3/64 stem without batch-norm, four stages of two PreActBlocks (widths 64, 128, 256, 512,
 * strides 1, 2, 2, 2), a 1x1 convolution on the shortcut when the shape changes, a final BN-ReLU,
 * global average pooling and a linear layer. Convolutions have no bias; padding is PyTorch's
 * (one pixel on every side for 3x3), and parameter names follow the PyTorch module paths
 * (`layer2.0.shortcut.0.kernel`), so converted weights map one to one.
 *
 * Taps: `stage1`..`stage4` (the output of each stage, before the next block's BN-ReLU) and
 * `penultimate` (the pooled, activated 512-vector the linear layer reads).
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchNorm, conv2d, dense, globalAvgPool, Layer } from './layers';
import { Model, ModelConfig } from './model';
import { integerOptions } from './options';
import { Params } from './params';
import { resnet18Stages, runStages } from './resnet18Stages';

const ARCH = 'preact-resnet18';

/** bn1-relu, conv3x3(stride), bn2-relu, conv3x3, plus the shortcut (1x1 conv on the activated input when the shape changes). */
function preActBlock(p: Params, name: string, inPlanes: number, planes: number, stride: number): Layer {
  const bn1 = batchNorm(p, `${name}.bn1`, inPlanes);
  const conv1 = conv2d(p, `${name}.conv1`, { inChannels: inPlanes, outChannels: planes, kernel: 3, stride, padding: 1, bias: false });
  const bn2 = batchNorm(p, `${name}.bn2`, planes);
  const conv2 = conv2d(p, `${name}.conv2`, { inChannels: planes, outChannels: planes, kernel: 3, stride: 1, padding: 1, bias: false });
  const shortcut =
    stride !== 1 || inPlanes !== planes
      ? conv2d(p, `${name}.shortcut.0`, { inChannels: inPlanes, outChannels: planes, kernel: 1, stride, padding: 0, bias: false })
      : null;
  return (x, mode) => {
    const out = tf.relu(bn1(x, mode)) as tf.Tensor4D;
    const skip = shortcut ? shortcut(out, mode) : x;
    const y = conv2(tf.relu(bn2(conv1(out, mode), mode)) as tf.Tensor4D, mode);
    return tf.add(y, skip);
  };
}

export function preactResnet18(config: ModelConfig): Model {
  integerOptions(ARCH, config, {});
  const [, , channels] = config.inputShape;
  const params = new Params(config.seed);
  const stem = conv2d(params, 'conv1', { inChannels: channels, outChannels: 64, kernel: 3, stride: 1, padding: 1, bias: false });
  const { stages, outPlanes: inPlanes } = resnet18Stages(params, preActBlock);
  const bn = batchNorm(params, 'bn', inPlanes);
  const linear = dense(params, 'linear', inPlanes, config.numClasses);
  return {
    arch: ARCH,
    inputShape: config.inputShape,
    numClasses: config.numClasses,
    params,
    taps: ['stage1', 'stage2', 'stage3', 'stage4', 'penultimate'],
    apply(x, mode) {
      const features: Record<string, tf.Tensor> = {};
      const out = runStages(stages, stem(x, mode), mode, features);
      const penultimate = globalAvgPool(tf.relu(bn(out, mode)) as tf.Tensor4D);
      features.penultimate = penultimate;
      return { logits: linear(penultimate), features };
    },
  };
}
