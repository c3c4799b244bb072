/**
 * The training attack as every adversarial method runs it: PGD against the student on some rows
 * of a batch, from the random start the trainer drew for the whole batch (so a share of rows gets
 * the same adversarial examples as on one thread). The student is attacked in the mode of the
 * method's `attack_mode` setting (conventions.info.ts): evaluation mode unless it says 'train'.
 */
import * as tf from '@tensorflow/tfjs-core';
import { project } from '../attacks/attack';
import { ascendInput } from '../attacks/ascent';
import { crossEntropyPerSample, klPerSample } from '../attacks/losses';
import type { LogitsFn } from '../attacks/attack';
import type { Batch, MethodContext } from './method';

/** The student as the training attack sees it: in evaluation mode, or in training mode when the method's settings say so. */
export function attackedStudent(ctx: MethodContext): LogitsFn {
  const training = ctx.settings.attack_mode === 'train';
  return (x) => ctx.student.apply(x, { training }).logits;
}

/**
 * Where the ascent starts for these rows: the trainer's noise added to x (a uniform start is
 * projected onto the ball and [0, 1]; the Gaussian start of TRADES's code is left as drawn), or x.
 */
export function attackStart(ctx: MethodContext, rows: Batch): tf.Tensor4D {
  const { attack } = ctx;
  if (!attack.randomStart || attack.epsilon === 0) return tf.clone(rows.x);
  if (!rows.noise) {
    throw new Error('the training attack starts at random but the trainer drew no start noise: describe the method as adversarial');
  }
  const noise = rows.noise;
  // The uniform noise is drawn within [-eps, eps]; the Gaussian one is tiny (std 0.001).
  return tf.tidy(() => {
    const moved = tf.add(rows.x, noise) as tf.Tensor4D;
    return attack.start === 'normal' ? moved : project(moved, rows.x, attack.epsilon);
  });
}

/**
 * x' for `rows` maximising any per-sample loss of the input (the student's CE, a KL between
 * teacher and student at the same point, a contrastive loss), with the training attack's epsilon,
 * step size and steps.
 */
export function trainingAttackOn(ctx: MethodContext, rows: Batch, lossOf: (x: tf.Tensor4D) => tf.Tensor1D): tf.Tensor4D {
  const start = attackStart(ctx, rows);
  if (ctx.attack.epsilon === 0) return start;
  return ascendInput(lossOf, rows.x, start, ctx.attack);
}

/**
 * x' for `rows`, maximising CE with the true label, or KL(targetProbs || S(x')) (e.g. the
 * teacher's softmax on clean inputs as RSLAD, or the student's own as TRADES).
 */
export function trainingAttack(ctx: MethodContext, rows: Batch, loss: 'ce' | 'kl' = 'ce', targetProbs?: tf.Tensor2D): tf.Tensor4D {
  const student = attackedStudent(ctx);
  if (loss === 'kl') {
    if (!targetProbs) throw new Error("the training attack on 'kl' needs the target probabilities");
    return trainingAttackOn(ctx, rows, (x) => klPerSample(targetProbs, student(x)));
  }
  return trainingAttackOn(ctx, rows, (x) => crossEntropyPerSample(student(x), rows.y));
}
