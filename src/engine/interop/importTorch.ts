/**
 * `gacd import`'s work: a PyTorch state_dict file (torch.save zip or safetensors) to a checkpoint
 * folder of ours, through the architecture's name map. Our parameters' names and shapes come from
 * building the model itself, so the map can never drift from the architecture; that needs a
 * TensorFlow.js backend to be set (any: only variables are created).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImageShape, InputNormalization } from '../models/model';
import { buildModel } from '../models/registry';
import { architectureOf } from './architectures';
import { writeImportedCheckpoint } from './checkpointFolder';
import { weightsFromTorch } from './convert';
import { readStateDict } from './stateDictFile';
import { ParamSpec } from './torchNames';

export interface ImportOptions {
  /** As `--arch` takes it: a catalog architecture, or `wrn-DEPTH-WIDTH`. */
  arch: string;
  /** The dataset's image shape (height, width, channels) and number of classes. */
  inputShape: ImageShape;
  numClasses: number;
  /** The mean and std the PyTorch model applied to its [0, 1] input inside its forward pass, if it did. */
  normalization?: InputNormalization;
}

/** Imports `file` into the checkpoint folder `out` (replacing it) and returns `out`. */
export function importTorchWeights(file: string, out: string, opts: ImportOptions): string {
  const where = path.resolve(file);
  const { arch, options, names } = architectureOf(opts.arch);
  const params = paramsOf(arch, opts, options);
  const table = readStateDict(where);
  const weights = weightsFromTorch(table, {
    file: where,
    label: opts.arch,
    names,
    params,
    model: { inputShape: opts.inputShape, numClasses: opts.numClasses },
  });
  const stat = fs.statSync(where);
  writeImportedCheckpoint(
    out,
    {
      arch,
      inputShape: opts.inputShape,
      numClasses: opts.numClasses,
      ...(options ? { options } : {}),
      ...(opts.normalization ? { normalization: opts.normalization } : {}),
      imported: { file: where, size: stat.size, mtimeMs: stat.mtimeMs, sha256: sha256Of(where), archName: opts.arch, importedAt: new Date().toISOString() },
    },
    weights,
  );
  return out;
}

/** Our parameters of `arch` for this input, by building the model (which also checks the normalisation). */
function paramsOf(arch: string, opts: ImportOptions, options?: Record<string, number>): ParamSpec[] {
  const model = buildModel(arch, { inputShape: opts.inputShape, numClasses: opts.numClasses, seed: 0, options, normalization: opts.normalization });
  try {
    return model.params.entries().map(([name, v]) => ({ name, shape: v.shape }));
  } finally {
    model.params.dispose();
  }
}

/** The file's SHA-256, read in chunks (a WRN-34-10 is 185 MB). */
export function sha256Of(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 22);
    for (let n; (n = fs.readSync(fd, chunk, 0, chunk.length, null)) > 0; ) hash.update(chunk.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}
