/**
 * MTARD, described (Zhao, Yu, Sun, Zhang, Wei, "Enhanced Accuracy and Robustness via Multi-Teacher
 * Adversarial Distillation", ECCV 2022; official code zhaoshiji123/MTARD: mtard/mtard_loss.py,
 * mtard/mtard_resnet18_cifar10.py and _cifar100.py). The implementation is mtard.ts. Defaults are
 * the CIFAR-10 script's (weights 1/2 each, weight learning rate 0.025, exponent `bert` 1, the
 * weight learning rate times 0.1 at epochs 215, 260 and 285 of 300, no loss scale) but for the
 * conventions stated once for every method (the code's KL is a mean over batch and classes:
 * kl_reduction: mean).
 */
import { z } from 'zod';
import type { MethodInfo } from '../catalog/types';
import { numberOrExpression } from '../catalog/expression';
import { attackModeSetting, klReductionSetting } from './conventions.info';

/** A number setting that also accepts arithmetic such as `1/2`. */
const num = (schema: z.ZodNumber = z.number()) => numberOrExpression(schema);

export const mtardSettings = z.object({
  natural_weight: num(z.number().min(0).max(1))
    .default(0.5)
    .describe("Initial weight w_nat of the natural teacher's term; the adversarial teacher's is 1 − w_nat. MTARD's code starts both at 1/2."),
  weight_lr: num(z.number().min(0))
    .default(0.025)
    .describe("Learning rate of the online weight update w_nat ← w_nat − lr·(w_nat − r_nat / (r_adv + r_nat)) (the code's weight_learn_rate, 0.025); 0 keeps the weights fixed."),
  ratio_power: num(z.number().positive())
    .default(1)
    .describe("Exponent of each loss's ratio to its first value, r = (L / L_first)^power (the code's `bert`, 1)."),
  weight_lr_milestones: z
    .array(num(z.int().min(1)))
    .default(() => [215, 260, 285])
    .describe("Epochs from which the weight learning rate is multiplied by weight_lr_decay, as the code does with its learning rate (215, 260 and 285 of its 300 epochs)."),
  weight_lr_decay: num(z.number().positive())
    .default(0.1)
    .describe('Factor applied to the weight learning rate at each of weight_lr_milestones (the code: 0.1).'),
  loss_scale: num(z.number().positive())
    .default(1)
    .describe("Factor on both KL terms (the code: 1 in its CIFAR-10 script, 10 in its CIFAR-100 script); it does not change the weights' update, which reads ratios."),
  kl_reduction: klReductionSetting('mean'),
  attack_mode: attackModeSetting('eval'),
});

export type MtardSettings = z.infer<typeof mtardSettings>;

export const mtardInfo: MethodInfo = {
  name: 'mtard',
  title: 'Multi-Teacher Adversarial Robustness Distillation',
  summary:
    "Two teachers: the student matches a robust teacher at its adversarial x' and a naturally trained teacher at the clean x, with the two " +
      "terms' weights adapted online from how far each loss has fallen from its first value. Defaults follow MTARD's CIFAR-10 script " +
      "but for the convention of the KL summed over classes (the code averages over them: kl_reduction: mean).",
  paper: 'Zhao, Yu, Sun, Zhang, Wei, ECCV 2022',
  code: 'https://github.com/zhaoshiji123/MTARD (mtard/mtard_loss.py, mtard/mtard_resnet18_cifar10.py)',
  formula: "L = w_adv·KL(T_adv(x') ‖ S(x')) + w_nat·KL(T_nat(x) ‖ S(x)),  w_nat ← w_nat − lr·(w_nat − r_nat/(r_adv + r_nat)),  r = L / L_first",
  needsTeacher: true,
  teacherRoles: () => ['adversarial', 'natural'],
  adversarial: true,
  // mtard_inner_loss_ce starts PGD at x + 0.001·N(0, I).
  attackStart: 'normal',
  settings: mtardSettings,
  officialConventions: { kl_reduction: 'mean', attack_mode: 'eval' },
};
