/** Install GPU Backend: a clear failure naming the package and its real cause, and a cancel that stops npm. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installBackend, installFailureCause } from '../../src/extension/engine/backendInstall';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-install-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

function fakeNpm(script: string): string {
  const file = path.join(work, `npm-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return file;
}

test('an offline install says that internet is needed and that wasm stays in use', async () => {
  const lines: string[] = [];
  const npm = fakeNpm('echo "npm error code ENOTFOUND" >&2; echo "npm error getaddrinfo ENOTFOUND registry.npmjs.org" >&2; exit 1');
  const r = await installBackend('tfjs-node-gpu', path.join(work, 'backends'), { npm, onOutput: (l) => lines.push(l) });
  assert.equal(r.ok, false);
  assert.match(r.message, /^Installing @tensorflow\/tfjs-node-gpu failed: there is no internet access/);
  assert.match(r.message, /keeps using the wasm backend/);
  assert.ok(lines.some((l) => /ENOTFOUND/.test(l)));
  assert.ok(fs.existsSync(path.join(work, 'backends', 'package.json')));
});

test('a missing npm is named; a successful install says what happens next', async () => {
  const missing = await installBackend('tfjs-node', path.join(work, 'b2'), { npm: path.join(work, 'no-such-npm') });
  assert.equal(missing.ok, false);
  assert.match(missing.message, /Could not run npm/);
  const args = path.join(work, 'args.txt');
  const ok = await installBackend('tfjs-node', path.join(work, 'b3'), { npm: fakeNpm(`echo "$@" > ${args}`) });
  assert.equal(ok.ok, true);
  assert.match(fs.readFileSync(args, 'utf8'), /^install --prefix .*b3 --no-audit --no-fund @tensorflow\/tfjs-node@4\.22\.0/);
  assert.match(ok.message, /New runs use it/);
});

test('a failed install script is told by its cause, not by npm\'s framing', async () => {
  // What npm 10 prints when tfjs-node's install step finds no prebuilt binding and cannot build one.
  const script = [
    'npm error code 1',
    'npm error path /home/u/.vscode/gacd/backends/node_modules/@tensorflow/tfjs-node',
    'npm error command failed',
    'npm error command sh -c node scripts/install.js',
    'npm error * Downloading libtensorflow',
    'npm error node-pre-gyp info it worked if it ends with ok',
    'npm error node-pre-gyp ERR! install response status 404 Not Found on https://storage.googleapis.com/tf-builds/pre-built-binary/napi-v8/4.22.0/CPU-linux-4.22.0.tar.gz',
    'npm error gyp ERR! stack Error: not found: make',
    'npm error A complete log of this run can be found in: /home/u/.npm/_logs/2026-11-30T02_00_00_000Z-debug-0.log',
  ];
  const npm = fakeNpm(`${script.map((l) => `echo '${l}' >&2`).join('; ')}; exit 1`);
  const r = await installBackend('tfjs-node', path.join(work, 'b4'), { npm });
  assert.equal(r.ok, false);
  assert.match(r.message, /^Installing @tensorflow\/tfjs-node failed: no prebuilt native binding fits this Node\.js \(v\d+[^)]*\), and building one needs make, which is not installed\./);
  assert.match(r.message, /npm said: gyp ERR! stack Error: not found: make/);
  assert.doesNotMatch(r.message, /complete log|code 1/);

  const unknown = installFailureCause('npm error code 1\nnpm error something odd happened\nnpm error A complete log of this run can be found in: /x.log\n', 1);
  assert.deepEqual(unknown, { why: 'npm exited with code 1', said: 'something odd happened' });
  assert.match(installFailureCause('npm error code EACCES\nnpm error syscall mkdir\nnpm error Error: EACCES: permission denied, mkdir \'/opt/b\'\n', 243).why, /^permission denied/);
  assert.equal(installFailureCause('npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/@tensorflow%2ftfjs-node-gpu\n', 1).why, 'the registry has no 4.22.0 of the package');
});

test('an install can be cancelled: npm is stopped and the result says so', async () => {
  const started = path.join(work, 'started');
  const npm = fakeNpm(`touch ${started}; echo downloading; sleep 30; echo done`);
  const abort = new AbortController();
  const lines: string[] = [];
  const t0 = Date.now();
  const pending = installBackend('tfjs-node-gpu', path.join(work, 'b5'), { npm, signal: abort.signal, onOutput: (l) => {
    lines.push(l);
    abort.abort();
  } });
  const r = await pending;
  assert.equal(r.ok, false);
  assert.equal(r.cancelled, true);
  assert.match(r.message, /^Installing @tensorflow\/tfjs-node-gpu was cancelled/);
  assert.ok(Date.now() - t0 < 10_000, 'npm did not run to its end');
  assert.deepEqual(lines, ['downloading']);
  assert.ok(fs.existsSync(started));
  const before = await installBackend('tfjs-node', path.join(work, 'b6'), { npm: fakeNpm('sleep 30'), signal: AbortSignal.abort() });
  assert.equal(before.cancelled, true, 'a signal aborted already cancels at once');
});
