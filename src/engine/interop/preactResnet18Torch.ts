/**
 * PreAct ResNet-18 as RobustBench's model zoo (`PreActResNet18` of its `resnet.py`) and the
 * robust-distillation repositories (ARD, IAD, RSLAD, AdaAD) define it: `conv1`,
 * `layer{1..4}.{0,1}.{bn1,conv1,bn2,conv2}`, `layer{2..4}.0.shortcut.0` (a 1x1 convolution),
 * the final `bn` before the pooling and `linear`. Our names are the same module paths, so the
 * common rule maps everything.
 */
import { torchNames } from './torchNames';

export const preactResnet18Torch = torchNames();
