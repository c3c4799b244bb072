/**
 * The name maps against PyTorch's modules by names and shapes only (no weights): every
 * architecture of the catalog has a map, and the full-size WideResNets that are slow to run here
 * (WRN-34-10 with TRADES's sub_block1, and WRN-28-10) map every parameter of ours to a
 * key of PyTorch's state_dict with its shape, and use every key but the droppable ones. Also: the
 * checkpoint folders of an import carry run/checkpoint.ts's format, and a `.pt` teacher's import
 * is cached beside it and made again only when the file or the settings change.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { architectureOf, TORCH_NAMES } from '../../src/engine/interop/architectures';
import { CHECKPOINT_FORMAT as IMPORT_FORMAT } from '../../src/engine/interop/checkpointFolder';
import { importedCheckpoint, importFolderOf, isTorchWeightsFile } from '../../src/engine/interop/importedCheckpoint';
import { torchShapeOf } from '../../src/engine/interop/layouts';
import { modelNames } from '../../src/engine/models/catalog';
import { wideResnet } from '../../src/engine/models/wideResnet';
import { CHECKPOINT_FORMAT, readCheckpoint } from '../../src/engine/run/checkpoint';
import { logitsOf, readFloats, relativeError, scratch, torch } from './helpers';

before(async () => {
  await tf.setBackend('cpu');
});

const dir = scratch('names');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('every architecture of the catalog has a PyTorch name map', () => {
  assert.deepEqual(Object.keys(TORCH_NAMES).sort(), [...modelNames].sort());
});

for (const [name, depth, widen] of [['wrn-34-10', 34, 10], ['wrn-28-10', 28, 10]] as const) {
  test(`${name}: every parameter maps to TRADES's key and shape, every key is used or dropped`, () => {
    const { arch, options, names } = architectureOf(name);
    assert.equal(arch, 'wrn-34-10');
    assert.deepEqual(options, { depth, widen });
    const theirs: Record<string, number[]> = JSON.parse(torch('shapes', name, '--sub-block1'));
    // Our names and shapes, from the model itself (the variables' shapes do not depend on the input size).
    const model = wideResnet({ inputShape: [8, 8, 3], numClasses: 10, seed: 0, options });
    const ours = model.params.entries().map(([n, v]) => ({ name: n, shape: v.shape }));
    model.params.dispose();
    const used = new Set<string>();
    for (const p of ours) {
      const key = names.keysOf(p.name)[0];
      assert.ok(key in theirs, `${p.name}: PyTorch has no ${key}`);
      assert.deepEqual(torchShapeOf(names.layoutOf(p, { inputShape: [32, 32, 3], numClasses: 10 }), p.shape), theirs[key], key);
      used.add(key);
    }
    const left = Object.keys(theirs).filter((k) => !used.has(k) && !names.ignores(k));
    assert.deepEqual(left, [], 'keys of PyTorch that are neither used nor dropped');
  });
}

test('an import writes run/checkpoint.ts\'s format', () => {
  assert.equal(IMPORT_FORMAT, CHECKPOINT_FORMAT);
});

test('importedCheckpoint imports a .pt teacher once, beside it, and again when the file or the settings change', () => {
  const file = path.join(dir, 'teacher.pt');
  torch('make', 'small-cnn', file, '--classes', '10', '--shape', '32,32,3', '--batch', '2', '--seed', '3');
  assert.ok(isTorchWeightsFile(file));
  assert.ok(!isTorchWeightsFile(dir));
  const opts = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };
  const folder = importedCheckpoint(file, 'small-cnn', opts);
  assert.equal(folder, importFolderOf(file));
  assert.equal(folder, `${file}.gacd-import`);
  assert.equal(readCheckpoint(folder).state.arch, 'small-cnn');
  assert.ok(relativeError(logitsOf(folder, readFloats(`${file}.inputs.bin`), [32, 32, 3]), readFloats(`${file}.logits.bin`)) <= 1e-4);
  const savedAt = () => readCheckpoint(folder).state.savedAt;
  const first = savedAt();

  importedCheckpoint(file, 'small-cnn', opts);
  assert.equal(savedAt(), first, 'the cached import is reused');

  const later = new Date(Date.now() + 5000);
  fs.utimesSync(file, later, later);
  importedCheckpoint(file, 'small-cnn', opts);
  assert.equal(savedAt(), first, 'touched but unchanged (same SHA-256): reused');

  importedCheckpoint(file, 'small-cnn', { ...opts, normalization: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } });
  const second = savedAt();
  assert.notEqual(second, first, 'another normalisation: imported again');

  torch('make', 'small-cnn', file, '--classes', '10', '--shape', '32,32,3', '--batch', '2', '--seed', '4');
  importedCheckpoint(file, 'small-cnn', opts);
  assert.notEqual(savedAt(), second, 'another file: imported again');
  assert.ok(relativeError(logitsOf(folder, readFloats(`${file}.inputs.bin`), [32, 32, 3]), readFloats(`${file}.logits.bin`)) <= 1e-4);

  assert.throws(() => importedCheckpoint(path.join(dir, 'absent.pt'), 'small-cnn', opts), /absent\.pt: no such file/);
});
