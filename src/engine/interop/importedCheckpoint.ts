/**
 * A teacher given as a PyTorch file (`teacher: {model: wrn-34-10, checkpoint: robust.pt}`): the
 * file is imported on first use into a checkpoint folder beside it, `<file>.gacd-import/`, and
 * that folder is used from then on. It is imported again when the file changes (its size or
 * modification time differ and its SHA-256 too) or when the import would be made differently
 * (another architecture, input shape, number of classes or normalisation).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ImageShape, InputNormalization } from '../models/model';
import { CHECKPOINT_FORMAT, ImportedState, readImportedState } from './checkpointFolder';
import { importTorchWeights, sha256Of } from './importTorch';

export interface ImportedCheckpointOptions {
  inputShape: ImageShape;
  numClasses: number;
  normalization?: InputNormalization;
}

/** The file extensions that name a PyTorch weights file rather than a checkpoint folder. */
export const TORCH_WEIGHT_EXTENSIONS = ['.pt', '.pth', '.safetensors'];

/** Whether a teacher's `checkpoint:` path names a PyTorch weights file (to import) rather than a folder. */
export function isTorchWeightsFile(file: string): boolean {
  return TORCH_WEIGHT_EXTENSIONS.includes(path.extname(file).toLowerCase()) && !(fs.existsSync(file) && fs.statSync(file).isDirectory());
}

/** The cache folder of `file`'s import. */
export function importFolderOf(file: string): string {
  return `${path.resolve(file)}.gacd-import`;
}

/**
 * The checkpoint folder holding `file`'s weights as architecture `arch` (a catalog name or
 * `wrn-D-W`), imported now if the cached one is missing or stale. Needs a TensorFlow.js backend
 * set (see importTorch.ts). Errors name the file and say what to fix.
 */
export function importedCheckpoint(file: string, arch: string, opts: ImportedCheckpointOptions): string {
  const where = path.resolve(file);
  if (!fs.existsSync(where)) throw new Error(`${where}: no such file; teacher.checkpoint must name a .pt or .safetensors file or a checkpoint folder`);
  const folder = importFolderOf(where);
  const cached = readImportedState(folder);
  if (!cached || !isFresh(cached, where, arch, opts)) importTorchWeights(where, folder, { arch, ...opts });
  return folder;
}

function isFresh(state: ImportedState & { format: string }, file: string, arch: string, opts: ImportedCheckpointOptions): boolean {
  const source = state.imported;
  if (state.format !== CHECKPOINT_FORMAT || !source || !fs.existsSync(path.join(importFolderOf(file), 'tensors.bin'))) return false;
  const sameSettings =
    source.archName === arch &&
    JSON.stringify(state.inputShape) === JSON.stringify(opts.inputShape) &&
    state.numClasses === opts.numClasses &&
    JSON.stringify(state.normalization ?? null) === JSON.stringify(opts.normalization ?? null);
  if (!sameSettings) return false;
  const stat = fs.statSync(file);
  if (stat.size === source.size && stat.mtimeMs === source.mtimeMs) return true;
  // Touched but perhaps not changed (a copy, a checkout): the content decides.
  return stat.size === source.size && sha256Of(file) === source.sha256;
}
