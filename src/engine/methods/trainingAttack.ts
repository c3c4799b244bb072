/**
 * The training attack as every adversarial method runs it: PGD against the student in evaluation
 * mode on some rows of a batch, from the random start the trainer drew for the whole batch (so a
 * share of rows gets the same adversarial examples as on one thread).
 */
import * as tf from '@tensorflow/tfjs-core';
import { pgdWithOptions } from '../attacks/pgd';
import { Rng } from '../util/rng';
import { evalLogits, type Batch, type MethodContext } from './method';

// The start noise comes with the rows, so PGD draws nothing from this.
const noDraws = new Rng(0);

/**
 * x' for `rows`, maximising CE with the true label, or KL to `targetProbs` (e.g. the teacher's
 * softmax on clean inputs, TRADES and RSLAD style).
 */
export function trainingAttack(ctx: MethodContext, rows: Batch, loss: 'ce' | 'kl' = 'ce', targetProbs?: tf.Tensor2D): tf.Tensor4D {
  const { attack } = ctx;
  if (attack.randomStart && attack.epsilon > 0 && !rows.noise) {
    throw new Error('the training attack starts at random but the trainer drew no start noise: describe the method as adversarial');
  }
  return pgdWithOptions(
    evalLogits(ctx.student),
    rows.x,
    rows.y,
    { ...attack, loss, targetProbs, startNoise: rows.noise ?? undefined, randomStart: attack.randomStart && rows.noise !== null },
    noDraws,
  );
}
