/**
 * Small convolutional networks for 28x28 (or 32x32) images, sized so that adversarial training runs
 * on a laptop's CPU: `small-cnn` is the teacher of the quickstart and `tiny-cnn` its student
 * (about a quarter of the teacher's parameters).
 */
import * as tf from '@tensorflow/tfjs-core';
import { conv2d, dense, flatten, maxPool } from './layers';
import { Model, ModelConfig } from './model';
import { Params } from './params';

function buildCnn(arch: string, widths: [number, number, number], config: ModelConfig): Model {
  const [h, w, c] = config.inputShape;
  const params = new Params(config.seed);
  const conv1 = conv2d(params, 'conv1', { inChannels: c, outChannels: widths[0], kernel: 3 });
  const conv2 = conv2d(params, 'conv2', { inChannels: widths[0], outChannels: widths[1], kernel: 3 });
  const pool = maxPool(2, 2);
  const flatSize = Math.floor(h / 4) * Math.floor(w / 4) * widths[1];
  const fc1 = dense(params, 'fc1', flatSize, widths[2]);
  const fc2 = dense(params, 'fc2', widths[2], config.numClasses);
  return {
    arch,
    inputShape: config.inputShape,
    numClasses: config.numClasses,
    params,
    taps: ['block1', 'block2', 'penultimate'],
    apply(x, mode) {
      // relu(maxPool(z)) is maxPool(relu(z)) (relu does not decrease), gradient included: the
      // window's first maximum of z gets the gradient when it is positive, exactly where tfjs
      // gives it for the other order. Pooling first runs the relu and its gradient on a quarter
      // of the values.
      const block1 = tf.relu(pool(conv1(x, mode), mode));
      const block2 = tf.relu(pool(conv2(block1, mode), mode));
      const penultimate = tf.relu(fc1(flatten(block2)));
      const logits = fc2(penultimate);
      return { logits, features: { block1, block2, penultimate } };
    },
  };
}

export const smallCnn = (config: ModelConfig): Model => buildCnn('small-cnn', [32, 64, 128], config);
export const tinyCnn = (config: ModelConfig): Model => buildCnn('tiny-cnn', [16, 32, 64], config);
