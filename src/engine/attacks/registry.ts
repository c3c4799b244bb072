/**
 * The attack implementations by name; their descriptions and settings live in catalog.ts. The type
 * requires one implementation for every attack the catalog lists, so a new attack is one line
 * here once its file exists.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../util/rng';
import type { AttackImplementation, LogitsFn } from './attack';
import type { AttackEntryOf, AttackName } from './catalog';
import { cw } from './cw';
import { fgsm } from './fgsm';
import { pgd } from './pgd';

export const attackImplementations: { [N in AttackName]: AttackImplementation<N> } = { fgsm, pgd, cw };

/** Runs the attack of a resolved evaluation entry with its settings at `epsilon`. */
export function perturbWith<N extends AttackName>(
  entry: AttackEntryOf<N>,
  logitsFn: LogitsFn,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  epsilon: number,
  rng: Rng,
): tf.Tensor4D {
  const implementation: AttackImplementation<N> = attackImplementations[entry.attack];
  return implementation.perturb(logitsFn, x, labels, epsilon, entry.settings, rng);
}
