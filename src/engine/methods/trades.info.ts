/**
 * TRADES, described (Zhang, Yu, Jiao, Xing, El Ghaoui, Jordan, ICML 2019; official code
 * yaodongyu/TRADES, trades.py and train_trades_{cifar10,mnist}.py). The implementation is trades.ts.
 */
import { z } from 'zod';
import type { MethodInfo } from '../catalog/types';
import { numberOrExpression } from '../catalog/expression';
import { attackModeSetting, klReductionSetting } from './conventions.info';

/** A number setting that also accepts arithmetic such as `1/0.07`. */
const num = (schema: z.ZodNumber = z.number()) => numberOrExpression(schema);

export const tradesSettings = z.object({
  beta: num(z.number().min(0))
    .default(6)
    .describe(
      'Weight of the robust term KL(f(x) ‖ f(x\')) against CE on clean inputs (1/lambda in the paper). ' +
        "TRADES's code default is 6 on CIFAR-10 (train_trades_cifar10.py) and 1.0 on MNIST (train_trades_mnist.py).",
    ),
  kl_reduction: klReductionSetting('batchmean'),
  attack_mode: attackModeSetting('eval'),
});

export type TradesSettings = z.infer<typeof tradesSettings>;

export const tradesInfo: MethodInfo = {
  name: 'trades',
  title: 'TRADES',
  summary:
    "Trades clean accuracy for robustness without a teacher: CE on clean inputs plus beta times the KL from the model's clean prediction to its prediction at x', " +
      "the point of the epsilon ball that maximises that KL (PGD from x + 0.001·N(0, I), the model in eval mode). Defaults follow TRADES's code: beta 6 as on CIFAR-10 " +
      '(its MNIST script uses 1.0), the KL summed over classes and averaged over the batch; the CIFAR-10 script attacks with epsilon 0.031, step 0.007, 10 steps (set them in training.attack).',
  paper: 'Zhang, Yu, Jiao, Xing, El Ghaoui, Jordan, ICML 2019 (arXiv:1901.08573)',
  code: 'https://github.com/yaodongyu/TRADES (trades.py, train_trades_cifar10.py, train_trades_mnist.py)',
  formula: "L = CE(f(x), y) + beta·KL(f(x) ‖ f(x')),  x' = PGD_eps(x + 0.001·N(0, I)) maximising KL(f(x) ‖ f(·))",
  needsTeacher: false,
  adversarial: true,
  attackStart: 'normal',
  settings: tradesSettings,
  officialConventions: { kl_reduction: 'batchmean', attack_mode: 'eval' },
};
