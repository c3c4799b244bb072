/**
 * MobileNetV2 for CIFAR as kuangliu/pytorch-cifar defines it and ARD and RSLAD use it as student:
 * `conv1`, `bn1`, `layers.{i}.{conv1,bn1,conv2,bn2,conv3,bn3}`, `layers.{i}.shortcut.{0,1}`,
 * `conv2`, `bn2`, `linear`. Our names are the same module paths; the difference is the depthwise
 * convolution of each block (`layers.{i}.conv2`, groups = channels), whose kernel is
 * [channels, 1, 3, 3] in PyTorch and [3, 3, channels, 1] here.
 */
import { commonLayout, torchNames } from './torchNames';

export const mobilenetV2Torch = torchNames({
  layoutOf: (param) => (/^layers\.\d+\.conv2\.kernel$/.test(param.name) ? { kind: 'depthwise' } : commonLayout(param)),
});
