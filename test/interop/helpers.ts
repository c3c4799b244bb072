/**
 * What the interop tests share: PyTorch's side (test/interop/torch_fixture.py run by Debian's
 * python3-torch at /usr/bin/python3, as the bench tests run theirs), a scratch folder, float32
 * files, and the logits of an imported checkpoint.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { ImageShape, InputNormalization } from '../../src/engine/models/model';
import { buildModel } from '../../src/engine/models/registry';
import { loadWeights, readCheckpoint } from '../../src/engine/run/checkpoint';

export const ROOT = path.join(__dirname, '..', '..');
const FIXTURE = path.join(__dirname, 'torch_fixture.py');

/** Runs torch_fixture.py with `args`; its stdout. */
export function torch(...args: string[]): string {
  return execFileSync('/usr/bin/python3', [FIXTURE, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function scratch(name: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `gacd-interop-${name}-`));
}

export function readFloats(file: string): Float32Array {
  return new Float32Array(Uint8Array.from(fs.readFileSync(file)).buffer);
}

/** The eval-mode logits of the checkpoint folder `dir` on NHWC `inputs`, through readCheckpoint and loadWeights. */
export function logitsOf(dir: string, inputs: Float32Array, shape: ImageShape): Float32Array {
  const ck = readCheckpoint(dir);
  const extra = ck.state as typeof ck.state & { options?: Record<string, number>; normalization?: InputNormalization };
  const model = buildModel(ck.state.arch, {
    inputShape: shape,
    numClasses: ck.state.numClasses,
    seed: 0,
    options: extra.options,
    normalization: extra.normalization,
  });
  try {
    loadWeights(ck, model, dir);
    const n = inputs.length / (shape[0] * shape[1] * shape[2]);
    return tf.tidy(() => model.apply(tf.tensor4d(inputs, [n, ...shape]), { training: false }).logits.dataSync() as Float32Array);
  } finally {
    model.params.dispose();
  }
}

/** max |a - b| / max |b|. */
export function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}
