/**
 * Checkpoints: everything needed to continue a model's training exactly where it stopped.
 * A checkpoint is a folder with `state.json` (architecture, position, RNG states, a table of
 * tensors) and `tensors.bin` (their float32 values, one after another). The folder is written under
 * a temporary name, flushed and renamed into place; the model's pointer file (checkpointStore.ts)
 * is replaced atomically after that, so a crash or a full disk mid-write leaves the previous
 * checkpoint in charge.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Model } from '../models/model';
import { Params } from '../models/params';
import { RngState } from '../util/rng';
import { publishDirAtomic, writeFileDurable } from './atomicWrite';

export const CHECKPOINT_FORMAT = 'gacd-checkpoint/1';

export interface TensorEntry {
  name: string;
  group: 'model' | 'method-params' | 'optimizer';
  shape: number[];
  offset: number;
  length: number;
}

export interface CheckpointState {
  format: string;
  arch: string;
  inputShape: number[];
  numClasses: number;
  /** Which model of the run (`teacher`, `student`, `baseline:natural`). */
  model: string;
  method: string;
  /** Epochs fully done, and steps done within the next one (mid-epoch stop). */
  epoch: number;
  step: number;
  completed: boolean;
  /** The data stream's state at the start of the current epoch, and the attack stream's now. */
  rng: { dataEpochStart: RngState; attack: RngState };
  /** Method state that is not a tfjs variable (memory banks): name -> offset/length in a side file. */
  methodState: Array<{ name: string; offset: number; length: number }>;
  tensors: TensorEntry[];
  /** What the model was built with beyond the architecture (written by gacd import: a WideResNet's depth and width). */
  options?: Record<string, unknown>;
  /** An input normalisation the model applies inside the network (written by gacd import). */
  normalization?: { mean: number[]; std: number[] };
  /** Free-form numbers worth keeping with the weights (e.g. recorded metrics). */
  metrics?: Record<string, number>;
  savedAt: string;
}

export interface CheckpointContents {
  model: Model;
  methodParams: Params | null;
  optimizer: Array<[string, tf.Tensor]>;
  methodState: Record<string, Float32Array | number[]>;
}

/** Writes a checkpoint folder `dir` atomically. */
export function writeCheckpoint(dir: string, meta: Omit<CheckpointState, 'format' | 'tensors' | 'methodState' | 'savedAt'>, c: CheckpointContents): void {
  const tensors: TensorEntry[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  const add = (name: string, group: TensorEntry['group'], t: tf.Tensor) => {
    const values = t.dataSync() as Float32Array;
    tensors.push({ name, group, shape: t.shape, offset, length: values.length });
    chunks.push(values);
    offset += values.length;
  };
  for (const [name, v] of c.model.params.entries()) add(name, 'model', v);
  for (const [name, v] of c.methodParams?.entries() ?? []) add(name, 'method-params', v);
  for (const [name, t] of c.optimizer) add(name, 'optimizer', t);
  const methodState: CheckpointState['methodState'] = [];
  for (const [name, values] of Object.entries(c.methodState)) {
    const arr = values instanceof Float32Array ? values : Float32Array.from(values);
    methodState.push({ name, offset, length: arr.length });
    chunks.push(arr);
    offset += arr.length;
  }
  const all = new Float32Array(offset);
  let at = 0;
  for (const ch of chunks) {
    all.set(ch, at);
    at += ch.length;
  }
  const state: CheckpointState = { format: CHECKPOINT_FORMAT, ...meta, tensors, methodState, savedAt: new Date().toISOString() };
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  try {
    fs.mkdirSync(tmp, { recursive: true });
    // The folder is private until the rename, so its files need no temporary names of their own,
    // only a flush; publishDirAtomic flushes the folder and its parent around the rename.
    writeFileDurable(path.join(tmp, 'tensors.bin'), new Uint8Array(all.buffer));
    writeFileDurable(path.join(tmp, 'state.json'), JSON.stringify(state, null, 1));
    publishDirAtomic(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

export interface LoadedCheckpoint {
  state: CheckpointState;
  values: Float32Array;
}

/** Reads a checkpoint folder; errors name the folder and what is wrong with it. */
export function readCheckpoint(dir: string): LoadedCheckpoint {
  const stateFile = path.join(dir, 'state.json');
  const binFile = path.join(dir, 'tensors.bin');
  if (!fs.existsSync(stateFile)) {
    throw new Error(`${dir}: not a checkpoint (no state.json); point teacher.checkpoint at a folder written by gacd run`);
  }
  let state: CheckpointState;
  try {
    state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as CheckpointState;
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    throw new Error(`${stateFile}: not valid JSON (${err.message}); the checkpoint is truncated or corrupt, use an earlier one`);
  }
  if (state.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${stateFile}: checkpoint format '${state.format}' is not ${CHECKPOINT_FORMAT}`);
  }
  // A plain error, not the file system's ENOENT: callers report errno errors as failed writes.
  if (!fs.existsSync(binFile)) throw new Error(`${binFile}: missing; the checkpoint is incomplete, use an earlier one`);
  const bytes = fs.readFileSync(binFile);
  const expected = [...state.tensors, ...state.methodState].reduce((n, t) => Math.max(n, t.offset + t.length), 0) * 4;
  if (bytes.length !== expected) {
    throw new Error(`${binFile}: expected ${expected} bytes, found ${bytes.length}; the checkpoint is truncated or corrupt, use an earlier one`);
  }
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return { state, values };
}

/**
 * Copies a checkpoint's weights into `model` (and the method's heads when given). Refuses a
 * checkpoint of another architecture, naming both, and any missing or misshapen tensor.
 */
export function loadWeights(ck: LoadedCheckpoint, model: Model, where: string, methodParams?: Params | null): void {
  const { state, values } = ck;
  if (state.arch !== model.arch) {
    throw new Error(`${where}: the checkpoint is a ${state.arch}, but the experiment asks for a ${model.arch}; set model: ${state.arch} or use a ${model.arch} checkpoint`);
  }
  const byName = new Map(state.tensors.map((t) => [`${t.group}:${t.name}`, t]));
  const assign = (group: TensorEntry['group'], params: Params) => {
    for (const [name, v] of params.entries()) {
      const e = byName.get(`${group}:${name}`);
      if (!e) throw new Error(`${where}: the checkpoint has no tensor ${name}; it was written for another configuration`);
      if (e.shape.join('x') !== v.shape.join('x')) {
        throw new Error(`${where}: tensor ${name} has shape [${e.shape}] in the checkpoint but [${v.shape}] in the model (different input size or number of classes?)`);
      }
      v.assign(tf.tensor(values.subarray(e.offset, e.offset + e.length), e.shape));
    }
  };
  tf.tidy(() => {
    assign('model', model.params);
    if (methodParams) assign('method-params', methodParams);
  });
}

/** The optimizer's momentum buffers as tensors, by variable name. */
export function optimizerState(ck: LoadedCheckpoint): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const e of ck.state.tensors.filter((t) => t.group === 'optimizer')) {
    out.set(e.name, tf.tensor(ck.values.subarray(e.offset, e.offset + e.length), e.shape));
  }
  return out;
}

export function methodStateOf(ck: LoadedCheckpoint): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  for (const e of ck.state.methodState) out[e.name] = ck.values.slice(e.offset, e.offset + e.length);
  return out;
}
