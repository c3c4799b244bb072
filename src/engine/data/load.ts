/**
 * Loading a dataset by name: find it (locate.ts), read it with its layout's reader, check it
 * against the catalog, and take class-balanced subsets when sizes are asked for.
 */
import type { DatasetInfo } from '../catalog/types';
import { Rng } from '../util/rng';
import { findDataset, datasetNames } from './catalog';
import { readCifar10, readCifar100 } from './cifar';
import { readIdxSplit } from './idx';
import { locateDataset, sources, type LocateOptions, type Located } from './locate.info';
import { readStl10 } from './stl10';
import { balancedIndices, balancedSubset } from './subset';
import { takeSamples } from './types';
import { checkClassList, infoWithClasses, keepClasses } from './classSubset';
import { downsample, infoWithSize } from './downsample';
import type { LoadedDataset, Split } from './types';

export interface LoadOptions {
  /** The experiment's `path:` (resolve it against the experiment file's folder first). */
  path?: string;
  /** A class-balanced subset of this many training samples (default: all). */
  trainSize?: number;
  /** A class-balanced subset of this many test samples (default: all). */
  testSize?: number;
  /** Keep only these classes, relabelled 0..k-1 in this order (default: all). */
  classes?: readonly number[];
  /** Shrink the images to size x size by an integer factor (area averaging); default: as stored. */
  resize?: number;
  /**
   * Hold this many training images out as the validation split (class-balanced); 'auto' holds
   * out 10% of them, at most 1,000; default none.
   */
  validationSize?: number | 'auto';
  /** Seeds the subset selection. */
  seed: number;
  /** Check the standard record counts of CIFAR and STL-10 files (default true). */
  strict?: boolean;
  /** Overrides for where to look (tests): environment, Debian folder, cache root, package root. */
  locate?: Omit<LocateOptions, 'path'>;
}

export async function loadDataset(name: string, opts: LoadOptions): Promise<LoadedDataset> {
  let info = findDataset(name);
  if (!info || !sources[name]) {
    throw new Error(`Unknown dataset "${name}"; known: ${datasetNames.join(', ')}.`);
  }
  const located = locateDataset(name, { ...opts.locate, path: opts.path });
  let { train, test } = await readLocated(located, info, opts.strict ?? true);
  checkSplit(train, info, located, 'training');
  checkSplit(test, info, located, 'test');
  if (opts.classes) {
    checkClassList(opts.classes, info);
    train = keepClasses(train, opts.classes);
    test = keepClasses(test, opts.classes);
    info = infoWithClasses(info, opts.classes);
  }
  if (opts.resize !== undefined && opts.resize !== info.shape[0]) {
    train = downsample(train, opts.resize, info.name);
    test = downsample(test, opts.resize, info.name);
    info = infoWithSize(info, opts.resize);
  }

  // Separate streams, so the training subset does not depend on whether a test size is given.
  const rng = new Rng(opts.seed);
  const trainRng = new Rng(rng.nextUint32());
  const testRng = new Rng(rng.nextUint32());
  const validationRng = new Rng(rng.nextUint32());
  if (opts.trainSize !== undefined) train = balancedSubset(train, checkSize(opts.trainSize, train, name, 'trainSize'), trainRng);
  if (opts.testSize !== undefined) test = balancedSubset(test, checkSize(opts.testSize, test, name, 'testSize'), testRng);
  let validation = takeSamples(train, []);
  const validationSize = opts.validationSize === 'auto' ? autoValidationSize(train.count) : opts.validationSize;
  if (validationSize !== undefined && validationSize > 0) {
    if (validationSize >= train.count) {
      throw new Error(`validation_size ${validationSize} leaves no training images: ${name} has ${train.count} here; hold out fewer`);
    }
    ({ held: validation, rest: train } = holdOut(train, validationSize, validationRng));
  }
  return { info, train, validation, test, source: located.source };
}

/** The validation split `validation_size: null` means: 10% of the training images, at most 1,000. */
export function autoValidationSize(trainCount: number): number {
  return Math.min(1000, Math.round(trainCount * 0.1));
}

/** A class-balanced, seeded subset held out of `split`, and the rest in their original order. */
function holdOut(split: Split, size: number, rng: Rng): { held: Split; rest: Split } {
  const picked = balancedIndices(split.labels, split.numClasses, size, rng);
  const isHeld = new Uint8Array(split.count);
  for (const i of picked) isHeld[i] = 1;
  const rest: number[] = [];
  for (let i = 0; i < split.count; i++) if (!isHeld[i]) rest.push(i);
  return { held: takeSamples(split, picked), rest: takeSamples(split, rest) };
}

async function readLocated(located: Located, info: DatasetInfo, strict: boolean): Promise<{ train: Split; test: Split }> {
  const f = located.files;
  switch (sources[located.name].layout) {
    case 'idx': {
      const [train, test] = await Promise.all([
        readIdxSplit(f.trainImages, f.trainLabels, info.numClasses),
        readIdxSplit(f.testImages, f.testLabels, info.numClasses),
      ]);
      return { train, test };
    }
    case 'cifar10':
      return readCifar10(located.dir, { strict });
    case 'cifar100':
      return readCifar100(located.dir, { strict });
    case 'stl10':
      return readStl10(located.dir, { strict });
  }
}

function checkSplit(split: Split, info: DatasetInfo, located: Located, which: string): void {
  if (split.shape.join('x') !== info.shape.join('x')) {
    throw new Error(
      `${located.source}: the ${which} images are ${split.shape.join('x')}, but ${info.name} images are ` +
        `${info.shape.join('x')}; is this folder another dataset?`,
    );
  }
  if (split.count === 0) throw new Error(`${located.source}: the ${which} split is empty; re-download the dataset.`);
}

function checkSize(size: number, split: Split, name: string, key: string): number {
  if (!Number.isInteger(size) || size < 1 || size > split.count) {
    throw new Error(
      `${key} ${size} must be a whole number from 1 to ${split.count}, the number of ${key === 'trainSize' ? 'training' : 'test'} ` +
        `samples in ${name}.`,
    );
  }
  return size;
}
