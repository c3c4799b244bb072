/**
 * ARD, described (Goldblum et al., AAAI 2020; official code goldblum/AdversariallyRobustDistillation).
 * The implementation is ard.ts.
 */
import { z } from 'zod';
import type { MethodInfo } from '../catalog/types';
import { numberOrExpression } from '../catalog/expression';
import { attackModeSetting, klReductionSetting } from './conventions.info';

/** A number setting that also accepts arithmetic such as `1/0.07`. */
const num = (schema: z.ZodNumber = z.number()) => numberOrExpression(schema);

export const ardSettings = z.object({
  alpha: num(z.number().min(0).max(1))
    .default(1)
    .describe('Weight of the KL term to the teacher; (1 - alpha) weighs CE on clean inputs. ARD\'s code default is 1 (CE off).'),
  temperature: num(z.number().positive())
    .default(30)
    .describe('Softmax temperature of the distillation KL, which is multiplied by temperature². ARD\'s code default is 30.'),
  kl_reduction: klReductionSetting('mean'),
  attack_mode: attackModeSetting('train'),
});

export type ArdSettings = z.infer<typeof ardSettings>;

export const ardInfo: MethodInfo = {
  name: 'ard',
  title: 'Adversarially Robust Distillation',
  summary:
    "The student matches the robust teacher's tempered soft labels on clean inputs at its own adversarial points (PGD with CE on the true label). " +
      "Defaults follow ARD's code (alpha 1, temperature 30) but for the conventions stated once for every method: the KL summed over classes (ARD's code averages over them: kl_reduction: mean) and the attack in eval mode (ARD's code attacks in train mode: attack_mode: train).",
  paper: 'Goldblum, Fowl, Feizi, Goldstein, AAAI 2020 (arXiv:1905.09747)',
  code: 'https://github.com/goldblum/AdversariallyRobustDistillation',
  formula: "L = alpha·tau²·KL(T^tau(x) ‖ S^tau(x')) + (1 − alpha)·CE(S(x), y)",
  needsTeacher: true,
  adversarial: true,
  settings: ardSettings,
  officialConventions: { kl_reduction: 'mean', attack_mode: 'train' },
};
