/**
 * ResNet-18 for CIFAR as kuangliu/pytorch-cifar, RSLAD and IAD define it: `conv1`, `bn1`,
 * `layer{1..4}.{0,1}.{conv1,bn1,conv2,bn2}`, `layer{2..4}.0.shortcut.{0,1}` (1x1 convolution and
 * its batch norm) and `linear`. Our names are the same module paths. Some copies call the
 * classifier `fc`, which an import accepts too.
 */
import { commonKey, torchNames } from './torchNames';

export const resnet18Torch = torchNames({
  keysOf: (name) => (name.startsWith('linear.') ? [commonKey(name), commonKey(name).replace(/^linear\./, 'fc.')] : [commonKey(name)]),
});
