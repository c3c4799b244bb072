/**
 * Where a report's numbers came from: the command that made the sweep, the engine and backend
 * its runs recorded, the machine (the one making the report, and the hosts the runs named), and
 * the wall time from the runs' own event timestamps.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { SweepData } from './sweepData';

/** The command line recorded in the manifest, or the one that would make the same sweep again. */
export function sweepCommandLine(sweep: SweepData): { command: string; recorded: boolean } {
  if (sweep.command) return { command: sweep.command, recorded: true };
  const m = sweep.manifest;
  const words = ['gacd', 'sweep', m.source, '--executor', m.executor];
  if (m.parallel !== null) words.push('--parallel', String(m.parallel));
  // The runs folder is the sweep folder's grandparent; name it when it is not the default.
  const runs = path.dirname(path.dirname(sweep.root));
  if (runs !== path.join(path.dirname(m.source), '.gacd-runs')) words.push('--runs-dir', runs);
  const quote = (w: string) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);
  return { command: words.map(quote).join(' '), recorded: false };
}

const distinct = (xs: Array<string | undefined>) => [...new Set(xs.filter((x): x is string => !!x))];

export interface Provenance {
  engineVersions: string[];
  tfjsVersions: string[];
  nodeVersions: string[];
  backends: string[];
  hosts: string[];
}

export function provenanceOf(sweep: SweepData): Provenance {
  const ms = sweep.members;
  return {
    engineVersions: distinct(ms.map((m) => m.versions?.engine)),
    tfjsVersions: distinct(ms.map((m) => m.versions?.tfjs)),
    nodeVersions: distinct(ms.map((m) => m.versions?.node)),
    backends: distinct(ms.map((m) => m.backend)),
    hosts: distinct(ms.map((m) => m.host)),
  };
}

/** The machine making the report (the runs may have run elsewhere: their hosts are listed apart). */
export function thisMachine(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model?.trim() || 'unknown CPU';
  const gib = (os.totalmem() / 2 ** 30).toFixed(1);
  return `${os.hostname()}: ${model} × ${cpus.length}, ${gib} GiB memory, ${os.type()} ${os.release()} (${os.arch()}), Node ${process.versions.node}`;
}

export interface WallTime {
  /** From the first event of any run (shared teachers included) to the last, in ms. */
  spanMs: number | null;
  /** The members' own times added up (first to last event of each), in ms. */
  memberSumMs: number;
  /** The shared teachers' times added up, in ms. */
  teacherSumMs: number;
  /** Members with a run at all. */
  timed: number;
}

export function wallTime(sweep: SweepData): WallTime {
  const runs = [...sweep.members.map((m) => ({ first: m.firstEvent, last: m.lastEvent, teacher: false })), ...sweep.teachers.map((t) => ({ first: t.firstEvent, last: t.lastEvent, teacher: true }))];
  const timed = runs.filter((r): r is { first: number; last: number; teacher: boolean } => r.first !== undefined && r.last !== undefined);
  const sum = (rs: typeof timed) => rs.reduce((s, r) => s + (r.last - r.first), 0);
  return {
    spanMs: timed.length ? Math.max(...timed.map((r) => r.last)) - Math.min(...timed.map((r) => r.first)) : null,
    memberSumMs: sum(timed.filter((r) => !r.teacher)),
    teacherSumMs: sum(timed.filter((r) => r.teacher)),
    timed: timed.filter((r) => !r.teacher).length,
  };
}

/** "1 h 02 min 05 s", "4 min 07 s", "12.3 s". */
export function duration(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const total = Math.round(s);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min ${sec} s` : `${m} min ${sec} s`;
}
