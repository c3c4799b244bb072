/**
 * The body both ResNet-18 forms share (He et al. 2016, CIFAR form): four stages of two residual
 * blocks, widths 64, 128, 256, 512, the first block of each stage after the first with stride 2.
 * Each form brings its own block (post-activation BasicBlock, PreActBlock); the stages and their
 * taps (`stage1`..`stage4`, each stage's output) are the same, and so are the PyTorch names
 * (`layer<stage>.<block>`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Layer } from './layers';
import type { ForwardMode } from './model';
import type { Params } from './params';

const WIDTHS = [64, 128, 256, 512] as const;
const STRIDES = [1, 2, 2, 2] as const;
const BLOCKS = [2, 2, 2, 2] as const;

export type ResidualBlock = (p: Params, name: string, inPlanes: number, planes: number, stride: number) => Layer;

/** The four stages made of `block`, from a 64-channel stem; `outPlanes` is the last stage's width. */
export function resnet18Stages(params: Params, block: ResidualBlock): { stages: Layer[][]; outPlanes: number } {
  const stages: Layer[][] = [];
  let inPlanes = 64;
  for (let s = 0; s < BLOCKS.length; s++) {
    const blocks: Layer[] = [];
    for (let b = 0; b < BLOCKS[s]; b++) {
      blocks.push(block(params, `layer${s + 1}.${b}`, inPlanes, WIDTHS[s], b === 0 ? STRIDES[s] : 1));
      inPlanes = WIDTHS[s];
    }
    stages.push(blocks);
  }
  return { stages, outPlanes: inPlanes };
}

/** Runs the stages on `x`, putting each stage's output in `features` as `stage<k>`. */
export function runStages(stages: Layer[][], x: tf.Tensor4D, mode: ForwardMode, features: Record<string, tf.Tensor>): tf.Tensor4D {
  let out = x;
  stages.forEach((blocks, s) => {
    for (const block of blocks) out = block(out, mode);
    features[`stage${s + 1}`] = out;
  });
  return out;
}
