/**
 * The method implementations by name, one line each. Its type requires an implementation for every
 * method of the catalog (catalog.ts, tfjs-free), so a description without one does not compile.
 */
import { ard } from './ard';
import type { MethodName } from './catalog';
import { gacd } from './gacd';
import { MethodFactory } from './method';
import { natural } from './natural';
import { pgdAt } from './pgdAt';

export const methodImplementations: { readonly [name in MethodName]: MethodFactory } = {
  natural,
  'pgd-at': pgdAt,
  ard,
  gacd,
};

/** The factory of a method by name; an unknown name is an error that lists the known ones. */
export function methodFactory(name: string): MethodFactory {
  const factory = (methodImplementations as Record<string, MethodFactory>)[name];
  if (!factory) throw new Error(`unknown method '${name}' (known: ${Object.keys(methodImplementations).join(', ')})`);
  return factory;
}
