/**
 * PGD: projected gradient descent on the loss, L-inf threat model.
 * Madry, Makelov, Schmidt, Tsipras, Vladu, "Towards Deep Learning Models Resistant to Adversarial
 * Attacks", ICLR 2018 (arXiv 1706.06083). Official code: https://github.com/MadryLab/cifar10_challenge
 * (pgd_attack.py) and https://github.com/MadryLab/mnist_challenge.
 *
 *   x_0 = x + U(-eps, eps) (random start), x_{k+1} = Proj_{B_eps(x) ∩ [0,1]}(x_k + alpha * sign(grad))
 *
 * Settings: steps, step_size (alpha; null means eps/4), random_start, loss (ce with the true label;
 * kl away from the attacked model's own output on the clean input, as TRADES attacks; cw the
 * Carlini-Wagner margin) and restarts (each sample keeps its worst run). Inputs in [0, 1]. The
 * model is attacked as `logitsFn` gives it (the caller picks evaluation mode).
 *
 * Training uses PGD through `pgdWithOptions`, whose options (AttackOptions) let a
 * method give the KL's target (the teacher's output) and a random start drawn by the trainer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../util/rng';
import { AttackImplementation, AttackOptions, LogitsFn } from './attack';
import { iteratedAscent, signedAscent } from './ascent';
import { DEFAULT_CW_CONFIDENCE } from './catalog';
import { objectiveFor } from './losses';

export const pgd: AttackImplementation<'pgd'> = {
  name: 'pgd',
  perturb(logitsFn, x, labels, epsilon, settings, rng, report) {
    // TRADES's KL moves away from the model's own prediction on the clean input; it is fixed
    // during the attack, so it is computed once, outside the gradient.
    const targetProbs = settings.loss === 'kl' ? tf.tidy(() => tf.softmax(logitsFn(x))) : undefined;
    try {
      const objective = objectiveFor(settings.loss, { targetProbs, kappa: DEFAULT_CW_CONFIDENCE });
      return signedAscent(logitsFn, x, labels, iteratedAscent(settings, epsilon, objective), rng, report);
    } finally {
      targetProbs?.dispose();
    }
  },
};

/** PGD with training's options on a logits function: one run, CW's kappa at its default. */
export function pgdWithOptions(logitsFn: LogitsFn, x: tf.Tensor4D, labels: tf.Tensor1D, options: AttackOptions, rng: Rng): tf.Tensor4D {
  const objective = objectiveFor(options.loss, { targetProbs: options.targetProbs, kappa: DEFAULT_CW_CONFIDENCE });
  return signedAscent(logitsFn, x, labels, { ...options, restarts: 1, objective }, rng);
}

