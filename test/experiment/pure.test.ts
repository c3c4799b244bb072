import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

/** Loads `module` in a fresh node and lists the TensorFlow.js modules that came with it. */
function tfjsLoadedBy(module: string): string[] {
  const script = `
    require(${JSON.stringify(path.join(root, module))});
    const loaded = Object.keys(require.cache).filter((k) => /@tensorflow|tfjs/.test(k));
    process.stdout.write(JSON.stringify(loaded));
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('the experiment module loads no TensorFlow.js (the language server depends on it)', () => {
  for (const m of ['src/engine/experiment/load.ts', 'src/engine/experiment/index.ts', 'src/engine/cli/checkCommand.ts']) {
    assert.deepEqual(tfjsLoadedBy(m), [], m);
  }
});

test('the check above would notice TensorFlow.js', () => {
  assert.ok(tfjsLoadedBy('node_modules/@tensorflow/tfjs-core').length > 0);
});
