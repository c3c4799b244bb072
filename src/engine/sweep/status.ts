/**
 * Each member's state, from three witnesses in order of trust: the member's run folder (a
 * results.json means it finished), Slurm's word on its task while Slurm remembers it (cancelled,
 * timed out, failed, pending), and the state file its task wrote (which outlives Slurm's memory,
 * and is all a local sweep has). A task that died without writing its end is caught by its pid.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MemberState, MemberStatus, SweepManifest } from '../../protocol/sweep';
import { readMemberState, sweepPaths } from './folder';
import type { TaskState } from './slurm';

/** The member's latest Slurm submission: its job id; undefined when it was never submitted. */
export function latestJob(manifest: SweepManifest, index: number): string | undefined {
  const subs = manifest.slurm?.submissions.filter((s) => s.members?.includes(index)) ?? [];
  return subs[subs.length - 1]?.jobId;
}

/** Where a task's output goes: Slurm's file for its job, or the local queue's. */
export function taskLog(root: string, task: string, jobId?: string): string {
  return path.join(sweepPaths(root).logs, jobId ? `${task}-job${jobId}.log` : `${task}.log`);
}

const SLURM_STATES: Record<string, MemberState> = {
  PENDING: 'pending',
  CONFIGURING: 'pending',
  REQUEUED: 'pending',
  SUSPENDED: 'pending',
  RUNNING: 'running',
  COMPLETING: 'running',
  CANCELLED: 'cancelled',
  TIMEOUT: 'timeout',
  DEADLINE: 'timeout',
  FAILED: 'failed',
  NODE_FAIL: 'failed',
  OUT_OF_MEMORY: 'failed',
  BOOT_FAIL: 'failed',
  PREEMPTED: 'cancelled',
};

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `queue`: squeue's states (slurm.ts), or undefined when Slurm was not asked or could not answer. */
export function memberStatuses(root: string, manifest: SweepManifest, queue?: Map<string, TaskState>): MemberStatus[] {
  return manifest.members.map((m) => {
    const jobId = latestJob(manifest, m.index);
    const slurmJob = jobId ? `${jobId}_${m.index}` : undefined;
    const log = taskLog(root, jobId ? `task-${m.index}` : m.id, jobId);
    const status = (state: MemberState, message?: string): MemberStatus => ({
      index: m.index,
      id: m.id,
      state,
      runDir: m.runDir,
      ...(slurmJob ? { slurmJob } : {}),
      ...(fs.existsSync(log) ? { log } : {}),
      ...(message ? { message } : {}),
    });
    if (fs.existsSync(path.join(m.runDir, 'results.json'))) return status('finished');
    const own = readMemberState(root, m.id);
    const task = slurmJob ? queue?.get(slurmJob) : undefined;
    if (task) {
      const state = SLURM_STATES[task.state];
      if (state === 'pending' && /DependencyNeverSatisfied/.test(task.reason)) {
        return status('failed', 'a shared teacher it needs did not finish (gacd sweep status shows why); gacd sweep resume trains it again');
      }
      if (state === 'failed') return status('failed', `Slurm says ${task.state}${fs.existsSync(log) ? `; its output: ${log}` : ''}`);
      if (state) return status(state);
      // COMPLETED without results: what the task wrote says why.
    } else if (slurmJob && queue && !own) {
      return status('cancelled', 'it left the Slurm queue without starting');
    }
    if (!own) return status('pending');
    if (own.state === 'running') {
      if (own.host === os.hostname() && !alive(own.pid)) return status('failed', `its task (pid ${own.pid}) ended without a word; see ${log}`);
      return status('running');
    }
    if (own.state === 'finished') return status('failed', `its task ended, but ${m.runDir} has no results.json`);
    if (own.state === 'stopped') return status('stopped');
    return status('failed', `gacd run exited with ${own.exitCode ?? '?'}; its output: ${log}`);
  });
}

/** States in which a member is done for now: nothing more happens unless it is resumed. */
export const ENDED: readonly MemberState[] = ['finished', 'failed', 'cancelled', 'timeout', 'stopped'];
/** States `gacd sweep resume` starts again. */
export const RESUMABLE: readonly MemberState[] = ['failed', 'cancelled', 'timeout', 'stopped'];
