/**
 * The sweeps beside the runs: `<runs>/<experiment>/sweep-<id>/sweep.json` (typed in
 * src/protocol/sweep.ts) with each member's state file. Their members run into ordinary run
 * folders (`sweep-<id>-m00`), which the run store already knows; this reads the rest: which runs
 * belong together, the members not started yet, and each one's state and Slurm job.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { memberStateFile, sweepManifest, type MemberStateFile } from '../../protocol/sweep';

export interface SweepMemberView {
  index: number;
  id: string;
  runDir: string;
  /** The member's state file's word, or `pending` before its task has started. */
  state: MemberStateFile['state'] | 'pending';
  slurmJob?: string;
  configuration: string;
  seed: number;
}

export interface SweepView {
  experiment: string;
  id: string;
  dir: string;
  executor: 'local' | 'slurm';
  members: SweepMemberView[];
}

/** A sweep folder's manifest and member states, or null when it is not one (or is torn). */
export function readSweep(dir: string): SweepView | null {
  let manifest;
  try {
    manifest = sweepManifest.parse(JSON.parse(fs.readFileSync(path.join(dir, 'sweep.json'), 'utf8')));
  } catch {
    return null;
  }
  const jobs = new Map<number, string>();
  for (const s of manifest.slurm?.submissions ?? []) for (const m of s.members ?? []) jobs.set(m, `${s.jobId}_${m}`);
  return {
    experiment: manifest.experiment,
    id: manifest.id,
    dir,
    executor: manifest.executor,
    members: manifest.members.map((m) => {
      const state = readState(path.join(dir, 'members', `${m.id}.state.json`));
      return {
        index: m.index,
        id: m.id,
        runDir: m.runDir,
        state: state?.state ?? 'pending',
        slurmJob: state?.slurmJobId ?? jobs.get(m.index),
        configuration: m.configuration,
        seed: m.seed,
      };
    }),
  };
}

function readState(file: string): MemberStateFile | null {
  try {
    return memberStateFile.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch {
    return null;
  }
}

/** The sweeps in the experiment folders of these run folders (where sweeps write theirs). */
export function findSweeps(runDirs: readonly string[]): SweepView[] {
  const experiments = new Set(runDirs.map((d) => path.dirname(d)));
  const out: SweepView[] = [];
  for (const exp of experiments) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(exp).filter((n) => /^sweep-[^.]+$/.test(n) && !/-m\d+$/.test(n));
    } catch {
      continue;
    }
    for (const n of names) {
      const s = readSweep(path.join(exp, n));
      if (s) out.push(s);
    }
  }
  return out;
}
