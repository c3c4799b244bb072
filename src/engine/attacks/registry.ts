/**
 * The attack implementations by name; their descriptions and settings live in catalog.ts. The type
 * requires one implementation for every attack the catalog lists, so a new attack is one line
 * here once its file exists.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../util/rng';
import type { AttackImplementation, AttackReport, LogitsFn } from './attack';
import { apgdCe } from './apgdCe';
import { apgdDlr } from './apgdDlr';
import { apgdT } from './apgdT';
import type { AttackEntryOf, AttackName } from './catalog';
import { cw } from './cw';
import { fgsm } from './fgsm';
import { pgd } from './pgd';
import { square } from './square';
import { aaStyle, aaStyleFast, aaStyleRand } from './aaStyle';

export const attackImplementations: { [N in AttackName]: AttackImplementation<N> } = {
  fgsm,
  pgd,
  cw,
  'apgd-ce': apgdCe,
  'apgd-dlr': apgdDlr,
  'apgd-t': apgdT,
  square,
  'aa-style': aaStyle,
  'aa-style-fast': aaStyleFast,
  'aa-style-rand': aaStyleRand,
};

/** Runs the attack of a resolved evaluation entry with its settings at `epsilon`. */
export function perturbWith<N extends AttackName>(
  entry: AttackEntryOf<N>,
  logitsFn: LogitsFn,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  epsilon: number,
  rng: Rng,
  report?: AttackReport,
): tf.Tensor4D {
  const implementation: AttackImplementation<N> = attackImplementations[entry.attack];
  return implementation.perturb(logitsFn, x, labels, epsilon, entry.settings, rng, report);
}
