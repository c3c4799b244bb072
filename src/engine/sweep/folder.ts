/**
 * The sweep folder on disk (its shape is typed in src/protocol/sweep.ts): where each file lives,
 * and reading and writing the manifest and the members' state files. Every write is atomic, so a
 * reader (`gacd sweep status`, the extension) never sees half a file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemberStateFile, SweepManifest, memberStateFile, sweepManifest } from '../../protocol/sweep';
import { writeFileAtomic } from '../run/atomicWrite';

export interface SweepPaths {
  root: string;
  manifest: string;
  results: string;
  members: string;
  logs: string;
  slurm: string;
}

export function sweepPaths(root: string): SweepPaths {
  return {
    root,
    manifest: path.join(root, 'sweep.json'),
    results: path.join(root, 'results.json'),
    members: path.join(root, 'members'),
    logs: path.join(root, 'logs'),
    slurm: path.join(root, 'slurm'),
  };
}

/** `m00`, `m01`, ...: wide enough that the ids sort in member order. */
export function memberId(index: number, count: number): string {
  return `m${String(index).padStart(Math.max(2, String(count - 1).length), '0')}`;
}

export const memberFile = (root: string, id: string) => path.join(sweepPaths(root).members, `${id}.gacd`);
export const teacherFile = (root: string, role: string) => path.join(sweepPaths(root).members, `teacher-${role}.gacd`);
const stateFile = (root: string, id: string) => path.join(sweepPaths(root).members, `${id}.state.json`);

export function writeManifest(root: string, manifest: SweepManifest): void {
  writeFileAtomic(sweepPaths(root).manifest, JSON.stringify(manifest, null, 2));
}

/** The manifest of a sweep folder; an error that names the folder and what is wrong with it. */
export function readManifest(root: string): SweepManifest {
  const file = sweepPaths(root).manifest;
  if (!fs.existsSync(file)) throw new Error(`${root} is not a sweep folder (no sweep.json): give the folder gacd sweep printed, <runs>/<experiment>/sweep-<id>`);
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = sweepManifest.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: ${issue.path.join('.') || 'the content'}: ${issue.message}; it was not written by this version of gacd sweep`);
  }
  return parsed.data;
}

/** What a member's task last wrote about itself; null before it starts (or when the file is torn). */
export function readMemberState(root: string, id: string): MemberStateFile | null {
  try {
    return memberStateFile.parse(JSON.parse(fs.readFileSync(stateFile(root, id), 'utf8')));
  } catch {
    return null;
  }
}

export function writeMemberState(root: string, id: string, state: Omit<MemberStateFile, 'pid' | 'host'>): void {
  const full: MemberStateFile = { ...state, pid: process.pid, host: os.hostname() };
  writeFileAtomic(stateFile(root, id), JSON.stringify(full, null, 1));
}
