/**
 * AdaAD, described (Huang, Xu, Zhang, Chen, Wang, Chen, CVPR 2023, "Boosting Accuracy and
 * Robustness of Student Models via Adaptive Adversarial Distillation"; official code
 * boyellow/AdaAD, AT_helper.py `adaad_inner_loss` and main.py `--method AdaAD | AdaAD_with_IAD1`).
 * The implementation is adaad.ts.
 */
import { z } from 'zod';
import type { MethodInfo } from '../catalog/types';
import { numberOrExpression } from '../catalog/expression';
import { attackModeSetting, klReductionSetting } from './conventions.info';

/** A number setting that also accepts arithmetic such as `1/0.07`. */
const num = (schema: z.ZodNumber = z.number()) => numberOrExpression(schema);

export const adaadSettings = z.object({
  alpha: num(z.number().min(0).max(1))
    .default(1)
    .describe("Weight of KL(T(x') ‖ S(x')); (1 - alpha) weighs KL(T(x) ‖ S(x)). main.py's --AdaAD_alpha default is 1 (the clean term off). Unused with reweight: iad."),
  reweight: z
    .enum(['none', 'iad'])
    .default('none')
    .describe(
      "'none': AdaAD. 'iad': AdaIAD, main.py's AdaAD_with_IAD1: AdaAD's attack with IAD-I's loss, its teacher queried at x' at iad_temperature, " +
        "plus (1 - alpha_i)·KL(S(x) ‖ S(x')) with the trust alpha_i = p_T(y|x')^iad_beta after iad_begin epochs.",
    ),
  iad_begin: numberOrExpression(z.int().min(0))
    .default(60)
    .describe("reweight: iad only. Warm-up in epochs (from 0, as main.py counts them): alpha_i = 1 before it. main.py's --IAD_begin default is 60, for 200 epochs: scale it to the run's length."),
  iad_beta: num(z.number().min(0))
    .default(0.1)
    .describe("reweight: iad only. Exponent of the trust alpha_i = p_T(y_i | x'_i)^beta. main.py's --IAD_beta default is 0.1."),
  iad_alpha: num(z.number().min(0).max(1))
    .default(1)
    .describe("reweight: iad only. Weight of the two KL terms; (1 - iad_alpha) weighs CE(S(x), y). main.py's --IAD_alpha default is 1 (CE off)."),
  iad_temperature: num(z.number().positive())
    .default(30)
    .describe("reweight: iad only. Softmax temperature of the teacher term, which is multiplied by temperature². main.py's --temp default is 30 (plain AdaAD has none)."),
  kl_reduction: klReductionSetting('mean'),
  attack_mode: attackModeSetting('eval'),
});

export type AdaadSettings = z.infer<typeof adaadSettings>;

export const adaadInfo: MethodInfo = {
  name: 'adaad',
  title: 'Adaptive Adversarial Distillation',
  summary:
    "The teacher joins the inner maximisation: x' maximises KL(T(x') ‖ S(x')) with the gradient through both models (from x + 0.001·N(0, I), the student in eval mode), " +
      "and the student matches the teacher at that same x'. The paper's larger search radius (epsilon 16/255, step 4/255 in main.py's defaults; 8/255 and 2/255 in the README's main command) " +
      "is simply training.attack. Option reweight: iad is AdaIAD (main.py's AdaAD_with_IAD1). Defaults follow main.py but for the KL summed over classes " +
      "(main.py averages over them on CIFAR-10, kl_reduction: mean, and sums on CIFAR-100 and in AdaIAD).",
  paper: 'Huang, Xu, Zhang, Chen, Wang, Chen, CVPR 2023 (Boosting Accuracy and Robustness of Student Models via Adaptive Adversarial Distillation)',
  code: 'https://github.com/boyellow/AdaAD (AT_helper.py, main.py)',
  formula:
    "x' = argmax KL(T(x') ‖ S(x'));  L = alpha·KL(T(x') ‖ S(x')) + (1 − alpha)·KL(T(x) ‖ S(x));  " +
    "AdaIAD: L = a·[tau²·KL(T^tau(x') ‖ S^tau(x')) + (1 − alpha_i)·KL(S(x) ‖ S(x'))] + (1 − a)·CE(S(x), y)",
  needsTeacher: true,
  adversarial: true,
  attackStart: 'normal',
  settings: adaadSettings,
  sampleWeights: { schemeSetting: 'reweight' },
  officialConventions: { kl_reduction: 'mean', attack_mode: 'eval' },
};
