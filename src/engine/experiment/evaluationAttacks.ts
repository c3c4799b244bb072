/**
 * The names of evaluation attacks in an experiment: `clean`, `fgsm`, `pgd-<steps>` and
 * `cw-<steps>` (e.g. `pgd-20`, `cw-30`). The attack itself and its other settings come from the
 * attacks catalog; the name only picks the attack and its number of steps.
 */
import { closestMatches } from '../catalog/closest';

export type EvaluationAttack =
  | { attack: 'clean' }
  | { attack: 'fgsm' }
  | { attack: 'pgd' | 'cw'; steps: number };

export const EVALUATION_ATTACK_FORMS = 'clean, fgsm, pgd-<steps>, cw-<steps>';

/** The usual names, offered by completion and "did you mean". */
export const COMMON_EVALUATION_ATTACKS = ['clean', 'fgsm', 'pgd-10', 'pgd-20', 'pgd-50', 'pgd-100', 'cw-30'];

export function parseEvaluationAttack(name: string): EvaluationAttack | undefined {
  if (name === 'clean' || name === 'fgsm') return { attack: name };
  const m = /^(pgd|cw)-([1-9]\d{0,5})$/.exec(name);
  if (!m) return undefined;
  return { attack: m[1] as 'pgd' | 'cw', steps: Number(m[2]) };
}

/** Whether the attack is stronger than FGSM (an iterative attack). */
export function isIterative(name: string): boolean {
  const a = parseEvaluationAttack(name);
  return a !== undefined && (a.attack === 'pgd' || a.attack === 'cw');
}

/** Suggestions for a name that does not parse, best first. */
export function suggestEvaluationAttacks(name: string): string[] {
  const lower = name.toLowerCase().trim();
  if (parseEvaluationAttack(lower)) return [lower];
  const m = /^(pgd|cw)[\s_]*-?[\s_]*(\d+)$/.exec(lower);
  if (m && Number(m[2]) > 0) return [`${m[1]}-${Number(m[2])}`];
  // Variants we do not run (apgd, pgd-inf, cw_inf...) get the nearest attack we do.
  if (lower.includes('pgd')) return ['pgd-20'];
  if (lower.startsWith('cw')) return ['cw-20'];
  return closestMatches(lower, COMMON_EVALUATION_ATTACKS);
}
