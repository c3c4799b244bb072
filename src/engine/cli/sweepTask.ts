/**
 * `gacd sweep task DIR ID`: what one task of a sweep runs, locally or as a Slurm array task. It is
 * `gacd run` on the member's file into the member's run folder, or `gacd resume` on that folder
 * when an earlier attempt left one, so a cancelled or timed-out member continues from its
 * checkpoint. Around it, the task writes its member's state file (started, then how it ended);
 * that file is how `gacd sweep status` knows a member after Slurm has forgotten its job.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readManifest, writeMemberState } from '../sweep/folder';
import { Printer } from './printer';
import { resumeCommand } from './resumeCommand';
import { runCommand } from './runCommand';

export async function sweepTask(dir: string, id: string, printer = new Printer()): Promise<number> {
  const root = path.resolve(dir);
  const manifest = readManifest(root);
  const teacher = /^t\d+$/.test(id) ? manifest.teachers[Number(id.slice(1))] : undefined;
  const member = /^\d+$/.test(id) ? manifest.members[Number(id)] : undefined;
  const unit = teacher
    ? { state: `teacher-${teacher.role}`, file: teacher.file, runDir: teacher.runDir }
    : member
      ? { state: member.id, file: member.file, runDir: member.runDir }
      : undefined;
  if (!unit) {
    printer.error(`${root} has no task ${id}`, `give a member's index (0 to ${manifest.members.length - 1}) or t0 to t${manifest.teachers.length - 1} for a shared teacher`);
    return 2;
  }
  const slurmJobId = process.env.SLURM_ARRAY_JOB_ID;
  const startedAt = new Date().toISOString();
  writeMemberState(root, unit.state, { state: 'running', startedAt, ...(slurmJobId ? { slurmJobId } : {}) });
  let code: number;
  if (fs.existsSync(path.join(unit.runDir, 'results.json'))) {
    code = 0; // finished by an earlier attempt
  } else if (fs.existsSync(path.join(unit.runDir, 'spec.json'))) {
    printer.notice(`continuing ${unit.runDir} from its last checkpoint (gacd resume)`);
    code = await resumeCommand(unit.runDir, {}, printer);
  } else {
    code = await runCommand(unit.file, { 'runs-dir': path.dirname(path.dirname(unit.runDir)), 'run-id': path.basename(unit.runDir) }, printer);
  }
  const state = code === 0 ? 'finished' : code === 130 ? 'stopped' : 'failed';
  writeMemberState(root, unit.state, { state, startedAt, endedAt: new Date().toISOString(), exitCode: code, ...(slurmJobId ? { slurmJobId } : {}) });
  return code;
}
