/**
 * The method implementations by name, one line each. Its type requires an implementation for every
 * method of the catalog (catalog.ts, tfjs-free), so a description without one does not compile.
 */
import { adaad } from './adaad';
import { ard } from './ard';
import type { MethodName } from './catalog';
import { crd } from './crd';
import { gacd } from './gacd';
import { iad } from './iad';
import { igdm } from './igdm';
import { kd } from './kd';
import { MethodFactory } from './method';
import { mtard } from './mtard';
import { natural } from './natural';
import { pgdAt } from './pgdAt';
import { rslad } from './rslad';
import { trades } from './trades';

export const methodImplementations: { readonly [name in MethodName]: MethodFactory } = {
  natural,
  'pgd-at': pgdAt,
  ard,
  gacd,
  trades,
  kd,
  rslad,
  iad,
  adaad,
  igdm,
  crd,
  mtard,
};

/** The factory of a method by name; an unknown name is an error that lists the known ones. */
export function methodFactory(name: string): MethodFactory {
  const factory = (methodImplementations as Record<string, MethodFactory>)[name];
  if (!factory) throw new Error(`unknown method '${name}' (known: ${Object.keys(methodImplementations).join(', ')})`);
  return factory;
}
