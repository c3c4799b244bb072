/**
 * GACD, described (Bai, Chen, Zhao, Wen, Jiang, Kot, arXiv 2009.09922; no official code is public).
 * The implementation is gacd.ts. GACD's paper body is not available to us (research/algorithm.md,
 * "Decisions for this project"), so GACD here is a documented reconstruction: every choice the
 * abstract does not confirm is a named setting, listed in `unconfirmed` with the reason and the
 * default chosen.
 */
import { z } from 'zod';
import type { MethodInfo } from '../catalog/types';
import { numberOrExpression } from '../catalog/expression';
import { attackModeSetting, klReductionSetting } from './conventions.info';

/** A number setting that also accepts arithmetic such as `1/0.07`. */
const num = (schema: z.ZodNumber = z.number()) => numberOrExpression(schema);

export const RECONSTRUCTED = "reconstructed from the abstract; the paper's exact choice is unknown";

/** The sentence hover shows on each GACD setting that the paper does not confirm. */
const reconstructed = (description: string) =>
  `${description} Reconstructed from the abstract; the paper's exact choice is unknown.`;

export const gacdSettings = z.object({
  gamma: num(z.number().min(0))
    .default(1)
    .describe(reconstructed('Weight of CE on the student\'s logits at the adversarial input, CE(S(x\'), y).')),
  beta: num(z.number().min(0))
    .default(0.8)
    .describe(reconstructed('Weight of the (reweighted) contrastive term between teacher and student embeddings.')),
  alpha: num(z.number().min(0))
    .default(0)
    .describe(reconstructed('Weight of an optional KD term KL(T(x) ‖ S(x\')) at kd_temperature; 0 turns it off.')),
  kd_temperature: num(z.number().positive())
    .default(4)
    .describe(reconstructed('Softmax temperature of the optional KD term (used only when alpha > 0).')),
  student_tap: z
    .string()
    .min(1)
    .default('penultimate')
    .describe(reconstructed('Named feature tap of the student whose output is embedded (any tap the model exposes).')),
  teacher_tap: z
    .string()
    .min(1)
    .default('penultimate')
    .describe(reconstructed('Named feature tap of the teacher whose output is embedded (any tap the model exposes).')),
  embed_dim: z
    .int()
    .min(1)
    .default(128)
    .describe(reconstructed('Size d of the linear embedding heads g_T and g_S (followed by L2 normalisation).')),
  critic: z
    .enum(['nce', 'infonce'])
    .default('nce')
    .describe(reconstructed("'nce': CRD-style NCE with a momentum memory bank of negatives; 'infonce': InfoNCE with in-batch negatives (for small data).")),
  negatives: z
    .int()
    .min(1)
    .default(16384)
    .describe(reconstructed('Number K of memory-bank negatives per positive (nce critic); the engine caps it at the train-set size.')),
  temperature: num(z.number().positive())
    .default(0.07)
    .describe(reconstructed('Temperature tau of the critic, exp(t·s / tau).')),
  bank_momentum: num(z.number().min(0).max(1))
    .default(0.5)
    .describe(reconstructed('Momentum of the memory-bank update m ← momentum·m + (1 − momentum)·v, then renormalised.')),
  class_negatives: z
    .boolean()
    .default(true)
    .describe(reconstructed('Draw negatives only from other classes (needs a shared label set; ignored across tasks).')),
  direction: z
    .enum(['teacher-anchor', 'symmetric'])
    .default('teacher-anchor')
    .describe("'teacher-anchor': the teacher's embedding is the anchor (as the abstract says); 'symmetric' adds CRD's student-as-anchor half."),
  teacher_input: z
    .enum(['clean', 'adversarial'])
    .default('clean')
    .describe(reconstructed("What the teacher sees for the anchor: the clean x (ARD-style) or the student's adversarial x'.")),
  reweight: z
    .enum(['none', 'correct', 'confidence', 'confidence-power'])
    .default('confidence')
    .describe(reconstructed(
      "Sample reweighting from the teacher at x': 'none'; 'correct' (1 if the teacher is right, else 0); " +
        "'confidence' p_T(y|x'); 'confidence-power' p_T(y|x')^reweight_beta. Normalised to mean 1 over the batch.",
    )),
  reweight_beta: num(z.number().positive())
    .default(0.1)
    .describe(reconstructed("Exponent of 'confidence-power' reweighting (IAD's beta = 0.1).")),
  attack_loss: z
    .enum(['ce', 'kl-teacher', 'contrastive'])
    .default('ce')
    .describe(
      reconstructed(
        "Loss the inner PGD maximises for the student's adversarial x': 'ce' with the true label (as ARD and IAD), 'kl-teacher' KL(T(x) ‖ S(x')), " +
          "or 'contrastive' (the contrastive term itself, each sample's NCE or InfoNCE loss with this step's negatives).",
      ),
    ),
  kl_reduction: klReductionSetting('batchmean'),
  attack_mode: attackModeSetting('eval'),
});

export type GacdSettings = z.infer<typeof gacdSettings>;

const unconfirmed: NonNullable<MethodInfo['unconfirmed']> = [
  {
    setting: 'gamma',
    reason: "The paper's loss weights are unknown.",
    chosen: "Default 1, CRD's weight on CE.",
  },
  {
    setting: 'beta',
    reason: "The paper's loss weights are unknown.",
    chosen: "Default 0.8, CRD's weight on the contrastive term.",
  },
  {
    setting: 'alpha',
    reason: 'Whether the paper adds a KD term is unknown.',
    chosen: "Default 0 (off), as CRD's main setting.",
  },
  {
    setting: 'kd_temperature',
    reason: 'Whether the paper adds a KD term, and at what temperature, is unknown.',
    chosen: "Default 4, CRD's KD temperature (used only when alpha > 0).",
  },
  {
    setting: 'student_tap',
    reason: 'Which student layer the paper contrasts is unknown.',
    chosen: "Default 'penultimate' pooled features, as CRD.",
  },
  {
    setting: 'teacher_tap',
    reason: 'Which teacher layer the paper contrasts is unknown.',
    chosen: "Default 'penultimate' pooled features, as CRD.",
  },
  {
    setting: 'embed_dim',
    reason: "The paper's embedding size is unknown.",
    chosen: "Default 128, CRD's.",
  },
  {
    setting: 'critic',
    reason: 'The abstract says "contrastive learning" and "mutual information" but not which critic.',
    chosen: "Default 'nce', CRD's NCE with a memory bank, which the abstract's wording echoes.",
  },
  {
    setting: 'negatives',
    reason: 'The number of negatives is unknown.',
    chosen: "Default 16384, CRD's K (capped at the train-set size).",
  },
  {
    setting: 'temperature',
    reason: "The critic's temperature is unknown.",
    chosen: "Default 0.07, CRD's.",
  },
  {
    setting: 'bank_momentum',
    reason: 'Whether the paper keeps a momentum memory bank is unknown.',
    chosen: "Default 0.5, CRD's.",
  },
  {
    setting: 'class_negatives',
    reason: 'How the paper samples negatives is unknown.',
    chosen: "Default true, CRD's 'exact' mode (other-class negatives).",
  },
  {
    setting: 'teacher_input',
    reason: 'Whether the teacher sees the clean or the adversarial input is unknown.',
    chosen: "Default 'clean', as ARD (whose teachers a co-author asked for).",
  },
  {
    setting: 'reweight',
    reason: 'The abstract names "sample reweighted estimation" but not its formula.',
    chosen: "Default 'confidence', the teacher's probability of the true class at x', normalised over the batch.",
  },
  {
    setting: 'reweight_beta',
    reason: 'The reweighting formula is unknown.',
    chosen: "Default 0.1, IAD's exponent (used only with 'confidence-power').",
  },
  {
    setting: 'attack_loss',
    reason: "The paper's inner maximisation is unknown.",
    chosen: "Default 'ce' with the true label, as ARD and IAD.",
  },
];

export const gacdInfo: MethodInfo = {
  name: 'gacd',
  title: 'Guided Adversarial Contrastive Distillation',
  summary:
    "Feature distillation as contrastive learning: the student's embedding at its adversarial input is pulled to the robust teacher's " +
      "(the anchor) and pushed from negatives, with samples reweighted by the teacher's reliability. Every setting except the " +
      `teacher-as-anchor direction is ${RECONSTRUCTED}.`,
  paper: 'Bai, Chen, Zhao, Wen, Jiang, Kot, arXiv 2020 (arXiv:2009.09922)',
  code: 'none public; reconstructed on the template of CRD (HobbitLong/RepDistiller)',
  formula: "L = gamma·CE(S(x'), y) + beta·Σ w_i·NCE(g_T(f_T(x_i)), g_S(f_S(x'_i))) / Σ w_i + alpha·KD",
  needsTeacher: true,
  // Across label sets only the features are compared: no reweighting, KD term or KL attack.
  usesTeacherLabels: (s) => s.reweight !== 'none' || (s.alpha as number) > 0 || s.attack_loss === 'kl-teacher',
  adversarial: true,
  settings: gacdSettings,
  taps: { student: 'student_tap', teacher: 'teacher_tap' },
  sampleWeights: { schemeSetting: 'reweight' },
  unconfirmed,
};
