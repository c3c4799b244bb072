/**
 * Checks of a `sweep:` block, each reported on the sweep's own line: a path that names no setting
 * (with the closest that does), a path that cannot vary, `zip:` lists of different lengths, and a
 * value that its setting refuses. Values are checked the way a member will be: the file with the
 * member's overrides written in, validated by the one schema; each issue that falls on (or
 * inside, or above) a swept path is moved to the sweep entry's value that caused it.
 */
import type { z } from 'zod';
import { closestMatches } from '../catalog/closest';
import type { ParsedExperiment, Path } from './parse';
import { rangeNear, rangeOf } from './parse';
import type { Problem } from './problems';
import { experimentSchema } from './schema';
import { describeAt, schemaAt } from './schemaInfo';
import { Axis, applyOverrides, expandIndices, splitPath, sweepAxes, valueText, withoutSweep } from './sweep';
import { issueProblems } from './validate';

/** Members validated one by one; past this, a few combinations stand for the rest (it is a check, not a run). */
const MEMBERS_CHECKED = 256;

/** Settings that name the sweep's folders or the sweep itself, so they cannot vary within one. */
const FIXED = ['name', 'sweep', 'slurm'];

export interface SweepCheckContext {
  parsed: ParsedExperiment;
  file: string;
  plain: Record<string, unknown>;
}

export function sweepChecks(ctx: SweepCheckContext): Problem[] {
  const axes = sweepAxes(ctx.plain.sweep);
  if (axes.length === 0) return [];
  const base = withoutSweep(ctx.plain);
  const problems: Problem[] = [];
  const good: Axis[] = [];
  for (const axis of axes) {
    const bad = pathProblem(ctx, axis, base);
    if (bad) problems.push(bad);
    else good.push(axis);
  }
  problems.push(...zipLengths(ctx, axes));
  problems.push(...valueProblems(ctx, good, base));
  return problems;
}

/** Where an axis is written: its key, or its i-th value. */
const axisPath = (axis: Axis, i?: number): Path => (i === undefined ? ['sweep', axis.kind, axis.path] : ['sweep', axis.kind, axis.path, i]);

function at(ctx: SweepCheckContext, path: Path, part: 'key' | 'value', fields: Omit<Problem, 'file' | 'line' | 'column' | 'endLine' | 'endColumn' | 'severity'>): Problem {
  return { file: ctx.file, ...(rangeOf(ctx.parsed, path, part) ?? rangeNear(ctx.parsed, path, part)), severity: 'error', ...fields };
}

/** An unknown or fixed path, with the closest known one: the deepest written prefix's closest key. */
function pathProblem(ctx: SweepCheckContext, axis: Axis, base: Record<string, unknown>): Problem | undefined {
  const segments = splitPath(axis.path);
  if (FIXED.includes(String(segments[0]))) {
    return at(ctx, axisPath(axis), 'key', {
      code: 'bad-value',
      message: `${axis.path} cannot be swept: ${segments[0] === 'name' ? 'the name names the folder every member runs in' : 'it describes the sweep itself'}`,
      fix: 'remove it from the sweep',
    });
  }
  // The first value written in, so that a method's own settings are looked up under the method chosen.
  const data = applyOverrides(base, [{ path: axis.path, value: axis.values[0] }]);
  if (schemaAt(segments, data)) return undefined;
  let known = 0;
  while (known < segments.length && schemaAt(segments.slice(0, known + 1), data)) known++;
  const keys = describeAt(segments.slice(0, known), data)?.keys ?? [];
  const close = closestMatches(String(segments[known]), keys);
  const suggestion = close.length ? [...segments.slice(0, known), close[0], ...segments.slice(known + 1)].join('.') : undefined;
  const where = known === 0 ? 'the top level' : segments.slice(0, known).join('.');
  return at(ctx, axisPath(axis), 'key', {
    code: 'unknown-key',
    message: `the sweep's path ${axis.path} names no setting: "${segments[known]}" is not a key of ${where}`,
    fix: suggestion ? `did you mean ${suggestion}?` : keys.length ? `the keys of ${where}: ${keys.join(', ')}` : 'name a setting, e.g. training.lr',
    data: suggestion ? { replacements: [suggestion] } : undefined,
  });
}

/** `zip:` lists go together, so they must have one length. */
function zipLengths(ctx: SweepCheckContext, axes: Axis[]): Problem[] {
  const zips = axes.filter((a) => a.kind === 'zip');
  if (zips.length < 2) return [];
  const first = zips[0];
  return zips
    .filter((a) => a.values.length !== first.values.length)
    .map((a) =>
      at(ctx, axisPath(a), 'key', {
        code: 'bad-value',
        message: `zip lists are taken together, so they need one length: ${first.path} has ${first.values.length} values, ${a.path} has ${a.values.length}`,
        fix: `give ${a.path} ${first.values.length} values, or move one of them to grid:`,
      }),
    );
}

/** Each member validated as the file it will be; issues on a swept path go to that entry's value. */
function valueProblems(ctx: SweepCheckContext, axes: Axis[], base: Record<string, unknown>): Problem[] {
  if (axes.length === 0) return [];
  const members = expandIndices(axes).slice(0, MEMBERS_CHECKED);
  // The file's own problems are reported where they are written, not once per member.
  const own = experimentSchema.safeParse(base);
  const ownIssues = new Set(own.success ? [] : own.error.issues.map(issueKey));
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const choice of members) {
    const overrides = choice.map((i, k) => ({ path: axes[k].path, value: axes[k].values[i] }));
    const input = applyOverrides(base, overrides);
    const result = experimentSchema.safeParse(input);
    if (result.success) continue;
    for (const issue of result.error.issues) {
      const k = ownIssues.has(issueKey(issue)) ? -1 : axisOf(issue, axes);
      if (k < 0) continue;
      const axis = axes[k];
      const exact = sameSegments(issuePath(issue), splitPath(axis.path));
      for (const p of issueProblems(ctx.parsed, input, ctx.file, issue)) {
        const value = axis.values[choice[k]];
        const problem = at(ctx, axisPath(axis, choice[k]), 'value', {
          code: p.code,
          message: `${exact ? '' : `with ${axis.path} = ${valueText(value)}: `}${p.message}`,
          fix: p.fix,
          // A replacement fits the sweep's value only when the issue is that value's own.
          data: exact ? p.data : undefined,
        });
        const key = `${problem.line}:${problem.column}:${problem.message}`;
        if (!seen.has(key)) {
          seen.add(key);
          problems.push(problem);
        }
      }
    }
  }
  return problems;
}

const issueKey = (issue: z.core.$ZodIssue) => `${issue.path.map(String).join('.')}:${issue.code}:${issue.message}`;

const issuePath = (issue: z.core.$ZodIssue): Path => issue.path.filter((s): s is string | number => typeof s !== 'symbol');

function sameSegments(a: Path, b: Path): boolean {
  return a.length === b.length && a.every((s, i) => String(s) === String(b[i]));
}

const startsWith = (long: Path, short: Path) => short.length <= long.length && short.every((s, i) => String(s) === String(long[i]));

/**
 * The axis an issue is about: the longest swept path the issue lies on or inside, else the first
 * swept path below the issue (an unknown key in `method` after `method.name` changed); -1 for none.
 */
function axisOf(issue: z.core.$ZodIssue, axes: Axis[]): number {
  const p = issuePath(issue);
  let best = -1;
  axes.forEach((a, k) => {
    const s = splitPath(a.path);
    if (startsWith(p, s) && (best < 0 || s.length > splitPath(axes[best].path).length)) best = k;
  });
  if (best >= 0 || p.length === 0) return best;
  return axes.findIndex((a) => startsWith(splitPath(a.path), p));
}
