/**
 * IAD, described (Zhu, Yao, Han, Zhang, Liu, Niu, Zhou, Xu, Yang, ICLR 2022, "Reliable Adversarial
 * Distillation with Unreliable Teachers"; official code ZFancy/IAD, IAD-I.py and IAD-II.py).
 * The implementation is iad.ts. The two scripts differ (IAD-II weights its teacher term by the
 * trust alpha_i, IAD-I does not): each is a `variant`, coded as its script codes it.
 */
import { z } from 'zod';
import type { MethodInfo } from '../catalog/types';
import { numberOrExpression } from '../catalog/expression';
import { attackModeSetting, klReductionSetting } from './conventions.info';

/** A number setting that also accepts arithmetic such as `1/0.07`. */
const num = (schema: z.ZodNumber = z.number()) => numberOrExpression(schema);

/** The warm-up of each script (`--begin`, in epochs of a 200-epoch run). */
export const IAD_BEGIN = { i: 60, ii: 40 } as const;

export const iadSettings = z.object({
  variant: z
    .enum(['i', 'ii'])
    .default('i')
    .describe(
      "'i': IAD-I as IAD-I.py codes it on top of ARD (the teacher sees the clean x, its term is not weighted by the trust); " +
        "'ii': IAD-II as IAD-II.py codes it on top of AKD² (CE at x', the robust teacher at x' weighted by the trust, and a naturally trained teacher, teachers.natural).",
    ),
  beta: num(z.number().min(0))
    .default(0.1)
    .describe("Exponent of the trust alpha_i = p_T(y_i | x'_i)^beta, the robust teacher's probability of the true class at the student's adversarial point. Both scripts' default is 0.1."),
  begin: numberOrExpression(z.int().min(0))
    .nullable()
    .default(null)
    .describe(
      'Warm-up in epochs (counted from 0, as the scripts count them): before epoch `begin` every alpha_i is 1 (the self term off), from it alpha_i = p^beta. ' +
        `null means the script's default: ${IAD_BEGIN.i} for IAD-I, ${IAD_BEGIN.ii} for IAD-II, both chosen for 200-epoch runs: scale it to the run's length (e.g. 0.3 of the epochs for IAD-I).`,
    ),
  temperature: num(z.number().positive())
    .default(1)
    .describe("Softmax temperature of the teachers' terms, which are multiplied by temperature² (the self term KL(S(x) ‖ S(x')) stays at 1). Both scripts' --temp default is 1."),
  alpha: num(z.number().min(0).max(1))
    .default(1)
    .describe("IAD-I only: ARD's weight of the two KL terms; (1 - alpha) weighs CE(S(x), y). IAD-I.py's default is 1 (CE off)."),
  alpha1: num(z.number().min(0).max(1))
    .default(0.5)
    .describe("IAD-II only: weight of the robust teacher's (trust-weighted) term; 1 - alpha1 - alpha2 weighs CE(S(x'), y). IAD-II.py's --alpha1 default is 0.5."),
  alpha2: num(z.number().min(0).max(1))
    .default(0.25)
    .describe("IAD-II only: weight of the natural teacher's term KL(T_nat(x') ‖ S(x')). IAD-II.py's --alpha2 default is 0.25."),
  kl_reduction: klReductionSetting('batchmean'),
  attack_mode: attackModeSetting('train'),
});

export type IadSettings = z.infer<typeof iadSettings>;

/** The warm-up a run uses: the setting, or its variant's script default. */
export function iadBegin(s: Pick<IadSettings, 'begin' | 'variant'>): number {
  return s.begin ?? IAD_BEGIN[s.variant];
}

export const iadInfo: MethodInfo = {
  name: 'iad',
  title: 'Introspective Adversarial Distillation',
  summary:
    "The student trusts the robust teacher on each sample as much as the teacher is right at the student's adversarial point: alpha_i = p_T(y|x')^beta " +
      "after a warm-up of `begin` epochs (1 before), and leans on its own clean prediction for the rest, weight (1 - alpha_i). x' is PGD on CE(S(·), y) from a uniform start. " +
      `Two variants as the two scripts code them: IAD-I (default) on top of ARD, IAD-II on top of AKD² with a naturally trained teacher. Defaults follow the scripts (beta 0.1, temperature 1, begin ${IAD_BEGIN.i} or ${IAD_BEGIN.ii}, ` +
      'which assume 200 epochs) but for the attack in eval mode (the scripts attack in train mode: attack_mode: train).',
  paper: 'Zhu, Yao, Han, Zhang, Liu, Niu, Zhou, Xu, Yang, ICLR 2022 (Reliable Adversarial Distillation with Unreliable Teachers)',
  code: 'https://github.com/ZFancy/IAD (IAD-I.py, IAD-II.py)',
  formula:
    "IAD-I: L = alpha·[tau²·KL(T^tau(x) ‖ S^tau(x')) + (1 − alpha_i)·KL(S(x) ‖ S(x'))] + (1 − alpha)·CE(S(x), y);  " +
    "IAD-II: L = (1 − a1 − a2)·CE(S(x'), y) + a1·tau²·[alpha_i·KL(T^tau(x') ‖ S^tau(x')) + (1 − alpha_i)·KL(S(x) ‖ S(x'))] + a2·tau²·KL(T_nat^tau(x') ‖ S^tau(x'));  alpha_i = p_T(y_i|x'_i)^beta",
  needsTeacher: true,
  teacherRoles: (s) => (s.variant === 'ii' ? ['adversarial', 'natural'] : ['adversarial']),
  adversarial: true,
  settings: iadSettings,
  sampleWeights: { scheme: "trust p_T(y|x')^beta" },
  officialConventions: { kl_reduction: 'batchmean', attack_mode: 'train' },
};
