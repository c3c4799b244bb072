/** `gacd report` as a user runs it (bin/gacd.js, after npm run build) on a tiny sweep that really ran. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gacd, scratch, sweepDirOf, tinyExperiment } from '../sweep/helpers';

test('a real two-member sweep: gacd report writes its table and claims; an experiment folder is refused, naming its sweeps', () => {
  const dir = scratch('gacd-report-cli-');
  try {
    fs.writeFileSync(path.join(dir, 'exp.gacd'), tinyExperiment('sweep:\n  grid:\n    method.name: [natural, pgd-at]\n    seed: [0]\n', { name: 'rep' }));
    const sweep = gacd(['sweep', 'exp.gacd', '--parallel', '2', '--wait'], dir);
    assert.equal(sweep.status, 0, sweep.stderr);
    const root = sweepDirOf(sweep.stdout);

    const out = path.join(dir, 'report.html');
    const r = gacd(['report', root, '--out', out], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /report of 1 sweep \(2 of 2 members finished\) written to .*report\.html/);
    const html = fs.readFileSync(out, 'utf8');
    const results = (id: string) => JSON.parse(fs.readFileSync(path.join(`${root}-${id}`, 'results.json'), 'utf8')).models[0].results as Array<{ attack: string; accuracy: number }>;
    // Each configuration's one seed, its clean accuracy as the member's results.json holds it.
    for (const [id, method] of [['m00', 'natural'], ['m01', 'pgd-at']]) {
      const clean = (results(id).find((a) => a.attack === 'clean')!.accuracy * 100).toFixed(1);
      assert.ok(html.includes(`<td>${method}</td><td>student</td><td>${method} (tiny-cnn)</td><td class="num">1</td><td class="num">${clean}</td>`), `${method}: ${clean}`);
    }
    assert.ok(html.includes('Reference: natural (the first configuration (none trains GACD))'));
    // The strongest attack evaluated is fgsm: its claim as a sentence, clean in the table of differences.
    assert.match(html, /natural vs pgd-at, fgsm: [+−]\d+\.\d points over 1 seed/);
    assert.match(html, /<tr><td>pgd-at<\/td><td class="num">[+−]\d+\.\d \(n=1\)<\/td><td class="num">[+−]\d+\.\d \(n=1\)<\/td>/);
    assert.ok(html.includes(`gacd sweep ${path.join(dir, 'exp.gacd')} --executor local --parallel 2`));
    assert.match(html, /backend: (wasm|cpu|tensorflow)/);

    const runs = path.dirname(root);
    const bad = gacd(['report', runs, '--out', out], dir);
    assert.equal(bad.status, 1);
    assert.equal(bad.stderr.trim(), `gacd: error: ${runs} is not a sweep folder (no sweep.json) but holds one: give ${root}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
