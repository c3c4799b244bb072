/**
 * Wide residual network (Zagoruyko and Komodakis, BMVC 2016) as TRADES defines it and ARD, IAD,
 * RSLAD and AdaAD reuse it as the robust teacher: a 3x3/16 stem, three groups of (depth - 4) / 6
 * BasicBlocks with widths 16k, 32k, 64k (k the widening factor) and strides 1, 2, 2, a final
 * BN-ReLU, global average pooling and a linear layer. A BasicBlock is pre-activation: BN-ReLU,
 * conv3x3(stride), BN-ReLU, conv3x3; where the channel count changes, the shortcut is a 1x1
 * convolution of the activated input, otherwise the identity of the raw input. Dropout is 0 as in
 * TRADES, so it is left out. TRADES's module also creates an unused `sub_block1` (PyTorch counts
 * its 2.1M parameters although the forward pass never reads them); it is not built here.
 *
 * `wrn-34-10` is depth 34, widen 10. Options `{ depth, widen }` build others (depth = 6n + 4),
 * e.g. `{ depth: 16, widen: 1 }` for a thin WRN-16-1.
 *
 * Taps: `block1`..`block3` (the output of each group) and `penultimate` (the pooled, activated
 * 64k-vector).
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchNorm, conv2d, dense, globalAvgPool, Layer } from './layers';
import { Model, ModelConfig } from './model';
import { integerOptions } from './options';
import { Params } from './params';

/** The registry name, also for a thinner `{ depth, widen }`: `buildModel(model.arch, config)` rebuilds it. */
const ARCH = 'wrn-34-10';

function basicBlock(p: Params, name: string, inPlanes: number, outPlanes: number, stride: number): Layer {
  const equalInOut = inPlanes === outPlanes;
  const bn1 = batchNorm(p, `${name}.bn1`, inPlanes);
  const conv1 = conv2d(p, `${name}.conv1`, { inChannels: inPlanes, outChannels: outPlanes, kernel: 3, stride, padding: 1, bias: false });
  const bn2 = batchNorm(p, `${name}.bn2`, outPlanes);
  const conv2 = conv2d(p, `${name}.conv2`, { inChannels: outPlanes, outChannels: outPlanes, kernel: 3, stride: 1, padding: 1, bias: false });
  const convShortcut = equalInOut
    ? null
    : conv2d(p, `${name}.convShortcut`, { inChannels: inPlanes, outChannels: outPlanes, kernel: 1, stride, padding: 0, bias: false });
  return (x, mode) => {
    const act = tf.relu(bn1(x, mode)) as tf.Tensor4D;
    const out = conv2(tf.relu(bn2(conv1(act, mode), mode)) as tf.Tensor4D, mode);
    return tf.add(convShortcut ? convShortcut(act, mode) : x, out);
  };
}

export function wideResnet(config: ModelConfig): Model {
  const { depth, widen } = integerOptions(ARCH, config, { depth: 34, widen: 10 });
  if ((depth - 4) % 6 !== 0 || depth < 10) {
    throw new Error(`${ARCH}: option 'depth' must be 6n + 4 with n >= 1 (10, 16, 22, 28, 34, ...), got ${depth}`);
  }
  const n = (depth - 4) / 6;
  const widths = [16, 16 * widen, 32 * widen, 64 * widen];
  const strides = [1, 2, 2];
  const [, , channels] = config.inputShape;
  const params = new Params(config.seed);
  const stem = conv2d(params, 'conv1', { inChannels: channels, outChannels: widths[0], kernel: 3, stride: 1, padding: 1, bias: false });
  const groups: Layer[][] = [];
  for (let g = 0; g < 3; g++) {
    const blocks: Layer[] = [];
    for (let i = 0; i < n; i++) {
      const inPlanes = i === 0 ? widths[g] : widths[g + 1];
      blocks.push(basicBlock(params, `block${g + 1}.layer.${i}`, inPlanes, widths[g + 1], i === 0 ? strides[g] : 1));
    }
    groups.push(blocks);
  }
  const bn1 = batchNorm(params, 'bn1', widths[3]);
  const fc = dense(params, 'fc', widths[3], config.numClasses);
  return {
    arch: ARCH,
    inputShape: config.inputShape,
    numClasses: config.numClasses,
    params,
    taps: ['block1', 'block2', 'block3', 'penultimate'],
    apply(x, mode) {
      const features: Record<string, tf.Tensor> = {};
      let out = stem(x, mode);
      groups.forEach((blocks, g) => {
        for (const block of blocks) out = block(out, mode);
        features[`block${g + 1}`] = out;
      });
      const penultimate = globalAvgPool(tf.relu(bn1(out, mode)) as tf.Tensor4D);
      features.penultimate = penultimate;
      return { logits: fc(penultimate), features };
    },
  };
}
