/**
 * The conventions on which the official codes of the distillation methods disagree, stated once
 * (research/algorithm.md, section 4.7), as settings every method that has the choice shares:
 *   kl_reduction  how a KL term is reduced: 'batchmean' (sum over classes, mean over the batch: the
 *                 mathematical KL, as TRADES, IAD and AdaAD on CIFAR-100 code it; our default) or
 *                 'mean' (mean over batch and classes, PyTorch's `KLDivLoss()` default, as ARD,
 *                 RSLAD and AdaAD on CIFAR-10 code it): 'mean' makes the term C times smaller on C
 *                 classes;
 *   attack_mode   the student's mode while the training attack runs: 'eval' (batch-norm running
 *                 statistics, as TRADES, RSLAD and AdaAD code it; our default) or 'train' (batch
 *                 statistics, each attack step updating the running averages, as ARD and IAD code it).
 * tfjs-free: method descriptions and `gacd check` read it.
 */
import { z } from 'zod';

export const klReductions = ['batchmean', 'mean'] as const;
export type KlReduction = (typeof klReductions)[number];

export const attackModes = ['eval', 'train'] as const;
export type AttackMode = (typeof attackModes)[number];

/** The `kl_reduction` setting; `codeUses` is what the method's official code does. */
export function klReductionSetting(codeUses: KlReduction) {
  return z
    .enum(klReductions)
    .default('batchmean')
    .describe(
      "How KL terms are reduced: 'batchmean' sums over the classes and averages over the batch (the mathematical KL, our convention for every method); " +
        `'mean' also averages over the classes (PyTorch's KLDivLoss() default), which makes the term C times smaller on C classes. This method's official code uses '${codeUses}'.`,
    );
}

/** The `attack_mode` setting; `codeUses` is what the method's official code does. */
export function attackModeSetting(codeUses: AttackMode) {
  return z
    .enum(attackModes)
    .default('eval')
    .describe(
      "The student's mode while the training attack runs: 'eval' uses batch-norm running statistics (our convention for every method); " +
        `'train' uses the batch's statistics and updates the running averages at every attack step. This method's official code uses '${codeUses}'.`,
    );
}

/** What the official codes do, for `gacd check` to compare with a file's choice. */
export interface CodeConventions {
  kl_reduction?: KlReduction;
  attack_mode?: AttackMode;
}
