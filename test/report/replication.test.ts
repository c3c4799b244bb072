/**
 * The replication example, shrunk so that CI runs it (two methods, one seed, tiny subsets, a
 * short AA-style), through `gacd sweep` and `gacd report` as the docs say: the example keeps
 * loading, sweeping, sharing its teachers and reporting. The full sweep is not part of CI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { gacd, ROOT, scratch, sweepDirOf } from '../sweep/helpers';

type Plain = Record<string, any>;

/** The example file with its sizes cut down and its grid reduced to `methods` x one seed. */
function tiny(example: string, methods: Plain[]): string {
  const plain = parse(fs.readFileSync(path.join(ROOT, 'examples', example), 'utf8')) as Plain;
  plain.workers = 1;
  plain.allow_outside_workspace = true;
  Object.assign(plain.data, { train_size: 160, validation_size: 20 });
  for (const t of Object.values<Plain | null>(plain.teachers ?? { t: plain.teacher })) {
    if (!t) continue;
    if (t.checkpoint) t.checkpoint = path.join(ROOT, 'examples', t.checkpoint);
    if (t.train) t.train.epochs = 1;
    if (t.data) Object.assign(t.data, { train_size: 160, test_size: 50, validation_size: 20 });
  }
  Object.assign(plain.training, { epochs: 1, batch_size: 32 });
  plain.training.attack.steps = 2;
  plain.evaluation.test_size = 40;
  plain.evaluation.epsilons = [0, 0.1];
  // The suite as the example runs it, with a few iterations and queries.
  plain.evaluation.attacks = plain.evaluation.attacks.map((a: unknown) =>
    typeof a === 'object' && a !== null && String((a as Plain).attack).startsWith('aa-style') ? { ...a, iterations: 4, queries: 20 } : a,
  );
  plain.sweep = { grid: { method: methods, seed: [0] } };
  return stringify(plain);
}

test('the replication example, two methods on one seed: sweep, shared teacher, then gacd report with AA-style claims', () => {
  const dir = scratch('gacd-replication-');
  try {
    const file = path.join(dir, 'replication.gacd');
    fs.writeFileSync(file, tiny('replication-fashion.gacd', [{ name: 'ard' }, { name: 'gacd' }]));
    const sweep = gacd(['sweep', file, '--parallel', '2', '--wait'], dir);
    assert.equal(sweep.status, 0, sweep.stderr + sweep.stdout);
    const root = sweepDirOf(sweep.stdout);
    // The natural teacher (for MTARD) is trained once, as its own run, for the whole sweep.
    assert.ok(fs.existsSync(`${root}-teacher-natural/results.json`), 'the shared natural teacher ran');

    const cross = path.join(dir, 'cross.gacd');
    fs.writeFileSync(cross, tiny('replication-fashion-cross-task.gacd', [{ name: 'natural' }, { name: 'gacd', reweight: 'none' }]));
    const crossSweep = gacd(['sweep', cross, '--parallel', '2', '--wait'], dir);
    assert.equal(crossSweep.status, 0, crossSweep.stderr + crossSweep.stdout);
    const crossRoot = sweepDirOf(crossSweep.stdout);

    const out = path.join(dir, 'report.md');
    const r = gacd(['report', root, crossRoot, '--out', out], dir);
    assert.equal(r.status, 0, r.stderr);
    const md = fs.readFileSync(out, 'utf8');
    // Every member's student and the shared robust teacher are in the table, with the AA-style row.
    assert.match(md, /\| aa-style-sq1000 \|/);
    for (const label of ['ard', 'gacd']) assert.match(md, new RegExp(`\\| ${label} \\| student \\| ${label} \\(tiny-cnn\\) \\| 1 \\|`));
    assert.match(md, /\| teacher \| pgd-at \(small-cnn\) \|/);
    // GACD is the reference; its claim is made on the AA-style figure, paired on the one seed.
    assert.match(md, /gacd vs ard, aa-style-sq1000: [+−]\d+\.\d points over 1 seed/);
    // The cross-task sweep: a student on classes 5-9 by GACD without reweighting, and the natural one.
    assert.match(md, /gacd reweight=none vs natural, aa-style-sq1000: [+−]\d+\.\d points over 1 seed/);
    assert.doesNotMatch(md, /AutoAttack/);
    const figures = path.join(dir, 'report-figures');
    assert.ok(fs.readdirSync(figures).some((f) => f.endsWith('-accuracy-epsilon.svg')));
    assert.ok(fs.readdirSync(figures).some((f) => f.endsWith('-cka.svg')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
