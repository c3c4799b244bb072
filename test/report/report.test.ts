/**
 * `gacd report`: on a synthetic sweep whose figures are known by hand, the table's means and
 * stds, the paired differences of the claims, the charts (well-formed SVG with their series and
 * ticks), the Markdown and HTML outputs, and the errors for a folder that is not a sweep.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildReport } from '../../src/engine/report/build';
import { bestOf, bestSentence, chooseReference, claimSentence, compareAll, headlineFigures, pairedDifference } from '../../src/engine/report/claims';
import { CKA_ADVERSARIAL, CKA_CLEAN, configurations, formatStat, LOGIT_GAP } from '../../src/engine/report/figures';
import { renderHtml } from '../../src/engine/report/html';
import { renderMarkdown } from '../../src/engine/report/markdown';
import { duration, sweepCommandLine, wallTime } from '../../src/engine/report/provenance';
import { barChart, lineChart, niceTicks } from '../../src/engine/report/svgChart';
import { readSweep } from '../../src/engine/report/sweepData';
import { reportCommand } from '../../src/engine/cli/reportCommand';
import { Printer } from '../../src/engine/cli/printer';
import { parseXml, removeSweeps, writeSweep } from './helpers';

after(removeSweeps);

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) < tol, `${a} is not ${b}`);

test('each configuration: its members grouped, every figure mean ± sample std over the seeds that finished', () => {
  const configs = configurations(readSweep(writeSweep()));
  assert.deepEqual(configs.map((c) => c.label), ['gacd', 'ard', 'gacd reweight=none']);
  assert.deepEqual(configs.map((c) => c.finished.length), [3, 3, 2]);
  const student = (i: number) => configs[i].models.find((m) => m.model === 'student')!.figures;
  // gacd: aa-style 40, 42, 44 -> 42 ± 2; ard: pgd-20 40, 45, 44 -> 43 ± sqrt(7).
  close(student(0).get('aa-style')!.mean, 0.42);
  close(student(0).get('aa-style')!.std!, 0.02);
  close(student(1).get('pgd-20')!.mean, 0.43);
  close(student(1).get('pgd-20')!.std!, Math.sqrt(7) / 100);
  assert.equal(student(2).get('aa-style')!.n, 2);
  // CKA from the last similarity event (epoch 2), never the first (0.1).
  close(student(0).get(CKA_CLEAN)!.mean, 0.82);
  close(student(1).get(CKA_ADVERSARIAL)!.mean, 0.54);
  close(student(1).get(CKA_ADVERSARIAL)!.std!, Math.sqrt(0.0013));
  close(student(2).get(LOGIT_GAP)!.mean, 0.205);
  assert.equal(formatStat('aa-style', student(1).get('aa-style')), '38.0 ± 2.6');
  assert.equal(formatStat(CKA_ADVERSARIAL, student(1).get(CKA_ADVERSARIAL)), '0.540 ± 0.036');
  // The curve's points are figures too.
  close(student(0).get('eps 0.05')!.mean, (0.72 + 0.47) / 2);
});

test('claims: the reference minus each other configuration, paired by seed, mean ± std of the differences', () => {
  const configs = configurations(readSweep(writeSweep()));
  const reference = chooseReference(configs);
  assert.equal(reference.label, 'gacd', 'the GACD configuration with the fewest overrides');
  const ard = configs[1];
  const aa = pairedDifference(reference, ard, 'student', 'aa-style');
  // 40-35, 42-40, 44-39 = 5, 2, 5: mean 4, std sqrt(3).
  assert.deepEqual(aa.seeds, [0, 1, 2]);
  close(aa.difference.mean, 0.04);
  close(aa.difference.std!, Math.sqrt(3) / 100);
  assert.equal(claimSentence(aa), 'gacd vs ard, aa-style: +4.0 ± 1.7 points over 3 seeds');
  assert.equal(claimSentence(pairedDifference(reference, ard, 'student', 'clean')), 'gacd vs ard, clean: −4.0 ± 1.0 points over 3 seeds');
  assert.equal(claimSentence(pairedDifference(reference, ard, 'student', CKA_CLEAN)), 'gacd vs ard, CKA clean: +0.113 ± 0.012 over 3 seeds');
  // The ablation's seed 2 has not finished: only seeds 0 and 1 pair (42-41=1 is seed 1; 40-38=2 seed 0).
  const ablation = pairedDifference(reference, configs[2], 'student', 'aa-style');
  assert.deepEqual(ablation.seeds, [0, 1]);
  assert.equal(claimSentence(ablation), 'gacd vs gacd reweight=none, aa-style: +1.5 ± 0.7 points over 2 seeds');
  // Headline figures: clean, the strongest attack (aa-style where run), CKA; the teacher never compared.
  const figures = headlineFigures(reference, ['clean', 'pgd-20', 'aa-style']);
  assert.deepEqual(figures, ['clean', 'aa-style', CKA_CLEAN, CKA_ADVERSARIAL]);
  assert.deepEqual(headlineFigures(reference, ['clean', 'pgd-20', 'aa-style-sq1000']).slice(0, 2), ['clean', 'aa-style-sq1000'], 'an AA-style row under its own label');
  assert.deepEqual(headlineFigures(reference, ['clean', 'fgsm', 'pgd-20']).slice(0, 2), ['clean', 'pgd-20'], 'without aa-style: the attack with the lowest accuracy (fgsm has none here)');
  const all = compareAll(reference, configs, figures);
  assert.equal(all.length, 2 * 4);
  assert.ok(all.every((c) => c.model === 'student'));
});

test('the reference can be named; a name that matches nothing is refused with the choices', () => {
  const configs = configurations(readSweep(writeSweep()));
  assert.equal(chooseReference(configs, 'method.name=ard').label, 'ard');
  assert.equal(chooseReference(configs, 'method.reweight=none').label, 'gacd reweight=none');
  assert.equal(chooseReference(configs, 'gacd reweight=none').label, 'gacd reweight=none');
  assert.equal(chooseReference(configs, 'method.name=gacd').label, 'gacd', 'the fewest overrides among the matches');
  assert.throws(() => chooseReference(configs, 'method.name=trades'), /--reference 'method.name=trades' matches no configuration.*'ard' \(method.name=ard\)/);
});

test('best configuration per figure: highest accuracy and CKA, lowest logit gap, teachers aside', () => {
  const configs = configurations(readSweep(writeSweep()));
  assert.equal(bestSentence(bestOf(configs, 'aa-style')!), 'aa-style: highest gacd (42.0 ± 2.0, n=3); next gacd reweight=none (39.5 ± 2.1)');
  assert.equal(bestSentence(bestOf(configs, 'clean')!), 'clean: highest ard (76.0 ± 1.0, n=3); next gacd (72.0 ± 2.0)', 'the teacher (80%) is not a candidate');
  assert.equal(bestSentence(bestOf(configs, LOGIT_GAP)!), 'logit gap: lowest gacd reweight=none (0.205 ± 0.007, n=2); next gacd (0.220 ± 0.020)');
});

test('the wall time from the events, the command rebuilt from the manifest', () => {
  const sweep = readSweep(writeSweep());
  const w = wallTime(sweep);
  // Nine runs, each starting 5 s after the one before; eight last 10 s, the unfinished one has one event.
  assert.equal(w.spanMs, 45_000);
  assert.equal(w.memberSumMs, 80_000);
  assert.equal(duration(w.memberSumMs), '1 min 20 s');
  assert.equal(duration(3_725_000), '1 h 02 min 05 s');
  const { command, recorded } = sweepCommandLine(sweep);
  assert.equal(recorded, false);
  assert.equal(command, `gacd sweep ${sweep.manifest.source} --executor local --parallel 2`, 'the runs in .gacd-runs beside the file: no --runs-dir');
  const moved = { ...sweep, root: '/elsewhere/runs/exp/sweep-1' };
  assert.equal(sweepCommandLine(moved).command, `gacd sweep ${sweep.manifest.source} --executor local --parallel 2 --runs-dir /elsewhere/runs`);
  assert.equal(sweepCommandLine({ ...sweep, command: 'gacd sweep x.gacd --parallel 4' }).command, 'gacd sweep x.gacd --parallel 4');
});

test('ticks are round numbers covering the range', () => {
  assert.deepEqual(niceTicks(0, 100), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(niceTicks(0.03, 0.87), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0, 0.1), [0, 0.02, 0.04, 0.06, 0.08, 0.1]);
  const t = niceTicks(5, 5);
  assert.ok(t[0] < 5 && t[t.length - 1] > 5, 'a single value gets a range around it');
});

test('charts are well-formed SVG with a group per series, the legend, and the axis ticks', () => {
  const svg = lineChart({
    title: 'A & B',
    xLabel: 'epsilon',
    yLabel: 'accuracy (%)',
    yDomain: [0, 100],
    series: [
      { name: 'gacd', points: [{ x: 0, y: 72 }, { x: 0.05, y: 60, err: 2 }, { x: 0.1, y: 47, err: 2 }] },
      { name: 'a<b & "c"', points: [{ x: 0, y: 76 }, { x: 0.1, y: 43 }] },
    ],
  });
  const names = parseXml(svg);
  assert.equal(names[0], 'svg');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/<g class="series"/g) ?? []).length, 2);
  assert.ok(svg.includes('data-name="a&lt;b &amp; &quot;c&quot;"'), 'names are escaped');
  assert.equal(names.filter((n) => n === 'polyline').length, 2);
  assert.equal(names.filter((n) => n === 'circle').length, 5);
  const yTicks = [...svg.matchAll(/<g class="tick y">.*?<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  assert.deepEqual(yTicks, ['0', '20', '40', '60', '80', '100']);
  const xTicks = [...svg.matchAll(/<g class="tick x">.*?<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  assert.deepEqual(xTicks, ['0.00', '0.02', '0.04', '0.06', '0.08', '0.10']);
  // The point at y = 72 of 0..100 sits 72% of the way up the plot (top 34, height 240).
  assert.ok(svg.includes(`cy="${+(34 + 240 - 0.72 * 240).toFixed(2)}"`));

  const bars = barChart({
    title: 'CKA',
    yLabel: 'CKA',
    series: ['clean', 'adversarial'],
    yDomain: [0, 1],
    groups: [
      { label: 'gacd', values: [{ value: 0.82, err: 0.02 }, { value: 0.62, err: 0.02 }] },
      { label: 'ard', values: [{ value: 0.7 }, null] },
    ],
  });
  parseXml(bars);
  assert.equal((bars.match(/<rect class="bar"/g) ?? []).length, 3, 'a bar per value given, none for null');
  assert.ok(bars.includes('<title>gacd, clean: 0.820 ± 0.020</title>'));
  assert.throws(() => parseXml('<svg><g></svg>'), /closes/);
  assert.throws(() => parseXml('<svg><text>a & b</text></svg>'), /bare &/);
});

const NOW = new Date('2026-02-01T00:00:00Z');

test('the Markdown report: the table, the missing member, the claims, the flags, the provenance; charts as files beside it', () => {
  const root = writeSweep();
  const doc = buildReport([readSweep(root)], { now: NOW, commandLine: 'gacd report X --out r.md' });
  const { markdown, files } = renderMarkdown(doc, '/somewhere/r.md');
  assert.ok(markdown.includes('| gacd | student | gacd (tiny-cnn) | 3 | 72.0 ± 2.0 | 47.0 ± 2.0 | 42.0 ± 2.0 | 0.820 ± 0.020 | 0.620 ± 0.020 | 0.220 ± 0.020 |'), markdown);
  assert.ok(markdown.includes('| ard | student | ard (tiny-cnn) | 3 | 76.0 ± 1.0 | 43.0 ± 2.6 | 38.0 ± 2.6 | 0.707 ± 0.012 | 0.540 ± 0.036 | 0.307 ± 0.012 |'));
  assert.ok(markdown.includes('| gacd reweight=none | student | gacd (tiny-cnn) | 2 | 70.5 ± 0.7 |'));
  assert.deepEqual(markdown.split('\n').filter((l) => l.includes('| teacher | pgd-at')), ['| every configuration | teacher | pgd-at (small-cnn) | 3 | 80.0 ± 0.0 | 50.0 ± 0.0 | 46.0 ± 0.0 | - | - | - |'], 'the shared teacher reads the same everywhere: one row');
  assert.ok(markdown.includes('8 of 9 members finished, in 3 configurations'));
  assert.ok(markdown.includes('- m08 (gacd reweight=none, seed 2): pending'));
  assert.ok(markdown.includes('- gacd vs ard, aa-style: +4.0 ± 1.7 points over 3 seeds'));
  assert.ok(markdown.includes('Reference: gacd (the GACD configuration with the fewest overrides)'));
  assert.ok(markdown.includes('| versus | clean (points) | aa-style (points) | CKA clean | CKA adversarial |'));
  assert.ok(markdown.includes('| ard | −4.0 ± 1.0 (n=3) | +4.0 ± 1.7 (n=3) | +0.113 ± 0.012 (n=3) | +0.080 ± 0.017 (n=3) |'));
  assert.ok(markdown.includes('| gacd reweight=none | +0.5 ± 0.7 (n=2) | +1.5 ± 0.7 (n=2) |'));
  assert.ok(markdown.includes('| gradient-masking | gradient-masking title | student | 1 of 8 | gacd |'));
  assert.ok(markdown.includes('| few-points | few-points title | teacher | 8 of 8 | gacd; ard; gacd reweight=none |'));
  assert.ok(markdown.includes('- engine: 0.1.0 (TensorFlow.js 4.22.0, Node 20.0.0)'));
  assert.ok(markdown.includes('- backend: wasm (SIMD, 1 thread)'));
  assert.ok(markdown.includes('45.0 s from the first event'));
  assert.ok(markdown.includes('machine making this report: '));
  assert.ok(!/autoattack/i.test(markdown), 'the evaluation is AA-style, never called AutoAttack');
  const slug = 'sweep-20260101-000000-test';
  assert.deepEqual([...files.keys()].sort(), [`r-figures/${slug}-accuracy-epsilon.svg`, `r-figures/${slug}-cka.svg`]);
  assert.ok(markdown.includes(`](r-figures/${slug}-accuracy-epsilon.svg)`));
  for (const svg of files.values()) parseXml(svg.trim());
  const curve = files.get(`r-figures/${slug}-accuracy-epsilon.svg`)!;
  for (const name of ['gacd', 'ard', 'gacd reweight=none', 'teacher']) assert.ok(curve.includes(`data-name="${name}"`), name);
  const cka = files.get(`r-figures/${slug}-cka.svg`)!;
  assert.equal((cka.match(/<rect class="bar"/g) ?? []).length, 6);
});

test('the HTML report stands alone: charts inline, no script, no link, nothing fetched', () => {
  const html = renderHtml(buildReport([readSweep(writeSweep())], { now: NOW }));
  assert.match(html, /^<!DOCTYPE html>/);
  assert.equal((html.match(/<svg /g) ?? []).length, 2);
  assert.ok(html.includes(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`));
  for (const bad of [/<script/i, /<link/i, /<img/i, /<iframe/i, /\bsrc=/i, /\bhref=/i, /url\(/i, /@import/i]) assert.doesNotMatch(html, bad);
  const urls = [...html.matchAll(/https?:\/\/[^\s"'<>]+/g)].map((m) => m[0]);
  assert.deepEqual([...new Set(urls)], ['http://www.w3.org/2000/svg'], 'the only URL is the SVG namespace');
  assert.ok(html.includes('<td class="num">42.0 ± 2.0</td>'));
  assert.ok(html.includes('gacd vs ard, aa-style: +4.0 ± 1.7 points over 3 seeds'));
});

test('a folder that is not a sweep folder is refused with its path and the fix', () => {
  const root = writeSweep();
  const runs = path.dirname(path.dirname(root));
  assert.throws(() => readSweep(runs), (e: Error) => e.message.startsWith(`${runs} is not a sweep folder (no sweep.json)`) && /give the folder gacd sweep printed/.test(e.message));
  const member = `${root}-m00`;
  assert.throws(() => readSweep(member), (e: Error) => e.message === `${member} is the run folder of one member of a sweep, not the sweep folder: give ${root}`);
  assert.throws(() => readSweep(path.join(runs, 'nothing-here')), /nothing-here does not exist: give the folder/);
  const broken = path.join(runs, 'broken');
  fs.mkdirSync(broken);
  fs.writeFileSync(path.join(broken, 'sweep.json'), '{"format": "gacd-sweep-1"}');
  assert.throws(() => readSweep(broken), /broken\/sweep.json: .*not written by this version of gacd sweep/);
});

test('gacd report writes the Markdown and its figures, or the HTML, and says where', async () => {
  const root = writeSweep();
  const out = path.join(path.dirname(root), 'reports', 'replication.md');
  const lines: string[] = [];
  const printer = new Printer({ write: (s: string) => (lines.push(s), true) } as never, { write: () => true } as never);
  assert.equal(await reportCommand([root], { out, reference: 'method.name=ard' }, printer), 0);
  assert.match(lines.join(''), /report of 1 sweep \(8 of 9 members finished\) written to .*replication\.md/);
  const md = fs.readFileSync(out, 'utf8');
  assert.ok(md.includes("Reference: ard (named by --reference 'method.name=ard')"));
  assert.ok(md.includes('- ard vs gacd, aa-style: −4.0 ± 1.7 points over 3 seeds'));
  assert.ok(md.includes(`gacd report ${root} --format md --out ${out} --reference method.name=ard`));
  assert.ok(fs.existsSync(path.join(path.dirname(out), 'replication-figures', 'sweep-20260101-000000-test-cka.svg')));
  const html = path.join(path.dirname(root), 'r.html');
  assert.equal(await reportCommand([root], { out: html }, printer), 0);
  assert.match(fs.readFileSync(html, 'utf8'), /^<!DOCTYPE html>/);
  await assert.rejects(reportCommand([root], {}, printer), /needs --out FILE/);
  await assert.rejects(reportCommand([root], { out: html, format: 'pdf' }, printer), /--format must be md or html, not "pdf"/);
});
