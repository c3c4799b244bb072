/**
 * Checks that need more than one setting, the catalogs or the filesystem: a teacher where a method
 * distills, paths that exist and stay in the workspace, a student no larger than its teacher, an
 * evaluation with a real attack, and the notes on GACD's unconfirmed settings.
 *
 * They read the file's plain content rather than the validated spec, so that they still run when
 * another section has an error; each check looks only at values of the right type and leaves
 * wrong ones to the schema's problems.
 */
import * as fs from 'node:fs';
import { findMethod, methods, reconstructedNote, unconfirmed } from '../methods/catalog';
import { datasets } from '../data/catalog';
import { searchDataset, sources } from '../data/locate.info';
import { readsTeacherLabels, rolesOf, teacherRoles, type MethodInfo, type TeacherRole } from '../catalog/types';
import { experimentFields } from './schema';
import { models } from '../models/catalog';
import { evaluateExpression, shownNumber } from '../catalog/expression';
import { EvaluationEntry, isIterative, parseEvaluationEntry } from '../attacks/catalog';
import type { ParsedExperiment, Path } from './parse';
import { locate, rangeNear } from './parse';
import type { Problem } from './problems';
import { pathText } from './validate';
import { isInside, resolveFromFile } from './workspace';
import { sweepChecks } from './sweepChecks';

/** The training section's defaults, from the schema itself (never repeated here as literals). */
const TRAINING_DEFAULTS = experimentFields.shape.training.parse({});

export interface CheckContext {
  parsed: ParsedExperiment;
  /** The file as it should appear in problems. */
  file: string;
  /** The file's path on disk, against which relative paths resolve. */
  filePath: string;
  /** The file's plain content. */
  plain: Record<string, unknown>;
  workspaceRoot: string;
}

type Fields = Omit<Problem, 'file' | 'line' | 'column' | 'endLine' | 'endColumn'>;

function at(ctx: CheckContext, path: Path, part: 'key' | 'value' | 'auto', fields: Fields): Problem {
  return { file: ctx.file, ...rangeNear(ctx.parsed, path, part), ...fields };
}

function get(data: unknown, path: Path): unknown {
  let here = data;
  for (const seg of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<string | number, unknown>)[seg];
  }
  return here;
}

/** A number written as a number or an arithmetic expression; undefined otherwise. */
function numberAt(data: unknown, path: Path): number | undefined {
  const v = get(data, path);
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const r = evaluateExpression(v);
    return r.ok ? r.value : undefined;
  }
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Each block that names a method: the student's, each baseline's, the teacher's training. */
interface MethodRef {
  block: Path;
  key: 'name' | 'method';
  name: string;
}

function methodRefs(plain: Record<string, unknown>): MethodRef[] {
  const refs: MethodRef[] = [];
  const m = plain.method;
  if (isObject(m) && typeof m.name === 'string') refs.push({ block: ['method'], key: 'name', name: m.name });
  if (Array.isArray(plain.baselines)) {
    plain.baselines.forEach((b, i) => {
      if (isObject(b) && typeof b.method === 'string') refs.push({ block: ['baselines', i], key: 'method', name: b.method });
    });
  }
  return refs;
}

export function semanticChecks(ctx: CheckContext): Problem[] {
  return [
    ...teacherChecks(ctx),
    ...pathChecks(ctx),
    ...datasetChecks(ctx),
    ...evaluationChecks(ctx),
    ...scheduleChecks(ctx, ['training']),
    ...scheduleChecks(ctx, ['teacher', 'train']),
    ...scheduleChecks(ctx, ['teachers', 'adversarial', 'train']),
    ...scheduleChecks(ctx, ['teachers', 'natural', 'train']),
    ...conventionNotes(ctx),
    ...baselineChecks(ctx),
    ...gacdNotes(ctx),
    ...sweepChecks(ctx),
  ];
}

/** Each teacher block of the file with its role and where it is written. */
interface TeacherRef {
  role: TeacherRole;
  path: Path;
  block: Record<string, unknown>;
}

function teacherRefs(plain: Record<string, unknown>): TeacherRef[] {
  const refs: TeacherRef[] = [];
  if (isObject(plain.teacher)) refs.push({ role: 'adversarial', path: ['teacher'], block: plain.teacher });
  const byRole = plain.teachers;
  if (isObject(byRole)) {
    for (const role of teacherRoles) {
      const b = byRole[role];
      if (isObject(b)) refs.push({ role, path: ['teachers', role], block: b });
    }
  }
  return refs;
}

/** A method block's settings with the method's defaults under what the file wrote (best effort). */
function settingsOf(ref: MethodRef, plain: Record<string, unknown>): Record<string, unknown> {
  const info = findMethod(ref.name);
  const block = get(plain, ref.block) as Record<string, unknown>;
  if (!info) return block;
  return methodBlockSettings(info, block) ?? { ...(info.settings.parse({}) as Record<string, unknown>), ...ownSettings(info, block) };
}

/** The keys of a method block that are that method's settings (not `name`, `method` or `label`). */
function ownSettings(info: MethodInfo, block: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(block).filter(([k]) => k in info.settings.shape));
}

/** A method block's settings with the method's defaults filled in, or null when one is invalid. */
export function methodBlockSettings(info: MethodInfo, block: Record<string, unknown>): Record<string, unknown> | null {
  const parsed = info.settings.safeParse(ownSettings(info, block));
  return parsed.success ? (parsed.data as Record<string, unknown>) : null;
}

/** The label set of some data: its dataset and its classes ("all" when it keeps every class). */
function labelSetOf(data: unknown): { dataset: unknown; classes: string } {
  if (!isObject(data)) return { dataset: undefined, classes: 'all' };
  return { dataset: data.dataset, classes: Array.isArray(data.classes) ? data.classes.join(',') : 'all' };
}

function describeLabels(data: unknown, fallback: unknown): string {
  const d = isObject(data) ? data : isObject(fallback) ? fallback : {};
  const classes = Array.isArray(d.classes) ? ` classes [${d.classes.join(', ')}]` : '';
  return `${String(d.dataset ?? 'the dataset')}${classes}`;
}

const ROLE_HINT: Record<TeacherRole, string> = {
  adversarial: 'add a teacher: section with a model and a checkpoint (or a train block)',
  natural: 'add teachers: { natural: { model: ..., checkpoint: ... } } (or train: { method: natural }) for the naturally trained teacher',
};

function teacherChecks(ctx: CheckContext): Problem[] {
  const { plain } = ctx;
  const problems: Problem[] = [];
  const teachers = teacherRefs(plain);
  const byRole = new Map(teachers.map((t) => [t.role, t]));

  // A resolved spec (spec.json) writes the robust teacher under both names, identically.
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (isObject(plain.teacher) && isObject(plain.teachers) && isObject(plain.teachers.adversarial) && !same(plain.teacher, plain.teachers.adversarial)) {
    problems.push(
      at(ctx, ['teachers', 'adversarial'], 'key', {
        severity: 'error',
        code: 'duplicate-teacher',
        message: 'the robust teacher is given twice: teacher: and teachers.adversarial are the same role',
        fix: 'keep one of them',
      }),
    );
  }

  for (const ref of methodRefs(plain)) {
    const info = findMethod(ref.name);
    if (!info) continue;
    const settings = settingsOf(ref, plain);
    for (const role of rolesOf(info, settings)) {
      const teacher = byRole.get(role);
      if (!teacher) {
        // A teacher of the wrong type is the schema's problem.
        const written = role === 'adversarial' ? plain.teacher : isObject(plain.teachers) ? plain.teachers[role] : undefined;
        if (written !== undefined && written !== null) continue;
        problems.push(
          at(ctx, [...ref.block, ref.key], 'value', {
            severity: 'error',
            code: 'missing-section',
            message:
              role === 'adversarial'
                ? `method ${ref.name} distills from a teacher, but the experiment has no teacher: section`
                : `method ${ref.name} with these settings needs a ${role}ly trained teacher (role '${role}'), but the experiment has no teachers.${role}`,
            fix: ROLE_HINT[role],
          }),
        );
        continue;
      }
      // Soft labels need the teacher's classes to be the student's.
      const mine = labelSetOf(plain.data);
      const theirs = isObject(teacher.block.data) ? labelSetOf(teacher.block.data) : mine;
      if (readsTeacherLabels(info, settings) && (theirs.dataset !== mine.dataset || theirs.classes !== mine.classes)) {
        problems.push(
          at(ctx, [...ref.block, ref.key], 'value', {
            severity: 'error',
            code: 'label-sets-differ',
            message:
              `method ${ref.name} reads the teacher's class outputs (soft labels or its confidence in the true class), but the ${pathText(teacher.path)} ` +
              `label set (${describeLabels(teacher.block.data, plain.data)}) is not the student's (${describeLabels(plain.data, undefined)})`,
            fix: ref.name === 'gacd' ? 'set reweight: none (and alpha: 0, attack_loss: ce), or give teacher and student the same classes' : 'use a feature-based method (gacd with reweight: none, or crd), or give teacher and student the same classes',
            data: { replacements: ['gacd', 'crd'] },
          }),
        );
      }
    }
  }

  for (const t of teachers) problems.push(...teacherSourceChecks(ctx, t));
  return problems;
}

/** One teacher block: a way to get it, a method that can train it, a size above the student's. */
function teacherSourceChecks(ctx: CheckContext, t: TeacherRef): Problem[] {
  const problems: Problem[] = [];
  const teacher = t.block;
  const checkpoint = teacher.checkpoint;
  const train = teacher.train;
  const hasCheckpoint = typeof checkpoint === 'string' && checkpoint !== '';
  const hasTrain = isObject(train);
  // A checkpoint or train of the wrong type is the schema's problem, not this one.
  if ((checkpoint === undefined || checkpoint === null) && (train === undefined || train === null)) {
    problems.push(
      at(ctx, t.path, 'key', {
        severity: 'error',
        code: 'no-teacher-source',
        message: `the ${pathText(t.path)} has neither a checkpoint nor a train block, so there is no way to get it`,
        fix: `add checkpoint: <folder of a trained teacher>, or train: { method: ${t.role === 'natural' ? 'natural' : 'pgd-at'} } to train one first`,
      }),
    );
  }
  if (hasCheckpoint && hasTrain) {
    problems.push(
      at(ctx, [...t.path, 'train'], 'key', {
        severity: 'warning',
        code: 'teacher-train-ignored',
        message: `${pathText([...t.path, 'train'])} is ignored: the teacher is loaded from its checkpoint`,
        fix: 'remove train, or remove checkpoint to train the teacher',
      }),
    );
  }
  if (hasTrain && typeof train.method === 'string' && findMethod(train.method)?.needsTeacher) {
    problems.push(
      at(ctx, [...t.path, 'train', 'method'], 'value', {
        severity: 'error',
        code: 'teacher-needs-teacher',
        message: `the teacher cannot be trained with ${train.method}, which itself distills from a teacher`,
        fix: 'did you mean pgd-at?',
        data: { replacements: ['pgd-at', ...methods.filter((m) => !m.needsTeacher && m.name !== 'pgd-at').map((m) => m.name)] },
      }),
    );
  }

  const teacherModel = models.find((m) => m.name === teacher.model);
  const student = ctx.plain.student;
  const studentModel = isObject(student) ? models.find((m) => m.name === student.model) : undefined;
  if (t.role === 'adversarial' && teacherModel && studentModel && studentModel.approxParams > teacherModel.approxParams) {
    problems.push(
      at(ctx, ['student', 'model'], 'value', {
        severity: 'warning',
        code: 'student-larger',
        message:
          `the student ${studentModel.name} (about ${formatCount(studentModel.approxParams)} parameters) is larger than ` +
          `its teacher ${teacherModel.name} (about ${formatCount(teacherModel.approxParams)}); distillation usually goes to a smaller model`,
      }),
    );
  }
  return problems;
}

/**
 * What a method's KL reduction and attack mode do where it matters: 'mean' divides each KL term by
 * the number of classes, and a choice other than the official code's changes the loss's scale or
 * the attack from that code's (methods/conventions.info.ts). One note per method block.
 */
function conventionNotes(ctx: CheckContext): Problem[] {
  const problems: Problem[] = [];
  const classes = numberOfClasses(ctx.plain.data);
  for (const ref of methodRefs(ctx.plain)) {
    const info = findMethod(ref.name);
    if (!info || !('kl_reduction' in info.settings.shape)) continue;
    const settings = settingsOf(ref, ctx.plain);
    const chosen = settings.kl_reduction as string;
    const official = info.officialConventions?.kl_reduction;
    const c = classes ?? 'C';
    const sentences: string[] = [];
    // The official codes that average over classes were tuned on 10 classes (CIFAR-10).
    if (chosen === 'mean' && (official !== 'mean' || (classes !== undefined && classes !== 10))) {
      sentences.push(`kl_reduction mean divides each KL term by the number of classes, so on ${c} classes it is ${c}x smaller than the KL itself`);
    }
    if (official && official !== chosen) {
      sentences.push(
        chosen === 'batchmean'
          ? `${ref.name}'s official code uses 'mean', so its KL terms here are ${c}x larger than in that code (kl_reduction: mean reproduces it)`
          : `${ref.name}'s official code uses 'batchmean' (the KL summed over classes)`,
      );
    }
    const mode = settings.attack_mode as string | undefined;
    const officialMode = info.officialConventions?.attack_mode;
    if (mode && officialMode && mode !== officialMode) {
      sentences.push(`its official code attacks in ${officialMode} mode (attack_mode: ${officialMode} reproduces it)`);
    }
    if (!sentences.length) continue;
    const written = isObject(get(ctx.plain, ref.block)) && 'kl_reduction' in (get(ctx.plain, ref.block) as object);
    problems.push(
      at(ctx, written ? [...ref.block, 'kl_reduction'] : [...ref.block, ref.key], written ? 'key' : 'value', {
        severity: 'info',
        code: 'convention',
        message: `${ref.name}: ${sentences.join('; ')}.`,
      }),
    );
  }
  return problems;
}

function numberOfClasses(data: unknown): number | undefined {
  if (!isObject(data)) return undefined;
  if (Array.isArray(data.classes)) return data.classes.length;
  return datasets.find((d) => d.name === data.dataset)?.numClasses;
}

function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${Math.round(n / 1e3)}k`;
  return String(n);
}

/** A path setting resolved against the file, or undefined when the setting is not a path. */
export interface ResolvedPath {
  setting: Path;
  written: string;
  absolute: string;
}

export function pathSettings(plain: Record<string, unknown>, filePath: string): ResolvedPath[] {
  const out: ResolvedPath[] = [];
  const settings: Path[] = [
    ['data', 'path'],
    ['teacher', 'checkpoint'],
    ['teacher', 'data', 'path'],
    ...teacherRoles.flatMap((role): Path[] => [
      ['teachers', role, 'checkpoint'],
      ['teachers', role, 'data', 'path'],
    ]),
  ];
  for (const setting of settings) {
    const v = get(plain, setting);
    if (typeof v === 'string' && v !== '') out.push({ setting, written: v, absolute: resolveFromFile(filePath, v) });
  }
  return out;
}

/** A PyTorch weights file, which a teacher's checkpoint may name (imported on first use). */
const TORCH_FILE = /\.(pt|pth|safetensors)$/i;

function pathChecks(ctx: CheckContext): Problem[] {
  const problems: Problem[] = [];
  const allowOutside = ctx.plain.allow_outside_workspace === true;
  for (const p of pathSettings(ctx.plain, ctx.filePath)) {
    const what = p.setting[p.setting.length - 2] === 'data' ? 'dataset folder' : 'checkpoint folder';
    if (!allowOutside && !isInside(ctx.workspaceRoot, p.absolute)) {
      problems.push(
        at(ctx, p.setting, 'value', {
          severity: 'error',
          code: 'outside-workspace',
          message: `${pathText(p.setting)} "${p.written}" resolves to ${p.absolute}, outside the workspace ${ctx.workspaceRoot}`,
          fix: 'move it into the workspace, or set allow_outside_workspace: true',
        }),
      );
      continue;
    }
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(p.absolute);
    } catch {
      stat = undefined;
    }
    if (!stat) {
      problems.push(
        at(ctx, p.setting, 'value', {
          severity: 'error',
          code: 'missing-file',
          message: `${pathText(p.setting)}: the ${what} ${p.absolute} does not exist (paths are relative to the experiment file)`,
        }),
      );
    } else if (!stat.isDirectory() && !(p.setting[p.setting.length - 1] === 'checkpoint' && TORCH_FILE.test(p.absolute))) {
      problems.push(
        at(ctx, p.setting, 'value', {
          severity: 'error',
          code: 'not-a-folder',
          message: `${pathText(p.setting)}: ${p.absolute} is a file, but the ${what} must be a folder${what === 'checkpoint folder' ? ' (or a .pt, .pth or .safetensors file to import)' : ''}`,
        }),
      );
    }
  }
  return problems;
}

/**
 * A dataset that is not on this machine, said before a run fails on it: where it was looked for
 * (the engine's own search, data/locate.info.ts) and how to get it. The student's data always; a
 * teacher's only when the teacher is trained here. A `path:` that does not exist or leaves the
 * workspace is pathChecks' problem.
 */
function datasetChecks(ctx: CheckContext): Problem[] {
  const blocks: Path[] = [['data'], ...teacherRefs(ctx.plain).filter((t) => isObject(t.block.train)).map((t) => [...t.path, 'data'])];
  const problems: Problem[] = [];
  for (const block of blocks) {
    const data = get(ctx.plain, block);
    if (!isObject(data) || typeof data.dataset !== 'string' || !(data.dataset in sources)) continue;
    const written = typeof data.path === 'string' && data.path !== '' ? data.path : undefined;
    const dir = written === undefined ? undefined : resolveFromFile(ctx.filePath, written);
    const pathReported = dir !== undefined && (!isFolder(dir) || (!isInside(ctx.workspaceRoot, dir) && ctx.plain.allow_outside_workspace !== true));
    if (pathReported) continue;
    const r = searchDataset(data.dataset, { path: dir });
    if ('found' in r) continue;
    const { looked, howTo, needs } = r.missing;
    problems.push(
      at(ctx, dir === undefined ? [...block, 'dataset'] : [...block, 'path'], 'value', {
        severity: 'warning',
        code: 'dataset-not-found',
        message:
          `${dir === undefined ? `dataset ${data.dataset} is not on this machine` : `${pathText([...block, 'path'])} does not hold the ${data.dataset} files`}, ` +
          `so a run would stop when it loads it. Looked in: ${looked.map((l, i) => `(${i + 1}) ${l}`).join('; ')}. It needs: ${needs}`,
        fix: dir === undefined ? `${howTo} Or set ${pathText([...block, 'path'])} to the folder that holds them` : howTo,
      }),
    );
  }
  return problems;
}

function isFolder(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function evaluationChecks(ctx: CheckContext): Problem[] {
  const attacks = get(ctx.plain, ['evaluation', 'attacks']);
  if (!Array.isArray(attacks) || attacks.length === 0) return [];
  // A list with a bad entry gets the schema's problem instead.
  const entries = attacks.map((a) => parseEvaluationEntry(a)).map((r) => (r.ok ? r.entry : undefined));
  if (!entries.every((e): e is EvaluationEntry => e !== undefined)) return [];
  if (entries.some(isIterative)) return [];
  return [
    at(ctx, ['evaluation', 'attacks'], 'auto', {
      severity: 'warning',
      code: 'weak-evaluation',
      message: 'the evaluation has no attack stronger than FGSM, so it can badly overstate robustness',
      fix: 'add pgd-20 and cw-20',
      data: { replacements: ['pgd-20', 'cw-20'] },
    }),
  ];
}

function scheduleChecks(ctx: CheckContext, section: Path): Problem[] {
  const training = get(ctx.plain, section);
  if (!isObject(training) || training.schedule !== 'piecewise') return [];
  const epochs = numberAt(ctx.plain, [...section, 'epochs']) ?? TRAINING_DEFAULTS.epochs;
  const written = Array.isArray(training.milestones);
  const milestones = written ? (training.milestones as unknown[]) : TRAINING_DEFAULTS.milestones;
  const problems: Problem[] = [];
  milestones.forEach((m, i) => {
    const value = typeof m === 'number' ? m : numberAt(milestones, [i]);
    if (value === undefined || value < epochs) return;
    problems.push(
      at(ctx, written ? [...section, 'milestones', i] : [...section, 'schedule'], 'value', {
        severity: 'warning',
        code: 'milestone-beyond-epochs',
        message:
          `milestone ${shownNumber(value)}${written ? '' : ' (a default)'} is not before the last epoch (${pathText([...section, 'epochs'])} is ${shownNumber(epochs)}), ` +
          'so the learning rate never decays there',
      }),
    );
  });
  return problems;
}

function baselineChecks(ctx: CheckContext): Problem[] {
  const baselines = ctx.plain.baselines;
  if (!Array.isArray(baselines)) return [];
  const seen = new Map<string, number>();
  const problems: Problem[] = [];
  const student = ctx.plain.method;
  if (isObject(student) && typeof student.name === 'string') seen.set(student.name, -1);
  baselines.forEach((b, i) => {
    if (!isObject(b)) return;
    const label = typeof b.label === 'string' ? b.label : typeof b.method === 'string' ? b.method : undefined;
    if (label === undefined) return;
    const first = seen.get(label);
    if (first !== undefined) {
      problems.push(
        at(ctx, ['baselines', i, typeof b.label === 'string' ? 'label' : 'method'], 'value', {
          severity: 'warning',
          code: 'duplicate-label',
          message: `two students are labelled "${label}" (${first < 0 ? 'the main method' : `baselines[${first}]`} too); results would be hard to tell apart`,
          fix: 'give this baseline a label:',
        }),
      );
    } else {
      seen.set(label, i);
    }
  });
  return problems;
}

/**
 * An information note on each GACD setting whose value the paper leaves unconfirmed, and one note
 * that stands for all of them (on the first such method's name key, so that hovering the method's
 * name shows its documentation alone); `applyNotesMode` keeps one form or the other.
 */
function gacdNotes(ctx: CheckContext): Problem[] {
  const problems: Problem[] = [];
  const noted: { ref: MethodRef; settings: string[] }[] = [];
  for (const ref of methodRefs(ctx.plain)) {
    const notes = unconfirmed.filter((u) => u.method === ref.name);
    if (!notes.length) continue;
    const block = get(ctx.plain, ref.block) as Record<string, unknown>;
    for (const u of notes) {
      const written = u.setting in block && locate(ctx.parsed, [...ref.block, u.setting]) !== undefined;
      problems.push(
        at(ctx, written ? [...ref.block, u.setting] : [...ref.block, ref.key], written ? 'key' : 'value', {
          severity: 'info',
          code: 'unconfirmed',
          message: `${ref.name} ${u.setting}${written ? ` = ${String(block[u.setting])}` : ''}: ${reconstructedNote}. ${u.reason} ${u.chosen}`,
        }),
      );
    }
    noted.push({ ref, settings: notes.map((u) => u.setting) });
    const defaults = findMethod(ref.name)!.settings.parse({}) as Record<string, unknown>;
    const critic = block.critic ?? defaults.critic;
    const negatives = numberAt(block, ['negatives']) ?? (defaults.negatives as number | undefined);
    const trainSize = numberAt(ctx.plain, ['data', 'train_size']);
    if (critic === 'nce' && negatives !== undefined && trainSize !== undefined && negatives > trainSize) {
      const written = 'negatives' in block;
      problems.push(
        at(ctx, written ? [...ref.block, 'negatives'] : [...ref.block, ref.key], 'value', {
          severity: 'info',
          code: 'negatives-capped',
          message: `${ref.name} negatives ${shownNumber(negatives)} exceeds the ${shownNumber(trainSize)} training images; the engine caps it at the train-set size`,
        }),
      );
    }
  }
  if (noted.length) problems.push(notesSummary(ctx, noted));
  return problems;
}

function notesSummary(ctx: CheckContext, noted: { ref: MethodRef; settings: string[] }[]): Problem {
  const first = noted[0].ref;
  const count = noted.reduce((n, x) => n + x.settings.length, 0);
  const where = noted.length > 1 ? ` (in ${noted.map((x) => pathText(x.ref.block)).join(', ')})` : '';
  return at(ctx, [...first.block, first.key], 'key', {
    severity: 'info',
    code: 'unconfirmed',
    message:
      `${first.name}: ${count} settings${where} are ${reconstructedNote} (${[...new Set(noted.flatMap((x) => x.settings))].join(', ')}). ` +
      'Hover a setting for the value chosen and why',
    fix: 'set gacd.notes to all (gacd check --notes all) for one note per setting',
    data: { summarises: count },
  });
}
