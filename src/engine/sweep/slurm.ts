/**
 * Slurm through its commands, as a user would type them: one `sbatch --array` job per submission
 * (its `%` caps how many members run at once), `squeue` for each task's state, `scancel` to stop.
 * Nothing here needs slurmdbd: finished tasks are read from squeue while Slurm keeps them
 * (MinJobAge) and, after that, from what the tasks wrote into the sweep folder.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SlurmResources } from '../../protocol/sweep';

/** The executable's path when it is on PATH, else null. */
export function findOnPath(name: string, envPath = process.env.PATH ?? ''): string | null {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const full = path.join(dir, name);
    try {
      fs.accessSync(full, fs.constants.X_OK);
      if (fs.statSync(full).isFile()) return full;
    } catch {
      // Not in this folder.
    }
  }
  return null;
}

/** `0-3`, `1,3,5-7`: task ids as sbatch's --array takes them. */
export function arraySpec(ids: readonly number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

export interface ScriptOptions {
  jobName: string;
  taskIds: number[];
  /** Tasks at once (the `%` of --array); null: as many as Slurm allows. */
  parallel: number | null;
  resources: SlurmResources;
  /** The output file, with %A (the array's job id) and %a (the task id). */
  output: string;
  /** Job ids that must end well before this job starts (the shared teachers). */
  afterOk: string[];
  /** The command each task runs; $SLURM_ARRAY_TASK_ID picks its member. */
  command: string[];
}

/** The batch script: #SBATCH lines for the array and the resources, then the task's command. */
export function batchScript(o: ScriptOptions): string {
  const r = o.resources;
  const lines = [
    '#!/bin/bash',
    `#SBATCH --job-name=${o.jobName}`,
    `#SBATCH --array=${arraySpec(o.taskIds)}${o.parallel ? `%${o.parallel}` : ''}`,
    `#SBATCH --output=${o.output}`,
    `#SBATCH --ntasks=1`,
  ];
  if (r.partition) lines.push(`#SBATCH --partition=${r.partition}`);
  if (r.time) lines.push(`#SBATCH --time=${r.time}`);
  if (r.cpus) lines.push(`#SBATCH --cpus-per-task=${r.cpus}`);
  if (r.gpus) lines.push(`#SBATCH --gres=gpu:${r.gpus}`);
  if (r.memory) lines.push(`#SBATCH --mem=${r.memory}`);
  if (r.account) lines.push(`#SBATCH --account=${r.account}`);
  if (o.afterOk.length) lines.push(`#SBATCH --dependency=afterok:${o.afterOk.join(':')}`);
  for (const extra of r.extra) lines.push(`#SBATCH ${extra.trim()}`);
  // exec: the engine itself gets scancel's SIGTERM, and stops after a step with a checkpoint.
  lines.push('', `exec ${o.command.map(shellWord).join(' ')}`, '');
  return lines.join('\n');
}

/** A word for bash: $SLURM_ARRAY_TASK_ID stays expandable, everything else is quoted. */
function shellWord(w: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(w)) return w;
  return `"${w.replace(/(["\\`])/g, '\\$1').replace(/\$(?!\{?SLURM_ARRAY_TASK_ID)/g, '\\$')}"`;
}

/** Submits a script; its job id, or an error with sbatch's own words. */
export function submit(scriptFile: string): string {
  const r = spawnSync('sbatch', ['--parsable', scriptFile], { encoding: 'utf8' });
  if (r.error) throw new Error(`sbatch could not be started: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`sbatch refused ${scriptFile}: ${(r.stderr || r.stdout).trim()}`);
  // --parsable prints "jobid" or "jobid;cluster".
  return r.stdout.trim().split(';')[0];
}

/** A task's state and, for a pending one, why (e.g. DependencyNeverSatisfied). */
export interface TaskState {
  state: string;
  reason: string;
}

/**
 * The state of each task of these array jobs, keyed `<job>_<task>`; undefined when squeue could
 * not be asked at all (so that nothing is concluded from its silence).
 */
export function queueStates(jobIds: readonly string[]): Map<string, TaskState> | undefined {
  const states = new Map<string, TaskState>();
  if (!findOnPath('squeue')) return undefined;
  for (const id of jobIds) {
    const r = spawnSync('squeue', ['-h', '-r', '-t', 'all', '-j', id, '-o', '%i|%T|%r'], { encoding: 'utf8' });
    if (r.error) return undefined;
    // A job Slurm no longer remembers is an error for -j: its tasks are simply absent.
    if (r.status !== 0) {
      if (/Invalid job id/i.test(r.stderr)) continue;
      return undefined;
    }
    for (const line of r.stdout.split('\n')) {
      const [task, state, reason] = line.trim().split('|');
      if (task && state) states.set(task, { state, reason: reason ?? '' });
    }
  }
  return states;
}

/** scancel on each job (a whole array: its finished tasks are not touched). */
export function cancelJobs(jobIds: readonly string[]): void {
  if (jobIds.length === 0) return;
  const r = spawnSync('scancel', [...jobIds], { encoding: 'utf8' });
  if (r.error) throw new Error(`scancel could not be started: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`scancel failed: ${(r.stderr || r.stdout).trim()}`);
}
