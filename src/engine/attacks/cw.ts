/**
 * CW-inf: L-inf PGD on the Carlini-Wagner margin instead of the cross-entropy, the "CW" column of
 * robust-distillation tables. Carlini and Wagner, "Towards Evaluating the Robustness of Neural
 * Networks", IEEE S&P 2017 (arXiv 1608.04644); official code https://github.com/carlini/nn_robust_attacks
 * (its L-inf attack is an optimisation, not PGD). The PGD form with kappa 50 follows the
 * evaluation code of Friendly Adversarial Training (https://github.com/zjfheart/Friendly-Adversarial-Training,
 * attack_generator.py, cwloss), which IAD and later distillation papers reuse.
 *
 *   L_cw = min(max_{j≠y} z_j − z_y, kappa),  x_{k+1} = Proj_{B_eps(x) ∩ [0,1]}(x_k + alpha * sign(grad L_cw))
 *
 * Settings: steps, step_size (null means eps/4), random_start, confidence (kappa) and restarts
 * (each sample keeps its worst run).
 */
import type { AttackImplementation } from './attack';
import { iteratedAscent, signedAscent } from './ascent';
import { cwMarginPerSample, type Objective } from './losses';

export const cw: AttackImplementation<'cw'> = {
  name: 'cw',
  perturb(logitsFn, x, labels, epsilon, settings, rng, report) {
    const kappa = settings.confidence;
    const objective: Objective = (logits, y) => cwMarginPerSample(logits, y, kappa);
    return signedAscent(logitsFn, x, labels, iteratedAscent(settings, epsilon, objective), rng, report);
  },
};
