/**
 * The shape of a name map: how one architecture's parameters are called in the PyTorch code its
 * checkpoints come from, and how each is laid out. One file per architecture (`*Torch.ts`) builds
 * one from the common rule below and says only where that architecture departs from it.
 *
 * The common rule: our parameter names already follow the PyTorch module paths
 * (`layer2.0.shortcut.0.kernel` is the module `layer2.0.shortcut.0`), and only the last part
 * differs: a kernel is `weight`, a batch norm's gamma and beta are `weight` and `bias`, and the
 * running statistics keep their names. Batch norm's `num_batches_tracked` counter has no
 * counterpart here (our momentum is fixed) and is dropped on import, written as 0 on export.
 */
import { Layout } from './layouts';

/** One of our parameters: its name and shape. */
export interface ParamSpec {
  name: string;
  shape: number[];
}

/** What the maps know of the model: its input, for the layers that read a flattened map. */
export interface ModelShape {
  inputShape: [number, number, number];
  numClasses: number;
}

export interface TorchNames {
  /**
   * The PyTorch key of our parameter `name`, and the other spellings an import accepts for it
   * (the first is what an export writes).
   */
  keysOf(name: string): string[];
  /** How our parameter is laid out relative to PyTorch's. */
  layoutOf(param: ParamSpec, model: ModelShape): Layout;
  /** PyTorch keys that have no counterpart here and are dropped on import. */
  ignores(key: string): boolean;
  /**
   * Buffers that an export adds for PyTorch's module to load them without `strict=False`
   * (batch norm's `num_batches_tracked`), as keys beside our parameters.
   */
  extraExportKeys(names: string[]): string[];
}

const SUFFIXES: Array<[ours: string, torch: string]> = [
  ['.kernel', '.weight'],
  ['.gamma', '.weight'],
  ['.beta', '.bias'],
];

/** The PyTorch key of `name` by the common rule. */
export function commonKey(name: string): string {
  for (const [ours, torch] of SUFFIXES) if (name.endsWith(ours)) return name.slice(0, -ours.length) + torch;
  return name;
}

/** The common layout: a rank-4 kernel is a convolution, a rank-2 one a linear layer, the rest vectors. */
export function commonLayout(param: ParamSpec): Layout {
  if (param.name.endsWith('.kernel') && param.shape.length === 4) return { kind: 'conv' };
  if (param.name.endsWith('.kernel') && param.shape.length === 2) return { kind: 'dense' };
  return { kind: 'vector' };
}

/** The common rule, with an architecture's departures (`overrides`) taking precedence. */
export function torchNames(overrides: Partial<TorchNames> = {}): TorchNames {
  return {
    keysOf: overrides.keysOf ?? ((name) => [commonKey(name)]),
    layoutOf: overrides.layoutOf ?? commonLayout,
    ignores: (key) => key.endsWith('.num_batches_tracked') || (overrides.ignores?.(key) ?? false),
    extraExportKeys: (names) =>
      names.filter((n) => n.endsWith('.running_mean')).map((n) => n.slice(0, -'running_mean'.length) + 'num_batches_tracked'),
  };
}
