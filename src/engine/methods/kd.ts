/**
 * KD: knowledge distillation on clean inputs, as ARD's "KD" baseline runs it from a robust teacher.
 * Hinton, Vinyals, Dean, NIPS 2014 Deep Learning Workshop (arXiv 1503.02531); the loss as
 * HobbitLong/RepDistiller codes it (distiller_zoo/KD.py `DistillKL`, helper/loops.py), with the
 * CRD paper's weights (RepDistiller's KD command: -r 0.1 -a 0.9, --kd_T 4).    (described in kd.info.ts)
 *   L = alpha * T^2 * KL(softmax(T(x)/T) || softmax(S(x)/T)) + (1 - alpha) * CE(S(x), y)
 * The teacher runs in evaluation mode and the student in training mode, once, on the clean x; the
 * KL is summed over the classes and divided by the batch size (RepDistiller's `size_average=False`
 * then `/ batch`), our 'batchmean' convention. RepDistiller weighs CE and KD separately (gamma,
 * alpha); the weights of its KD command add up to 1, which `alpha` and `1 - alpha` express.
 * ARD's repository publishes no KD script (its issue #6), so nothing here comes from it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KlReduction } from './conventions.info';
import type { KdSettings } from './kd.info';
import { batchMean, crossEntropyRows, distillationKl } from './losses';
import { Batch, MethodFactory, inference } from './method';

/** KD's two terms on logits, each these rows' part of its batch mean, already weighted. */
export interface KdTerms {
  /** alpha * T^2 * KL(T^T(x) || S^T(x)). */
  kd: tf.Scalar;
  /** (1 - alpha) * CE(S(x), y). */
  ce: tf.Scalar;
  loss: tf.Scalar;
}

/**
 * Hinton's loss from the teacher's and the student's logits on the same clean rows (the teacher's
 * made outside the tape, so fixed).
 */
export function kdLossRows(
  teacherLogits: tf.Tensor2D,
  studentLogits: tf.Tensor2D,
  labels: tf.Tensor1D,
  alpha: number,
  temperature: number,
  reduction: KlReduction,
  rows: Pick<Batch, 'total'>,
): KdTerms {
  const kd = tf.mul(distillationKl(teacherLogits, studentLogits, temperature, reduction, rows), alpha) as tf.Scalar;
  const ce = tf.mul(batchMean(crossEntropyRows(studentLogits, labels), rows), 1 - alpha) as tf.Scalar;
  return { kd, ce, loss: tf.add(kd, ce) };
}

export const kd: MethodFactory = (ctx) => {
  const { student, teacher } = ctx;
  if (!teacher) throw new Error('kd needs a teacher: add a teacher: section');
  const s = ctx.settings as KdSettings;
  return {
    name: 'kd',
    extraParams: null,
    prepare(rows) {
      const teacherLogits = inference(teacher, rows.x, []).logits;
      return { input: tf.clone(rows.x), tensors: { teacherLogits } };
    },
    loss(rows, prepared) {
      const logits = student.apply(prepared.input, { training: true }).logits;
      const { kd, ce, loss } = kdLossRows(prepared.tensors.teacherLogits as tf.Tensor2D, logits, rows.y, s.alpha, s.temperature, s.kl_reduction, rows);
      return { loss, terms: { kd, ce }, logits };
    },
  };
};
