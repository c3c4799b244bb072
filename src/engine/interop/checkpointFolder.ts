/**
 * Writes a checkpoint folder in the format of run/checkpoint.ts (`state.json` and `tensors.bin`,
 * format `gacd-checkpoint/1`) for weights that come from elsewhere: a completed model with no
 * optimizer or method state, which `readCheckpoint` and `loadWeights` read like any other.
 *
 * This folder sits below run/ (a run imports it to use a `.pt` teacher), so it cannot call
 * run/checkpoint.ts's writer; test/interop checks that readCheckpoint reads what this writes.
 * Besides the usual fields, the state records the architecture's `options` (a WideResNet's depth
 * and widen), the teacher's input `normalization` and where the weights were `imported` from.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputNormalization } from '../models/model';
import { TensorTable } from './tensorTable';

export const CHECKPOINT_FORMAT = 'gacd-checkpoint/1';

/** Where imported weights came from: what the cache compares to decide whether to import again. */
export interface ImportSource {
  file: string;
  size: number;
  mtimeMs: number;
  sha256: string;
  /** The architecture as given (`wrn-28-10`), and the settings the import was made with. */
  archName: string;
  importedAt: string;
}

export interface ImportedState {
  arch: string;
  inputShape: number[];
  numClasses: number;
  options?: Record<string, number>;
  normalization?: InputNormalization;
  imported: ImportSource;
}

/** Writes `weights` (our names and layouts) as a checkpoint folder `dir`, replacing any folder there. */
export function writeImportedCheckpoint(dir: string, state: ImportedState, weights: TensorTable): void {
  const tensors: Array<{ name: string; group: 'model'; shape: number[]; offset: number; length: number }> = [];
  let offset = 0;
  for (const [name, t] of weights) {
    tensors.push({ name, group: 'model', shape: t.shape, offset, length: t.values.length });
    offset += t.values.length;
  }
  const all = new Float32Array(offset);
  for (const e of tensors) all.set(weights.get(e.name)!.values, e.offset);
  const full = {
    format: CHECKPOINT_FORMAT,
    ...state,
    model: 'teacher',
    method: 'imported',
    epoch: 0,
    step: 0,
    completed: true,
    rng: { dataEpochStart: [0, 0, 0, 1], attack: [0, 0, 0, 1] },
    methodState: [],
    tensors,
    savedAt: new Date().toISOString(),
  };
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    fs.mkdirSync(tmp, { recursive: true });
    writeDurable(path.join(tmp, 'tensors.bin'), new Uint8Array(all.buffer));
    writeDurable(path.join(tmp, 'state.json'), JSON.stringify(full, null, 1));
    replaceDir(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** The state.json of a checkpoint folder, or null when there is none or it does not parse. */
export function readImportedState(dir: string): (ImportedState & { format: string }) | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
  } catch {
    return null;
  }
}

function writeDurable(file: string, data: string | Uint8Array): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Puts the finished folder `tmp` at `dir`: a rename, after moving an older `dir` aside (a rename
 * cannot replace a non-empty folder), so `dir` is never half written.
 */
function replaceDir(tmp: string, dir: string): void {
  const old = `${dir}.old-${process.pid}`;
  const hadOld = fs.existsSync(dir);
  if (hadOld) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  if (hadOld) fs.rmSync(old, { recursive: true, force: true });
}
