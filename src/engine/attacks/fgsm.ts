/**
 * FGSM: one signed-gradient step of size epsilon from the clean input, L-inf threat model.
 * Goodfellow, Shlens, Szegedy, "Explaining and Harnessing Adversarial Examples", ICLR 2015
 * (arXiv 1412.6572).
 *
 *   x' = clip_[0,1](x + eps * sign(grad_x loss(f(x), y)))
 *
 * Options used: epsilon and loss; steps, stepSize and randomStart are ignored.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Attack, attackObjective, project } from './attack';

export const fgsm: Attack = {
  name: 'fgsm',
  perturb(logitsFn, x, labels, options) {
    return tf.tidy(() => {
      const g = tf.grad((xi: tf.Tensor) => attackObjective(options, logitsFn(xi as tf.Tensor4D), labels))(x);
      return project(tf.add(x, tf.mul(tf.sign(g), options.epsilon)), x, options.epsilon);
    });
  },
};
