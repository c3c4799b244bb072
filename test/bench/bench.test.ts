/**
 * The benchmark harness works end to end: the engine's `gacd bench --json` and the PyTorch
 * reference step both run and print well-formed figures. (No timing is asserted here: figures
 * belong to `npm run bench`.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

test('gacd bench --json prints one figure per thread count and shape', () => {
  const out = execFileSync(process.execPath, ['bin/gacd.js', 'bench', '--json', '--steps', '1', '--backend', 'wasm'], { cwd: ROOT, encoding: 'utf8' });
  const figures = out.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual([...new Set(figures.map((f) => f.shape))], ['28x28x1', '32x32x3']);
  for (const f of figures) {
    assert.equal(f.backend, 'wasm');
    assert.ok(f.imagesPerSecond > 0 && Number.isFinite(f.imagesPerSecond));
    assert.equal(f.batch, 128);
  }
  assert.ok(figures.some((f) => f.workers === 1));
});

test('the PyTorch reference step runs with Debian torch', () => {
  const out = execFileSync('/usr/bin/python3', [path.join(ROOT, 'bench', 'torch_step.py'), '1'], { encoding: 'utf8' });
  const figures = out.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(figures.map((f) => f.shape), ['28x28x1', '32x32x3']);
  for (const f of figures) assert.ok(f.imagesPerSecond > 0);
});
