import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { checkCommand } from '../../src/engine/cli/checkCommand';
import { formatProblem, hasErrors, sortProblems } from '../../src/engine/experiment/problems';
import type { Problem } from '../../src/engine/experiment/problems';
import { fixtures } from './helpers';

const base: Problem = {
  file: 'exp.gacd',
  line: 3,
  column: 14,
  endLine: 3,
  endColumn: 15,
  severity: 'error',
  code: 'epsilon-units',
  message: 'epsilon 8 is outside [0, 1]',
  fix: 'did you mean 8/255?',
};

test('the formatter writes FILE:LINE:COL: severity: message (fix: ...)', () => {
  assert.equal(formatProblem(base), 'exp.gacd:3:14: error: epsilon 8 is outside [0, 1] (fix: did you mean 8/255?)');
  assert.equal(
    formatProblem({ ...base, severity: 'warning', fix: undefined, message: 'weak' }),
    'exp.gacd:3:14: warning: weak',
  );
  assert.equal(formatProblem({ ...base, severity: 'info', line: 1, column: 1, fix: undefined, message: 'note' }), 'exp.gacd:1:1: info: note');
});

test('problems sort by position, errors first at the same place', () => {
  const a = { ...base, line: 5 };
  const b = { ...base, severity: 'info' as const, line: 2 };
  const c = { ...base, severity: 'warning' as const, line: 2 };
  const d = { ...base, line: 2 };
  assert.deepEqual(sortProblems([a, b, c, d]), [d, c, b, a]);
  assert.equal(hasErrors([b, c]), false);
  assert.equal(hasErrors([b, a]), true);
});

test('check prints every problem of every file and exits 1 on an error', () => {
  const file = path.join(fixtures, 'bad.gacd');
  const lines: string[] = [];
  assert.equal(checkCommand([file], (l) => lines.push(l)), 1);
  assert.deepEqual(lines, [
    `${file}:3:12: error: unknown dataset "cifar-10"; known: fashion-mnist-mini, fashion-mnist, mnist, cifar10, cifar100, stl10 (fix: did you mean cifar10?)`,
    `${file}:4:3: error: unknown key "augmnt" in data (fix: did you mean augment?)`,
    `${file}:8:9: error: unknown method "gcad"; known: natural, pgd-at, ard, gacd, trades, kd, rslad, iad, adaad, igdm, crd, mtard (fix: did you mean gacd?)`,
    `${file}:10:11: error: training.epochs must be an integer, not the string "five"`,
    `${file}:11:13: error: training.schedule must be one of constant, piecewise, cosine, not the string "linear" (fix: use one of constant, piecewise, cosine)`,
    `${file}:13:14: error: epsilon 8 is outside [0, 1]: images are scaled to [0, 1], so epsilon is a fraction of the pixel range (8/255 = 0.0314) (fix: did you mean 8/255?)`,
    `${file}:16:3: warning: the evaluation has no attack stronger than FGSM, so it can badly overstate robustness (fix: add pgd-20 and cw-20)`,
  ]);
});

test('check summarises the notes on unconfirmed settings in one line per file, as the editor does; --notes all lists each', () => {
  const file = path.join(fixtures, 'quickstart.gacd');
  const summary: string[] = [];
  assert.equal(checkCommand([file], (l) => summary.push(l)), 0);
  const notes = (lines: string[]) => lines.filter((l) => /: info: gacd /.test(l) || / are reconstructed /.test(l));
  assert.equal(notes(summary).length, 1);
  assert.match(notes(summary)[0], /: info: gacd: \d+ settings are reconstructed from the abstract; .*\(fix: set gacd\.notes to all \(gacd check --notes all\) for one note per setting\)$/);
  const all: string[] = [];
  assert.equal(checkCommand([file], (l) => all.push(l), 'all'), 0);
  const count = Number(/gacd: (\d+) settings/.exec(summary.join('\n'))![1]);
  assert.equal(notes(all).length, count);
  assert.ok(notes(all).every((l) => /: info: gacd [a-z_]+( = [^:]+)?: reconstructed from the abstract/.test(l)), all.join('\n'));
  const off: string[] = [];
  assert.equal(checkCommand([file], (l) => off.push(l), 'off'), 0);
  assert.deepEqual(notes(off), []);
  assert.equal(off.length, summary.length - 1, 'off drops only the notes');
});

test('check exits 0 for valid files (notes and warnings included) and reports a missing file without throwing', () => {
  const lines: string[] = [];
  const ok = [path.join(fixtures, 'minimal.gacd'), path.join(fixtures, 'quickstart.gacd')];
  assert.equal(checkCommand(ok, (l) => lines.push(l)), 0);
  assert.ok(lines.length > 0 && lines.every((l) => l.includes(': info: ')), 'the GACD file prints its notes');

  const out: string[] = [];
  const missing = path.join(fixtures, 'does-not-exist.gacd');
  assert.equal(checkCommand([ok[0], missing], (l) => out.push(l)), 1);
  assert.deepEqual(out, [`${missing}:1:1: error: no such file: ${missing}`]);

  const none: string[] = [];
  assert.equal(checkCommand([], (l) => none.push(l)), 1);
  assert.equal(none.length, 1);
  assert.equal(checkCommand([fixtures], () => {}), 1, 'a folder is an unreadable file');
});
