/**
 * Parses a `.gacd` file with `yaml`'s document API, which keeps every node's source range, so that
 * any problem found on the plain value (a path such as ['training', 'attack', 'epsilon']) can be
 * pointed back at the exact key or value in the file. The yaml library recovers from most syntax
 * errors and still returns a document, so the other sections can be checked as well.
 */
import { isCollection, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node, Pair, YAMLError } from 'yaml';
import type { Problem, Range } from './problems';

export type Path = readonly (string | number)[];

export interface ParsedExperiment {
  text: string;
  document: Document.Parsed;
  lineCounter: LineCounter;
}

export function parseExperimentText(text: string): ParsedExperiment {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  return { text, document, lineCounter };
}

/** The file's content as plain data (the last of duplicate keys wins); never throws. */
export function toPlain(parsed: ParsedExperiment): unknown {
  try {
    return parsed.document.toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

/** A span given as offsets into the text, as 1-based lines and columns (end exclusive). */
export function offsetRange(parsed: ParsedExperiment, start: number, end: number): Range {
  const a = parsed.lineCounter.linePos(Math.max(0, start));
  const b = parsed.lineCounter.linePos(Math.max(start, end));
  const r = { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
  // A zero-width span is hard to see; widen it to one character where the line has one.
  if (r.endLine === r.line && r.endColumn <= r.column) r.endColumn = r.column + 1;
  return r;
}

export interface Located {
  /** The pair holding the value, when the last path element is a map key. */
  pair?: Pair;
  key?: Node;
  value?: Node | null;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  if (typeof key === 'string' || typeof key === 'number') return String(key);
  return undefined;
}

/** Finds the node at `path` (the last of duplicate keys, as `toPlain` keeps it). */
export function locate(parsed: ParsedExperiment, path: Path): Located | undefined {
  let node: unknown = parsed.document.contents;
  let found: Located = { value: node as Node | null };
  for (const seg of path) {
    if (isMap(node)) {
      const pairs = node.items.filter((p) => keyText(p.key) === String(seg));
      const pair = pairs[pairs.length - 1];
      if (!pair) return undefined;
      found = { pair, key: pair.key as Node, value: pair.value as Node | null };
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) return undefined;
      found = { value: item as Node | null };
      node = item;
    } else {
      return undefined;
    }
  }
  return found;
}

function nodeRange(parsed: ParsedExperiment, node: unknown): Range | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  if (!range) return undefined;
  return offsetRange(parsed, range[0], range[1]);
}

/** A multi-line collection is shown on its first line only. */
function firstLine(parsed: ParsedExperiment, node: unknown): Range | undefined {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  if (!range) return undefined;
  const nl = parsed.text.indexOf('\n', range[0]);
  const end = nl >= 0 && nl < range[1] ? nl : range[1];
  return offsetRange(parsed, range[0], parsed.text.slice(range[0], end).trimEnd().length + range[0]);
}

export type Part = 'key' | 'value' | 'auto';

/**
 * The exact range of the key or value at `path`, or undefined when the path is not in the file.
 * 'auto' takes a scalar value, and the key (or first line) of a collection or an empty value.
 */
export function rangeOf(parsed: ParsedExperiment, path: Path, part: Part = 'auto'): Range | undefined {
  const loc = locate(parsed, path);
  if (!loc) return undefined;
  const value = loc.value;
  const keyRange = loc.key ? nodeRange(parsed, loc.key) : undefined;
  if (part === 'key') return keyRange ?? firstLine(parsed, value);
  const emptyValue =
    value === null ||
    value === undefined ||
    (isScalar(value) && !!value.range && value.range[0] === value.range[1]);
  if (part === 'value' && !emptyValue) return isCollection(value) ? firstLine(parsed, value) : nodeRange(parsed, value);
  if (emptyValue || isCollection(value)) return keyRange ?? firstLine(parsed, value);
  return nodeRange(parsed, value);
}

/** Like rangeOf, but falls back to the nearest ancestor in the file, then to the first line. */
export function rangeNear(parsed: ParsedExperiment, path: Path, part: Part = 'auto'): Range {
  for (let n = path.length; n > 0; n--) {
    const r = rangeOf(parsed, path.slice(0, n), n === path.length ? part : 'key');
    if (r) return r;
  }
  const firstLineEnd = parsed.text.indexOf('\n');
  return offsetRange(parsed, 0, firstLineEnd < 0 ? parsed.text.length : firstLineEnd);
}

/** The source text of the scalar at `path`, e.g. `8` or `8/255`. */
export function sourceOf(parsed: ParsedExperiment, path: Path): string | undefined {
  const value = locate(parsed, path)?.value;
  if (!isScalar(value) || !value.range) return undefined;
  return parsed.text.slice(value.range[0], value.range[1]);
}

/** Whether the scalar at `path` is written without quotes. */
export function isPlainScalar(parsed: ParsedExperiment, path: Path): boolean {
  const value = locate(parsed, path)?.value;
  return isScalar(value) && value.type === 'PLAIN';
}

/** The keys written in the map at `path` (for completion: do not offer them again). */
export function keysAt(parsed: ParsedExperiment, path: Path): string[] {
  const node = path.length === 0 ? parsed.document.contents : locate(parsed, path)?.value;
  if (!isMap(node)) return [];
  return node.items.map((p) => keyText(p.key)).filter((k): k is string => k !== undefined);
}

/**
 * The path of the innermost key or value that contains `offset` (0-based), and whether the offset
 * is on the key. For hover and completion in the language server.
 */
export function pathAtOffset(parsed: ParsedExperiment, offset: number): { path: (string | number)[]; onKey: boolean } {
  const path: (string | number)[] = [];
  let node: unknown = parsed.document.contents;
  const contains = (n: unknown): boolean => {
    const r = (n as { range?: [number, number, number] } | null)?.range;
    return !!r && offset >= r[0] && offset <= r[1];
  };
  for (;;) {
    if (isMap(node)) {
      // A key wins over the value before it: a block value's range runs to the next key's start.
      const pair = node.items.find((p) => contains(p.key)) ?? node.items.find((p) => contains(p.value));
      if (!pair) return { path, onKey: false };
      const k = keyText(pair.key);
      if (k === undefined) return { path, onKey: false };
      path.push(k);
      if (contains(pair.key)) return { path, onKey: true };
      node = pair.value;
    } else if (isSeq(node)) {
      const i = node.items.findIndex((item) => contains(item));
      if (i < 0) return { path, onKey: false };
      path.push(i);
      node = node.items[i];
    } else {
      return { path, onKey: false };
    }
  }
}

/** Finds the key node that starts at `offset` anywhere in the document. */
function keyStartingAt(parsed: ParsedExperiment, offset: number): Node | undefined {
  const visit = (node: unknown): Node | undefined => {
    if (isMap(node)) {
      for (const p of node.items) {
        const r = (p.key as { range?: [number, number, number] } | null)?.range;
        if (r && r[0] === offset) return p.key as Node;
        const inner = visit(p.value);
        if (inner) return inner;
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        const inner = visit(item);
        if (inner) return inner;
      }
    } else if (isPair(node)) {
      return visit(node.value);
    }
    return undefined;
  };
  return visit(parsed.document.contents);
}

/** The yaml library's errors and warnings as problems (duplicate keys get their own code). */
export function syntaxProblems(parsed: ParsedExperiment, file: string): Problem[] {
  const toProblem = (e: YAMLError, severity: 'error' | 'warning'): Problem => {
    const message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    if (e.code === 'DUPLICATE_KEY') {
      const key = keyStartingAt(parsed, e.pos[0]);
      const range = key ? nodeRange(parsed, key)! : offsetRange(parsed, e.pos[0], e.pos[1]);
      const name = key ? keyText(key) : undefined;
      return {
        file,
        ...range,
        severity,
        code: 'duplicate-key',
        message: name
          ? `duplicate key "${name}": keys must be unique, and only the last one would count`
          : 'duplicate key: keys must be unique',
        fix: 'remove one of them',
      };
    }
    return {
      file,
      ...offsetRange(parsed, e.pos[0], e.pos[1]),
      severity,
      code: 'yaml-syntax',
      message: `YAML syntax: ${message}`,
    };
  };
  return [
    ...parsed.document.errors.map((e) => toProblem(e, 'error')),
    ...parsed.document.warnings.map((e) => toProblem(e, 'warning')),
  ];
}
