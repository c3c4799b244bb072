/**
 * The tfjs-free descriptions of the datasets the engine can load. The experiment schema and the
 * language server read these; `load.ts` looks the readers up by the same names.
 */
import type { DatasetInfo } from '../catalog/types';

const FASHION_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

/** CIFAR-100 fine labels, in label order (alphabetical, as in the dataset's meta file). */
const CIFAR100_CLASSES = [
  'apple', 'aquarium_fish', 'baby', 'bear', 'beaver', 'bed', 'bee', 'beetle', 'bicycle', 'bottle',
  'bowl', 'boy', 'bridge', 'bus', 'butterfly', 'camel', 'can', 'castle', 'caterpillar', 'cattle',
  'chair', 'chimpanzee', 'clock', 'cloud', 'cockroach', 'couch', 'crab', 'crocodile', 'cup',
  'dinosaur', 'dolphin', 'elephant', 'flatfish', 'forest', 'fox', 'girl', 'hamster', 'house',
  'kangaroo', 'keyboard', 'lamp', 'lawn_mower', 'leopard', 'lion', 'lizard', 'lobster', 'man',
  'maple_tree', 'motorcycle', 'mountain', 'mouse', 'mushroom', 'oak_tree', 'orange', 'orchid',
  'otter', 'palm_tree', 'pear', 'pickup_truck', 'pine_tree', 'plain', 'plate', 'poppy',
  'porcupine', 'possum', 'rabbit', 'raccoon', 'ray', 'road', 'rocket', 'rose', 'sea', 'seal',
  'shark', 'shrew', 'skunk', 'skyscraper', 'snail', 'snake', 'spider', 'squirrel', 'streetcar',
  'sunflower', 'sweet_pepper', 'table', 'tank', 'telephone', 'television', 'tiger', 'tractor',
  'train', 'trout', 'tulip', 'turtle', 'wardrobe', 'whale', 'willow_tree', 'wolf', 'woman', 'worm',
];

const STL10_CLASSES = [
  'airplane',
  'bird',
  'car',
  'cat',
  'deer',
  'dog',
  'horse',
  'monkey',
  'ship',
  'truck',
];

const FASHION_PAPER = 'Xiao, Rasul, Vollgraf, arXiv 2017 (arXiv:1708.07747)';
const CIFAR_PAPER = 'Krizhevsky, Technical report, University of Toronto 2009';

export const datasets: DatasetInfo[] = [
  {
    name: 'fashion-mnist-mini',
    title: 'Fashion-MNIST (bundled mini subset)',
    summary:
      'A class-balanced subset of Fashion-MNIST bundled with GACD Studio: 6,000 training images ' +
      '(600 per class) and 1,000 test images (100 per class), 28x28 grayscale. Needs nothing installed.',
    paper: FASHION_PAPER,
    shape: [28, 28, 1],
    numClasses: 10,
    classNames: FASHION_CLASSES,
    defaultEpsilon: 0.1,
    defaultAugment: 'none',
    bundled: true,
  },
  {
    name: 'fashion-mnist',
    title: 'Fashion-MNIST',
    summary:
      'Zalando article images, 60,000 training and 10,000 test, 28x28 grayscale, 10 classes. ' +
      'On Debian/Ubuntu: `apt-get install dataset-fashion-mnist` (IDX files in /usr/share/datasets/fashion-mnist).',
    paper: FASHION_PAPER,
    shape: [28, 28, 1],
    numClasses: 10,
    classNames: FASHION_CLASSES,
    defaultEpsilon: 0.1,
    defaultAugment: 'none',
    bundled: false,
  },
  {
    name: 'mnist',
    title: 'MNIST',
    summary:
      'Handwritten digits, 60,000 training and 10,000 test, 28x28 grayscale, 10 classes (IDX files).',
    paper: 'LeCun, Bottou, Bengio, Haffner, Proceedings of the IEEE 1998',
    shape: [28, 28, 1],
    numClasses: 10,
    classNames: DIGITS,
    defaultEpsilon: 0.3,
    defaultAugment: 'none',
    bundled: false,
  },
  {
    name: 'cifar10',
    title: 'CIFAR-10',
    summary:
      'Natural images, 50,000 training and 10,000 test, 32x32 colour, 10 classes ' +
      '(the binary version: data_batch_1..5.bin, test_batch.bin).',
    paper: CIFAR_PAPER,
    shape: [32, 32, 3],
    numClasses: 10,
    classNames: CIFAR10_CLASSES,
    defaultEpsilon: 8 / 255,
    defaultAugment: 'crop-flip',
    bundled: false,
  },
  {
    name: 'cifar100',
    title: 'CIFAR-100',
    summary:
      'Natural images, 50,000 training and 10,000 test, 32x32 colour, 100 fine classes ' +
      '(the binary version: train.bin, test.bin).',
    paper: CIFAR_PAPER,
    shape: [32, 32, 3],
    numClasses: 100,
    classNames: CIFAR100_CLASSES,
    defaultEpsilon: 8 / 255,
    defaultAugment: 'crop-flip',
    bundled: false,
  },
  {
    name: 'stl10',
    title: 'STL-10',
    summary:
      'Natural images, 5,000 labelled training and 8,000 test, 96x96 colour, 10 classes ' +
      '(the binary version: train_X.bin, train_y.bin, test_X.bin, test_y.bin).',
    paper: 'Coates, Ng, Lee, AISTATS 2011',
    shape: [96, 96, 3],
    numClasses: 10,
    classNames: STL10_CLASSES,
    defaultEpsilon: 8 / 255,
    defaultAugment: 'crop-flip',
    bundled: false,
  },
];

export const datasetNames: string[] = datasets.map((d) => d.name);

/** The description of a dataset by name, or undefined. */
export function findDataset(name: string): DatasetInfo | undefined {
  return datasets.find((d) => d.name === name);
}
