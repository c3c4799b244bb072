/**
 * FGSM: one signed-gradient step of size epsilon on the cross-entropy, L-inf threat model.
 * Goodfellow, Shlens, Szegedy, "Explaining and Harnessing Adversarial Examples", ICLR 2015
 * (arXiv 1412.6572). No code was released with the paper; CleverHans
 * (https://github.com/cleverhans-lab/cleverhans, fast_gradient_method) is the reference
 * implementation by its authors' group.
 *
 *   x' = clip_[0,1](x + eps * sign(grad_x CE(f(x), y)))
 *
 * Settings: random_start (default false) first moves x to a uniform random point of the epsilon
 * ball and takes the step from there, as Wong, Rice, Kolter's "Fast is better than free" (ICLR 2020)
 * does, though the step stays epsilon; the result is projected back onto the ball.
 */
import type { AttackImplementation } from './attack';
import { signedAscent } from './ascent';
import { crossEntropyPerSample } from './losses';

export const fgsm: AttackImplementation<'fgsm'> = {
  name: 'fgsm',
  perturb(logitsFn, x, labels, epsilon, settings, rng) {
    return signedAscent(
      logitsFn,
      x,
      labels,
      { epsilon, stepSize: epsilon, steps: 1, randomStart: settings.random_start, restarts: 1, objective: crossEntropyPerSample },
      rng,
    );
  },
};
