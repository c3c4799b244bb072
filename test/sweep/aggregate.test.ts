/** The aggregate over seeds: mean and sample standard deviation per configuration, and its tables. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelResults } from '../../src/protocol/events';
import { aggregate, meanStd } from '../../src/engine/sweep/aggregate';
import { exportResults, textTable } from '../../src/engine/sweep/exports';
import { SweepManifest, sweepResults } from '../../src/protocol/sweep';

test('mean and sample standard deviation (n - 1), none for one value', () => {
  const r = meanStd([1, 2, 3, 4]);
  assert.equal(r.mean, 2.5);
  assert.ok(Math.abs(r.std! - Math.sqrt(5 / 3)) < 1e-12, String(r.std));
  assert.equal(r.n, 4);
  assert.deepEqual(meanStd([0.7]), { mean: 0.7, std: null, n: 1 });
  assert.ok(Math.abs(meanStd([0.6, 0.8]).std! - Math.SQRT2 / 10) < 1e-12);
});

const model = (name: string, method: string, clean: number, pgd: number): ModelResults => ({
  model: name,
  method,
  arch: 'tiny-cnn',
  results: [
    { attack: 'clean', epsilon: 0.1, accuracy: clean },
    { attack: 'pgd-20', epsilon: 0.1, accuracy: pgd },
  ],
  accuracyVsEpsilon: [{ epsilon: 0.05, accuracy: (clean + pgd) / 2 }],
  worstClass: { className: 'Shirt', accuracy: pgd / 2 },
  examples: 100,
});

/** Six members: two methods by three seeds; the last seed of gacd has not finished. */
function manifest(): SweepManifest {
  const members = ['ard', 'gacd'].flatMap((method, k) =>
    [0, 1, 2].map((seed, s) => ({
      index: 3 * k + s,
      id: `m0${3 * k + s}`,
      overrides: { 'method.name': method, seed },
      configuration: `method.name=${method}`,
      seed,
      file: `/x/m0${3 * k + s}.gacd`,
      runDir: `/runs/${method}-${seed}`,
      settings: {},
    })),
  );
  return { format: 'gacd-sweep-1', id: 'sweep-1', experiment: 'e', source: '/x/e.gacd', created: '', executor: 'local', parallel: 1, axes: [], teachers: [], members, slurm: null };
}

const RESULTS: Record<string, ModelResults[]> = {
  '/runs/ard-0': [model('student', 'ard', 0.7, 0.4), model('teacher', 'pgd-at', 0.8, 0.5)],
  '/runs/ard-1': [model('student', 'ard', 0.8, 0.5), model('teacher', 'pgd-at', 0.8, 0.5)],
  '/runs/ard-2': [model('student', 'ard', 0.9, 0.3), model('teacher', 'pgd-at', 0.8, 0.5)],
  '/runs/gacd-0': [model('student', 'gacd', 0.6, 0.45)],
  '/runs/gacd-1': [model('student', 'gacd', 0.7, 0.55)],
};

test('members that differ only by seed make one configuration; every figure is aggregated over the finished seeds', () => {
  const r = sweepResults.parse(aggregate(manifest(), (dir) => RESULTS[dir] ?? null));
  assert.equal(r.finished, 5);
  assert.equal(r.members, 6);
  assert.deepEqual(r.configurations.map((c) => c.configuration), ['method.name=ard', 'method.name=gacd']);
  const [ard, gacd] = r.configurations;
  assert.deepEqual(ard.overrides, { 'method.name': 'ard' }, 'the seed is what is aggregated over');
  assert.deepEqual(ard.seeds, [0, 1, 2]);
  assert.deepEqual(gacd.seeds, [0, 1]);
  const fig = (c: typeof ard, m: string, f: string) => c.figures.find((x) => x.model === m && x.figure === f)!;
  const clean = fig(ard, 'student', 'clean');
  assert.ok(Math.abs(clean.mean - 0.8) < 1e-12);
  assert.ok(Math.abs(clean.std! - 0.1) < 1e-12);
  assert.equal(clean.n, 3);
  assert.equal(fig(ard, 'teacher', 'pgd-20').std, 0, 'the same teacher in every member');
  assert.ok(Math.abs(fig(gacd, 'student', 'pgd-20').mean - 0.5) < 1e-12);
  assert.ok(Math.abs(fig(gacd, 'student', 'pgd-20').std! - Math.SQRT2 / 20) < 1e-12);
  assert.ok(fig(ard, 'student', 'pgd-20 @ 0.05'), 'the accuracy-against-epsilon curve');
  assert.ok(Math.abs(fig(ard, 'student', 'worst class').mean - 0.2) < 1e-12);
});

test('the CLI table and the CSV, Markdown and LaTeX exports', () => {
  const r = aggregate(manifest(), (dir) => RESULTS[dir] ?? null);
  const table = textTable(r);
  assert.match(table, /5 of 6 members finished/);
  assert.match(table, /method\.name=ard\s+student\s+ard\s+3\s+80\.0 ± 10\.0\s+40\.0 ± 10\.0/);
  assert.match(table, /method\.name=ard\s+teacher\s+pgd-at\s+3\s+80\.0 ± 0\.0/);
  assert.match(table, /method\.name=gacd\s+student\s+gacd\s+2\s+65\.0 ± 7\.1\s+50\.0 ± 7\.1/);

  const csv = exportResults(r, 'csv').trim().split('\n');
  assert.equal(csv[0], 'configuration,model,method,figure,mean_pct,std_pct,n,seeds');
  assert.ok(csv.includes('method.name=ard,student,ard,clean,80.0000,10.0000,3,0 1 2'), csv.join('\n'));
  assert.equal(csv.length, 1 + 2 * 4 + 4, 'every figure of every model, one a line');

  const md = exportResults(r, 'md');
  assert.match(md, /^\| configuration \| model \| method \| seeds \| clean \| pgd-20 \|\n\| --- \| --- \| --- \| ---: \| ---: \| ---: \|/);
  assert.match(md, /\| method\.name=gacd \| student \| gacd \| 2 \| 65\.0 ± 7\.1 \| 50\.0 ± 7\.1 \|/);

  const tex = exportResults(r, 'tex');
  assert.match(tex, /\\begin\{tabular\}\{lllrrr\}/);
  assert.match(tex, /method\.name=ard & student & ard & 3 & \$80\.0 \\pm 10\.0\$ & \$40\.0 \\pm 10\.0\$ \\\\/);
  assert.match(tex, /pgd-20 \\\\\n\\midrule/);
});
