/**
 * Validates a file's plain content with the experiment schema and turns each schema issue into a
 * problem at the exact key or value it concerns, with a message a person can act on and, where
 * there is one, the replacement a quick fix would write.
 */
import type { z } from 'zod';
import { methods } from '../methods/catalog';
import { datasets } from '../data/catalog';
import { byCloseness, closestMatches } from '../catalog/closest';
import { evaluateExpression, shownNumber } from '../catalog/expression';
import type { ParsedExperiment, Path } from './parse';
import { isPlainScalar, rangeNear, sourceOf } from './parse';
import type { Problem, Range } from './problems';
import { experimentSchema } from './schema';
import type { ExperimentSpec } from './schema';
import { describeAt, typeWords } from './schemaInfo';

export interface Validation {
  spec?: ExperimentSpec;
  problems: Problem[];
}

export function validateExperiment(parsed: ParsedExperiment, input: unknown, file: string): Validation {
  const result = experimentSchema.safeParse(input);
  if (result.success) return { spec: result.data, problems: [] };
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const issue of result.error.issues) {
    for (const p of issueProblems(parsed, input, file, issue)) {
      const key = `${p.line}:${p.column}:${p.code}:${p.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(p);
    }
  }
  return { problems };
}

/** `training.attack.epsilon`, `baselines[0].method`, or "the top level". */
export function pathText(path: Path): string {
  if (path.length === 0) return 'the top level';
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function getIn(data: unknown, path: Path): unknown {
  let here = data;
  for (const seg of path) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<string | number, unknown>)[seg];
  }
  return here;
}

function valueWords(v: unknown): string {
  if (v === null) return 'empty (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a section';
  if (typeof v === 'string') {
    // Arithmetic is read before the checks: say what it came to, as people read it.
    const r = evaluateExpression(v);
    return r.ok ? `${v} (= ${shownNumber(r.value)})` : `the string "${v}"`;
  }
  if (typeof v === 'number') return shownNumber(v);
  return String(v);
}

/**
 * A key written with no value (`model:`), which YAML reads as null: said as missing, with the
 * values it may take, rather than as a bad value named "null".
 */
function blank(parsed: ParsedExperiment, input: unknown, file: string, path: Path, wanted: string, allowed: string[] = []): Problem {
  const info = describeAt(path, input);
  const def = info?.hasDefault && info.default !== null && info.default !== undefined ? String(info.default) : undefined;
  return problemAt(parsed, file, path, 'value', {
    code: 'missing-value',
    message: `${pathText(path)} has no value: it needs ${allowed.length ? `one of ${allowed.join(', ')}` : wanted}`,
    fix: def !== undefined ? `write one, or remove the key for the default ${def}` : undefined,
    data: allowed.length ? { replacements: allowed } : undefined,
  });
}

function problemAt(
  parsed: ParsedExperiment,
  file: string,
  path: Path,
  part: 'key' | 'value' | 'auto',
  fields: Omit<Problem, 'file' | keyof Range | 'severity'> & { severity?: Problem['severity'] },
): Problem {
  const range = rangeNear(parsed, path, part);
  return { file, ...range, severity: 'error', ...fields };
}

/** The problems one schema issue makes, each at the key or value it concerns. */
export function issueProblems(parsed: ParsedExperiment, input: unknown, file: string, issue: z.core.$ZodIssue): Problem[] {
  const path = issue.path.filter((s): s is string | number => typeof s !== 'symbol');
  const value = getIn(input, path);
  const where = pathText(path);

  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => unknownKey(parsed, input, file, path, key));

    case 'invalid_type': {
      const info = describeAt(path, input);
      if (value === undefined) return [missing(parsed, input, file, path)];
      if (info?.meta.catalog === 'method' && info.kind === 'section' && typeof value === 'string') {
        const key = path[path.length - 2] === 'baselines' || path.includes('train') ? 'method' : 'name';
        const block = `{ ${key}: ${value} }`;
        return [
          problemAt(parsed, file, path, 'value', {
            code: 'wrong-type',
            message: `${where} must be a section that names the method with "${key}:" and gives its settings, not just "${value}"`,
            fix: `write ${block}`,
            data: { replacements: [block] },
          }),
        ];
      }
      const expected = info ? typeWords(info) : `of type ${issue.expected}`;
      if (value === null && info?.kind !== 'section') return [blank(parsed, input, file, path, expected, info?.values ?? [])];
      const fields: Omit<Problem, 'file' | keyof Range | 'severity'> = {
        code: 'wrong-type',
        message:
          value === null && info?.kind === 'section'
            ? `${where} is empty: give its settings, or remove it to use the defaults`
            : `${where} must be ${expected}, not ${valueWords(value)}`,
      };
      const src = sourceOf(parsed, path);
      if (info?.kind === 'string' && src !== undefined && isPlainScalar(parsed, path) && typeof value !== 'string') {
        fields.fix = `quote it: "${src}"`;
        fields.data = { replacements: [`"${src}"`] };
      } else if (info?.kind === 'boolean' && typeof value === 'string') {
        const yes = /^(y|yes|on|true)$/i.test(value);
        fields.fix = `use ${yes ? 'true' : 'false'}`;
        fields.data = { replacements: yes ? ['true', 'false'] : ['false', 'true'] };
      }
      return [problemAt(parsed, file, path, 'auto', fields)];
    }

    case 'invalid_value': {
      // Zod reports a missing choice (data.dataset left out) as a bad value.
      if (value === undefined) return [missing(parsed, input, file, path)];
      const info = describeAt(path, input);
      const allowed = issue.values.map(String);
      if (value === null) return [blank(parsed, input, file, path, '', allowed)];
      const text = String(value);
      const close = closestMatches(text, allowed);
      if (info?.meta.catalog) {
        return [
          problemAt(parsed, file, path, 'value', {
            code: 'unknown-name',
            message: `unknown ${info.meta.catalog} "${text}"; known: ${allowed.join(', ')}`,
            fix: close.length ? `did you mean ${close[0]}?` : undefined,
            data: { replacements: byCloseness(text, allowed) },
          }),
        ];
      }
      return [
        problemAt(parsed, file, path, 'value', {
          code: 'bad-value',
          message: `${where} must be one of ${allowed.join(', ')}, not ${valueWords(value)}`,
          fix: close.length ? `did you mean ${close[0]}?` : `use one of ${allowed.join(', ')}`,
          data: { replacements: byCloseness(text, allowed) },
        }),
      ];
    }

    case 'invalid_union': {
      const disc = (issue as { discriminator?: string }).discriminator;
      const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
      if (disc !== undefined && path[path.length - 1] === disc) {
        if (value === undefined) {
          const block = path.slice(0, -1);
          return [
            problemAt(parsed, file, block, 'key', {
              code: 'missing-key',
              message: `missing key "${disc}" in ${pathText(block)}: name the method, one of ${options.join(', ')}`,
              fix: `add ${disc}: one of ${options.join(', ')}`,
              data: { replacements: options },
            }),
          ];
        }
        if (value === null) return [blank(parsed, input, file, path, '', options)];
        const text = String(value);
        const close = closestMatches(text, options);
        return [
          problemAt(parsed, file, path, 'value', {
            code: 'unknown-name',
            message: `unknown method "${text}"; known: ${options.join(', ')}`,
            fix: close.length ? `did you mean ${close[0]}?` : undefined,
            data: { replacements: byCloseness(text, options) },
          }),
        ];
      }
      return [problemAt(parsed, file, path, 'auto', { code: 'wrong-type', message: `${where}: ${issue.message}` })];
    }

    case 'too_big':
    case 'too_small': {
      const info = describeAt(path, input);
      const bound = Number(issue.code === 'too_big' ? issue.maximum : issue.minimum);
      if (issue.origin === 'array' || issue.origin === 'set') {
        return [
          problemAt(parsed, file, path, 'auto', {
            code: 'bad-value',
            message:
              issue.code === 'too_small'
                ? `${where} needs at least ${bound} ${bound === 1 ? 'entry' : 'entries'}`
                : `${where} has more than ${bound} entries`,
          }),
        ];
      }
      if (issue.code === 'too_big' && info?.meta.inputUnits && typeof value === 'number') {
        return [epsilonUnits(parsed, input, file, path, value)];
      }
      const words =
        issue.code === 'too_big'
          ? issue.inclusive ? `at most ${bound}` : `less than ${bound}`
          : issue.inclusive ? `at least ${bound}` : `greater than ${bound}`;
      return [
        problemAt(parsed, file, path, 'value', {
          code: 'bad-value',
          message: `${where} must be ${words}, not ${valueWords(value)}`,
        }),
      ];
    }

    case 'invalid_format':
      return [problemAt(parsed, file, path, 'value', { code: 'bad-value', message: `${where} ${issue.message}` })];

    case 'custom': {
      const params = (issue.params ?? {}) as { code?: string; fix?: string; replacements?: string[]; expression?: boolean };
      return [
        // An unknown key is marked on the key itself, where its "change the key" quick fix applies.
        problemAt(parsed, file, path, params.code === 'unknown-key' ? 'key' : 'value', {
          code: params.code ?? (params.expression ? 'bad-expression' : 'bad-value'),
          message: params.expression ? `${where}: ${issue.message}` : issue.message,
          fix: params.fix,
          data: params.replacements ? { replacements: params.replacements } : undefined,
        }),
      ];
    }

    default:
      return [problemAt(parsed, file, path, 'auto', { code: 'bad-value', message: `${where}: ${issue.message}` })];
  }
}

/** A required key or section that is not written. */
function missing(parsed: ParsedExperiment, input: unknown, file: string, path: Path): Problem {
  const info = describeAt(path, input);
  const section = info?.kind === 'section';
  const name = String(path[path.length - 1] ?? '');
  const parent = path.slice(0, -1);
  return problemAt(parsed, file, parent, 'key', {
    code: section ? 'missing-section' : 'missing-key',
    message: section
      ? `missing section "${name}"${parent.length ? ` in ${pathText(parent)}` : ''}`
      : `missing key "${name}" in ${pathText(parent)}`,
    fix: info?.values && !section ? `add ${name}: one of ${info.values.join(', ')}` : `add ${name}:`,
  });
}

/** An amount above 1 in input units: almost always a pixel value (8 for 8/255). */
/** An epsilon as people write it: `8/255` for a whole number of grey levels below 0.1, else the number. */
export function epsilonText(eps: number): string {
  const levels = eps * 255;
  return eps < 0.1 && Math.abs(levels - Math.round(levels)) < 1e-9 ? `${Math.round(levels)}/255` : shownNumber(eps);
}

/** The dataset whose images a setting at `path` perturbs: the teacher's own data for its training. */
function datasetAt(input: unknown, path: Path): string | undefined {
  const block = path[0] === 'teacher' ? ['teacher', 'data'] : path[0] === 'teachers' ? ['teachers', path[1], 'data'] : [];
  const own = block.length ? getIn(input, [...block, 'dataset']) : undefined;
  const name = own ?? getIn(input, ['data', 'dataset']);
  return typeof name === 'string' ? name : undefined;
}

function epsilonUnits(parsed: ParsedExperiment, input: unknown, file: string, path: Path, value: number): Problem {
  const src = (sourceOf(parsed, path) ?? String(value)).trim();
  const suggestion = /^[\d.]+$/.test(src) ? `${src}/255` : `(${src})/255`;
  const fits = value / 255 <= 1;
  const name = typeof path[path.length - 1] === 'number' ? pathText(path.slice(0, -1)) : String(path[path.length - 1]);
  // The dataset's usual radius is offered too (8 written for Fashion-MNIST more likely meant 0.1),
  // but not for a step size or a point of the accuracy-against-epsilon curve.
  const dataset = path[path.length - 1] === 'epsilon' ? datasets.find((d) => d.name === datasetAt(input, path)) : undefined;
  const usual = dataset ? epsilonText(dataset.defaultEpsilon) : undefined;
  const replacements = [...(fits ? [suggestion] : []), ...(usual && usual !== suggestion ? [usual] : [])];
  const usualWords = usual && usual !== suggestion ? `${fits ? ', or ' : 'use '}${dataset!.name}'s usual ${usual}` : '';
  return problemAt(parsed, file, path, 'value', {
    code: 'epsilon-units',
    message:
      `${name} ${src} is outside [0, 1]: images are scaled to [0, 1], so ${name} is a fraction of the pixel range` +
      (fits ? ` (${src}/255 = ${Number((value / 255).toFixed(4))})` : ''),
    fix: fits ? `did you mean ${suggestion}${usualWords}?` : usualWords ? `${usualWords}, or a value within [0, 1]` : 'use a value within [0, 1]',
    data: replacements.length ? { replacements } : undefined,
  });
}

function unknownKey(parsed: ParsedExperiment, input: unknown, file: string, path: Path, key: string): Problem {
  const info = describeAt(path, input);
  const allowed = info?.keys ?? [];
  const here = getIn(input, path);
  const written = here && typeof here === 'object' ? Object.keys(here) : [];
  const unused = allowed.filter((k) => !written.includes(k));
  const close = closestMatches(key, unused.length ? unused : allowed);
  const keyPath = [...path, key];
  let message = `unknown key "${key}" in ${pathText(path)}`;

  // A setting of another method, written under this one, deserves a pointed message.
  if (info?.meta.catalog === 'method' && here && typeof here === 'object') {
    const block = here as Record<string, unknown>;
    const chosen = String(block.name ?? block.method ?? '');
    const owners = methods.filter((m) => m.name !== chosen && key in m.settings.shape).map((m) => m.name);
    if (owners.length) message = `"${key}" is not a setting of method ${chosen} (it is one of ${owners.join(', ')})`;
  }

  return problemAt(parsed, file, keyPath, 'key', {
    code: 'unknown-key',
    message,
    fix: close.length ? `did you mean ${close[0]}?` : allowed.length ? `allowed keys: ${allowed.join(', ')}` : 'remove it',
    data: close.length ? { replacements: close } : undefined,
  });
}
