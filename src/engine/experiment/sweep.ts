/**
 * A sweep's members from an experiment file's `sweep:` block: `grid:` takes every combination of
 * its lists, `zip:` takes its lists together (the i-th values of each make one choice), and the
 * two combine. A member is the file's plain content with its overrides written in, so it is an
 * ordinary experiment that the one schema validates. Pure: no files, no processes.
 */

/** A setting path as written in a sweep (`training.attack.steps`, `baselines.0.method`). */
export type SettingPath = (string | number)[];

export interface Axis {
  /** The dotted path as written, which names the axis everywhere (sweep.json, tables). */
  path: string;
  values: unknown[];
  kind: 'grid' | 'zip';
}

/** One member's choice: the value of each swept path, in the order the axes are written. */
export type Overrides = Array<{ path: string; value: unknown }>;

/** `a.b.0.c` as ['a', 'b', 0, 'c']: a whole-number segment indexes a list. */
export function splitPath(dotted: string): SettingPath {
  return dotted.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The axes of a plain `sweep:` block, grid first; entries that are not lists are left out. */
export function sweepAxes(sweep: unknown): Axis[] {
  if (!isRecord(sweep)) return [];
  const axes: Axis[] = [];
  for (const kind of ['grid', 'zip'] as const) {
    const block = sweep[kind];
    if (!isRecord(block)) continue;
    for (const [path, values] of Object.entries(block)) {
      if (Array.isArray(values) && values.length > 0) axes.push({ path, values, kind });
    }
  }
  return axes;
}

/** How many members the axes make: the grid's product times the zip's (shortest) length. */
export function memberCount(axes: readonly Axis[]): number {
  const grid = axes.filter((a) => a.kind === 'grid').reduce((n, a) => n * a.values.length, 1);
  const zips = axes.filter((a) => a.kind === 'zip').map((a) => a.values.length);
  return grid * (zips.length ? Math.min(...zips) : 1);
}

/**
 * Every member's overrides. The first grid axis varies slowest, so members that differ only by
 * the last axis (often the seed) sit next to each other; the zip choice varies fastest.
 */
export function expandAxes(axes: readonly Axis[]): Overrides[] {
  return expandIndices(axes).map((choice) => choice.map((i, a) => ({ path: axes[a].path, value: axes[a].values[i] })));
}

/** Every member as the index of its value on each axis (in the axes' order). */
export function expandIndices(axes: readonly Axis[]): number[][] {
  const zips = axes.map((a, k) => (a.kind === 'zip' ? k : -1)).filter((k) => k >= 0);
  const zipLength = zips.length ? Math.min(...zips.map((k) => axes[k].values.length)) : 1;
  let members: number[][] = [[]];
  axes.forEach((axis, k) => {
    if (axis.kind === 'grid') members = members.flatMap((m) => axis.values.map((_, i) => { const n = [...m]; n[k] = i; return n; }));
  });
  // The zip choice varies fastest: all its axes take their i-th value together.
  return members.flatMap((m) => Array.from({ length: zipLength }, (_, i) => { const n = [...m]; for (const k of zips) n[k] = i; return n; }));
}

/** A deep copy of `plain` with each override written at its path (missing sections are created). */
export function applyOverrides(plain: Record<string, unknown>, overrides: Overrides): Record<string, unknown> {
  const copy = structuredClone(plain);
  for (const { path, value } of overrides) setAt(copy, splitPath(path), structuredClone(value));
  return copy;
}

function setAt(root: Record<string, unknown>, at: SettingPath, value: unknown): void {
  let here: Record<string | number, unknown> = root;
  for (let i = 0; i < at.length - 1; i++) {
    const next = here[at[i]];
    if (next === null || typeof next !== 'object') here[at[i]] = typeof at[i + 1] === 'number' ? [] : {};
    here = here[at[i]] as Record<string | number, unknown>;
  }
  here[at[at.length - 1]] = value;
}

/** The file without its sweep and cluster blocks: what each member starts from. */
export function withoutSweep(plain: Record<string, unknown>): Record<string, unknown> {
  const { sweep: _sweep, slurm: _slurm, ...rest } = plain;
  return rest;
}

/** A value as a member's label shows it: `0.1`, `gacd`, `[clean, fgsm]`. */
export function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(valueText).join(', ')}]`;
  if (isRecord(value)) return `{${Object.entries(value).map(([k, v]) => `${k}: ${valueText(v)}`).join(', ')}}`;
  return String(value);
}
