/**
 * Descriptions of the attacks (tfjs-free): what the experiment schema accepts and hover shows. All
 * are L-inf attacks on inputs in [0, 1]; epsilon comes from the experiment (training.attack or
 * evaluation), not from these settings. The implementations live next to this file.
 */
import { z } from 'zod';
import type { AttackInfo } from '../catalog/types';
import { numberOrExpression } from '../catalog/expression';

const stepSize = numberOrExpression(z.number().positive())
  .nullable()
  .default(null)
  .describe('Size of each signed-gradient step; null means epsilon/4.');

export const fgsmSettings = z.object({
  random_start: z
    .boolean()
    .default(false)
    .describe('Start from a uniform random point in the epsilon ball instead of the clean input.'),
});

export const pgdSettings = z.object({
  steps: z.int().min(1).default(20).describe('Number of PGD steps.'),
  step_size: stepSize,
  random_start: z.boolean().default(true).describe('Start from a uniform random point in the epsilon ball.'),
  loss: z
    .enum(['ce', 'kl', 'cw'])
    .default('ce')
    .describe("Loss to maximise: 'ce' with the true label, 'kl' to a reference output (TRADES/RSLAD style), 'cw' the Carlini-Wagner margin."),
});

export const cwSettings = z.object({
  steps: z.int().min(1).default(30).describe('Number of PGD steps on the margin loss.'),
  step_size: stepSize,
  random_start: z.boolean().default(true).describe('Start from a uniform random point in the epsilon ball.'),
  confidence: numberOrExpression(z.number().min(0))
    .default(50)
    .describe('Margin kappa at which the loss saturates, max(max_{j≠y} z_j − z_y, −kappa); 50 as in IAD\'s evaluation.'),
});

export type PgdSettings = z.infer<typeof pgdSettings>;
export type CwSettings = z.infer<typeof cwSettings>;

export const attacks: AttackInfo[] = [
  {
    name: 'fgsm',
    title: 'Fast Gradient Sign Method',
    summary: 'One signed-gradient step of size epsilon on the CE loss: the weakest attack, a sanity check.',
    paper: 'Goodfellow, Shlens, Szegedy, ICLR 2015 (arXiv:1412.6572)',
    formula: "x' = clip_[0,1](x + eps·sign(∇_x CE(f(x), y)))",
    settings: fgsmSettings,
  },
  {
    name: 'pgd',
    title: 'Projected Gradient Descent',
    summary: 'Iterated signed-gradient steps projected back onto the epsilon ball and [0, 1], from a random start. `pgd-20` is the usual evaluation.',
    paper: 'Madry, Makelov, Schmidt, Tsipras, Vladu, ICLR 2018 (arXiv:1706.06083)',
    formula: "x_{k+1} = Π_{B_eps(x) ∩ [0,1]}(x_k + a·sign(∇_x L(f(x_k), y))),  x_0 = x + U(−eps, eps)",
    settings: pgdSettings,
  },
  {
    name: 'cw',
    title: 'Carlini-Wagner (L-inf, PGD on the margin loss)',
    summary: 'PGD that maximises the Carlini-Wagner margin instead of CE, the usual "CW-inf" of robust-distillation tables (30 steps).',
    paper: 'Carlini and Wagner, IEEE S&P 2017 (arXiv:1608.04644)',
    formula: "L_cw = max(max_{j≠y} z_j − z_y, −kappa), maximised with L-inf PGD",
    settings: cwSettings,
  },
];

export const attackNames: string[] = attacks.map((a) => a.name);

export function findAttack(name: string): AttackInfo | undefined {
  return attacks.find((a) => a.name === name);
}
