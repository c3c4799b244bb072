import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './helpers';

/**
 * Engine files the language server may include: the experiment module, the catalog leaf and the
 * tfjs-free descriptions (each folder's catalog.ts and *.info.ts: the methods', the dataset locator).
 */
const ALLOWED_ENGINE = /^src\/engine\/(experiment\/[^/]+|catalog\/[^/]+|(methods|attacks|models|data)\/catalog|(methods|attacks|models|data)\/[^/]+\.info)\.ts$/;

test('the bundled language server contains no TensorFlow.js and no engine code beyond the schema', async () => {
  const result = await build({
    entryPoints: [path.join(repoRoot, 'src/server/server.ts')],
    absWorkingDir: repoRoot,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs);
  assert.ok(inputs.some((i) => i.includes('vscode-languageserver')), 'the bundle was analysed');
  assert.deepEqual(inputs.filter((i) => /tensorflow/i.test(i)), []);
  assert.deepEqual(inputs.filter((i) => i.startsWith('src/engine/') && !ALLOWED_ENGINE.test(i)), []);
});

test('loading the server and running every feature loads no TensorFlow.js module', async () => {
  const service = await import('../../src/server/service/languageService');
  await import('../../src/server/connection');
  const ls = service.createLanguageService();
  const d = { id: 'x', filePath: path.join(repoRoot, 'test/experiment/fixtures/quickstart.gacd'), version: 1, text: 'method:\n  name: gacd\n' };
  ls.validate(d);
  ls.complete(d, { line: 1, character: 8 });
  ls.hover(d, { line: 1, character: 8 });
  ls.codeActions(d, { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } });
  const loaded = Object.keys(require.cache);
  assert.ok(loaded.some((m) => m.includes(`${path.sep}src${path.sep}server${path.sep}`)), 'the module list is the one this test loaded');
  assert.deepEqual(loaded.filter((m) => /tensorflow/i.test(m)), []);
});
