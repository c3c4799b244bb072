/**
 * WideResNet of any depth and width as TRADES defines it (and ARD, IAD, RSLAD, AdaAD, MART and
 * RobustBench's `WideResNet` reuse it): `conv1`, `block{1..3}.layer.{i}.{bn1,conv1,bn2,conv2}`,
 * `block{g}.layer.0.convShortcut` where the width changes, the final `bn1` and `fc`. Our names are
 * the same module paths.
 *
 * TRADES's module also builds `sub_block1`, a copy of the first group that its forward pass never
 * uses, so its checkpoints (the WRN-34-10 teachers of ARD and RSLAD among them) carry
 * `sub_block1.*` weights: they are dropped.
 */
import { torchNames } from './torchNames';

export const wideResnetTorch = torchNames({
  ignores: (key) => key.startsWith('sub_block1.'),
});
