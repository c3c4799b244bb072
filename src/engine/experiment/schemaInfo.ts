/**
 * Reads the experiment schema as documentation: what a key at a path is (type, description,
 * default, allowed values, the keys of a section). The language server's completion and hover
 * and the problem messages use it, so the schema stays the one place that says these things.
 *
 * A method block (`method:`, a `baselines` entry, `teacher.train`) has different keys for each
 * method; the walk picks the option from the data, so pass the file's plain content to see the
 * keys of the method it names.
 */
import { z } from 'zod';
import type { SettingMeta } from './schema';
import { experimentSchema } from './schema';
import type { Path } from './parse';

export type SettingKind = 'section' | 'list' | 'number' | 'integer' | 'string' | 'boolean' | 'choice' | 'any';

export interface SettingInfo {
  kind: SettingKind;
  description?: string;
  /** Whether omitting the key is fine (it has a default or is optional). */
  required: boolean;
  hasDefault: boolean;
  /** The default value, when hasDefault (null for "none"). */
  default?: unknown;
  /** Human text for a default that depends on other settings or on the file, e.g. "epsilon/4". */
  defaultText?: string;
  /** Whether null is allowed. */
  nullable: boolean;
  /** Whether the number may be written as arithmetic, e.g. 8/255. */
  acceptsExpression: boolean;
  /** The allowed values of a choice (an enum, a catalog name, a method name). */
  values?: string[];
  /** The keys a section accepts. */
  keys?: string[];
  /** The schema of each entry, for a list. */
  element?: SettingInfo;
  min?: number;
  max?: number;
  meta: SettingMeta;
}

// Zod keeps each node's definition under `_zod.def`; only the fields read here are typed.
interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  entries?: Record<string, string>;
  values?: unknown[];
  defaultValue?: unknown;
  format?: string;
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

interface Unwrapped {
  core: z.ZodType;
  description?: string;
  meta: SettingMeta;
  hasDefault: boolean;
  default?: unknown;
  nullable: boolean;
  optional: boolean;
  acceptsExpression: boolean;
}

/** Peels defaults, nullables, optionals and pipes off a node, collecting what each layer says. */
function unwrap(schema: z.ZodType): Unwrapped {
  const out: Unwrapped = { core: schema, meta: {}, hasDefault: false, nullable: false, optional: false, acceptsExpression: false };
  let node = schema;
  for (let guard = 0; guard < 32; guard++) {
    const m = z.globalRegistry.get(node) as (SettingMeta & { description?: string }) | undefined;
    if (m) {
      const { description, ...rest } = m;
      out.description ??= description;
      out.meta = { ...rest, ...out.meta };
    }
    const def = defOf(node);
    if (def.type === 'default' || def.type === 'prefault') {
      if (!out.hasDefault) {
        out.hasDefault = true;
        out.default = def.defaultValue;
      }
      node = def.innerType!;
    } else if (def.type === 'nullable') {
      out.nullable = true;
      node = def.innerType!;
    } else if (def.type === 'optional') {
      out.optional = true;
      node = def.innerType!;
    } else if (def.type === 'readonly' || def.type === 'nonoptional' || def.type === 'catch') {
      node = def.innerType!;
    } else if (def.type === 'pipe') {
      // A preprocess (numbers that accept arithmetic) is transform → schema; a transform of the
      // output (the experiment's derived defaults) is schema → transform.
      if (defOf(def.in!).type === 'transform') {
        out.acceptsExpression = true;
        node = def.out!;
      } else {
        node = def.in!;
      }
    } else {
      break;
    }
  }
  out.core = node;
  return out;
}

function isMethodUnion(def: Def): boolean {
  return def.type === 'union' && typeof def.discriminator === 'string';
}

function pickOption(def: Def, data: unknown): z.ZodType | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const chosen = (data as Record<string, unknown>)[def.discriminator!];
  return def.options!.find((o) => {
    const lit = defOf(unwrap(defOf(o).shape![def.discriminator!]).core);
    return lit.values?.includes(chosen);
  });
}

function getIn(data: unknown, seg: string | number): unknown {
  if (data && typeof data === 'object') return (data as Record<string | number, unknown>)[seg];
  return undefined;
}

/**
 * The schema node at `path`, walking sections, lists and method blocks (a method block's option
 * is picked from `data`, the file's plain content). Undefined when no such key exists.
 */
export function schemaAt(path: Path, data?: unknown, root: z.ZodType = experimentSchema): z.ZodType | undefined {
  let node: z.ZodType = root;
  let here = data;
  for (const seg of path) {
    const core = unwrap(node).core;
    const def = defOf(core);
    if (def.type === 'object' && typeof seg === 'string') {
      const next = def.shape![seg];
      if (!next) return undefined;
      node = next;
    } else if (isMethodUnion(def) && typeof seg === 'string') {
      // The discriminator is always a choice among all methods, whichever is written now.
      const option = pickOption(def, here);
      const next = seg === def.discriminator ? methodNameNode(def) : option ? defOf(option).shape![seg] : undefined;
      if (!next) return undefined;
      node = next;
    } else if (def.type === 'array' && typeof seg === 'number') {
      node = def.element!;
    } else {
      return undefined;
    }
    here = getIn(here, seg);
  }
  return node;
}

/** The discriminator of a method block before a method is chosen: a choice among all methods. */
function methodNameNode(def: Def): z.ZodType {
  const names = def.options!.map((o) => String(defOf(unwrap(defOf(o).shape![def.discriminator!]).core).values![0]));
  return z
    .enum(names as [string, ...string[]])
    .meta({ catalog: 'method' })
    .describe(`The method, one of ${names.join(', ')}; the rest of the block are its settings.`);
}

/** What a schema node is: kind, description, default, values, keys. */
export function describeSchema(schema: z.ZodType, data?: unknown): SettingInfo {
  const u = unwrap(schema);
  const def = defOf(u.core);
  const info: SettingInfo = {
    kind: 'any',
    description: u.description,
    required: !u.hasDefault && !u.optional,
    hasDefault: u.hasDefault,
    nullable: u.nullable,
    acceptsExpression: u.acceptsExpression,
    meta: u.meta,
  };
  if (u.hasDefault) info.default = u.default;
  if (u.meta.defaultText) info.defaultText = u.meta.defaultText;
  switch (def.type) {
    case 'object':
      info.kind = 'section';
      info.keys = Object.keys(def.shape!);
      break;
    case 'union':
      if (isMethodUnion(def)) {
        info.kind = 'section';
        const option = pickOption(def, data);
        info.keys = option ? Object.keys(defOf(option).shape!) : [def.discriminator!];
        info.values = describeSchema(methodNameNode(def)).values;
      }
      break;
    case 'array':
      info.kind = 'list';
      info.element = describeSchema(def.element!);
      break;
    case 'number': {
      info.kind = def.format === 'safeint' ? 'integer' : 'number';
      const n = u.core as unknown as { minValue: number | null; maxValue: number | null };
      if (n.minValue !== null && Math.abs(n.minValue) < Number.MAX_SAFE_INTEGER) info.min = n.minValue;
      if (n.maxValue !== null && Math.abs(n.maxValue) < Number.MAX_SAFE_INTEGER) info.max = n.maxValue;
      break;
    }
    case 'string':
      info.kind = 'string';
      break;
    case 'boolean':
      info.kind = 'boolean';
      break;
    case 'enum':
      info.kind = 'choice';
      info.values = Object.values(def.entries!);
      break;
    case 'literal':
      info.kind = 'choice';
      info.values = def.values!.map(String);
      break;
  }
  return info;
}

/** describeSchema of the node at `path`; undefined when the path names no setting. */
export function describeAt(path: Path, data?: unknown): SettingInfo | undefined {
  const node = schemaAt(path, data);
  if (!node) return undefined;
  let here = data;
  for (const seg of path) here = getIn(here, seg);
  return describeSchema(node, here);
}

/** The type as words, for messages and hover: "an integer", "one of a, b", "a section". */
export function typeWords(info: SettingInfo): string {
  const base = (() => {
    switch (info.kind) {
      case 'section':
        return 'a section (key: value lines)';
      case 'list':
        return 'a list';
      case 'integer':
        return 'an integer';
      case 'number':
        return 'a number';
      case 'string':
        return 'a string';
      case 'boolean':
        return 'true or false';
      case 'choice':
        return `one of ${info.values!.join(', ')}`;
      default:
        return 'a value';
    }
  })();
  return info.nullable ? `${base} or null` : base;
}
