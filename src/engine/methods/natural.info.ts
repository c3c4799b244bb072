/**
 * Natural training, described: cross-entropy on clean inputs, the non-robust baseline.
 * The implementation is natural.ts.
 */
import { z } from 'zod';
import type { MethodInfo } from '../catalog/types';
import { numberOrExpression } from '../catalog/expression';

/** A number setting that also accepts arithmetic such as `1/0.07`. */
const num = (schema: z.ZodNumber = z.number()) => numberOrExpression(schema);

export const naturalSettings = z.object({});

export const naturalInfo: MethodInfo = {
  name: 'natural',
  title: 'Natural training',
  summary: 'Standard training with cross-entropy on clean inputs; no teacher, no attack. The non-robust baseline.',
  code: 'none needed (the standard training loop)',
  formula: 'L = CE(S(x), y)',
  needsTeacher: false,
  adversarial: false,
  settings: naturalSettings,
};
