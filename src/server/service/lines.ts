/**
 * The block structure of a `.gacd` file read line by line from its indentation, for the features
 * that must work while the text is half typed: completion (a key without its colon yet, an empty
 * line under a section), folding and formatting. The `yaml` parser (src/engine/experiment/parse.ts)
 * stays the authority on what the file means; this model only answers "which section is this line
 * in", which a half-typed line makes the parser answer differently from the person typing.
 *
 * Flow collections spanning lines and block scalars (`|`, `>`) are recognised and their inner
 * lines set aside; multi-line plain scalars are rare in experiment files and read as lines.
 */
import type { Path } from '../../engine/experiment/parse';
import type { TextModel } from './textModel';

export type LineKind = 'blank' | 'comment' | 'content' | 'continuation';

export interface LineInfo {
  kind: LineKind;
  text: string;
  indent: number;
  /** Columns of the leading `- ` sequence markers. */
  dashes: number[];
  /** Column of the first token after the indentation and the dashes. */
  contentCol: number;
  key?: string;
  keyStart?: number;
  keyEnd?: number;
  /** Column of the key's colon. */
  colon?: number;
  /** The value without a trailing comment, trimmed; '' when the key has none on this line. */
  value: string;
  valueStart?: number;
  valueEnd?: number;
  /** Column of the `#` that starts a trailing or whole-line comment. */
  commentCol?: number;
  /** For content lines: the path of the map that holds `key` (or of the list item the line starts). */
  container?: Path;
  /** For content lines: the path of the key's value, or of the list item. */
  path?: Path;
  /** For a line that starts a list item: the list's path and the item's index. */
  item?: { list: Path; index: number };
  /** For continuation lines: the line whose value they continue. */
  owner?: number;
}

/** An open block while reading down the file. */
export interface Frame {
  col: number;
  kind: 'root' | 'map' | 'seq';
  path: Path;
  /** For a map: the last key seen and whether its value was left for the following lines. */
  lastKey?: string;
  lastEmpty?: boolean;
  /** For a seq: the number of items seen. */
  count: number;
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t';

/** Finds the start of a trailing comment (`#` after whitespace, outside quotes), or -1. */
export function commentStart(text: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      // A quote only opens a quoted scalar at the start of a token.
      if (i === from || isSpace(text[i - 1]) || '[{,:-'.includes(text[i - 1])) quote = c;
    } else if (c === '#' && (i === from || isSpace(text[i - 1]))) {
      return i;
    }
  }
  return -1;
}

function unquote(key: string): string {
  if (key.length >= 2 && key[0] === '"' && key[key.length - 1] === '"') return key.slice(1, -1).replace(/\\(.)/g, '$1');
  if (key.length >= 2 && key[0] === "'" && key[key.length - 1] === "'") return key.slice(1, -1).replace(/''/g, "'");
  return key;
}

/** Reads one line's own shape, without its place in the structure. */
export function readLine(text: string): LineInfo {
  let indent = 0;
  while (indent < text.length && text[indent] === ' ') indent++;
  const info: LineInfo = { kind: 'content', text, indent, dashes: [], contentCol: indent, value: '' };
  const rest = text.slice(indent);
  if (rest.trim() === '') {
    info.kind = 'blank';
    return info;
  }
  if (rest[0] === '#') {
    info.kind = 'comment';
    info.commentCol = indent;
    return info;
  }
  let c = indent;
  while (text[c] === '-' && (c + 1 === text.length || isSpace(text[c + 1]))) {
    info.dashes.push(c);
    c++;
    while (isSpace(text[c])) c++;
  }
  info.contentCol = c;
  const hash = commentStart(text, c);
  if (hash >= 0) info.commentCol = hash;
  const end = hash >= 0 ? hash : text.length;
  if (c >= end) return info;

  // A key: a quoted scalar or a plain one, then a colon followed by a space or the line's end.
  let colon = -1;
  const first = text[c];
  if (first === '"' || first === "'") {
    let j = c + 1;
    for (; j < end; j++) {
      if (first === '"' && text[j] === '\\') j++;
      else if (text[j] === first) break;
    }
    let k = j + 1;
    while (isSpace(text[k])) k++;
    if (text[k] === ':' && (k + 1 >= end || isSpace(text[k + 1]))) colon = k;
  } else if (first !== '[' && first !== '{' && first !== '|' && first !== '>') {
    for (let j = c; j < end; j++) {
      if (text[j] === ':' && (j + 1 >= end || isSpace(text[j + 1]))) {
        colon = j;
        break;
      }
    }
  }
  let valueFrom = c;
  if (colon >= 0) {
    let keyEnd = colon;
    while (keyEnd > c && isSpace(text[keyEnd - 1])) keyEnd--;
    info.key = unquote(text.slice(c, keyEnd));
    info.keyStart = c;
    info.keyEnd = keyEnd;
    info.colon = colon;
    valueFrom = colon + 1;
  }
  while (valueFrom < end && isSpace(text[valueFrom])) valueFrom++;
  let valueEnd = end;
  while (valueEnd > valueFrom && isSpace(text[valueEnd - 1])) valueEnd--;
  if (valueEnd > valueFrom) {
    info.value = text.slice(valueFrom, valueEnd);
    info.valueStart = valueFrom;
    info.valueEnd = valueEnd;
  }
  return info;
}

/** The change of bracket depth over a flow value, ignoring brackets inside quotes. */
function bracketBalance(value: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
  }
  return depth;
}

const copyStack = (stack: readonly Frame[]): Frame[] => stack.map((f) => ({ ...f }));

/**
 * Places a content line in the open blocks (mutating `stack`) and records its container, path and
 * list item. Exported so that completion can place the half-typed line at the cursor the same way.
 */
export function placeLine(stack: Frame[], line: LineInfo): void {
  const i = line.indent;
  const dashAt = line.dashes[0] === i;
  while (stack.length > 1) {
    const top = stack[stack.length - 1];
    if (top.col > i || (top.col === i && top.kind === 'seq' && !dashAt)) stack.pop();
    else break;
  }
  let top = stack[stack.length - 1];
  const parentPath = (f: Frame): Path =>
    f.kind === 'root' ? [] : f.kind === 'seq' ? [...f.path, Math.max(0, f.count - 1)] : [...f.path, f.lastKey ?? ''];
  if (top.col === i && top.kind === 'map' && dashAt) {
    // A list written at its key's own indentation ("compact" style): `key:` then `- item`.
    stack.push({ col: i, kind: 'seq', path: parentPath(top), count: 0 });
  } else if (top.col < i) {
    stack.push({ col: i, kind: dashAt ? 'seq' : 'map', path: parentPath(top), count: 0 });
  } else if (top.kind === 'root') {
    stack.push({ col: i, kind: dashAt ? 'seq' : 'map', path: [], count: 0 });
  }
  top = stack[stack.length - 1];

  if (line.dashes.length > 0 && top.kind === 'seq') {
    const index = top.count++;
    let itemPath: Path = [...top.path, index];
    line.item = { list: top.path, index };
    for (const d of line.dashes.slice(1)) {
      stack.push({ col: d, kind: 'seq', path: itemPath, count: 1 });
      itemPath = [...itemPath, 0];
    }
    line.container = itemPath;
    if (line.key !== undefined) {
      stack.push({ col: line.contentCol, kind: 'map', path: itemPath, lastKey: line.key, lastEmpty: line.value === '', count: 0 });
      line.path = [...itemPath, line.key];
    } else {
      line.path = itemPath;
    }
    return;
  }
  line.container = top.path;
  if (line.key !== undefined) {
    if (top.kind === 'map') {
      top.lastKey = line.key;
      top.lastEmpty = line.value === '';
    }
    line.path = [...top.path, line.key];
  } else {
    line.path = top.path;
  }
}

export interface LineModel {
  lines: LineInfo[];
  /** The open blocks before each line (copies; index = line number). */
  stackBefore(line: number): Frame[];
}

/** Reads the whole text's structure: O(lines). */
export function readStructure(model: TextModel): LineModel {
  const lines: LineInfo[] = [];
  const snapshots: Frame[][] = [];
  let stack: Frame[] = [{ col: -1, kind: 'root', path: [], count: 0 }];
  // While inside a block scalar: lines more indented than `blockIndent` belong to it.
  let blockIndent = -1;
  let blockOwner = -1;
  // While inside a flow collection that spans lines: its bracket depth.
  let flowDepth = 0;
  let flowOwner = -1;
  for (let n = 0; n < model.lineCount; n++) {
    const text = model.lineText(n);
    snapshots.push(copyStack(stack));
    // A flow collection's lines are indented more than its key; a line that is not ends it (an
    // unclosed bracket must not swallow the rest of the file).
    if (flowDepth > 0 && text.trim() !== '' && /^ */.exec(text)![0].length <= lines[flowOwner].indent) flowDepth = 0;
    if (flowDepth > 0) {
      const info = readLine(text);
      if (info.kind !== 'blank' && info.kind !== 'comment') info.kind = 'continuation';
      info.owner = flowOwner;
      const hash = commentStart(text, 0);
      flowDepth += bracketBalance(hash >= 0 ? text.slice(0, hash) : text);
      lines.push(info);
      continue;
    }
    if (blockIndent >= 0) {
      let indent = 0;
      while (indent < text.length && text[indent] === ' ') indent++;
      if (text.trim() === '' || indent > blockIndent) {
        const info = readLine(text);
        if (info.kind !== 'blank') info.kind = 'continuation';
        info.owner = blockOwner;
        lines.push(info);
        continue;
      }
      blockIndent = -1;
    }
    const info = readLine(text);
    lines.push(info);
    if (info.kind !== 'content') continue;
    placeLine(stack, info);
    const v = info.value;
    if (/^[|>][-+0-9]*$/.test(v)) {
      blockIndent = info.indent;
      blockOwner = n;
    } else if (v[0] === '[' || v[0] === '{') {
      const depth = bracketBalance(v);
      if (depth > 0) {
        flowDepth = depth;
        flowOwner = n;
      }
    }
  }
  snapshots.push(copyStack(stack));
  return { lines, stackBefore: (line) => copyStack(snapshots[Math.max(0, Math.min(line, snapshots.length - 1))]) };
}

export const samePath = (a: Path | undefined, b: Path): boolean =>
  !!a && a.length === b.length && a.every((s, i) => s === b[i]);

/** The keys written directly in the map at `path`, with the line of each. */
export function keysIn(model: LineModel, path: Path): { key: string; line: number }[] {
  const out: { key: string; line: number }[] = [];
  model.lines.forEach((l, n) => {
    if (l.kind === 'content' && l.key !== undefined && samePath(l.container, path)) out.push({ key: l.key, line: n });
  });
  return out;
}

function scalar(value: string): unknown {
  if (value === '') return undefined;
  if (value[0] === '[' || value[0] === '{' || value[0] === '|' || value[0] === '>') return undefined;
  return unquote(value);
}

/**
 * A sparse copy of the file's content from its lines: every key with its scalar value (as text),
 * sections and list items as objects. Enough for the schema walk to pick a method block's option.
 */
export function sparseData(model: LineModel, skipLine = -1): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const ensure = (path: Path, asArray = false): unknown => {
    let here: Record<string | number, unknown> = root;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      let next = here[seg];
      if (next === null || typeof next !== 'object') {
        next = typeof path[i + 1] === 'number' || (asArray && i === path.length - 1) ? [] : {};
        here[seg] = next;
      }
      here = next as Record<string | number, unknown>;
    }
    return here;
  };
  model.lines.forEach((l, n) => {
    if (n === skipLine || l.kind !== 'content' || !l.path) return;
    if (l.key !== undefined && l.container) {
      const holder = ensure(l.container) as Record<string, unknown>;
      const v = scalar(l.value);
      if (v !== undefined) holder[l.key] = v;
    } else if (l.item) {
      const v = scalar(l.value);
      if (v === undefined) ensure(l.path);
      else (ensure(l.item.list, true) as unknown[])[l.item.index] = v;
    }
  });
  return root;
}

/**
 * The last line of the block that content line `n` heads: the lines below it that are more
 * indented than its key (or its list dash, with `item`), and list items at its key's own column
 * (a compact list). Trailing blank and comment lines are left out.
 */
export function blockEnd(lines: LineInfo[], n: number, item = false): number {
  const head = lines[n];
  const col = item ? head.indent : (head.keyStart ?? head.contentCol);
  let last = n;
  for (let m = n + 1; m < lines.length; m++) {
    const l = lines[m];
    if (l.kind === 'blank' || l.kind === 'comment') continue;
    if (l.kind === 'content') {
      if (l.indent < col) break;
      if (l.indent === col && (item || l.dashes[0] !== col)) break;
    }
    last = m;
  }
  return last;
}
