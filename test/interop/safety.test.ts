/**
 * What an import refuses, and how it says so: pickles that would run code (os.system, eval) are
 * refused by the global's name and nothing runs; truncated and corrupt files, missing, extra and
 * mis-shaped keys, the wrong architecture and the wrong number of classes are errors that name the
 * file, the key and the shape expected, and the fix. Also the restricted unpickler's opcodes, and
 * the zip writer read back by the reader.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { importTorchWeights } from '../../src/engine/interop/importTorch';
import { unpickle } from '../../src/engine/interop/pickle';
import { writeStateDict } from '../../src/engine/interop/stateDictFile';
import { TensorTable } from '../../src/engine/interop/tensorTable';
import { readZip, writeZip } from '../../src/engine/interop/zip';
import { scratch, torch } from './helpers';

before(async () => {
  await tf.setBackend('cpu');
});

const dir = scratch('safety');
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const CIFAR = { inputShape: [32, 32, 3] as [number, number, number], numClasses: 10 };

/** A tiny-cnn state_dict for 32x32x3 inputs and 10 classes, in PyTorch's layout, zeros. */
function tinyCnnTable(): TensorTable {
  const shapes: Record<string, number[]> = {
    'conv1.weight': [16, 3, 3, 3], 'conv1.bias': [16], 'conv2.weight': [32, 16, 3, 3], 'conv2.bias': [32],
    'fc1.weight': [64, 8 * 8 * 32], 'fc1.bias': [64], 'fc2.weight': [10, 64], 'fc2.bias': [10],
  };
  return new Map(Object.entries(shapes).map(([k, s]) => [k, { shape: s, values: new Float32Array(s.reduce((a, b) => a * b, 1)) }]));
}

function importError(file: string, arch = 'tiny-cnn', numClasses = 10): Error {
  try {
    importTorchWeights(file, path.join(dir, 'out'), { arch, inputShape: CIFAR.inputShape, numClasses });
  } catch (err) {
    return err as Error;
  }
  assert.fail(`importing ${file} as ${arch} succeeded`);
}

for (const kind of ['system', 'eval']) {
  test(`a pickle that would call ${kind === 'system' ? 'os.system' : 'builtins.eval'} is refused by name and nothing runs`, () => {
    const file = path.join(dir, `hostile-${kind}.pt`);
    const sideEffect = path.join(dir, `ran-${kind}`);
    torch('hostile', file, sideEffect, kind);
    assert.ok(!fs.existsSync(sideEffect), 'saving did not run it');
    const err = importError(file);
    assert.match(err.message, new RegExp(`refused: the pickle asks for the Python global '${kind === 'system' ? 'posix\\.system' : '(__builtin__|builtins)\\.eval'}'`));
    assert.match(err.message, /nothing from the file was run/);
    assert.ok(err.message.startsWith(file), 'names the file');
    assert.ok(!fs.existsSync(sideEffect), 'importing did not run it');
    assert.ok(!fs.existsSync(path.join(dir, 'out')), 'no checkpoint written');
  });
}

test('a truncated or corrupt file names the file, what is wrong and the fix', () => {
  const good = path.join(dir, 'good.pt');
  writeStateDict(good, tinyCnnTable(), 'pt');
  const bytes = fs.readFileSync(good);

  const truncated = path.join(dir, 'truncated.pt');
  fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
  assert.match(importError(truncated).message, new RegExp(`^${truncated}: not a readable zip archive \\(.*\\); the file is truncated or corrupt, download or save it again`));

  const flipped = path.join(dir, 'flipped.pt');
  const copy = Uint8Array.from(bytes);
  copy[copy.length - 2000] ^= 0xff; // inside the last tensor's data
  fs.writeFileSync(flipped, copy);
  assert.match(importError(flipped).message, /fails its CRC-32 check\); the file is truncated or corrupt/);

  const text = path.join(dir, 'notes.pt');
  fs.writeFileSync(text, 'not a checkpoint at all');
  assert.match(importError(text).message, /neither a torch.save zip archive nor a safetensors file; .*torch\.save\(model\.state_dict\(\)/);

  const st = path.join(dir, 'short.safetensors');
  writeStateDict(st, tinyCnnTable(), 'safetensors');
  fs.writeFileSync(st, fs.readFileSync(st).subarray(0, 1000));
  assert.match(importError(st).message, /short\.safetensors: not a readable safetensors file \(.*\); it is truncated or corrupt/);
});

test('a missing, an extra and a mis-shaped key are named with the shape expected', () => {
  const missing = tinyCnnTable();
  missing.delete('conv2.bias');
  const m = path.join(dir, 'missing.pt');
  writeStateDict(m, missing, 'pt');
  assert.match(importError(m).message, /does not fit a tiny-cnn for 32x32x3 inputs and 10 classes: missing conv2\.bias \[32\]/);

  const extra = tinyCnnTable();
  extra.set('fc3.weight', { shape: [2, 2], values: new Float32Array(4) });
  const e = path.join(dir, 'extra.pt');
  writeStateDict(e, extra, 'safetensors');
  assert.match(importError(e).message, /unexpected fc3\.weight \[2, 2\]/);

  const misshaped = tinyCnnTable();
  misshaped.set('conv1.weight', { shape: [16, 3, 5, 5], values: new Float32Array(16 * 3 * 25) });
  const s = path.join(dir, 'misshaped.pt');
  writeStateDict(s, misshaped, 'pt');
  assert.match(importError(s).message, /conv1\.weight has shape \[16, 3, 5, 5\], expected \[16, 3, 3, 3\]/);

  // Batch-norm counters and a normalisation's buffers: dropped, and named with the fix.
  const normalised = tinyCnnTable();
  normalised.set('mu', { shape: [1, 3, 1, 1], values: new Float32Array(3) });
  const n = path.join(dir, 'mu.pt');
  writeStateDict(n, normalised, 'pt');
  assert.match(importError(n).message, /unexpected mu \[1, 3, 1, 1\] \(an input normalisation\? give it as --mean and --std\)/);
});

test('the wrong architecture and the wrong number of classes say what the file looks like', () => {
  const file = path.join(dir, 'tiny.pt');
  writeStateDict(file, tinyCnnTable(), 'pt');
  assert.match(importError(file, 'small-cnn').message, /does not fit a small-cnn .*fix: the file looks like a tiny-cnn: use --arch tiny-cnn/);
  assert.match(importError(file, 'resnet18').message, /missing conv1\.weight \[64, 3, 3, 3\]|conv1\.weight has shape \[16, 3, 3, 3\], expected \[64, 3, 3, 3\]/);
  const classes = importError(file, 'tiny-cnn', 100).message;
  assert.match(classes, /fc2\.weight has shape \[10, 64\], expected \[100, 64\] \(the file's classifier has 10 classes, the dataset 100\)/);
  assert.match(classes, /fix: choose the dataset the model was trained on \(--dataset\)/);
  assert.match(importError(file, 'vgg16').message, /unknown architecture 'vgg16'; known: small-cnn, .*wrn-DEPTH-WIDTH/);
});

test('the unpickler builds data and refuses code: unknown globals, object-creating opcodes, bad input', () => {
  const file = 'test.pkl';
  const globals = { 'collections.OrderedDict': { call: () => new Map() } };
  // {'a': [1, 2.5, 'x', None, True]} in protocol 2.
  const data = Uint8Array.from([0x80, 2, 0x7d, 0x71, 0, 0x58, 1, 0, 0, 0, 0x61, 0x5d, 0x71, 1, 0x28, 0x4b, 1,
    0x47, 0x40, 0x04, 0, 0, 0, 0, 0, 0, 0x58, 1, 0, 0, 0, 0x78, 0x4e, 0x88, 0x65, 0x73, 0x2e]);
  assert.deepEqual(unpickle(data, { file, globals }), new Map([['a', [1, 2.5, 'x', null, true]]]));
  // GLOBAL 'os\nsystem' then anything.
  const hostile = Uint8Array.from([0x80, 2, 0x63, ...Buffer.from('os\nsystem\n'), 0x58, 2, 0, 0, 0, 0x6c, 0x73, 0x85, 0x52, 0x2e]);
  assert.throws(() => unpickle(hostile, { file, globals }), /test\.pkl: refused: the pickle asks for the Python global 'os\.system'/);
  // STACK_GLOBAL of builtins.exec, protocol 4 style.
  const stackGlobal = Uint8Array.from([0x80, 4, 0x8c, 8, ...Buffer.from('builtins'), 0x8c, 4, ...Buffer.from('exec'), 0x93, 0x2e]);
  assert.throws(() => unpickle(stackGlobal, { file, globals }), /'builtins\.exec'/);
  // NEWOBJ and INST are refused by name.
  assert.throws(() => unpickle(Uint8Array.from([0x80, 2, 0x81, 0x2e]), { file, globals }), /opcode 0x81 \(NEWOBJ\)/);
  assert.throws(() => unpickle(Uint8Array.from([0x69]), { file, globals }), /opcode 0x69 \(INST\)/);
  // Truncated, or a call of something that is not an accepted callable.
  assert.throws(() => unpickle(Uint8Array.from([0x80, 2, 0x58, 9, 0, 0, 0, 0x61]), { file, globals }), /the pickle ends early/);
  assert.throws(() => unpickle(Uint8Array.from([0x80, 2, 0x4e, 0x29, 0x52, 0x2e]), { file, globals }), /not an accepted callable/);
});

test('the zip writer aligns records to 64 bytes and its archives read back', () => {
  const entries = [
    { name: 'archive/data.pkl', data: Uint8Array.from([1, 2, 3]) },
    { name: 'archive/data/0', data: new Uint8Array(new Float32Array([1, 2, 3]).buffer) },
  ];
  const bytes = writeZip(entries);
  const read = readZip(bytes, 'x.zip');
  assert.deepEqual([...read.keys()], entries.map((e) => e.name));
  for (const e of entries) {
    assert.deepEqual(read.get(e.name), e.data);
    assert.equal(read.get(e.name)!.byteOffset % 64, 0, `${e.name} starts on a 64-byte boundary`);
  }
});
