/**
 * RSLAD, described (Zi, Zhao, Ma, Jiang, ICCV 2021, "Revisiting Adversarial Robustness
 * Distillation: Robust Soft Labels Make Student Better"; official code zibojia/RSLAD, rslad_loss.py
 * and resnet18_rslad_cifar10.py). The implementation is rslad.ts.
 */
import { z } from 'zod';
import type { MethodInfo } from '../catalog/types';
import { numberOrExpression } from '../catalog/expression';
import { attackModeSetting, klReductionSetting } from './conventions.info';

/** A number setting that also accepts arithmetic such as `1/0.07`. */
const num = (schema: z.ZodNumber = z.number()) => numberOrExpression(schema);

export const rsladSettings = z.object({
  adv_weight: num(z.number().min(0))
    .default(5 / 6)
    .describe("Weight of KL(T(x) ‖ S(x')), the robust soft labels at the student's adversarial point. RSLAD's code: 5/6 (its `kl_Loss1`)."),
  natural_weight: num(z.number().min(0))
    .default(1 / 6)
    .describe("Weight of KL(T(x) ‖ S(x)), the robust soft labels at the clean input. RSLAD's code: 1/6 (its `kl_Loss2`)."),
  kl_reduction: klReductionSetting('mean'),
  attack_mode: attackModeSetting('eval'),
});

export type RsladSettings = z.infer<typeof rsladSettings>;

export const rsladInfo: MethodInfo = {
  name: 'rslad',
  title: 'Robust Soft Label Adversarial Distillation',
  summary:
    "The robust teacher's soft labels on clean inputs replace the one-hot labels everywhere: the student's adversarial x' maximises KL(T(x) ‖ S(x')) " +
      '(PGD from x + 0.001·N(0, I), the student in eval mode), and the student matches T(x) at x\' and at x. Defaults follow RSLAD\'s code (weights 5/6 and 1/6, temperature 1) ' +
      "but for the KL's reduction: the code averages over batch and classes (kl_reduction: mean; its CIFAR-100 scripts multiply by 10 to make up for it), our convention sums over the classes.",
  paper: 'Zi, Zhao, Ma, Jiang, ICCV 2021 (arXiv:2108.07969)',
  code: 'https://github.com/zibojia/RSLAD (rslad_loss.py, resnet18_rslad_cifar10.py)',
  formula: "L = 5/6·KL(T(x) ‖ S(x')) + 1/6·KL(T(x) ‖ S(x)),  x' = PGD_eps(x + 0.001·N(0, I)) maximising KL(T(x) ‖ S(·))",
  needsTeacher: true,
  adversarial: true,
  attackStart: 'normal',
  settings: rsladSettings,
  officialConventions: { kl_reduction: 'mean', attack_mode: 'eval' },
};
