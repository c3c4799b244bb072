/**
 * The benchmark harness works end to end: the engine's `gacd bench --json` (and each
 * `gacd bench --case NAME`) and the PyTorch references all run and print well-formed figures. (No
 * timing is asserted here: figures belong to `npm run bench`.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { findMethod, methodNames } from '../../src/engine/methods/catalog';
import { rolesOf } from '../../src/engine/catalog/types';

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

// The cases of issue 5 (`gacd bench --case NAME`), each on a tiny configuration, and their PyTorch
// references with tiny sizes: the figures are well-formed and carry their process's peak RSS.

const gacdBench = (...args: string[]) => {
  const out = execFileSync(process.execPath, ['bin/gacd.js', 'bench', '--json', '--backend', 'wasm', ...args], { cwd: ROOT, encoding: 'utf8' });
  return out.trim().split('\n').map((l) => JSON.parse(l));
};
const torchBench = (script: string, ...args: string[]) => {
  const out = execFileSync('/usr/bin/python3', [path.join(ROOT, 'bench', script), ...args], { encoding: 'utf8' });
  return out.trim().split('\n').map((l) => JSON.parse(l));
};
const catalogGacd = () => findMethod('gacd')!.settings.parse({}) as Record<string, unknown>;

test('gacd bench --case eval times a PGD-20 evaluation and reports its peak RSS', () => {
  const [f, ...rest] = gacdBench('--case', 'eval', '--images', '20', '--batch', '10');
  assert.equal(rest.length, 0);
  assert.equal(f.case, 'eval');
  assert.equal(f.variant, 'pgd-20');
  assert.equal(f.workers, 1);
  assert.equal(f.images, 20);
  assert.ok(f.imagesPerSecond > 0 && Number.isFinite(f.imagesPerSecond));
  assert.ok(f.peakRssKiB > 10_000, `peak RSS ${f.peakRssKiB} KiB`);
  assert.ok(f.accuracy >= 0 && f.accuracy <= 1);
});

test('gacd bench --case gacd times PGD-AT and GACD with the catalog defaults, K capped at the split', () => {
  const figures = gacdBench('--case', 'gacd', '--steps', '1', '--batch', '16', '--train-size', '64');
  assert.deepEqual(figures.map((f) => f.variant), ['pgd-at', 'gacd']);
  for (const f of figures) assert.ok(f.imagesPerSecond > 0 && f.peakRssKiB > 0);
  const gacd = figures[1];
  assert.deepEqual(gacd.settings, catalogGacd());
  assert.equal(gacd.negatives, 63);
  assert.equal(gacd.teacher, 'small-cnn');
});

test('gacd bench --case leak: GACD steps through trainStep leave no tensor behind', () => {
  const [f] = gacdBench('--case', 'leak', '--steps', '20');
  assert.deepEqual(f.readings.map((r: { step: number }) => r.step), [2, 20]);
  assert.equal(f.tensorGrowth, 0);
  assert.ok(f.rssRatio > 0.5 && f.rssRatio < 2, `RSS ratio ${f.rssRatio}`);
});

test('gacd bench --case names the cases when given an unknown one', () => {
  assert.throws(
    () => execFileSync(process.execPath, ['bin/gacd.js', 'bench', '--case', 'nope'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' }),
    (err: { stderr: string }) => /unknown bench case 'nope'/.test(err.stderr) && /resnet/.test(err.stderr) && /leak/.test(err.stderr),
  );
});

test('the PyTorch references of the new cases run with tiny sizes and print their peak RSS', () => {
  const [resnet] = torchBench('torch_resnet.py', '--steps', '1', '--batch', '2');
  const [evaluation] = torchBench('torch_eval.py', '--images', '20', '--batch', '10');
  const [pgdAt] = torchBench('torch_gacd.py', '--method', 'pgd-at', '--steps', '1', '--batch', '16', '--train-size', '64');
  const [gacd] = torchBench('torch_gacd.py', '--method', 'gacd', '--steps', '1', '--batch', '16', '--train-size', '64', '--settings', JSON.stringify(catalogGacd()));
  for (const f of [resnet, evaluation, pgdAt, gacd]) {
    assert.ok(f.imagesPerSecond > 0 && Number.isFinite(f.imagesPerSecond));
    assert.ok(f.peakRssKiB > 10_000);
    assert.equal(f.threads, 2);
  }
  assert.equal(gacd.negatives, 63);
});

test('the PyTorch GACD reference refuses settings it does not reconstruct', () => {
  const settings = JSON.stringify({ ...catalogGacd(), critic: 'infonce' });
  assert.throws(
    () => execFileSync('/usr/bin/python3', [path.join(ROOT, 'bench', 'torch_gacd.py'), '--method', 'gacd', '--settings', settings], { encoding: 'utf8', stdio: 'pipe' }),
    /critic=nce only/,
  );
});

test('npm run bench prints the leak table (bench/run.ts --case leak)', () => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--case', 'leak', '--steps', '20'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.match(out, /Leak check/);
  assert.match(out, /tensor growth: 0/);
});

// The methods case: every registered method's step beside PGD-AT's, and TRADES's and RSLAD's beside
// PyTorch references of the same steps, on tiny sizes.

const catalogDefaults = (name: string) => findMethod(name)!.settings.parse({}) as Record<string, unknown>;

test('gacd bench --case methods times every registered method against PGD-AT, with the teachers each needs', () => {
  const figures = gacdBench('--case', 'methods', '--steps', '1', '--batch', '4', '--train-size', '64');
  const [pgdAt, ...others] = figures;
  assert.equal(pgdAt.variant, 'pgd-at');
  assert.deepEqual(others.map((f) => f.variant).sort(), methodNames.filter((m) => m !== 'pgd-at').sort());
  assert.equal(pgdAt.relativeToPgdAt, 1);
  assert.equal(pgdAt.runs.length, 2);
  assert.ok(Math.abs(pgdAt.secondsPerStep - (pgdAt.runs[0] + pgdAt.runs[1]) / 2) < 1e-12);
  for (const f of figures) {
    const info = findMethod(f.variant)!;
    assert.ok(f.secondsPerStep > 0 && Number.isFinite(f.secondsPerStep), `${f.variant}: ${f.secondsPerStep}`);
    assert.ok(Math.abs(f.relativeToPgdAt - f.secondsPerStep / pgdAt.secondsPerStep) < 1e-9);
    assert.deepEqual(f.settings, catalogDefaults(f.variant));
    assert.deepEqual(Object.keys(f.teachers), [...rolesOf(info, f.settings)], `${f.variant}: one teacher per role`);
    assert.equal(f.adversarial, info.adversarial);
    assert.equal(f.batch, 4);
  }
});

test('gacd bench --case methods --method times only those beside PGD-AT, and refuses an unregistered one', () => {
  const figures = gacdBench('--case', 'methods', '--method', 'rslad,kd', '--steps', '1', '--batch', '4', '--train-size', '64');
  assert.deepEqual(figures.map((f) => f.variant), ['pgd-at', 'rslad', 'kd']);
  assert.throws(
    () => execFileSync(process.execPath, ['bin/gacd.js', 'bench', '--case', 'methods', '--method', 'nope'], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' }),
    (err: { stderr: string }) => /times registered methods .*trades.*, not 'nope'/.test(err.stderr),
  );
});

test('the PyTorch references of the TRADES and RSLAD steps run with tiny sizes, and want the engine\'s settings', () => {
  const figures = ['pgd-at', 'trades', 'rslad'].map((m) => torchBench('torch_peers.py', '--method', m, '--steps', '1', '--batch', '4', '--settings', JSON.stringify(m === 'pgd-at' ? {} : catalogDefaults(m)))[0]);
  assert.deepEqual(figures.map((f) => f.method), ['pgd-at', 'trades', 'rslad']);
  for (const f of figures) {
    assert.ok(f.secondsPerStep > 0 && Number.isFinite(f.secondsPerStep));
    assert.ok(f.peakRssKiB > 10_000);
    assert.equal(f.threads, 2);
  }
  assert.equal(figures[1].settings.beta, 6);
  assert.throws(
    () => execFileSync('/usr/bin/python3', [path.join(ROOT, 'bench', 'torch_peers.py'), '--method', 'rslad', '--settings', '{"adv_weight": 1}'], { encoding: 'utf8', stdio: 'pipe' }),
    /lacks natural_weight, kl_reduction, attack_mode/,
  );
});

test('npm run bench prints the methods table, TRADES and RSLAD beside PyTorch (bench/run.ts --case methods)', () => {
  const args = ['--case', 'methods', '--method', 'trades,kd,rslad', '--steps', '1', '--batch', '4', '--threads', '1'];
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.match(out, /Each method's step vs PGD-AT's/);
  const rows = out.split('\n').filter((l) => /^\s+1\s+\S+\s+[\d.]+\s/.test(l)).map((l) => l.trim().split(/\s+/));
  assert.deepEqual(rows.map((r) => r[1]), ['pgd-at', 'trades', 'kd', 'rslad']);
  for (const r of rows) {
    // threads, method, engine s/step, engine x PGD-AT, pytorch s/step, pytorch x PGD-AT, engine/pytorch
    const referenced = ['pgd-at', 'trades', 'rslad'].includes(r[1]);
    assert.equal(r.slice(4).every((c) => c !== '-'), referenced, `${r[1]}: ${r.join(' ')}`);
  }
});
