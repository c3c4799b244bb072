/**
 * CRD: Contrastive Representation Distillation.
 * Tian, Krishnan, Isola, ICLR 2020 (arXiv 1910.10699); official code HobbitLong/RepDistiller
 * (crd/criterion.py CRDLoss, ContrastLoss, Embed; crd/memory.py ContrastMemory; the training loop
 * helper/loops.py train_distill).                    (described in crd.info.ts)
 *   s_i = norm(g_S(f_S(x_i))),  t_i = norm(g_T(f_T(x_i)))      two linear heads to 128, L2-normalised
 *   M_S, M_T: memory banks (n x 128), initialised uniform in [-1/sqrt(128/3), 1/sqrt(128/3)]
 *   teacher as anchor: t_i scored against M_S[i] (positive) and M_S[negatives]   (out_v2, Z_v2)
 *   student as anchor: s_i scored against M_T[i] (positive) and M_T[negatives]   (out_v1, Z_v1)
 *   P = exp(v.m / tau) / Z,  Z = mean exp(v.m / tau) over the first batch's pairs times n (once)
 *   NCE_i = -log(P+ / (P+ + m/n + 1e-7)) - sum_j log((m/n) / (P_j + m/n + 1e-7))   (ContrastLoss)
 *   L = gamma * CE(S(x), y) + alpha * T^2 KL(T(x) || S(x)) + beta * mean_i (NCE_i^teacher + NCE_i^student)
 *   after the step: M[i] <- norm(momentum * M[i] + (1 - momentum) * v_i), for both banks.
 * As the code: the positive is the bank's row of the sample itself ('exact' mode), so the
 * teacher-as-anchor half trains only the teacher's head and the other half the student and its
 * head; the teacher is frozen (eval mode, no gradient).
 *
 * Differences from the code, for speed and for sharing a step among threads:
 *   - the K negatives are drawn once per batch, uniformly over the training split with
 *     replacement, and shared by its rows (the code draws K per sample among the other classes,
 *     without replacement); each row masks out the drawn samples of its own class (and itself),
 *     so a row has m_i ≈ K(C-1)/C valid negatives and NCE uses its own m_i/n, and Z averages over
 *     the valid pairs only;
 *   - the banks take the step's embeddings after the update (`afterStep`), with the values the
 *     loss saw, as the code's update inside the forward pass does;
 *   - the heads start as the engine's dense layers (He normal), not PyTorch's default uniform.
 * `input: adversarial` (not in CRD) trains the student on x' = PGD on CE(S(.), y); the teacher
 * sees x (default) or x' (`teacher_input`). The trainer draws the attack's start noise for every
 * batch (the description is statically adversarial); on natural inputs it is unused, a small cost.
 * No teacher labels are read unless alpha > 0: the teacher may come from another task, and the
 * negatives' classes are the student's own labels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Params } from '../models/params';
import { tidyPlain } from '../util/tidy';
import {
  drawNegativeIndices,
  embeddingHead,
  keepingBuffers,
  nceLoss,
  nceScoreSums,
  negativeMask,
  tapFeatures,
  tapWidth,
} from './contrastive';
import type { CrdSettings } from './crd.info';
import { batchMean, crossEntropyRows, distillationKl } from './losses';
import { type Anchor, ContrastMemory } from './contrastMemory';
import type { MemoryBank } from './memoryBank';
import { Batch, MethodFactory, Plan, Prepared, inference } from './method';
import { trainingAttack } from './trainingAttack';

/** One memory bank's rows for some batch rows: each row's own (the positive) and the shared negatives. */
export interface BankRows {
  positive: tf.Tensor2D;
  negatives: tf.Tensor2D;
}

/**
 * CRD's symmetric NCE of each row (CRDLoss: criterion_s(out_v1) + criterion_t(out_v2)): the student
 * embedding against the teacher bank with Z_v1, plus the teacher embedding against the student bank
 * with Z_v2; `mask` marks each row's valid negatives.
 */
export function crdLossRows(
  studentEmb: tf.Tensor2D,
  teacherEmb: tf.Tensor2D,
  teacherBank: BankRows,
  studentBank: BankRows,
  mask: tf.Tensor2D,
  z: { studentAnchor: number; teacherAnchor: number },
  temperature: number,
  trainSize: number,
): tf.Tensor1D {
  const sLoss = nceLoss(studentEmb, teacherBank.positive, teacherBank.negatives, mask, z.studentAnchor, temperature, trainSize);
  const tLoss = nceLoss(teacherEmb, studentBank.positive, studentBank.negatives, mask, z.teacherAnchor, temperature, trainSize);
  return tf.add(sLoss, tLoss) as tf.Tensor1D;
}

export const crd: MethodFactory = (ctx) => {
  const { student, teacher } = ctx;
  if (!teacher) throw new Error('crd needs a teacher: add a teacher: section');
  const s = ctx.settings as CrdSettings;
  const n = ctx.trainSize;
  const heads = new Params(ctx.seed + 7919, 'crd.');
  const embedStudent = embeddingHead(heads, 'embed_s', tapWidth(student, s.student_tap), s.embed_dim);
  const embedTeacher = embeddingHead(heads, 'embed_t', tapWidth(teacher, s.teacher_tap), s.embed_dim);
  const negatives = Math.min(s.negatives, n - 1);
  // The code's memory_v1 (student embeddings) and memory_v2 (teacher embeddings).
  // Z_v1 (student as anchor) and Z_v2 (teacher as anchor), fixed from the first batch (0 until then).
  const memory = new ContrastMemory(n, s.embed_dim, s.bank_momentum, { student: ctx.seed + 1, teacher: ctx.seed + 2 }, ['studentAnchor', 'teacherAnchor']);
  const { teacherBank, studentBank, z } = memory;
  const zOf = (anchor: Anchor, sums: Record<string, number>) => memory.zOf(anchor, sums);
  const bankRows = (bank: MemoryBank, own: Int32Array, idx: Int32Array): BankRows => ({ positive: bank.gather(own), negatives: bank.gather(idx) });

  /**
   * The first batch's part of both Z, outside the tape: the student's embedding in training mode
   * (as the loss will see it, batch-norm statistics left untouched) and the teacher's, against the
   * banks as they are before this step's update.
   */
  function calibrationSums(rows: Batch, input: tf.Tensor4D, teacherFeatures: tf.Tensor2D, idx: Int32Array, mask: tf.Tensor2D): Record<string, number> {
    return tidyPlain(() =>
      keepingBuffers(student.params, () => {
        const sEmb = embedStudent(tapFeatures(student, student.apply(input, { training: true }), s.student_tap));
        const tEmb = embedTeacher(teacherFeatures);
        const fromTeacherBank = bankRows(teacherBank, rows.indices, idx);
        const fromStudentBank = bankRows(studentBank, rows.indices, idx);
        const v1 = nceScoreSums(sEmb, fromTeacherBank.positive, fromTeacherBank.negatives, s.temperature, mask);
        const v2 = nceScoreSums(tEmb, fromStudentBank.positive, fromStudentBank.negatives, s.temperature, mask);
        return { studentAnchorSum: v1.sum, studentAnchorCount: v1.count, teacherAnchorSum: v2.sum, teacherAnchorCount: v2.count };
      }),
    );
  }

  return {
    name: 'crd',
    extraParams: heads,

    plan(_batch, rng): Plan {
      return { negatives: drawNegativeIndices(rng, negatives, n) };
    },

    prepare(rows: Batch, plan: Plan): Prepared {
      const adversarial = s.input === 'adversarial';
      const input = adversarial ? trainingAttack(ctx, rows) : tf.clone(rows.x);
      const teacherOut = inference(teacher, adversarial && s.teacher_input === 'adversarial' ? input : rows.x, [s.teacher_tap]);
      // A copy: the tap may be the very tensor disposed with the teacher's outputs below.
      const teacherFeatures = tf.tidy(() => tf.clone(tapFeatures(teacher, teacherOut, s.teacher_tap)));
      const idx = plan.negatives as Int32Array;
      // CRD's 'exact' mode: negatives of other classes, by the student's own labels.
      const mask = negativeMask(idx, rows, ctx.trainLabels, true);
      const tensors: Record<string, tf.Tensor> = { teacherFeatures, mask };
      if (s.alpha > 0) tensors.teacherLogits = tf.clone(teacherOut.logits);
      tf.dispose(teacherOut as unknown as tf.TensorContainer);
      const sums = z.studentAnchor === 0 || z.teacherAnchor === 0 ? calibrationSums(rows, input, teacherFeatures, idx, mask) : {};
      return { input, tensors, sums };
    },

    loss(rows, prepared, whole) {
      const t = prepared.tensors;
      const idx = whole.plan.negatives as Int32Array;
      const out = student.apply(prepared.input, { training: true });
      const sEmb = embedStudent(tapFeatures(student, out, s.student_tap));
      const tEmb = embedTeacher(t.teacherFeatures as tf.Tensor2D);
      const perRow = crdLossRows(
        sEmb,
        tEmb,
        bankRows(teacherBank, rows.indices, idx),
        bankRows(studentBank, rows.indices, idx),
        t.mask as tf.Tensor2D,
        { studentAnchor: zOf('studentAnchor', whole.sums), teacherAnchor: zOf('teacherAnchor', whole.sums) },
        s.temperature,
        n,
      );
      const ce = tf.mul(batchMean(crossEntropyRows(out.logits, rows.y), rows), s.gamma) as tf.Scalar;
      const contrastive = tf.mul(batchMean(perRow, rows), s.beta) as tf.Scalar;
      const terms: Record<string, tf.Scalar> = { ce, contrastive };
      let loss = tf.add(ce, contrastive) as tf.Scalar;
      if (s.alpha > 0) {
        const kd = tf.mul(distillationKl(t.teacherLogits as tf.Tensor2D, out.logits, s.kd_temperature, s.kl_reduction, rows), s.alpha) as tf.Scalar;
        terms.kd = kd;
        loss = tf.add(loss, kd);
      }
      return { loss, terms, logits: out.logits, keep: { studentEmbedding: sEmb, teacherEmbedding: tEmb } };
    },

    afterStep(batch, whole, kept) {
      // As ContrastMemory's update, with the embeddings the loss scored.
      memory.afterStep(batch.indices, whole.sums, kept);
    },

    embeddings(studentOut, teacherOut) {
      return [embedStudent(tapFeatures(student, studentOut, s.student_tap)), embedTeacher(tapFeatures(teacher, teacherOut, s.teacher_tap))];
    },

    state: () => memory.state(),
    loadState: (state) => memory.loadState(state),

    dispose() {
      heads.dispose();
    },
  };
};
