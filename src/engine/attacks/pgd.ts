/**
 * PGD: projected gradient descent on the loss, L-inf threat model.
 * Madry, Makelov, Schmidt, Tsipras, Vladu, "Towards Deep Learning Models Resistant to Adversarial
 * Attacks", ICLR 2018 (arXiv 1706.06083).
 *
 *   x_0 = x + U(-eps, eps) (random start), x_{k+1} = Proj_{B_eps(x) ∩ [0,1]}(x_k + alpha * sign(grad))
 *
 * Options: epsilon, stepSize (alpha), steps, randomStart, loss (ce | kl to a target | cw margin).
 * Inputs in [0, 1]. The model is attacked as `logitsFn` gives it (the caller picks eval mode).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Attack, Perturber, attackObjective, project, randomStartNoise } from './attack';

export const pgd: Attack = {
  name: 'pgd',
  perturb(logitsFn, x, labels, options, rng) {
    const { epsilon, stepSize, steps } = options;
    let xAdv: tf.Tensor4D = options.randomStart
      ? tf.tidy(() => project(tf.add(x, options.startNoise ?? randomStartNoise(x.shape, epsilon, rng)), x, epsilon))
      : tf.clone(x);
    if (epsilon === 0) return xAdv;
    const gradOf = tf.grad((xi: tf.Tensor) => attackObjective(options, logitsFn(xi as tf.Tensor4D), labels));
    for (let k = 0; k < steps; k++) {
      const next = tf.tidy(() => {
        const g = gradOf(xAdv);
        return project(tf.add(xAdv, tf.mul(tf.sign(g), stepSize)), x, epsilon);
      });
      xAdv.dispose();
      xAdv = next;
    }
    return xAdv;
  },
};

/** PGD on this thread, with the model in evaluation mode (our convention for every attack). */
export const localPgd: Perturber = (model, x, labels, options, rng) =>
  pgd.perturb((xi) => model.apply(xi, { training: false }).logits, x, labels, options, rng);
