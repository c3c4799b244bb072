/**
 * KD, described (Hinton, Vinyals, Dean, "Distilling the Knowledge in a Neural Network", NIPS 2014
 * Deep Learning Workshop; the loss as HobbitLong/RepDistiller codes it, distiller_zoo/KD.py, with
 * the CRD paper's KD weights). ARD's paper runs this baseline from its robust teacher, but its
 * repository (goldblum/AdversariallyRobustDistillation) publishes no KD script (its issue #6), so
 * the defaults are RepDistiller's. The implementation is kd.ts.
 */
import { z } from 'zod';
import type { MethodInfo } from '../catalog/types';
import { numberOrExpression } from '../catalog/expression';
import { klReductionSetting } from './conventions.info';

/** A number setting that also accepts arithmetic such as `1/0.07`. */
const num = (schema: z.ZodNumber = z.number()) => numberOrExpression(schema);

export const kdSettings = z.object({
  alpha: num(z.number().min(0).max(1))
    .default(0.9)
    .describe(
      "Weight of the distillation term T²·KL(T^T(x) ‖ S^T(x)); (1 - alpha) weighs CE on the labels. RepDistiller's KD command (the CRD paper's setting) uses 0.9 (`-a 0.9`, with `-r 0.1` on CE).",
    ),
  temperature: num(z.number().positive())
    .default(4)
    .describe("Softmax temperature T of the distillation KL, which is multiplied by T². RepDistiller's default (`--kd_T`) is 4."),
  kl_reduction: klReductionSetting('batchmean'),
});

export type KdSettings = z.infer<typeof kdSettings>;

export const kdInfo: MethodInfo = {
  name: 'kd',
  title: 'Knowledge distillation',
  summary:
    "Hinton's distillation on clean inputs, from the robust teacher (ARD's \"KD\" baseline): the student matches the teacher's tempered soft labels and the true labels; no attack. " +
      "Defaults follow RepDistiller's KD (alpha 0.9, temperature 4, the KL summed over classes and averaged over the batch); ARD's repository has no KD script.",
  paper: 'Hinton, Vinyals, Dean, NIPS 2014 Deep Learning Workshop (arXiv:1503.02531)',
  code: 'https://github.com/HobbitLong/RepDistiller (distiller_zoo/KD.py; ARD publishes no KD baseline script)',
  formula: 'L = alpha·T²·KL(T^T(x) ‖ S^T(x)) + (1 − alpha)·CE(S(x), y)',
  needsTeacher: true,
  adversarial: false,
  settings: kdSettings,
  officialConventions: { kl_reduction: 'batchmean' },
};
