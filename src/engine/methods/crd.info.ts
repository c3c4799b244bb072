/**
 * CRD, described (Tian, Krishnan, Isola, "Contrastive Representation Distillation", ICLR 2020;
 * official code HobbitLong/RepDistiller: crd/criterion.py, crd/memory.py, train_student.py,
 * helper/loops.py). The implementation is crd.ts. Defaults are the code's CRD setting
 * (gamma, alpha, beta) = (1, 0, 0.8), feat_dim 128, nce_k 16384, nce_t 0.07, nce_m 0.5, kd_T 4.
 * CRD trains on natural inputs; `input: adversarial` is this project's option for a robust peer.
 */
import { z } from 'zod';
import type { MethodInfo } from '../catalog/types';
import { numberOrExpression } from '../catalog/expression';
import { attackModes, klReductionSetting } from './conventions.info';

/** A number setting that also accepts arithmetic such as `1/0.07`. */
const num = (schema: z.ZodNumber = z.number()) => numberOrExpression(schema);

export const crdSettings = z.object({
  gamma: num(z.number().min(0)).default(1).describe("Weight of CE on the student's logits (RepDistiller's -r/--gamma; 1 in the CRD runs)."),
  alpha: num(z.number().min(0))
    .default(0)
    .describe("Weight of the KD term T²·KL(T(x) ‖ S(x)) at kd_temperature (RepDistiller's -a/--alpha; 0 for CRD, 1 for CRD+KD)."),
  beta: num(z.number().min(0)).default(0.8).describe("Weight of the CRD loss (RepDistiller's -b/--beta; 0.8 in the CRD runs)."),
  kd_temperature: num(z.number().positive()).default(4).describe("Softmax temperature of the KD term (RepDistiller's --kd_T, 4); used only when alpha > 0."),
  student_tap: z
    .string()
    .min(1)
    .default('penultimate')
    .describe("Named feature tap of the student that is embedded; RepDistiller uses the last feature (feat_s[-1], the pooled penultimate layer)."),
  teacher_tap: z
    .string()
    .min(1)
    .default('penultimate')
    .describe("Named feature tap of the teacher that is embedded; RepDistiller uses the last feature (feat_t[-1], the pooled penultimate layer)."),
  embed_dim: z.int().min(1).default(128).describe("Size of the two linear embedding heads, followed by L2 normalisation (RepDistiller's --feat_dim, 128)."),
  negatives: z
    .int()
    .min(1)
    .default(16384)
    .describe("Number K of memory-bank negatives per positive (RepDistiller's --nce_k, 16384); the engine caps it at the train-set size."),
  temperature: num(z.number().positive()).default(0.07).describe("Temperature tau of the NCE scores exp(v·m / tau) (RepDistiller's --nce_t, 0.07)."),
  bank_momentum: num(z.number().min(0).max(1))
    .default(0.5)
    .describe("Momentum of the memory banks' update m ← momentum·m + (1 − momentum)·v, then renormalised (RepDistiller's --nce_m, 0.5)."),
  input: z
    .enum(['natural', 'adversarial'])
    .default('natural')
    .describe(
      "What the student trains on: 'natural', the clean x (as CRD's code); 'adversarial', x' = PGD on CE(S(x'), y) with the training attack " +
        '(not in CRD: a robust variant for comparison with the adversarial distillers).',
    ),
  teacher_input: z
    .enum(['clean', 'adversarial'])
    .default('clean')
    .describe(
      "With input: adversarial, what the teacher sees: the clean x (as ARD's teacher) or the student's x'. CRD's code has no attack; with input: natural both are x.",
    ),
  kl_reduction: klReductionSetting('batchmean'),
  attack_mode: z
    .enum(attackModes)
    .default('eval')
    .describe(
      "With input: adversarial, the student's mode while the training attack runs: 'eval' uses batch-norm running statistics (our convention for every method); " +
        "'train' uses the batch's statistics and updates the running averages at every attack step. CRD's code has no attack.",
    ),
});

export type CrdSettings = z.infer<typeof crdSettings>;

export const crdInfo: MethodInfo = {
  name: 'crd',
  title: 'Contrastive Representation Distillation',
  summary:
    "Two linear heads embed the teacher's and the student's penultimate features; a symmetric NCE loss with two momentum memory banks " +
      "(K negatives of other classes, CRD's 'exact' mode) pulls each sample's two embeddings together. Natural training by default, as CRD's code; " +
      'needs no teacher labels, so the teacher may come from another task.',
  paper: 'Tian, Krishnan, Isola, ICLR 2020 (arXiv:1910.10699)',
  code: 'https://github.com/HobbitLong/RepDistiller (crd/criterion.py, crd/memory.py)',
  formula: "L = gamma·CE(S(x), y) + alpha·T²·KL(T(x) ‖ S(x)) + beta·[NCE(t; student bank) + NCE(s; teacher bank)]",
  needsTeacher: true,
  // Only the features are compared, unless the KD term reads the teacher's classes.
  usesTeacherLabels: (s) => (s.alpha as number) > 0,
  // Static: the trainer draws start noise for every batch, used only with input: adversarial.
  adversarial: true,
  settings: crdSettings,
  taps: { student: 'student_tap', teacher: 'teacher_tap' },
  officialConventions: { kl_reduction: 'batchmean' },
};
