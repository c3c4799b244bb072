/**
 * From an experiment file with a `sweep:` block to the sweep's plan: each member as an ordinary
 * experiment file (the file with the member's overrides, its paths made absolute since it lives in
 * the sweep folder, threads set for its share of the machine, and a shared teacher as a
 * checkpoint), each checked as `gacd run` will check it, and the manifest that lists them. Nothing
 * is written here: `--dry-run` prints the plan, and writePlan() puts it on disk.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import type { SlurmResources, SweepManifest } from '../../protocol/sweep';
import { pathSettings } from '../experiment/checks';
import { loadExperiment } from '../experiment/load';
import { rangeNear, toPlain } from '../experiment/parse';
import { formatProblem, hasErrors, Problem } from '../experiment/problems';
import { applyOverrides, expandAxes, Overrides, splitPath, sweepAxes, valueText, withoutSweep } from '../experiment/sweep';
import { newRunId } from '../run/runDir';
import { memberFile, memberId, sweepPaths, teacherFile, writeManifest } from './folder';
import { shareTeachers } from './sharedTeacher';

type Plain = Record<string, unknown>;

export interface PlanOptions {
  executor: 'local' | 'slurm';
  /** Members at once; null: no cap (Slurm only). */
  parallel: number | null;
  runsDir?: string;
  /** Cores of this machine, divided among the local members running at once. */
  cores: number;
  /** The flags' resources, over the file's `slurm:` block. */
  slurm?: Partial<SlurmResources>;
}

export interface SweepPlan {
  dir: string;
  manifest: SweepManifest;
  /** The text of each member's file, in member order, and of each shared teacher's. */
  memberTexts: string[];
  teacherTexts: string[];
  notes: string[];
}

export type PlanResult = { plan: SweepPlan; problems: Problem[] } | { plan?: undefined; problems: Problem[]; message: string };

export function planSweep(file: string, o: PlanOptions): PlanResult {
  const source = path.resolve(file);
  const loaded = loadExperiment(source);
  if (!loaded.spec || hasErrors(loaded.problems)) {
    return { problems: loaded.problems, message: `${file} has errors; no member was started` };
  }
  const spec = loaded.spec;
  const axes = sweepAxes(spec.sweep);
  if (axes.length === 0) {
    return { problems: [], message: `${file} has no sweep: block with values to sweep (e.g. sweep: {grid: {seed: [0, 1, 2]}}); gacd run runs it as it is` };
  }
  const plainFile = toPlain(loaded.doc) as Plain;
  const base: Plain = { ...withoutSweep(plainFile), name: spec.name };

  const runsDir = path.resolve(o.runsDir ?? path.join(path.dirname(source), '.gacd-runs'));
  const experimentDir = path.join(runsDir, spec.name.replace(/[^a-zA-Z0-9_.-]+/g, '-'));
  const id = `sweep-${newRunId()}`;
  const dir = path.join(experimentDir, id);
  const resources = slurmResources(spec.slurm, o.slurm);
  const threads = threadsPerMember(base, axes.map((a) => a.path), o, resources);

  const overrides = expandAxes(axes);
  const members = overrides.map((ov) => memberPlain(base, ov, source, threads));
  const sharing = shareTeachers(members, base.seed ?? 0, id, (runId) => path.join(experimentDir, runId));

  const problems: Problem[] = [];
  const sweepLine = rangeNear(loaded.doc, ['sweep'], 'key');
  const count = members.length;
  const manifestMembers = members.map((plain, index) => {
    const mid = memberId(index, count);
    const mfile = memberFile(dir, mid);
    // Checked as written by the user (a shared teacher still as its train: block, which exists now).
    const check = loadExperiment(mfile, { text: stringify(plain), workspaceRoot: path.parse(mfile).root });
    // Its lines are those of a file not yet written: the problem is shown on the sweep: block.
    problems.push(...check.problems.filter((p) => p.severity === 'error').map((p) => ({ ...p, ...sweepLine, file, message: `member ${mid} (${label(overrides[index])}): ${p.message}` })));
    const seedOverride = overrides[index].find((x) => x.path === 'seed');
    return {
      index,
      id: mid,
      overrides: Object.fromEntries(overrides[index].map((x) => [x.path, x.value])),
      configuration: label(overrides[index].filter((x) => x.path !== 'seed')),
      seed: Number(seedOverride?.value ?? base.seed ?? 0),
      file: mfile,
      runDir: path.join(experimentDir, `${id}-${mid}`),
      settings: check.spec ?? null,
    };
  });
  if (hasErrors(problems)) return { problems: dedupe(problems), message: `some members of ${file} would not run; no member was started` };

  const manifest: SweepManifest = {
    format: 'gacd-sweep-1',
    id,
    experiment: spec.name,
    source,
    created: new Date().toISOString(),
    executor: o.executor,
    parallel: o.parallel,
    axes: axes.map((a) => ({ path: a.path, values: a.values, kind: a.kind })),
    teachers: sharing.teachers.map((t) => ({
      role: t.role,
      file: teacherFile(dir, t.role),
      runDir: path.join(experimentDir, t.runId),
      checkpoint: t.checkpoint,
    })),
    members: manifestMembers,
    slurm: o.executor === 'slurm' ? { resources, submissions: [] } : null,
  };
  const header = (what: string) =>
    `# ${what} of sweep ${id}, from ${source}.\n# Written by gacd sweep: an ordinary experiment file (gacd run runs it as it is); its paths were checked against that file's workspace.\n`;
  return {
    plan: {
      dir,
      manifest,
      memberTexts: sharing.members.map((m, i) => header(`Member ${manifestMembers[i].id} (${label(overrides[i]) || 'the file as written'})`) + stringify(m)),
      teacherTexts: sharing.teachers.map((t) => header(`The ${t.role} teacher, trained once for every member,`) + stringify(t.experiment)),
      notes: sharing.notes,
    },
    problems: loaded.problems,
  };
}

/** Writes the sweep folder: the members' and teachers' files, then the manifest that lists them. */
export function writePlan(plan: SweepPlan): void {
  const p = sweepPaths(plan.dir);
  for (const d of [p.members, p.logs]) fs.mkdirSync(d, { recursive: true });
  plan.manifest.members.forEach((m, i) => fs.writeFileSync(m.file, plan.memberTexts[i]));
  plan.manifest.teachers.forEach((t, i) => fs.writeFileSync(t.file, plan.teacherTexts[i]));
  writeManifest(plan.dir, plan.manifest);
}

/** `method.name=gacd training.lr=0.1`: a member's overrides as words. */
export function label(overrides: Overrides): string {
  return overrides.map((x) => `${x.path}=${valueText(x.value)}`).join(' ');
}

/** The file with the member's overrides, absolute paths, the sweep's threads and its own name. */
function memberPlain(base: Plain, overrides: Overrides, source: string, threads: number | null): Plain {
  const plain = applyOverrides(base, overrides);
  for (const p of pathSettings(plain, source)) setIn(plain, p.setting.map(String), p.absolute);
  plain.allow_outside_workspace = true;
  if (threads !== null) plain.workers = threads;
  return plain;
}

function setIn(plain: Plain, at: string[], value: unknown): void {
  let here = plain;
  for (const k of at.slice(0, -1)) here = here[k] as Plain;
  here[at[at.length - 1]] = value;
}

/**
 * Threads of each member, when the file leaves `workers:` to the machine: locally the cores
 * divided among the members running at once; on Slurm the CPUs each task is given.
 */
function threadsPerMember(base: Plain, swept: string[], o: PlanOptions, r: SlurmResources): number | null {
  if ((base.workers !== undefined && base.workers !== 'auto') || swept.some((s) => splitPath(s)[0] === 'workers')) return null;
  if (o.executor === 'slurm') return r.cpus ?? 1;
  return Math.max(1, Math.floor(o.cores / Math.max(1, o.parallel ?? 1)));
}

/** The file's `slurm:` block with the flags over it. */
function slurmResources(block: Partial<SlurmResources> | null, flags: Partial<SlurmResources> = {}): SlurmResources {
  const r: SlurmResources = { partition: null, time: null, cpus: null, gpus: null, memory: null, account: null, extra: [], ...(block ?? {}) };
  for (const [k, v] of Object.entries(flags)) if (v !== undefined && v !== null) (r as Record<string, unknown>)[k] = v;
  return r;
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = formatProblem(p);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
