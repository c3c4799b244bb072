/**
 * APGD-DLR: Auto-PGD on the untargeted Difference of Logits Ratio, L-inf (the "plus" evaluation's
 * second attack; dlr.ts has the loss). Croce and Hein, "Reliable evaluation of adversarial
 * robustness with an ensemble of diverse parameter-free attacks", ICML 2020 (arXiv 2003.01690);
 * official code https://github.com/fra31/auto-attack (autoattack/autopgd_base.py, APGDAttack with
 * loss 'dlr'). The loop is apgd.ts; settings: steps (100) and restarts (1).
 */
import type { AttackImplementation } from './attack';
import { addApgdFacts, runApgd } from './apgd';

export const apgdDlr: AttackImplementation<'apgd-dlr'> = {
  name: 'apgd-dlr',
  perturb(logitsFn, x, labels, epsilon, settings, rng, report) {
    const { adversarial, runs } = runApgd(logitsFn, x, labels, { epsilon, steps: settings.steps, restarts: settings.restarts, loss: 'dlr' }, rng);
    addApgdFacts(report, runs);
    return adversarial;
  },
};
