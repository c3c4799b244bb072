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

/**
 * The settings whose values are not the same in every spec, in the order they first appear.
 * Specs that are missing (a run without a run-start yet) take no part. A method's own settings
 * are compared only among the runs that have them: `method.gamma` of CRD is no column beside
 * TRADES, whose `method.name` already differs. The experiment's name is left out: runs of one
 * experiment share it and the run column names them.
 */
export function differingSettings(specs: readonly unknown[]): string[] {
  const flat = specs.filter((s) => s !== null && typeof s === 'object').map((s) => flattenSpec(s));
  const keys: string[] = [];
  for (const f of flat) for (const k of Object.keys(f)) if (!keys.includes(k)) keys.push(k);
  return keys.filter((k) => {
    if (k === 'name') return false;
    const values = methodOwn(k) ? flat.filter((f) => k in f).map((f) => f[k]) : flat.map((f) => f[k] ?? '–');
    return new Set(values).size > 1;
  });
}

/** `key=value` for the given keys that a spec has, values cut to `maxValue` characters. */
export function settingPairs(spec: unknown, keys: readonly string[], maxValue = Infinity): string[] {
  const flat = flattenSpec(spec);
  return keys.filter((k) => k in flat).map((k) => `${k}=${flat[k].length > maxValue ? `${flat[k].slice(0, maxValue - 1)}…` : flat[k]}`);
}
