/**
 * A sweep folder read for a report: its manifest, and for each member its results (null until it
 * finishes), the last similarity to the teacher of each of its models, what its run recorded
 * about the engine and backend, and the times of its first and last events. Reading only: a
 * sweep that is still running is reported as it stands.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseEvent, type EngineEvent, type ModelResults } from '../../protocol/events';
import type { MemberState, SweepManifest, SweepMember } from '../../protocol/sweep';
import { readRunResults } from '../sweep/aggregate';
import { readManifest, readMemberState } from '../sweep/folder';
import { memberStatuses } from '../sweep/status';

/** The last `similarity` event of one model: its CKA to the teacher and its logit-correlation gap. */
export interface Similarity {
  epoch: number;
  ckaClean: number;
  ckaAdversarial: number;
  /** Absent when the teacher has another label set. */
  logitGap?: number;
}

export interface MemberData {
  member: SweepMember;
  state: MemberState;
  /** Why it is not finished, where its status says. */
  message?: string;
  results: ModelResults[] | null;
  /** Per model label (`student`, `baseline:kd`). */
  similarity: Map<string, Similarity>;
  /** From the run-start event: `wasm (SIMD, 1 thread) ...`, and engine, tfjs and node versions. */
  backend?: string;
  versions?: Record<string, string>;
  /** Milliseconds since the epoch of the first and last event in events.jsonl. */
  firstEvent?: number;
  lastEvent?: number;
  /** The host its task ran on (its state file). */
  host?: string;
}

export interface SweepData {
  root: string;
  manifest: SweepManifest;
  /** The command line that made the sweep, when its manifest recorded one. */
  command?: string;
  members: MemberData[];
  /** The shared teachers' runs, for the wall time. */
  teachers: Array<{ role: string; firstEvent?: number; lastEvent?: number }>;
}

interface EventTimes {
  first?: number;
  last?: number;
  similarity: Map<string, Similarity>;
  backend?: string;
  versions?: Record<string, string>;
}

/**
 * What a report needs from a run's events.jsonl, each line read by the protocol's parseEvent. A
 * line that does not parse (a run killed while writing it) is skipped: the report shows what the
 * log holds, not a crash.
 */
export function readEvents(runDir: string): EventTimes {
  const out: EventTimes = { similarity: new Map() };
  let text: string;
  try {
    text = fs.readFileSync(path.join(runDir, 'events.jsonl'), 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let e: EngineEvent;
    try {
      e = parseEvent(line);
    } catch {
      continue;
    }
    const t = Date.parse(e.time);
    if (Number.isFinite(t)) {
      out.first = out.first === undefined ? t : Math.min(out.first, t);
      out.last = out.last === undefined ? t : Math.max(out.last, t);
    }
    if (e.type === 'run-start') {
      out.backend = e.backendDetail;
      out.versions = e.versions;
    } else if (e.type === 'similarity') {
      out.similarity.set(e.model, {
        epoch: e.epoch,
        ckaClean: e.cka.clean,
        ckaAdversarial: e.cka.adversarial,
        ...(e.logitCorrelationGap !== undefined ? { logitGap: e.logitCorrelationGap } : {}),
      });
    }
  }
  return out;
}

/** The command line, if whoever wrote the manifest kept one (`command`: a string or its words). */
function recordedCommand(root: string): string | undefined {
  try {
    const raw = JSON.parse(fs.readFileSync(path.join(root, 'sweep.json'), 'utf8')) as { command?: unknown };
    if (typeof raw.command === 'string') return raw.command;
    if (Array.isArray(raw.command)) return raw.command.map(String).join(' ');
  } catch {
    // readManifest has already said what is wrong with the file.
  }
  return undefined;
}

/** The error for a folder that is not a sweep folder, naming what it seems to be and the fix. */
function notASweep(dir: string): Error {
  const fix = 'give the folder gacd sweep printed, <runs>/<experiment>/sweep-<id> (the one holding sweep.json)';
  if (!fs.existsSync(dir)) return new Error(`${dir} does not exist: ${fix}`);
  if (!fs.statSync(dir).isDirectory()) return new Error(`${dir} is a file, not a sweep folder: ${fix}`);
  const member = /^(.*sweep-[^/\\]+)-(m\d+|teacher-[a-z]+)$/.exec(path.basename(dir));
  if (member) {
    const parent = path.join(path.dirname(dir), member[1]);
    return new Error(`${dir} is the run folder of one member of a sweep, not the sweep folder: give ${parent}`);
  }
  const inside = fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, 'sweep.json')));
  if (inside.length) return new Error(`${dir} is not a sweep folder (no sweep.json) but holds ${inside.length === 1 ? 'one' : inside.length}: give ${inside.map((d) => path.join(dir, d)).join(' or ')}`);
  if (fs.existsSync(path.join(dir, 'events.jsonl'))) return new Error(`${dir} is a run folder, not a sweep folder (no sweep.json): a report is made of a sweep; ${fix}`);
  return new Error(`${dir} is not a sweep folder (no sweep.json): ${fix}`);
}

export function readSweep(dir: string): SweepData {
  const root = path.resolve(dir);
  if (!fs.existsSync(path.join(root, 'sweep.json'))) throw notASweep(root);
  const manifest = readManifest(root);
  const statuses = memberStatuses(root, manifest);
  const members = manifest.members.map((member, i): MemberData => {
    const ev = readEvents(member.runDir);
    const status = statuses[i];
    return {
      member,
      state: status.state,
      ...(status.message ? { message: status.message } : {}),
      results: status.state === 'finished' ? readRunResults(member.runDir) : null,
      similarity: ev.similarity,
      ...(ev.backend ? { backend: ev.backend } : {}),
      ...(ev.versions ? { versions: ev.versions } : {}),
      ...(ev.first !== undefined ? { firstEvent: ev.first, lastEvent: ev.last } : {}),
      ...(readMemberState(root, member.id)?.host ? { host: readMemberState(root, member.id)!.host } : {}),
    };
  });
  const teachers = manifest.teachers.map((t) => {
    const ev = readEvents(t.runDir);
    return { role: t.role, firstEvent: ev.first, lastEvent: ev.last };
  });
  const command = recordedCommand(root);
  return { root, manifest, ...(command ? { command } : {}), members, teachers };
}
