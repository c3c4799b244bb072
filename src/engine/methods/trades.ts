/**
 * TRADES: TRadeoff-inspired Adversarial DEfense via Surrogate-loss minimisation.
 * Zhang, Yu, Jiao, Xing, El Ghaoui, Jordan, ICML 2019 (arXiv 1901.08573); official code
 * yaodongyu/TRADES (trades.py, `trades_loss`).          (described in trades.info.ts)
 *   x'_0 = x + 0.001 * N(0, I);  x' = PGD_eps maximising sum_i KL(f(x_i) || f(x'_i)), f(x) held fixed
 *   L = CE(f(x), y) + beta * KL(f(x) || f(x'))
 * As the code does: the attack runs on the model in evaluation mode (`model.eval()`), its target
 * being the model's own clean prediction in that mode; the outer KL is summed over the classes and
 * divided by the batch size ('batchmean'), and its clean side is NOT detached: the gradient flows
 * through f(x) in both terms (the code feeds `F.softmax(model(x_natural))` to `KLDivLoss`).
 * Defaults are the CIFAR-10 script's (beta 6); its MNIST script uses beta 1.0.
 * One difference, in batch-norm models only: the code runs the model in training mode three times
 * (x for CE, x', x again for the KL's target), so the running averages move three times a step;
 * here the clean logits serve both terms (their values and gradients are the same), so they move
 * twice. No value or gradient of the loss changes.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KlReduction } from './conventions.info';
import { batchMean, crossEntropyRows, distillationKl } from './losses';
import { Batch, MethodFactory } from './method';
import type { TradesSettings } from './trades.info';
import { attackedStudent, trainingAttack } from './trainingAttack';

/** TRADES's two terms on logits, each these rows' part of its batch mean. */
export interface TradesTerms {
  /** CE(f(x), y), the code's `loss_natural`. */
  natural: tf.Scalar;
  /** beta * KL(f(x) || f(x')), the code's `beta * loss_robust`. */
  robust: tf.Scalar;
  loss: tf.Scalar;
}

/**
 * TRADES's outer loss from the model's clean and adversarial logits (gradients through both),
 * the KL reduced as `reduction` says ('batchmean': the code's sum / batch size).
 */
export function tradesLossRows(
  cleanLogits: tf.Tensor2D,
  advLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
  beta: number,
  reduction: KlReduction,
  rows: Pick<Batch, 'total'>,
): TradesTerms {
  const natural = batchMean(crossEntropyRows(cleanLogits, labels), rows);
  // At temperature 1 the distillation KL is the plain KL, the clean prediction as its target.
  const robust = tf.mul(distillationKl(cleanLogits, advLogits, 1, reduction, rows), beta) as tf.Scalar;
  return { natural, robust, loss: tf.add(natural, robust) };
}

export const trades: MethodFactory = (ctx) => {
  const { student } = ctx;
  const s = ctx.settings as TradesSettings;
  return {
    name: 'trades',
    extraParams: null,
    prepare(rows) {
      // The attack's fixed target: the model's own clean prediction, in the attack's mode.
      const cleanProbs = tf.tidy(() => tf.softmax(attackedStudent(ctx)(rows.x)) as tf.Tensor2D);
      const input = trainingAttack(ctx, rows, 'kl', cleanProbs);
      cleanProbs.dispose();
      return { input, tensors: {} };
    },
    loss(rows, prepared) {
      const clean = student.apply(rows.x, { training: true }).logits;
      const adv = student.apply(prepared.input, { training: true }).logits;
      const { natural, robust, loss } = tradesLossRows(clean, adv, rows.y, s.beta, s.kl_reduction, rows);
      return { loss, terms: { natural, robust }, logits: adv };
    },
  };
};
