/**
 * The local executor end to end, through the CLI as a user runs it: a four-member sweep, its
 * folder, status and exports; a member stopped mid-run and resumed ends with the weights of an
 * uninterrupted run; a shared teacher trained once; a failing member is marked failed with its log; the refusals (too many
 * members without --yes, --executor slurm without sbatch).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { memberStatus, sweepManifest, sweepResults } from '../../src/protocol/sweep';
import { GACD, finalWeights, gacd, scratch, sweepDirOf, tinyExperiment, until } from './helpers';

const work = scratch('gacd-sweep-local-');
after(() => fs.rmSync(work, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(work, name);
  fs.writeFileSync(file, text);
  return file;
}

test('a four-member sweep runs two at a time into ordinary run folders, and is aggregated over seeds', () => {
  const file = write('four.gacd', tinyExperiment('sweep:\n  grid:\n    method.name: [natural, pgd-at]\n    seed: [0, 1]\n', { name: 'four' }));
  const r = gacd(['sweep', file, '--parallel', '2'], work);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const dir = sweepDirOf(r.stdout);
  assert.match(r.stdout, /4 of 4 members finished/);
  assert.match(r.stdout, /method\.name=natural\s+student\s+natural\s+2\s+\d+\.\d ± \d+\.\d/);
  assert.match(r.stdout, /method\.name=pgd-at\s+student\s+pgd-at\s+2\s+/);

  const manifest = sweepManifest.parse(JSON.parse(fs.readFileSync(path.join(dir, 'sweep.json'), 'utf8')));
  assert.equal(manifest.members.length, 4);
  assert.equal(path.basename(path.dirname(dir)), 'four', 'beside the experiment\'s other runs');
  for (const m of manifest.members) {
    // An ordinary run folder: the member's file as run, its spec, its results.
    assert.equal(fs.readFileSync(path.join(m.runDir, 'experiment.gacd'), 'utf8'), fs.readFileSync(m.file, 'utf8'));
    const spec = JSON.parse(fs.readFileSync(path.join(m.runDir, 'spec.json'), 'utf8'));
    assert.equal(spec.seed, m.overrides.seed);
    assert.equal(spec.method.name, m.overrides['method.name']);
    assert.equal(spec.workers, 1, 'the threads divided among the members at once (the file says 1)');
    assert.ok(fs.existsSync(path.join(m.runDir, 'results.json')));
  }
  // The aggregate in the sweep folder is the mean of the members' own figures.
  const results = sweepResults.parse(JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')));
  const clean = (runDir: string) => JSON.parse(fs.readFileSync(path.join(runDir, 'results.json'), 'utf8')).models[0].results[0].accuracy as number;
  const natural = results.configurations[0];
  assert.deepEqual(natural.seeds, [0, 1]);
  const f = natural.figures.find((x) => x.model === 'student' && x.figure === 'clean')!;
  const [a, b] = natural.members.map((i) => clean(manifest.members[i].runDir));
  assert.ok(Math.abs(f.mean - (a + b) / 2) < 1e-12);
  assert.ok(Math.abs(f.std! - Math.abs(a - b) / Math.SQRT2) < 1e-12);

  const status = gacd(['sweep', 'status', dir, '--json'], work);
  assert.equal(status.status, 0, status.stderr);
  const members = JSON.parse(status.stdout).members.map((s: unknown) => memberStatus.parse(s));
  assert.deepEqual(members.map((s: { state: string }) => s.state), ['finished', 'finished', 'finished', 'finished']);
  const md = gacd(['sweep', 'export', dir, '--format', 'md'], work);
  assert.match(md.stdout, /^\| configuration \| model \| method \| seeds \| clean \| fgsm \|/);
});

test('a member stopped mid-run is resumed by gacd sweep resume and ends with the weights of an uninterrupted run', async () => {
  const file = write('stop.gacd', tinyExperiment('sweep:\n  grid:\n    seed: [3]\n', { name: 'stop', trainSize: 240, batch: 16, epochs: 3 }).replace('name: natural', 'name: pgd-at').replace('steps: 2', 'steps: 5'));
  const child = spawn(process.execPath, [GACD, 'sweep', file], { cwd: work });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await until(() => /members \(local\) in/.test(stdout), 20_000, 'the sweep to start');
  const dir = sweepDirOf(stdout);
  const manifest = sweepManifest.parse(JSON.parse(fs.readFileSync(path.join(dir, 'sweep.json'), 'utf8')));
  const runDir = manifest.members[0].runDir;
  const events = path.join(runDir, 'events.jsonl');
  await until(() => fs.existsSync(events) && fs.readFileSync(events, 'utf8').includes('"progress"'), 30_000, 'training to start');
  child.kill('SIGTERM');
  assert.equal(await exited, 1, 'a sweep with a stopped member does not succeed');
  const stopped = JSON.parse(gacd(['sweep', 'status', dir, '--json'], work).stdout).members[0];
  assert.equal(stopped.state, 'stopped', stdout);
  assert.ok(!fs.existsSync(path.join(runDir, 'results.json')));

  const resumed = gacd(['sweep', 'resume', dir], work);
  assert.equal(resumed.status, 0, resumed.stderr + resumed.stdout);
  assert.match(resumed.stdout, /resuming m00/);
  const log = fs.readFileSync(events, 'utf8');
  assert.match(log, /"type":"run-start"[^\n]*"resumed":true/, 'the member continued from its checkpoint');

  const alone = gacd(['run', manifest.members[0].file, '--runs-dir', path.join(work, 'alone')], work);
  assert.equal(alone.status, 0, alone.stderr);
  const aloneDir = path.join(work, 'alone', 'stop', fs.readdirSync(path.join(work, 'alone', 'stop'))[0]);
  assert.ok(finalWeights(runDir).equals(finalWeights(aloneDir)), 'the same weights, byte for byte');
});

test('a teacher made by a train: block is trained once, as its own run, and every member loads it', () => {
  const text = tinyExperiment('sweep:\n  grid:\n    seed: [0, 1]\n', { name: 'teach' })
    .replace('student:\n', 'teacher:\n  model: small-cnn\n  train:\n    method: pgd-at\n    epochs: 1\nstudent:\n')
    .replace('name: natural', 'name: ard');
  const r = gacd(['sweep', write('teach.gacd', text), '--parallel', '2'], work);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /training the shared teacher once/);
  const manifest = sweepManifest.parse(JSON.parse(fs.readFileSync(path.join(sweepDirOf(r.stdout), 'sweep.json'), 'utf8')));
  const [teacher] = manifest.teachers;
  assert.ok(fs.existsSync(path.join(teacher.runDir, 'results.json')), 'the teacher\'s own run finished');
  assert.equal(fs.readdirSync(path.dirname(teacher.runDir)).filter((d) => d.includes('teacher')).length, 1, 'trained once');
  for (const m of manifest.members) {
    const loaded = fs.readFileSync(path.join(m.runDir, 'events.jsonl'), 'utf8');
    assert.ok(loaded.includes(`"loadedFrom":"${teacher.checkpoint}"`), `${m.id} loads the shared teacher`);
  }
});

test('a failing member is marked failed with the path of its log', () => {
  const file = write('fails.gacd', tinyExperiment('sweep:\n  grid:\n    training.lr: [1e30]\n', { name: 'fails' }));
  const r = gacd(['sweep', file], work);
  assert.equal(r.status, 1);
  const dir = sweepDirOf(r.stdout);
  const s = memberStatus.parse(JSON.parse(gacd(['sweep', 'status', dir, '--json'], work).stdout).members[0]);
  assert.equal(s.state, 'failed');
  assert.ok(s.log && fs.existsSync(s.log));
  assert.ok(s.message?.includes(s.log), s.message);
  assert.match(fs.readFileSync(s.log, 'utf8'), /loss became NaN/);
  assert.match(r.stdout, /m00 failed/);
});

test('refusals: more than 64 members without --yes; --executor slurm without sbatch; a file without a sweep', () => {
  const big = write('big.gacd', tinyExperiment('sweep:\n  grid:\n    seed: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]\n    training.lr: [0.1, 0.2, 0.3, 0.4, 0.5]\n', { name: 'big' }));
  const r = gacd(['sweep', big, '--dry-run'], work);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /65 members, more than 64.*--yes/);
  const yes = gacd(['sweep', big, '--dry-run', '--yes'], work);
  assert.equal(yes.status, 0, yes.stderr);
  assert.match(yes.stdout, /65 members/);
  assert.ok(!fs.existsSync(path.join(work, '.gacd-runs', 'big')), 'a dry run writes nothing');

  const noSbatch = gacd(['sweep', big, '--executor', 'slurm', '--yes'], work, { ...process.env, PATH: path.join(work, 'empty-bin') });
  assert.equal(noSbatch.status, 1);
  assert.match(noSbatch.stderr, /sbatch is not on PATH.*--executor local/);
  assert.doesNotMatch(noSbatch.stderr, /\n\s+at /, 'no stack trace');

  const plain = write('plain.gacd', tinyExperiment('', { name: 'plain' }));
  const none = gacd(['sweep', plain], work);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /no sweep: block/);
});
