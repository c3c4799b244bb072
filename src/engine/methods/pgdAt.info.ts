/**
 * PGD adversarial training, described (Madry et al., ICLR 2018; official code MadryLab/cifar10_challenge).
 * The implementation is pgdAt.ts.
 */
import { z } from 'zod';
import type { MethodInfo } from '../catalog/types';
import { numberOrExpression } from '../catalog/expression';

/** A number setting that also accepts arithmetic such as `1/0.07`. */
const num = (schema: z.ZodNumber = z.number()) => numberOrExpression(schema);

export const pgdAtSettings = z.object({});

export const pgdAtInfo: MethodInfo = {
  name: 'pgd-at',
  title: 'PGD adversarial training',
  summary:
    'Adversarial training on PGD examples generated against the model itself, with CE on the true label (training.attack sets the attack).',
  paper: 'Madry, Makelov, Schmidt, Tsipras, Vladu, ICLR 2018 (arXiv:1706.06083)',
  code: 'https://github.com/MadryLab/cifar10_challenge',
  formula: "L = CE(S(x'), y),  x' = PGD_eps(x) maximising CE(S(·), y)",
  needsTeacher: false,
  adversarial: true,
  settings: pgdAtSettings,
};
