/**
 * The settings in which runs differ, read from their resolved specs (spec.json, the run-start
 * event's `spec`). Shared by the run explorer (a row says how it differs from its siblings) and
 * the comparison (only the columns that tell the runs apart). Pure.
 */

/** `{a: {b: 1}, c: [1, 2]}` → `{'a.b': '1', c: '[1,2]'}`: every leaf setting under a dotted key. */
export function flattenSpec(spec: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
    for (const [k, v] of Object.entries(spec as Record<string, unknown>)) flattenSpec(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = typeof spec === 'string' ? spec : JSON.stringify(spec);
  }
  return out;
}

/** A method's own settings (`method.beta`) mean something only for runs of that method. */
const methodOwn = (key: string) => key.startsWith('method.') && key !== 'method.name';

/** The resolved spec repeats the robust teacher as `teacher` beside `teachers.adversarial`: one is enough. */
const mirrored = (key: string, spec: Record<string, string>) => (key === 'teacher' || key.startsWith('teacher.')) && Object.keys(spec).some((k) => k === 'teachers' || k.startsWith('teachers.'));

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The value at a dotted key, a leaf as flattenSpec writes it, a block as its JSON; undefined when absent. */
export function settingValue(spec: unknown, key: string): string | undefined {
  let v: unknown = spec;
  for (const part of key.split('.')) {
    if (!isObject(v) || !(part in v)) return undefined;
    v = v[part];
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * The settings whose values are not the same in every spec, in the order they first appear.
 * Specs that are missing (a run without a run-start yet) take no part. A key one spec lacks counts
 * as null (a spec written before the setting existed). A block that is null in one spec and filled
 * in another (`teachers.natural`) is one setting, not one per leaf. A method's own settings are
 * compared only among the runs that have them: `method.gamma` of CRD is no column beside TRADES,
 * whose `method.name` already differs. The experiment's name is left out: runs of one experiment
 * share it and the run column names them.
 */
export function differingSettings(specs: readonly unknown[]): string[] {
  const flat = specs.filter(isObject).map((s) => flattenSpec(s));
  const keys: string[] = [];
  for (const f of flat) for (const k of Object.keys(f)) if (!keys.includes(k)) keys.push(k);
  const differing = keys.filter((k) => {
    if (k === 'name' || flat.some((f) => mirrored(k, f))) return false;
    const values = methodOwn(k) ? flat.filter((f) => k in f).map((f) => f[k]) : flat.map((f) => f[k] ?? 'null');
    return new Set(values).size > 1;
  });
  // `teachers.natural.model` differs because `teachers.natural` is null elsewhere: the block is the
  // setting, and of its leaves only those that differ among the specs that have them.
  const columns = differing.flatMap((k) => {
    const parts = k.split('.');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('.');
      if (!flat.some((f) => prefix in f)) continue;
      const among = new Set(flat.filter((f) => k in f).map((f) => f[k]));
      return among.size > 1 ? [prefix, k] : [prefix];
    }
    return [k];
  });
  return [...new Set(columns)];
}

/** `key=value` for the given keys that a spec has, values cut to `maxValue` characters. */
export function settingPairs(spec: unknown, keys: readonly string[], maxValue = Infinity): string[] {
  return keys.flatMap((k) => {
    const v = settingValue(spec, k);
    return v === undefined ? [] : [`${k}=${v.length > maxValue ? `${v.slice(0, maxValue - 1)}…` : v}`];
  });
}
