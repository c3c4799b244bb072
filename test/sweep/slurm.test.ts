/**
 * Sweeps on a real Slurm (never skipped): a single-node cluster started here by
 * scripts/slurm/slurm-up.sh unless SLURM_CONF already names a running one (it needs root and
 * Debian's slurmctld, slurmd, slurm-client and munge, which .ci/run installs). A four-member sweep
 * goes through one sbatch array; one member, cancelled with scancel mid-run, is resumed by
 * `gacd sweep resume` and ends with the weights of the same member run without interruption; a
 * member that fails on the cluster is marked failed with the path of its log.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemberStatus, memberStatus, sweepManifest } from '../../src/protocol/sweep';
import { ROOT, finalWeights, gacd, scratch, sweepDirOf, tinyExperiment, until } from './helpers';

const work = scratch('gacd-sweep-slurm-');
let cluster: string | null = null; // the root of the cluster this test started, to stop after
const env: NodeJS.ProcessEnv = { ...process.env };

function sh(cmd: string, args: string[]) {
  return spawnSync(cmd, args, { encoding: 'utf8', env });
}

before(() => {
  if (env.SLURM_CONF && sh('sinfo', ['-h', '-o', '%T']).status === 0) return; // a cluster is up already
  assert.ok(
    fs.existsSync('/usr/sbin/slurmctld') || sh('which', ['slurmctld']).status === 0,
    'Slurm is not installed: apt-get install -y slurmctld slurmd slurm-client munge (as .ci/run does)',
  );
  assert.equal(process.getuid?.(), 0, 'the test cluster is started as root (as in CI)');
  cluster = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-slurm-'));
  const up = spawnSync('bash', [path.join(ROOT, 'scripts', 'slurm', 'slurm-up.sh')], {
    encoding: 'utf8',
    env: { ...env, SLURM_TEST_ROOT: cluster },
  });
  assert.equal(up.status, 0, `the test cluster did not start:\n${up.stdout}\n${up.stderr}`);
  env.SLURM_CONF = path.join(cluster, 'etc', 'slurm.conf');
});

after(() => {
  if (cluster) spawnSync('bash', [path.join(ROOT, 'scripts', 'slurm', 'slurm-down.sh')], { env: { ...env, SLURM_TEST_ROOT: cluster }, stdio: 'ignore' });
  fs.rmSync(work, { recursive: true, force: true });
});

const run = (args: string[]) => gacd(args, work, env);
const statuses = (dir: string): MemberStatus[] => JSON.parse(run(['sweep', 'status', dir, '--json']).stdout).members.map((s: unknown) => memberStatus.parse(s));

test('four members through sbatch; one cancelled with scancel mid-run is resumed to the weights of an uninterrupted run', async () => {
  // The pgd-at members train long enough (45 steps of PGD-5) to be cancelled mid-run.
  const text = tinyExperiment('sweep:\n  grid:\n    seed: [0, 1]\n    method.name: [natural, pgd-at]\n', { name: 'cluster', trainSize: 240, batch: 16, epochs: 3 }).replace('steps: 2', 'steps: 5');
  const file = path.join(work, 'cluster.gacd');
  fs.writeFileSync(file, text);
  const r = run(['sweep', file, '--executor', 'slurm', '--parallel', '2']);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const dir = sweepDirOf(r.stdout);
  const manifest = sweepManifest.parse(JSON.parse(fs.readFileSync(path.join(dir, 'sweep.json'), 'utf8')));
  const [submission] = manifest.slurm!.submissions;
  assert.deepEqual(submission.members, [0, 1, 2, 3]);
  assert.match(fs.readFileSync(submission.script, 'utf8'), /#SBATCH --array=0-3%2\n/);

  // m01: seed 0, pgd-at. Cancel its task as soon as it trains.
  const m01 = manifest.members[1];
  assert.deepEqual(m01.overrides, { seed: 0, 'method.name': 'pgd-at' });
  const events = path.join(m01.runDir, 'events.jsonl');
  await until(() => fs.existsSync(events) && fs.readFileSync(events, 'utf8').includes('"progress"'), 120_000, 'm01 to train');
  const cancel = sh('scancel', [`${submission.jobId}_1`]);
  assert.equal(cancel.status, 0, cancel.stderr);

  let all: MemberStatus[] = [];
  await until(() => (all = statuses(dir)).every((s) => !['pending', 'running'].includes(s.state)), 180_000, 'every member to end');
  assert.deepEqual(all.map((s) => s.state), ['finished', 'cancelled', 'finished', 'finished'], JSON.stringify(all));
  assert.equal(all[1].slurmJob, `${submission.jobId}_1`);
  assert.ok(!fs.existsSync(path.join(m01.runDir, 'results.json')));

  const resumed = run(['sweep', 'resume', dir, '--wait']);
  assert.equal(resumed.status, 0, resumed.stderr + resumed.stdout);
  assert.match(resumed.stdout, /resuming m01/);
  assert.match(resumed.stdout, /4 of 4 members finished/);
  assert.match(resumed.stdout, /method\.name=pgd-at\s+student\s+pgd-at\s+2\s+\d+\.\d ± \d+\.\d/);
  const after = sweepManifest.parse(JSON.parse(fs.readFileSync(path.join(dir, 'sweep.json'), 'utf8')));
  assert.deepEqual(after.slurm!.submissions[1].members, [1], 'only the cancelled member was resubmitted');
  assert.match(fs.readFileSync(events, 'utf8'), /"type":"run-start"[^\n]*"resumed":true/, 'it continued from its checkpoint');

  const alone = run(['run', m01.file, '--runs-dir', path.join(work, 'alone')]);
  assert.equal(alone.status, 0, alone.stderr);
  const aloneDir = path.join(work, 'alone', 'cluster', fs.readdirSync(path.join(work, 'alone', 'cluster'))[0]);
  assert.ok(finalWeights(m01.runDir).equals(finalWeights(aloneDir)), 'the same weights, byte for byte');
});

test('a member that fails on the cluster is marked failed with the path of its log', () => {
  const file = path.join(work, 'fails.gacd');
  fs.writeFileSync(file, tinyExperiment('sweep:\n  grid:\n    training.lr: [1e30]\n', { name: 'fails' }));
  const r = run(['sweep', file, '--executor', 'slurm', '--wait']);
  assert.equal(r.status, 1, r.stderr + r.stdout);
  const [s] = statuses(sweepDirOf(r.stdout));
  assert.equal(s.state, 'failed');
  assert.ok(s.log && fs.existsSync(s.log), JSON.stringify(s));
  assert.ok(s.message?.includes(s.log), s.message);
  assert.match(fs.readFileSync(s.log, 'utf8'), /loss became NaN/);
  assert.match(r.stdout, new RegExp(`m00 failed: .*${s.log.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
});
