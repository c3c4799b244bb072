/**
 * A dataset restricted to some of its classes, relabelled 0..k-1 in the order given: the
 * cross-task setting of GACD's third claim (a teacher trained on Fashion-MNIST classes 0-4
 * guiding a student on classes 5-9), and any study on a subset of a label set.
 */
import type { DatasetInfo } from '../catalog/types';
import type { Split } from './types';
import { takeSamples } from './types';

/** Checks a class list against a dataset: distinct indices within its classes, at least two. */
export function checkClassList(classes: readonly number[], info: DatasetInfo): void {
  const bad = classes.find((c) => !Number.isInteger(c) || c < 0 || c >= info.numClasses);
  if (bad !== undefined) throw new Error(`class ${bad} is not a class of ${info.name} (0..${info.numClasses - 1})`);
  if (new Set(classes).size !== classes.length) throw new Error(`the class list [${classes.join(', ')}] repeats a class`);
  if (classes.length < 2) throw new Error('a class subset needs at least two classes');
}

/** The samples of `split` whose class is listed, labelled by their place in `classes`. */
export function keepClasses(split: Split, classes: readonly number[]): Split {
  const newLabel = new Map(classes.map((c, k) => [c, k]));
  const kept: number[] = [];
  for (let i = 0; i < split.count; i++) if (newLabel.has(split.labels[i])) kept.push(i);
  const out = takeSamples(split, kept);
  for (let i = 0; i < out.count; i++) out.labels[i] = newLabel.get(out.labels[i])!;
  return { ...out, numClasses: classes.length };
}

/** The dataset's description with only those classes, in that order. */
export function infoWithClasses(info: DatasetInfo, classes: readonly number[]): DatasetInfo {
  return { ...info, numClasses: classes.length, classNames: classes.map((c) => info.classNames[c]) };
}
