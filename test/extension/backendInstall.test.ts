/** Install GPU Backend without internet: a clear failure, naming the package and the cause. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { installBackend } from '../../src/extension/engine/backendInstall';

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
