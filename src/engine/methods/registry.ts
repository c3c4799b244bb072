/** The method implementations by name; their descriptions live in catalog.ts. */
import { ard } from './ard';
import { gacd } from './gacd';
import { MethodFactory } from './method';
import { natural } from './natural';
import { pgdAt } from './pgdAt';

export const methodImplementations: Record<string, MethodFactory> = {
  natural,
  'pgd-at': pgdAt,
  ard,
  gacd,
};
