/**
 * APGD-T: Auto-PGD on the targeted Difference of Logits Ratio, L-inf, the second attack of an
 * AA-style evaluation. One full run per target class, the 2nd to the 10th largest logits of the
 * clean input (9 targets, or classes − 1 when fewer), each on the points no earlier target broke.
 * Croce and Hein, "Reliable evaluation of adversarial robustness with an ensemble of diverse
 * parameter-free attacks", ICML 2020 (arXiv 2003.01690); official code
 * https://github.com/fra31/auto-attack (autoattack/autopgd_base.py, APGDAttack_targeted with
 * n_target_classes 9). The loop is apgd.ts; settings: steps (100 per target) and restarts (1 per target).
 */
import type { AttackImplementation } from './attack';
import { APGD_T_TARGETS, addApgdFacts, runApgd } from './apgd';

export const apgdT: AttackImplementation<'apgd-t'> = {
  name: 'apgd-t',
  perturb(logitsFn, x, labels, epsilon, settings, rng, report) {
    const options = { epsilon, steps: settings.steps, restarts: settings.restarts, loss: 'dlr-targeted' as const, targets: APGD_T_TARGETS };
    const { adversarial, runs } = runApgd(logitsFn, x, labels, options, rng);
    addApgdFacts(report, runs);
    return adversarial;
  },
};
