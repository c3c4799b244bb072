/**
 * `gacd sweep`: a sweep's members run as ordinary runs, locally or on a Slurm cluster, and their
 * results aggregated over seeds.
 *   gacd sweep FILE [--executor local|slurm] [--parallel N] [--runs-dir DIR] [--wait] [--dry-run] [--json] [--yes]
 *   gacd sweep status DIR [--json]      each member's state, Slurm job and log
 *   gacd sweep cancel DIR               scancel (Slurm) or SIGTERM (local) to every running member
 *   gacd sweep resume DIR [--wait]      the failed, cancelled, stopped and timed-out members again, each from its checkpoint
 *   gacd sweep export DIR --format csv|md|tex [--out FILE]
 *   gacd sweep task DIR ID              one member (what the executors run)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MemberStatus, SlurmResources, SweepManifest } from '../../protocol/sweep';
import { aggregate } from '../sweep/aggregate';
import { ExportFormat, exportResults, textTable } from '../sweep/exports';
import { readManifest, readMemberState, sweepPaths, writeManifest } from '../sweep/folder';
import { LocalExecutor, LocalTask } from '../sweep/local';
import { label, planSweep, SweepPlan, writePlan } from '../sweep/plan';
import { batchScript, cancelJobs, findOnPath, queueStates, submit } from '../sweep/slurm';
import { ENDED, RESUMABLE, memberStatuses, taskLog } from '../sweep/status';
import { writeFileAtomic } from '../run/atomicWrite';
import { Printer } from './printer';

/** More members than this is more likely a typo in a grid than a plan: --yes confirms it. */
export const SANITY_LIMIT = 64;

export interface SweepFlags {
  executor?: string;
  parallel?: string;
  'runs-dir'?: string;
  wait?: boolean;
  'dry-run'?: boolean;
  json?: boolean;
  yes?: boolean;
  format?: string;
  out?: string;
  partition?: string;
  time?: string;
  cpus?: string;
  gpus?: string;
  memory?: string;
  account?: string;
}

/** How each task is started: this very program, with the same node flags (tsx in development). */
const selfCommand = (): string[] => [process.execPath, ...process.execArgv, process.argv[1]];

export async function sweepCommand(args: string[], flags: SweepFlags, printer = new Printer()): Promise<number> {
  const [first, dir, id] = args;
  switch (first) {
    case 'task': {
      const { sweepTask } = await import('./sweepTask');
      return sweepTask(dir, id, printer);
    }
    case 'status':
      return statusCommand(dir, flags, printer);
    case 'cancel':
      return cancelCommand(dir, printer);
    case 'resume':
      return resumeSweep(dir, flags, printer);
    case 'export':
      return exportCommand(dir, flags, printer);
    default:
      return startSweep(first, flags, printer);
  }
}

function positiveInt(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a whole number of at least 1, not "${text}"`);
  return n;
}

function slurmFlags(f: SweepFlags): Partial<SlurmResources> {
  return {
    partition: f.partition,
    time: f.time,
    cpus: positiveInt(f.cpus, '--cpus'),
    gpus: f.gpus === undefined ? undefined : Number(f.gpus),
    memory: f.memory,
    account: f.account,
  };
}

async function startSweep(file: string, flags: SweepFlags, printer: Printer): Promise<number> {
  const executor = flags.executor ?? 'local';
  if (executor !== 'local' && executor !== 'slurm') throw new Error(`--executor is local or slurm, not "${executor}"`);
  if (executor === 'slurm' && !findOnPath('sbatch')) {
    printer.error(
      'sbatch is not on PATH, so this machine cannot submit to Slurm',
      `run the sweep here with --executor local (the default), or run gacd sweep on the cluster's login node`,
    );
    return 1;
  }
  const parallel = positiveInt(flags.parallel, '--parallel') ?? (executor === 'local' ? 1 : null);
  const result = planSweep(file, { executor, parallel, runsDir: flags['runs-dir'], cores: os.availableParallelism?.() ?? os.cpus().length, slurm: slurmFlags(flags) });
  printer.problems(result.problems.filter((p) => p.severity !== 'info'));
  if (!result.plan) {
    printer.error(result.message, `correct them (gacd check ${file} lists the file's problems)`);
    return 1;
  }
  const plan = result.plan;
  const count = plan.manifest.members.length;
  if (count > SANITY_LIMIT && !flags.yes) {
    printer.error(`the sweep has ${count} members, more than ${SANITY_LIMIT}`, 'check the grid, then add --yes to run them all');
    return 2;
  }
  for (const note of plan.notes) printer.notice(note);
  if (flags['dry-run']) return dryRun(plan, flags, printer);

  writePlan(plan);
  const manifest = plan.manifest;
  if (flags.json) process.stdout.write(JSON.stringify({ type: 'sweep-start', dir: plan.dir, manifest }) + '\n');
  else printer.line(`sweep ${manifest.id}: ${count} members (${executor}) in ${plan.dir}`);
  if (executor === 'local') return runLocal(plan.dir, manifest, manifest.members.map((m) => m.index), true, flags, printer);
  submitSlurm(plan.dir, manifest, manifest.members.map((m) => m.index), true, printer);
  return flags.wait ? waitAndReport(plan.dir, flags, printer) : 0;
}

function dryRun(plan: SweepPlan, flags: SweepFlags, printer: Printer): number {
  const m = plan.manifest;
  if (flags.json) {
    process.stdout.write(JSON.stringify({ type: 'sweep-plan', dir: plan.dir, manifest: m }) + '\n');
    return 0;
  }
  printer.line(`dry run: sweep of ${m.experiment}, ${m.members.length} members, ${m.executor}; nothing was written`);
  for (const t of m.teachers) printer.line(`  teacher (${t.role}), trained once first -> ${t.runDir}`);
  for (const x of m.members) printer.line(`  ${x.id}  ${label(Object.entries(x.overrides).map(([p, value]) => ({ path: p, value })))}  -> ${x.runDir}`);
  if (m.executor === 'slurm') printer.line('\n' + memberScript(plan.dir, m, m.members.map((x) => x.index), []));
  return 0;
}

/** The members' batch script: an array over their indices, each task runs `gacd sweep task`. */
function memberScript(dir: string, m: SweepManifest, indices: number[], afterOk: string[]): string {
  return batchScript({
    jobName: `gacd-${m.experiment}`,
    taskIds: indices,
    parallel: m.parallel,
    resources: m.slurm!.resources,
    output: path.join(sweepPaths(dir).logs, 'task-%a-job%A.log'),
    afterOk,
    command: [...selfCommand(), 'sweep', 'task', dir, '$SLURM_ARRAY_TASK_ID'],
  });
}

/** Submits the given members (after any shared teacher that has not finished) and records the jobs. */
function submitSlurm(dir: string, manifest: SweepManifest, indices: number[], fresh: boolean, printer: Printer): void {
  const p = sweepPaths(dir);
  fs.mkdirSync(p.slurm, { recursive: true });
  const subs = manifest.slurm!.submissions;
  const write = (text: string) => {
    const file = path.join(p.slurm, `submit-${subs.length + 1}.sh`);
    fs.writeFileSync(file, text);
    return file;
  };
  const teachers = manifest.teachers.map((t, k) => ({ t, k })).filter(({ t }) => fresh || !fs.existsSync(path.join(t.runDir, 'results.json')));
  const afterOk: string[] = [];
  if (teachers.length) {
    const script = write(
      batchScript({
        jobName: `gacd-${manifest.experiment}-teacher`,
        taskIds: teachers.map(({ k }) => k),
        parallel: null,
        resources: manifest.slurm!.resources,
        output: path.join(p.logs, 'teacher-%a-job%A.log'),
        afterOk: [],
        command: [...selfCommand(), 'sweep', 'task', dir, 't$SLURM_ARRAY_TASK_ID'],
      }),
    );
    const jobId = submit(script);
    subs.push({ jobId, teachers: teachers.map(({ t }) => t.role), script, submittedAt: new Date().toISOString() });
    afterOk.push(jobId);
    printer.line(`submitted the shared teacher${teachers.length > 1 ? 's' : ''}: Slurm job ${jobId}`);
  }
  const script = write(memberScript(dir, manifest, indices, afterOk));
  const jobId = submit(script);
  subs.push({ jobId, members: indices, script, submittedAt: new Date().toISOString() });
  writeManifest(dir, manifest);
  printer.line(`submitted ${indices.length} member${indices.length > 1 ? 's' : ''} as Slurm array job ${jobId} (gacd sweep status ${dir})`);
}

/** Runs members here: the shared teachers first (unless finished), then the queue; prints the aggregate. */
async function runLocal(dir: string, manifest: SweepManifest, indices: number[], fresh: boolean, flags: SweepFlags, printer: Printer): Promise<number> {
  const executor = new LocalExecutor([...selfCommand(), 'sweep', 'task', dir]);
  const onSignal = (signal: NodeJS.Signals) => {
    printer.notice(`${signal}: stopping the running members after a checkpoint (gacd sweep resume ${dir} continues them)`);
    executor.stop('SIGTERM');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const teachers: LocalTask[] = manifest.teachers
      .map((t, k) => ({ t, k }))
      .filter(({ t }) => fresh || !fs.existsSync(path.join(t.runDir, 'results.json')))
      .map(({ t, k }) => ({ id: `t${k}`, log: taskLog(dir, `teacher-${t.role}`) }));
    if (teachers.length) {
      printer.line(`training the shared teacher${teachers.length > 1 ? 's' : ''} once for every member`);
      const codes = await executor.run(teachers, 1);
      const bad = [...codes.entries()].find(([, c]) => c !== 0);
      if (bad) {
        printer.error(`the shared teacher did not finish (exit ${bad[1]}); no member was started`, `see ${teachers.find((t) => t.id === bad[0])!.log}, then gacd sweep resume ${dir}`);
        return 1;
      }
    }
    const tasks = indices.map((i) => ({ id: String(i), log: taskLog(dir, manifest.members[i].id) }));
    let done = 0;
    await executor.run(tasks, manifest.parallel ?? 1, (task, code) => {
      done++;
      const m = manifest.members[Number(task.id)];
      const word = code === 0 ? 'finished' : code === 130 ? 'stopped' : `failed (exit ${code}; see ${task.log})`;
      if (!flags.json) printer.line(`  ${m.id} ${word} (${done}/${tasks.length})`);
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return report(dir, flags, printer);
}

/** Writes the aggregate, prints it (or the JSON) and each member that did not finish; 0 when all finished. */
function report(dir: string, flags: SweepFlags, printer: Printer, statuses?: MemberStatus[]): number {
  const manifest = readManifest(dir);
  const all = statuses ?? memberStatuses(dir, manifest, manifest.slurm ? queueStates(jobIds(manifest)) : undefined);
  const results = aggregate(manifest);
  writeFileAtomic(sweepPaths(dir).results, JSON.stringify(results, null, 2));
  if (flags.json) {
    process.stdout.write(JSON.stringify({ type: 'sweep-end', dir, members: all, results }) + '\n');
  } else {
    printer.line(textTable(results));
    for (const s of all.filter((x) => x.state !== 'finished')) printer.line(`  ${s.id} ${s.state}${s.message ? `: ${s.message}` : ''}`);
  }
  return all.every((s) => s.state === 'finished') ? 0 : 1;
}

const jobIds = (m: SweepManifest) => m.slurm?.submissions.map((s) => s.jobId) ?? [];

function statuses(dir: string, manifest: SweepManifest): MemberStatus[] {
  return memberStatuses(dir, manifest, manifest.slurm ? queueStates(jobIds(manifest)) : undefined);
}

/** Polls until every member has ended, then reports. */
async function waitAndReport(dir: string, flags: SweepFlags, printer: Printer): Promise<number> {
  const manifest = readManifest(dir);
  let last = '';
  for (;;) {
    const all = statuses(dir, manifest);
    const counts = countStates(all);
    if (counts !== last && !flags.json) printer.notice(counts);
    last = counts;
    if (all.every((s) => ENDED.includes(s.state))) return report(dir, flags, printer, all);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

function countStates(all: MemberStatus[]): string {
  const n = new Map<string, number>();
  for (const s of all) n.set(s.state, (n.get(s.state) ?? 0) + 1);
  return [...n.entries()].map(([k, v]) => `${v} ${k}`).join(', ');
}

function statusCommand(dir: string, flags: SweepFlags, printer: Printer): number {
  const root = path.resolve(dir);
  const manifest = readManifest(root);
  const all = statuses(root, manifest);
  const teachers = manifest.teachers.map((t) => ({
    role: t.role,
    runDir: t.runDir,
    state: fs.existsSync(path.join(t.runDir, 'results.json')) ? 'finished' : (readMemberState(root, `teacher-${t.role}`)?.state ?? 'pending'),
  }));
  if (flags.json) {
    process.stdout.write(JSON.stringify({ type: 'sweep-status', dir: root, teachers, members: all }) + '\n');
  } else {
    printer.line(`sweep ${manifest.id} of ${manifest.experiment} (${manifest.executor}): ${countStates(all)}`);
    for (const t of teachers) printer.line(`  teacher (${t.role})  ${t.state}  ${t.runDir}`);
    for (const s of all) {
      const m = manifest.members[s.index];
      const job = s.slurmJob ? `  job ${s.slurmJob}` : '';
      printer.line(`  ${s.id}  ${s.state.padEnd(9)}${job}  ${m.configuration ? `${m.configuration} ` : ''}seed=${m.seed}${s.message ? `  (${s.message})` : ''}`);
    }
    if (all.some((s) => s.state === 'finished')) printer.line('\n' + textTable(aggregate(manifest)));
  }
  if (all.every((s) => ENDED.includes(s.state))) writeFileAtomic(sweepPaths(root).results, JSON.stringify(aggregate(manifest), null, 2));
  return 0;
}

function cancelCommand(dir: string, printer: Printer): number {
  const root = path.resolve(dir);
  const manifest = readManifest(root);
  if (manifest.executor === 'slurm') {
    const ids = jobIds(manifest);
    cancelJobs(ids);
    printer.line(`scancel ${ids.join(' ')}: the running members stop after a checkpoint (gacd sweep resume ${root} continues them)`);
    return 0;
  }
  // Local tasks on this machine: each stops after a checkpoint on SIGTERM.
  let n = 0;
  for (const id of [...manifest.members.map((m) => m.id), ...manifest.teachers.map((t) => `teacher-${t.role}`)]) {
    const s = readMemberState(root, id);
    if (s?.state === 'running' && s.host === os.hostname()) {
      try {
        process.kill(s.pid, 'SIGTERM');
        n++;
      } catch {
        // It has ended already.
      }
    }
  }
  printer.line(`asked ${n} running member${n === 1 ? '' : 's'} to stop after a checkpoint`);
  return 0;
}

async function resumeSweep(dir: string, flags: SweepFlags, printer: Printer): Promise<number> {
  const root = path.resolve(dir);
  const manifest = readManifest(root);
  const all = statuses(root, manifest);
  // Locally, a pending member is one the queue never reached (it was stopped): it starts now.
  const wanted = manifest.executor === 'local' ? [...RESUMABLE, 'pending'] : RESUMABLE;
  const again = all.filter((s) => wanted.includes(s.state)).map((s) => s.index);
  const busy = all.filter((s) => s.state === 'running' || (s.state === 'pending' && manifest.executor === 'slurm'));
  if (again.length === 0) {
    printer.line(`nothing to resume: ${countStates(all)}`);
    return busy.length ? 0 : report(root, flags, printer, all);
  }
  printer.line(`resuming ${again.map((i) => manifest.members[i].id).join(', ')}, each from its last checkpoint`);
  if (manifest.executor === 'local') {
    const parallel = positiveInt(flags.parallel, '--parallel') ?? manifest.parallel ?? 1;
    return runLocal(root, { ...manifest, parallel }, again, false, flags, printer);
  }
  if (!findOnPath('sbatch')) {
    printer.error('sbatch is not on PATH, so the members cannot be resubmitted from here', 'run gacd sweep resume on the cluster\'s login node');
    return 1;
  }
  submitSlurm(root, manifest, again, false, printer);
  return flags.wait ? waitAndReport(root, flags, printer) : 0;
}

function exportCommand(dir: string, flags: SweepFlags, printer: Printer): number {
  const format = (flags.format ?? 'csv') as ExportFormat;
  if (!['csv', 'md', 'tex'].includes(format)) throw new Error(`--format is csv, md or tex, not "${flags.format}"`);
  const root = path.resolve(dir);
  const results = aggregate(readManifest(root));
  writeFileAtomic(sweepPaths(root).results, JSON.stringify(results, null, 2));
  const text = exportResults(results, format);
  if (flags.out) {
    fs.writeFileSync(flags.out, text);
    printer.notice(`wrote ${flags.out}`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}
