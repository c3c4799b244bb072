/**
 * The architectures that import and export know, by the names `gacd import --arch` takes: every
 * architecture of the model catalog, and `wrn-D-W` for a WideResNet of another depth and width
 * (`wrn-28-10`, `wrn-34-20`), which is our `wrn-34-10` built with the options `{ depth, widen }`.
 * Also a guess of the architecture from a file's keys, for the error that says which one a file
 * that does not fit looks like.
 */
import { mobilenetV2Torch } from './mobilenetV2Torch';
import { preactResnet18Torch } from './preactResnet18Torch';
import { resnet18Torch } from './resnet18Torch';
import { smallCnnTorch } from './smallCnnTorch';
import { TorchNames } from './torchNames';
import { wideResnetTorch } from './wideResnetTorch';

/** The name map of each architecture of the model catalog (test/interop checks it covers them all). */
export const TORCH_NAMES: Record<string, TorchNames> = {
  'small-cnn': smallCnnTorch,
  'tiny-cnn': smallCnnTorch,
  'preact-resnet18': preactResnet18Torch,
  resnet18: resnet18Torch,
  mobilenetv2: mobilenetV2Torch,
  'wrn-34-10': wideResnetTorch,
};

export interface Architecture {
  /** The catalog's name, what a checkpoint records and buildModel takes. */
  arch: string;
  /** The architecture's options (a WideResNet's depth and widen), if any. */
  options?: Record<string, number>;
  names: TorchNames;
}

const WIDE_RESNET = /^wrn-(\d+)-(\d+)$/;

/** The architecture `name` stands for; an unknown name is an error listing the known ones. */
export function architectureOf(name: string): Architecture {
  const wide = WIDE_RESNET.exec(name);
  if (wide) return { arch: 'wrn-34-10', options: { depth: Number(wide[1]), widen: Number(wide[2]) }, names: wideResnetTorch };
  const names = Object.prototype.hasOwnProperty.call(TORCH_NAMES, name) ? TORCH_NAMES[name] : undefined;
  if (!names) throw new Error(`unknown architecture '${name}'; known: ${Object.keys(TORCH_NAMES).join(', ')}, and wrn-DEPTH-WIDTH (e.g. wrn-28-10)`);
  return { arch: name, names };
}

/** The `--arch` that a state_dict with these keys and shapes looks like, or null. */
export function guessArchitecture(shapes: Map<string, number[]>): string | null {
  const has = (key: string) => shapes.has(key);
  if (has('block1.layer.0.conv1.weight')) {
    const blocks = new Set([...shapes.keys()].map((k) => /^block1\.layer\.(\d+)\./.exec(k)?.[1]).filter(Boolean)).size;
    const widen = shapes.get('block1.layer.0.conv1.weight')![0] / 16;
    return `wrn-${6 * blocks + 4}-${widen}`;
  }
  if (has('layers.0.conv1.weight')) return 'mobilenetv2';
  if (has('layer1.0.bn1.weight') && has('bn.weight')) return 'preact-resnet18';
  if (has('layer1.0.bn1.weight') && has('bn1.weight')) return 'resnet18';
  if (has('fc1.weight') && has('conv1.weight')) return shapes.get('conv1.weight')![0] === 16 ? 'tiny-cnn' : 'small-cnn';
  return null;
}
