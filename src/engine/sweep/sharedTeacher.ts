/**
 * A teacher that a `train:` block trains is trained once for the whole sweep, not once per
 * member: as its own run (the teacher's recipe as an ordinary experiment whose student is the
 * teacher), before the members, which then load it as `checkpoint:`. That is only the same
 * experiment when the teacher does not vary across members: its block, its data and the training
 * keys it inherits must be equal in every member. The seed may vary (a sweep over seeds is about
 * the student): the shared teacher is trained with the file's own seed.
 */
import * as path from 'node:path';
import { describeAt } from '../experiment/schemaInfo';
import { experimentSchema } from '../experiment/schema';

type Plain = Record<string, unknown>;
const isRecord = (v: unknown): v is Plain => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Where each role's teacher may be written; `teacher:` and `teachers.adversarial` are one role. */
const ROLES: Array<{ role: string; paths: string[][] }> = [
  { role: 'adversarial', paths: [['teacher'], ['teachers', 'adversarial']] },
  { role: 'natural', paths: [['teachers', 'natural']] },
];

function get(plain: Plain, at: string[]): unknown {
  let here: unknown = plain;
  for (const k of at) here = isRecord(here) ? here[k] : undefined;
  return here;
}

/** A role's teacher block when a `train:` block makes it (no checkpoint to load). */
function trainedTeacher(plain: Plain, paths: string[][]): { at: string[]; block: Plain } | undefined {
  for (const at of paths) {
    const block = get(plain, at);
    if (isRecord(block) && isRecord(block.train) && !block.checkpoint) return { at, block };
  }
  return undefined;
}

/**
 * The teacher's recipe as an experiment of its own: the teacher is its student, `train:`'s method
 * its method, the member's training with `train:`'s training keys over it (as a run trains it).
 */
export function teacherExperiment(plain: Plain, block: Plain, seed: unknown): Plain {
  const trainingKeys = describeAt(['training'])?.keys ?? [];
  const { method, ...rest } = block.train as Plain;
  const own = Object.fromEntries(Object.entries(rest).filter(([k]) => trainingKeys.includes(k)));
  const settings = Object.fromEntries(Object.entries(rest).filter(([k]) => !trainingKeys.includes(k)));
  return {
    name: plain.name,
    seed,
    backend: plain.backend,
    workers: plain.workers,
    allow_outside_workspace: true,
    data: block.data ?? plain.data,
    student: { model: block.model },
    method: { name: method, ...settings },
    training: { ...(isRecord(plain.training) ? plain.training : {}), ...own },
    evaluation: plain.evaluation,
  };
}

/** The checkpoint folder a finished teacher run leaves: its last epoch, or its best with keep_best. */
export function finalCheckpoint(runDir: string, teacher: Plain): string {
  const spec = experimentSchema.parse(teacher);
  const name = spec.training.keep_best ? 'student-best' : `student-e${spec.training.epochs}-s0`;
  return path.join(runDir, 'checkpoints', name);
}

export interface SharedTeacherPlan {
  role: string;
  /** The teacher's experiment, as its run's file. */
  experiment: Plain;
  runId: string;
  checkpoint: string;
}

export interface Sharing {
  teachers: SharedTeacherPlan[];
  /** The members, each with every shared teacher's `train:` replaced by its checkpoint. */
  members: Plain[];
  /** Why a teacher is trained by each member after all. */
  notes: string[];
}

/**
 * Shares each role's trained teacher when it is the same in every member. `runDirOf` names the
 * run folder of a teacher's run from its run id.
 */
export function shareTeachers(members: Plain[], seed: unknown, sweepId: string, runDirOf: (runId: string) => string): Sharing {
  const teachers: SharedTeacherPlan[] = [];
  const notes: string[] = [];
  let out = members;
  for (const { role, paths } of ROLES) {
    const found = members.map((m) => trainedTeacher(m, paths));
    if (found.every((f) => !f)) continue;
    const recipes = members.map((m, i) => (found[i] ? JSON.stringify(teacherExperiment(m, found[i]!.block, seed)) : ''));
    if (found.some((f) => !f) || new Set(recipes).size > 1) {
      notes.push(`the ${role} teacher varies across members, so each member trains its own`);
      continue;
    }
    const experiment = teacherExperiment(members[0], found[0]!.block, seed);
    const runId = `${sweepId}-teacher-${role}`;
    const checkpoint = finalCheckpoint(runDirOf(runId), experiment);
    teachers.push({ role, experiment, runId, checkpoint });
    out = out.map((m, i) => {
      const copy = structuredClone(m);
      const { at, block } = found[i]!;
      const { train: _train, ...loaded } = block;
      let here = copy;
      for (const k of at.slice(0, -1)) here = here[k] as Plain;
      here[at[at.length - 1]] = { ...loaded, checkpoint };
      return copy;
    });
  }
  return { teachers, members: out, notes };
}
