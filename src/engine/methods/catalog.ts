/**
 * The catalog of training methods (tfjs-free): what the experiment schema accepts under `method:`,
 * `baselines:` and `teacher.train`, and what hover shows. Each method registers here with one line
 * (its description, `<name>.info.ts`); its implementation registers in registry.ts, whose type
 * requires one for every name listed here.
 */
import type { MethodInfo } from '../catalog/types';
import { adaadInfo } from './adaad.info';
import { ardInfo } from './ard.info';
import { crdInfo } from './crd.info';
import { gacdInfo, RECONSTRUCTED } from './gacd.info';
import { iadInfo } from './iad.info';
import { igdmInfo } from './igdm.info';
import { kdInfo } from './kd.info';
import { mtardInfo } from './mtard.info';
import { naturalInfo } from './natural.info';
import { pgdAtInfo } from './pgdAt.info';
import { rsladInfo } from './rslad.info';
import { tradesInfo } from './trades.info';

export const methods = [
  naturalInfo,
  pgdAtInfo,
  ardInfo,
  gacdInfo,
  tradesInfo,
  kdInfo,
  rsladInfo,
  iadInfo,
  adaadInfo,
  igdmInfo,
  crdInfo,
  mtardInfo,
] as const satisfies readonly MethodInfo[];

/** The names of the catalogued methods, as a type (the implementation registry is keyed by it). */
export type MethodName = (typeof methods)[number]['name'];

export const methodNames: string[] = methods.map((m) => m.name);

export function findMethod(name: string): MethodInfo | undefined {
  return methods.find((m) => m.name === name);
}

/** A method setting whose value the method's paper does not confirm. */
export interface UnconfirmedSetting {
  method: string;
  setting: string;
  /** Why it is unconfirmed (a full sentence). */
  reason: string;
  /** The default chosen and why (a full sentence). */
  chosen: string;
}

/** Every method's unconfirmed settings; the language server shows an information note for each. */
export const unconfirmed: UnconfirmedSetting[] = methods.flatMap((m: MethodInfo) => (m.unconfirmed ?? []).map((u) => ({ method: m.name, ...u })));

/** The phrase that hover text and notes use for every unconfirmed GACD choice. */
export const reconstructedNote = RECONSTRUCTED;
