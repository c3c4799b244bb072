/**
 * Backend selection: auto falls back past the absent tfjs-node packages to wasm and says why,
 * pinning works or fails with a clear error, calls are idempotent, and the selection also works
 * from the esbuild bundle run by plain Node (gradients registered, .wasm files found).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { currentBackend, selectBackend } from '../../src/engine/backend/select';
import { gradientsRegistered } from '../../src/engine/backend/gradients';
import { registerWasmKernels, wasmKernelsRegistered } from '../../src/engine/backend/kernels/register';

const root = path.resolve(__dirname, '../..');
const installed = (pkg: string): boolean => {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
};
const tfjsNodeAbsent = !installed('@tensorflow/tfjs-node') && !installed('@tensorflow/tfjs-node-gpu');

describe('selectBackend', () => {
  test('auto falls back to wasm and lists what failed', { skip: !tfjsNodeAbsent && 'tfjs-node is installed here' }, async () => {
    const info = await selectBackend('auto');
    assert.equal(info.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    // The threads are the run's worker threads, said beside the backend (threadsWords), not the instance's one.
    assert.match(info.detail, /^wasm \((no )?SIMD\) with GACD kernels$/);
    assert.deepEqual(
      info.tried.map((t) => t.name),
      ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'],
    );
    for (const t of info.tried) assert.match(t.error, /not installed \(Cannot find module '@tensorflow\/tfjs-node(-gpu)?'/);
    assert.ok(wasmKernelsRegistered(), 'GACD kernels registered');
    assert.ok(gradientsRegistered(), 'gradients registered');
    assert.deepEqual(currentBackend(), info);
  });

  test('calling again is idempotent, concurrent calls agree', async () => {
    const a = await selectBackend('auto');
    const [b, c] = await Promise.all([selectBackend('auto'), selectBackend('auto')]);
    assert.deepEqual(b, a);
    assert.deepEqual(c, a);
    registerWasmKernels();
    registerWasmKernels();
    assert.ok(wasmKernelsRegistered());
    const w1 = await selectBackend('wasm');
    const w2 = await selectBackend('wasm');
    assert.equal(w1.name, 'wasm');
    assert.deepEqual(w2, w1);
    assert.deepEqual(w1.tried, []);
  });

  test("pinning 'cpu' works, and switching back to wasm", async () => {
    const cpu = await selectBackend('cpu');
    assert.deepEqual(cpu, { name: 'cpu', detail: 'cpu (pure JS)', tried: [] });
    assert.equal(tf.getBackend(), 'cpu');
    assert.equal(currentBackend()?.name, 'cpu');
    const x = tf.tensor([1, 2, 3]);
    assert.deepEqual(Array.from(tf.grad((t: tf.Tensor) => tf.sum(tf.square(t)))(x).dataSync()), [2, 4, 6]);
    const wasm = await selectBackend('wasm');
    assert.equal(wasm.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
  });

  test("pinning 'tensorflow' without tfjs-node throws a clear error", { skip: !tfjsNodeAbsent && 'tfjs-node is installed here' }, async () => {
    await selectBackend('wasm');
    await assert.rejects(selectBackend('tensorflow'), (e: Error) => {
      assert.match(e.message, /backend 'tensorflow' could not be loaded/);
      assert.match(e.message, /@tensorflow\/tfjs-node-gpu: not installed/);
      assert.match(e.message, /@tensorflow\/tfjs-node: not installed/);
      assert.match(e.message, /npm install @tensorflow\/tfjs-node/);
      return true;
    });
    // A failed pin leaves the active backend alone.
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(currentBackend()?.name, 'wasm');
  });

  test('an unknown backend name is refused', async () => {
    await assert.rejects(selectBackend('webgl' as 'cpu'), /unknown backend 'webgl'/);
  });
});

describe('selectBackend in other processes', () => {
  test('tfjs-node present but its native binding missing: recorded with the fix, wasm chosen', () => {
    const script =
      `require(${JSON.stringify(path.join(root, 'src/engine/backend/select.ts'))})` +
      `.selectBackend('auto').then((i) => console.log(JSON.stringify(i)), (e) => { console.error(e.message); process.exit(1); });`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: root,
      env: { ...process.env, NODE_PATH: path.join(__dirname, 'fixtures', 'fake-modules') },
      encoding: 'utf8',
    });
    const info = JSON.parse(out.trim().split('\n').pop()!);
    assert.equal(info.name, 'wasm');
    const node = info.tried.find((t: { name: string }) => t.name === '@tensorflow/tfjs-node');
    assert.ok(node, JSON.stringify(info.tried));
    assert.match(node.error, /native binding missing .*tfjs_binding\.node\) can not be found/);
    assert.match(node.error, /npm rebuild @tensorflow\/tfjs-node/);
  });

  test('wasm binaries missing: auto lands on cpu saying why, pinning wasm throws', () => {
    const script =
      `const s = require(${JSON.stringify(path.join(root, 'src/engine/backend/select.ts'))});` +
      `s.selectBackend('auto').then((auto) => s.selectBackend('wasm').then(() => ({ auto, pinned: 'loaded' }), (e) => ({ auto, pinned: e.message })))` +
      `.then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e.message); process.exit(1); });`;
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', '-r', path.join(__dirname, 'fixtures', 'no-wasm-binary.cjs'), '-e', script],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const { auto, pinned } = JSON.parse(out.trim().split('\n').pop()!);
    assert.equal(auto.name, 'cpu');
    const wasm = auto.tried.find((t: { name: string }) => t.name === 'wasm');
    assert.match(wasm.error, /initialisation failed: .*ENOENT.*tfjs-backend-wasm.*\.wasm/);
    assert.match(pinned, /^backend 'wasm' could not be loaded \(wasm: initialisation failed: .*ENOENT/);
    assert.match(pinned, /npm install @tensorflow\/tfjs-backend-wasm@/);
  });

  test('from the esbuild bundle (@tensorflow/* external) under plain node', async () => {
    const { build } = await import('esbuild');
    const outDir = path.join(root, 'test-artifacts', 'backend-bundle');
    mkdirSync(outDir, { recursive: true });
    const outfile = path.join(outDir, 'entry.js');
    try {
      await build({
        entryPoints: [path.join(__dirname, 'fixtures', 'bundle-entry.ts')],
        outfile,
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        external: ['@tensorflow/*'],
        logLevel: 'error',
      });
      const out = execFileSync(process.execPath, [outfile, 'auto'], { cwd: root, encoding: 'utf8' });
      const result = JSON.parse(out.trim().split('\n').pop()!);
      assert.equal(result.backend, 'wasm');
      assert.equal(result.info.name, 'wasm');
      assert.equal(result.grad.length, 36);
      assert.ok(result.grad.some((v: number) => v !== 0));
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
