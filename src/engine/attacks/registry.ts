/** The attack implementations by name; their descriptions live in catalog.ts. */
import { Attack } from './attack';
import { fgsm } from './fgsm';
import { pgd } from './pgd';

export const attackImplementations: Record<string, Attack> = { fgsm, pgd };

/**
 * Evaluation shorthand as experiment files write it: `clean`, `fgsm`, `pgd-20`, `cw-20`.
 * CW is PGD on the Carlini-Wagner margin loss.
 */
export interface EvalAttack {
  label: string;
  attack: Attack | null;
  steps: number;
  loss: 'ce' | 'cw';
}

export function parseEvalAttack(label: string): EvalAttack {
  if (label === 'clean') return { label, attack: null, steps: 0, loss: 'ce' };
  if (label === 'fgsm') return { label, attack: fgsm, steps: 1, loss: 'ce' };
  const m = /^(pgd|cw)-(\d+)$/.exec(label);
  if (!m) throw new Error(`unknown evaluation attack '${label}': use clean, fgsm, pgd-<steps> or cw-<steps>`);
  return { label, attack: pgd, steps: Number(m[2]), loss: m[1] === 'cw' ? 'cw' : 'ce' };
}
