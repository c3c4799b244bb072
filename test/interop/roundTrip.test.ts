/**
 * Every architecture both ways against PyTorch (Debian's python3-torch): a module of
 * python/gacd_models.py with random weights and random batch-norm statistics is saved, imported,
 * and its logits on random inputs compared with PyTorch's (relative error at most 1e-4); the
 * import is exported again and `torch.load(weights_only=True)` gives back the same tensors, which
 * the module loads strictly. The small CNNs check fc1's column permutation (at 28x28x1 and
 * 32x32x3), WideResNet a thin WRN-16-2 (the same code as WRN-34-10, whose names and shapes
 * names.test.ts covers), and the variants of a file: safetensors, `module.` keys, a state_dict
 * nested under 'state_dict', an input normalisation. The largest difference per architecture is
 * printed as a diagnostic.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { exportTorchWeights } from '../../src/engine/interop/exportTorch';
import { importTorchWeights } from '../../src/engine/interop/importTorch';
import { TensorTable } from '../../src/engine/interop/tensorTable';
import { ImageShape } from '../../src/engine/models/model';
import { readCheckpoint } from '../../src/engine/run/checkpoint';
import { logitsOf, readFloats, relativeError, ROOT, scratch, torch } from './helpers';

before(async () => {
  await tf.setBackend('cpu');
});

interface Case {
  arch: string;
  shape: ImageShape;
  classes: number;
  format?: 'pt' | 'safetensors';
  extra?: string[];
  normalization?: { mean: number[]; std: number[] };
}

const CIFAR_NORMALIZATION = { mean: [0.4914, 0.4822, 0.4465], std: [0.2471, 0.2435, 0.2616] };

const CASES: Case[] = [
  { arch: 'small-cnn', shape: [28, 28, 1], classes: 10 },
  { arch: 'tiny-cnn', shape: [32, 32, 3], classes: 7, format: 'safetensors' },
  { arch: 'preact-resnet18', shape: [32, 32, 3], classes: 10, extra: ['--prefix', 'module.'] },
  { arch: 'resnet18', shape: [32, 32, 3], classes: 10, extra: ['--nest', 'state_dict'] },
  { arch: 'mobilenetv2', shape: [32, 32, 3], classes: 10 },
  { arch: 'wrn-16-2', shape: [32, 32, 3], classes: 10, extra: ['--sub-block1'], normalization: CIFAR_NORMALIZATION },
];

for (const c of CASES) {
  const variant = [c.format, ...(c.extra ?? []), c.normalization ? 'normalised input' : ''].filter(Boolean).join(' ');
  test(`${c.arch}${variant ? ` (${variant})` : ''}: logits as PyTorch's after import, the same tensors after export`, () => {
    const dir = scratch(c.arch);
    const file = path.join(dir, `model.${c.format ?? 'pt'}`);
    const shapeFlag = c.shape.join(',');
    const norm = c.normalization ? ['--mean', c.normalization.mean.join(','), '--std', c.normalization.std.join(',')] : [];
    torch('make', c.arch, file, '--classes', String(c.classes), '--shape', shapeFlag, '--batch', '3', '--seed', '5',
      '--format', c.format ?? 'pt', ...(c.extra ?? []), ...norm);

    const folder = importTorchWeights(file, path.join(dir, 'imported'), { arch: c.arch, inputShape: c.shape, numClasses: c.classes, normalization: c.normalization });
    const ours = logitsOf(folder, readFloats(`${file}.inputs.bin`), c.shape);
    const theirs = readFloats(`${file}.logits.bin`);
    assert.equal(ours.length, theirs.length);
    const error = relativeError(ours, theirs);
    console.log(`# ${c.arch}: largest logit difference from PyTorch, relative ${error.toExponential(2)}`);
    assert.ok(error <= 1e-4, `${c.arch}: logits differ from PyTorch's by ${error} (relative)`);

    const ck = readCheckpoint(folder);
    const weights: TensorTable = new Map(
      ck.state.tensors.map((t) => [t.name, { shape: t.shape, values: ck.values.slice(t.offset, t.offset + t.length) }]),
    );
    const exported = path.join(dir, `exported.${c.format ?? 'pt'}`);
    exportTorchWeights({ arch: ck.state.arch, inputShape: c.shape, numClasses: c.classes, weights }, exported, c.format ?? 'pt');
    const same = JSON.parse(torch('same', exported, file, c.arch, '--classes', String(c.classes), '--shape', shapeFlag));
    assert.deepEqual(same.onlyExported, [], 'no key the original lacks');
    assert.deepEqual(
      same.onlyOriginal.filter((k: string) => !k.startsWith('sub_block1.')),
      [],
      'every key of the original (but TRADES\'s unused sub_block1)',
    );
    assert.equal(same.maxDiff, 0, 'the same values');
    fs.rmSync(dir, { recursive: true, force: true });
  });
}

test('gacd import and gacd export on the command line', () => {
  const dir = scratch('cli');
  const file = path.join(dir, 'teacher.pt');
  torch('make', 'tiny-cnn', file, '--classes', '10', '--shape', '32,32,3', '--batch', '2', '--seed', '9');
  const gacd = (...args: string[]) =>
    execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/engine/cli/main.ts'), ...args], { encoding: 'utf8', cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = gacd('import', file, '--arch', 'tiny-cnn', '--dataset', 'cifar10', '--out', path.join(dir, 'ck'));
  assert.match(out, /teacher: \{model: tiny-cnn, checkpoint: .*ck\}/);
  assert.ok(relativeError(logitsOf(path.join(dir, 'ck'), readFloats(`${file}.inputs.bin`), [32, 32, 3]), readFloats(`${file}.logits.bin`)) <= 1e-4);
  const exported = gacd('export', path.join(dir, 'ck'), '--out', path.join(dir, 'student.safetensors'));
  assert.match(exported, /wrote .*student\.safetensors: 8 tensors of a tiny-cnn \(safetensors\)/);
  const same = JSON.parse(torch('same', path.join(dir, 'student.safetensors'), file, 'tiny-cnn'));
  assert.equal(same.maxDiff, 0);
  fs.rmSync(dir, { recursive: true, force: true });
});
