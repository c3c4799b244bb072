/** Descriptions of the architectures (tfjs-free): what the schema accepts and hover shows. */
import { ModelInfo } from '../catalog/types';

export const models: ModelInfo[] = [
  {
    name: 'small-cnn',
    title: 'Small CNN',
    summary:
      'conv3x3/32, pool, conv3x3/64, pool, dense 128, dense C. The quickstart teacher; trains on a laptop CPU. ' +
      'About 545k parameters on 32x32x3 input, 422k on 28x28x1.',
    approxParams: 545_000,
    paperScale: false,
  },
  {
    name: 'tiny-cnn',
    title: 'Tiny CNN',
    summary:
      'conv3x3/16, pool, conv3x3/32, pool, dense 64, dense C. The quickstart student, about a quarter of small-cnn. ' +
      'About 137k parameters on 32x32x3 input, 106k on 28x28x1.',
    approxParams: 137_000,
    paperScale: false,
  },
  {
    name: 'preact-resnet18',
    title: 'PreAct ResNet-18',
    summary: 'Pre-activation ResNet-18 (He et al. 2016), the usual robust-distillation student on CIFAR. Meant for a GPU.',
    paper: 'He, Zhang, Ren, Sun, ECCV 2016 (arXiv 1603.05027)',
    approxParams: 11_200_000,
    paperScale: true,
  },
  {
    name: 'resnet18',
    title: 'ResNet-18',
    summary: 'ResNet-18 for CIFAR (kuangliu/pytorch-cifar), the student of RSLAD and IAD: post-activation BasicBlocks, 1x1 conv + BN shortcuts. Meant for a GPU.',
    paper: 'He, Zhang, Ren, Sun, CVPR 2016 (arXiv 1512.03385)',
    approxParams: 11_200_000,
    paperScale: true,
  },
  {
    name: 'mobilenetv2',
    title: 'MobileNetV2',
    summary: 'Inverted residual blocks with depthwise convolutions; ARD\'s default student. Meant for a GPU.',
    paper: 'Sandler et al., CVPR 2018 (arXiv 1801.04381)',
    approxParams: 2_300_000,
    paperScale: true,
  },
  {
    name: 'wrn-34-10',
    title: 'WideResNet-34-10',
    summary: 'Wide residual network, depth 34, width 10: the TRADES/ARD robust teacher. Meant for a GPU.',
    paper: 'Zagoruyko and Komodakis, BMVC 2016 (arXiv 1605.07146)',
    approxParams: 46_200_000,
    paperScale: true,
  },
];

export const modelNames = models.map((m) => m.name);
