/**
 * APGD-CE: Auto-PGD on the cross-entropy, L-inf, the first attack of an AA-style evaluation. Croce
 * and Hein, "Reliable evaluation of adversarial robustness with an ensemble of diverse
 * parameter-free attacks", ICML 2020 (arXiv 2003.01690); official code
 * https://github.com/fra31/auto-attack (autoattack/autopgd_base.py, APGDAttack with loss 'ce').
 * The loop is apgd.ts; settings: steps (100) and restarts (1), as the standard evaluation runs it.
 */
import type { AttackImplementation } from './attack';
import { addApgdFacts, runApgd } from './apgd';

export const apgdCe: AttackImplementation<'apgd-ce'> = {
  name: 'apgd-ce',
  perturb(logitsFn, x, labels, epsilon, settings, rng, report) {
    const { adversarial, runs } = runApgd(logitsFn, x, labels, { epsilon, steps: settings.steps, restarts: settings.restarts, loss: 'ce' }, rng);
    addApgdFacts(report, runs);
    return adversarial;
  },
};
