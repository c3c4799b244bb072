/**
 * Completion: the keys valid at the cursor's section that are not written yet, the values of a
 * choice (methods, attacks, models, datasets, backends, schedules...), whole sections with their
 * defaults as snippets (a method block per method, an evaluation block, ...), folders for the
 * dataset and checkpoint paths, and the codes a `# gacd-ignore:` comment can name.
 *
 * The text at the cursor is usually half typed (a key without its colon, an empty line under a
 * section), so the cursor's place is read from the indentation (lines.ts) rather than from the
 * parse; what is valid there comes from the schema and the catalogs (describeSetting, which also
 * knows the keys inside an evaluation entry written as a section).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMON_EVALUATION_ATTACKS } from '../../engine/attacks/catalog';
import type { Path } from '../../engine/experiment/parse';
import type { SettingInfo } from '../../engine/experiment/schemaInfo';
import { typeWords } from '../../engine/experiment/schemaInfo';
import type { Analysis } from './analysis';
import { describeSetting } from './attackEntries';
import { catalogMarkdown, defaultWords, settingMarkdown, yamlText } from './describe';
import { IGNORE_PATTERN } from './diagnostics';
import type { LineInfo } from './lines';
import { commentStart, keysIn, placeLine, readLine, sparseData } from './lines';
import type { CompletionItem, CompletionKind, CompletionOptions, Position, Span } from './types';
import { isSweepMap, sweepPathItems } from './sweepPaths';

/** Where the cursor is, as far as completion cares. */
export type CursorContext =
  | {
      kind: 'key';
      /** The section whose keys are offered. */
      path: Path;
      span: Span;
      /** Column at which the key starts (child lines of a snippet go two further). */
      keyCol: number;
      /** The line holds nothing but the word (and list dashes): multi-line snippets fit. */
      emptyLine: boolean;
      /** A colon already follows the word: insert the key alone. */
      colonAfter: boolean;
      /** Inside `{ ... }` on one line. */
      flow: boolean;
      /** Keys already written in that section. */
      present: string[];
      data: unknown;
    }
  | {
      kind: 'value';
      /** The value's path (a list entry ends in its index). */
      path: Path;
      span: Span;
      /** What is typed before the cursor. */
      typed: string;
      /** A new list entry written on a line of its own under the list's key: prefix items with `- `. */
      dashNeeded: boolean;
      /** Entries already in the list, when the value is one. */
      siblings: string[];
      data: unknown;
    }
  | { kind: 'ignore'; span: Span; target: number }
  | { kind: 'none' };

const KEY_CHAR = /[A-Za-z0-9_-]/;
const VALUE_CHAR = /[^\s,[\]{}#]/;

function wordAround(text: string, ch: number, re: RegExp, from = 0): [number, number] {
  let s = ch;
  while (s > from && re.test(text[s - 1])) s--;
  let e = ch;
  while (e < text.length && re.test(text[e])) e++;
  return [s, e];
}

function lineSpan(line: number, s: number, e: number): Span {
  return { start: { line, character: s }, end: { line, character: e } };
}

/**
 * Splits the flow collection that is open at the cursor: its kind, base column and top-level
 * entries before the cursor, and the path to it from the outermost collection (an index for each
 * list, a key for each map), so that `[clean, {attack: pgd, |}]` is read as a map in a list. `maps`
 * holds the inner text of each open map with its path, outermost first, for the data around the
 * cursor (the attack an entry names while its settings are typed in a map inside it).
 */
function openFlow(
  text: string,
  from: number,
  ch: number,
): { open: '[' | '{'; start: number; segStart: number; index: number; close: number; outer: Path; maps: { path: Path; inner: string }[] } | undefined {
  const stack: { open: '[' | '{'; start: number; segStart: number; index: number }[] = [];
  let quote: string | undefined;
  for (let i = from; i < ch; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') stack.push({ open: c, start: i, segStart: i + 1, index: 0 });
    else if ((c === ']' || c === '}') && stack.length) stack.pop();
    else if (c === ',' && stack.length) {
      const top = stack[stack.length - 1];
      top.index++;
      top.segStart = i + 1;
    }
  }
  if (stack.length === 0 || quote) return undefined;
  const closes = closingBrackets(text, ch);
  const closeOf = (j: number) => closes[stack.length - 1 - j] ?? text.length;
  const outer: (string | number)[] = [];
  const maps: { path: Path; inner: string }[] = [];
  for (let j = 0; j < stack.length; j++) {
    const frame = stack[j];
    if (frame.open === '{') maps.push({ path: [...outer], inner: text.slice(frame.start + 1, closeOf(j)) });
    if (j + 1 === stack.length) break;
    if (frame.open === '[') {
      outer.push(frame.index);
      continue;
    }
    // In a map, the inner collection is the value of the key written before it in its entry.
    const entry = text.slice(frame.segStart, stack[j + 1].start);
    const colon = entry.indexOf(':');
    if (colon < 0) return undefined;
    outer.push(entry.slice(0, colon).trim().replace(/^["']|["']$/g, ''));
  }
  const top = stack[stack.length - 1];
  return { ...top, close: closeOf(stack.length - 1), outer, maps };
}

/** The columns of the brackets after `from` that close collections opened before it, innermost first. */
function closingBrackets(text: string, from: number): number[] {
  const out: number[] = [];
  let depth = 0;
  let quote: string | undefined;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      if (depth === 0) out.push(i);
      else depth--;
    }
  }
  return out;
}

/** The entries of a flow collection's inner text, split at its own commas only (not those of a nested `{ }`). */
function flowEntries(inner: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(inner.slice(start, i));
      start = i + 1;
    }
  }
  out.push(inner.slice(start));
  return out.map((x) => x.trim());
}

/** The flow map's `key: value` pairs written on the line, as data. */
function flowPairs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Za-z_][\w-]*)\s*:\s*([^,{}[\]\s#]+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out[m[1]] = m[2].replace(/^["']|["']$/g, '');
  return out;
}

function setIn(root: Record<string, unknown>, p: Path, value: Record<string, unknown>): void {
  let here: Record<string | number, unknown> = root;
  p.forEach((seg, i) => {
    if (i === p.length - 1) {
      const prev = here[seg];
      here[seg] = { ...(prev && typeof prev === 'object' ? prev : {}), ...value };
      return;
    }
    if (!here[seg] || typeof here[seg] !== 'object') here[seg] = typeof p[i + 1] === 'number' ? [] : {};
    here = here[seg] as Record<string | number, unknown>;
  });
}

/** Reads the cursor's context from the line structure. */
export function cursorContext(a: Analysis, pos: Position): CursorContext {
  const model = a.model;
  const p = model.clamp(pos);
  const n = p.line;
  const ch = p.character;
  const text = model.lineText(n);
  const own = a.lines.lines[n];
  if (!own || own.kind === 'continuation') return { kind: 'none' };

  const hash = commentStart(text, 0);
  if (hash >= 0 && ch > hash) {
    const m = IGNORE_PATTERN.exec(text);
    if (own.kind === 'comment' && m && ch >= m[1].length) {
      const [s, e] = wordAround(text, ch, KEY_CHAR, m[1].length);
      let target = n + 1;
      while (target < a.lines.lines.length && a.lines.lines[target].kind === 'comment') target++;
      return { kind: 'ignore', span: lineSpan(n, s, e), target };
    }
    return { kind: 'none' };
  }

  // Place the cursor's line in the structure; on a blank line, the cursor's column says which
  // section the key about to be typed belongs to.
  if (own.kind === 'comment' || (own.kind === 'content' && ch < own.indent)) return { kind: 'none' };
  const synth: LineInfo = own.kind === 'blank' ? { ...readLine(`${' '.repeat(ch)}x`), value: '', valueStart: undefined } : readLine(text);
  placeLine(a.lines.stackBefore(n), synth);
  const data = sparseData(a.lines, n);
  const containerPath = synth.container ?? [];

  // In a value: after the key's colon, or in a list item's scalar.
  const valueFrom = synth.colon !== undefined && ch > synth.colon ? synth.colon + 1 : synth.dashes.length && ch >= synth.contentCol && synth.key === undefined ? synth.contentCol : -1;
  if (valueFrom >= 0) {
    const base = synth.path ?? containerPath;
    const flow = openFlow(text, valueFrom, ch);
    if (flow) {
      const inner = text.slice(flow.start + 1, flow.close);
      const at = [...base, ...flow.outer];
      if (flow.open === '[') {
        const [s, e] = wordAround(text, ch, VALUE_CHAR, flow.segStart);
        const siblings = flowEntries(inner).filter((x, i) => x && i !== flow.index);
        return { kind: 'value', path: [...at, flow.index], span: lineSpan(n, s, e), typed: text.slice(s, ch), dashNeeded: false, siblings, data };
      }
      for (const m of flow.maps) setIn(data, [...base, ...m.path], flowPairs(m.inner));
      const pairs = flowPairs(inner);
      const segment = text.slice(flow.segStart, ch);
      const colon = segment.indexOf(':');
      if (colon >= 0) {
        const key = segment.slice(0, colon).trim();
        const [s, e] = wordAround(text, ch, VALUE_CHAR, flow.segStart + colon + 1);
        return { kind: 'value', path: [...at, key], span: lineSpan(n, s, e), typed: text.slice(s, ch), dashNeeded: false, siblings: [], data };
      }
      const [s, e] = wordAround(text, ch, KEY_CHAR, flow.segStart);
      // A key being retyped before its colon is replaced alone, and is offered again.
      const colonAfter = /^\s*:/.test(text.slice(e, flow.close));
      const present = Object.keys(pairs).filter((k) => !(colonAfter && k === text.slice(s, e)));
      return { kind: 'key', path: at, span: lineSpan(n, s, e), keyCol: s, emptyLine: false, colonAfter, flow: true, present, data };
    }
    if (synth.key === undefined && synth.item) {
      // A list item: a section item (a baseline) takes keys, a scalar item a value.
      const element = describeSetting(synth.item.list, data)?.element;
      const itemInfo = describeSetting(synth.path ?? [], data);
      if (itemInfo?.kind === 'section' || element?.kind === 'section') {
        const [s, e] = wordAround(text, ch, KEY_CHAR, synth.contentCol);
        const present = keysIn(a.lines, synth.path ?? []).filter((k) => k.line !== n).map((k) => k.key);
        const rest = text.slice(e).trim();
        return {
          kind: 'key',
          path: synth.path ?? [],
          span: lineSpan(n, s, e),
          // A key typed right after the dash gets a space first: it starts two columns after it.
          keyCol: Math.max(synth.contentCol, synth.dashes[synth.dashes.length - 1] + 2),
          emptyLine: rest === '',
          colonAfter: rest.startsWith(':'),
          flow: false,
          present,
          data,
        };
      }
      const [s, e] = wordAround(text, ch, VALUE_CHAR, valueFrom);
      const siblings = a.lines.lines
        .filter((l, i) => i !== n && l.kind === 'content' && l.item && l.item.list.join('\u0000') === synth.item!.list.join('\u0000'))
        .map((l) => l.value);
      return { kind: 'value', path: synth.path ?? [], span: lineSpan(n, s, e), typed: text.slice(s, ch), dashNeeded: false, siblings, data };
    }
    const [s, e] = wordAround(text, ch, VALUE_CHAR, valueFrom);
    return { kind: 'value', path: base, span: lineSpan(n, s, e), typed: text.slice(s, ch), dashNeeded: false, siblings: [], data };
  }

  // A key of the section the line is in.
  const keyFrom = synth.dashes.length ? synth.contentCol : synth.indent;
  if (ch < keyFrom) return { kind: 'none' };
  // A sweep's grid: and zip: keys are dotted setting paths, dots part of the word.
  const [s, e] = wordAround(text, ch, isSweepMap(containerPath) ? /[A-Za-z0-9_.-]/ : KEY_CHAR, keyFrom);
  const before = text.slice(keyFrom, s).trim();
  if (before !== '') return { kind: 'none' };
  const rest = text.slice(e);
  const present = keysIn(a.lines, containerPath).filter((k) => k.line !== n).map((k) => k.key);
  const containerInfo = describeSetting(containerPath, data);
  if (containerInfo?.kind === 'list' && synth.dashes.length === 0) {
    // Under a list's key, without a dash yet: offer entries as `- value`.
    const siblings = a.lines.lines.filter((l) => l.item && l.item.list.join('\u0000') === containerPath.join('\u0000')).map((l) => l.value);
    return { kind: 'value', path: [...containerPath, siblings.length], span: lineSpan(n, s, e), typed: text.slice(s, ch), dashNeeded: true, siblings, data };
  }
  return {
    kind: 'key',
    path: containerPath,
    span: lineSpan(n, s, e),
    keyCol: keyFrom,
    emptyLine: rest.trim() === '',
    colonAfter: /^\s*:/.test(rest),
    flow: false,
    present,
    data,
  };
}

/** The text of a value in a snippet: a choice, a default, or an empty tab stop. */
function valueSnippet(info: SettingInfo, stop: number): string {
  if (info.kind === 'choice' && info.values?.length) {
    const first = info.hasDefault && typeof info.default === 'string' ? [info.default] : [];
    const values = [...first, ...info.values.filter((v) => !first.includes(v))];
    return `\${${stop}|${values.join(',')}|}`;
  }
  if (info.kind === 'boolean') return `\${${stop}|${info.default === false ? 'false,true' : 'true,false'}|}`;
  if (info.hasDefault && info.default !== null && info.default !== undefined) return `\${${stop}:${escapeSnippet(yamlText(info.default))}}`;
  return `\$${stop}`;
}

function escapeSnippet(s: string): string {
  return s.replace(/[$}\\]/g, (c) => `\\${c}`);
}

/**
 * The lines of a whole section with its defaults: required keys with a tab stop, keys with a
 * default with it, sub-sections recursively; keys whose default is "none" (null) are left out.
 */
function sectionLines(p: Path, data: unknown, indent: string, next: { stop: number }): string[] {
  const info = describeSetting(p, data);
  const out: string[] = [];
  for (const key of info?.keys ?? []) {
    const child = describeSetting([...p, key], data);
    if (!child) continue;
    if (child.kind === 'section' && child.keys) {
      if (child.meta.catalog === 'method') continue;
      const inner = sectionLines([...p, key], data, `${indent}  `, next);
      if (inner.length) out.push(`${indent}${key}:`, ...inner);
      continue;
    }
    if (child.kind === 'list' && child.element?.kind === 'section') continue;
    if (child.kind === 'any') continue;
    if (child.required || (child.hasDefault && child.default !== null && child.default !== undefined)) {
      out.push(`${indent}${key}: ${valueSnippet(child, next.stop++)}`);
    }
  }
  return out;
}

function stripSnippet(s: string): string {
  return s
    .replace(/\$\{\d+\|([^,|]*)[^|]*\|\}/g, '$1')
    .replace(/\$\{\d+:((?:\\.|[^}])*)\}/g, (_, d: string) => d.replace(/\\(.)/g, '$1'))
    .replace(/\$\d+/g, '');
}

const pad = (i: number) => String(i).padStart(3, '0');

function keyItems(ctx: Extract<CursorContext, { kind: 'key' }>): CompletionItem[] {
  const info = describeSetting(ctx.path, ctx.data);
  if (!info || info.kind !== 'section' || !info.keys) return [];
  const items: CompletionItem[] = [];
  const childIndent = ' '.repeat(ctx.keyCol + 2);
  info.keys.forEach((key, i) => {
    if (ctx.present.includes(key)) return;
    const p = [...ctx.path, key];
    const child = describeSetting(p, ctx.data);
    if (!child) return;
    const isSection = child.kind === 'section';
    let insert: string;
    if (ctx.colonAfter) insert = key;
    else if (ctx.flow) insert = child.kind === 'choice' || child.kind === 'boolean' ? `${key}: ${valueSnippet(child, 1)}` : `${key}: $1`;
    else if (isSection) {
      if (child.meta.catalog === 'method') {
        const disc = child.keys?.[0] ?? 'name';
        const names = describeSetting([...p, disc], ctx.data)?.values ?? [];
        insert = `${key}:\n${childIndent}${disc}: \${1|${names.join(',')}|}`;
      } else {
        // The section's required keys, the rest being left to the defaults.
        let stop = 1;
        const requiredLines: string[] = [];
        for (const k of child.keys ?? []) {
          const grandchild = describeSetting([...p, k], ctx.data);
          if (grandchild?.required) requiredLines.push(`${childIndent}${k}: ${valueSnippet(grandchild, stop++)}`);
        }
        insert = requiredLines.length ? `${key}:\n${requiredLines.join('\n')}` : `${key}:\n${childIndent}$0`;
      }
    } else if (child.kind === 'list') {
      if (child.element?.kind === 'section') {
        const el = describeSetting([...p, 0], ctx.data);
        const disc = el?.keys?.[0] ?? 'method';
        const names = describeSetting([...p, 0, disc], { ...(ctx.data as object), [key]: [{}] })?.values ?? [];
        insert = `${key}:\n${childIndent}- ${disc}: \${1|${names.join(',')}|}`;
      } else {
        insert = child.hasDefault && Array.isArray(child.default) ? `${key}: [\${1:${escapeSnippet(child.default.map((x) => yamlText(x)).join(', '))}}]` : `${key}: [$1]`;
      }
    } else {
      insert = `${key}: ${valueSnippet(child, 1)}`;
    }
    items.push({
      label: key,
      kind: isSection ? 'section' : 'property',
      detail: typeWords(child),
      documentation: settingMarkdown(p, child, ctx.data),
      insertText: insert,
      snippet: insert.includes('$'),
      span: ctx.span,
      sortText: `${child.required ? 0 : 1}${pad(i)}`,
    });
  });

  // Whole sections with their defaults, for a key written on a line of its own.
  if (ctx.emptyLine && !ctx.colonAfter && !ctx.flow) items.push(...sectionSnippets(ctx, info));
  return items;
}

function sectionSnippets(ctx: Extract<CursorContext, { kind: 'key' }>, info: SettingInfo): CompletionItem[] {
  const items: CompletionItem[] = [];
  const childIndent = ' '.repeat(ctx.keyCol + 2);
  /** A method's settings with their defaults, as lines at `indent` (without the line naming it). */
  const methodLines = (blockPath: Path, disc: string, name: string, indent: string): string[] => {
    const withName = structuredCloneSafe(ctx.data) as Record<string, unknown>;
    setIn(withName, blockPath, { [disc]: name });
    return sectionLines(blockPath, withName, indent, { stop: 1 }).filter((l) => !l.trimStart().startsWith(`${disc}:`));
  };

  // A method block inside a list entry (a baseline): one snippet per method.
  if (info.meta.catalog === 'method' && ctx.present.length === 0) {
    const disc = info.keys?.[0] ?? 'method';
    for (const name of describeSetting([...ctx.path, disc], ctx.data)?.values ?? []) {
      const lines = methodLines(ctx.path, disc, name, ' '.repeat(ctx.keyCol));
      const text = [`${disc}: ${name}`, ...lines].join('\n');
      items.push(snippetItem(`${disc}: ${name} with its defaults`, text, ctx.span, catalogMarkdown('method', name), name));
    }
    return items;
  }
  for (const key of info.keys ?? []) {
    if (ctx.present.includes(key)) continue;
    const p = [...ctx.path, key];
    const child = describeSetting(p, ctx.data);
    if (!child || child.kind !== 'section') continue;
    if (child.meta.catalog === 'method') {
      const disc = child.keys?.[0] ?? 'name';
      for (const name of describeSetting([...p, disc], ctx.data)?.values ?? []) {
        const lines = methodLines(p, disc, name, childIndent);
        const text = [`${key}:`, `${childIndent}${disc}: ${name}`, ...lines].join('\n');
        items.push(snippetItem(`${key}: ${name} with its defaults`, text, ctx.span, catalogMarkdown('method', name), key));
      }
      continue;
    }
    const lines = sectionLines(p, ctx.data, childIndent, { stop: 1 });
    if (key === 'teacher') lines.push(`${childIndent}checkpoint: \$${lines.length + 1}`);
    if (lines.length === 0) continue;
    items.push(snippetItem(`${key} with its defaults`, [`${key}:`, ...lines].join('\n'), ctx.span, settingMarkdown(p, child, ctx.data), key));
  }
  return items;
}

function structuredCloneSafe(data: unknown): unknown {
  try {
    return structuredClone(data ?? {});
  } catch {
    return {};
  }
}

/** Numbers the tab stops 1, 2, 3... in the order they appear ($0 stays last). */
function renumber(text: string): string {
  const map = new Map<string, number>();
  return text.replace(/\$\{(\d+)|\$(\d+)/g, (all, a: string | undefined, b: string | undefined) => {
    const n = a ?? b!;
    if (n === '0') return all;
    if (!map.has(n)) map.set(n, map.size + 1);
    return a !== undefined ? `\${${map.get(n)}` : `$${map.get(n)}`;
  });
}

function snippetItem(label: string, snippet: string, span: Span, documentation: string | undefined, filterText: string): CompletionItem {
  const text = renumber(snippet);
  return {
    label,
    kind: 'snippet',
    detail: 'whole section',
    documentation: documentation ? `${documentation}\n\n\`\`\`yaml\n${stripSnippet(text)}\n\`\`\`` : `\`\`\`yaml\n${stripSnippet(text)}\n\`\`\``,
    insertText: text,
    snippet: true,
    span,
    sortText: `2${label}`,
    filterText,
  };
}

const EPSILON_HINTS: [string, string][] = [
  ['8/255', 'CIFAR-10/100 and STL-10'],
  ['0.1', 'Fashion-MNIST'],
  ['0.3', 'MNIST'],
];

function valueItems(a: Analysis, ctx: Extract<CursorContext, { kind: 'value' }>): CompletionItem[] {
  const info = describeSetting(ctx.path, ctx.data);
  const last = ctx.path[ctx.path.length - 1];
  const listInfo = typeof last === 'number' ? describeSetting(ctx.path.slice(0, -1), ctx.data) : undefined;
  const items: CompletionItem[] = [];
  const dash = ctx.dashNeeded ? '- ' : '';
  const add = (label: string, kind: CompletionKind, detail?: string, documentation?: string, sortText?: string, preselect?: boolean) =>
    items.push({ label, kind, detail, documentation, insertText: `${dash}${label}`, snippet: false, span: ctx.span, sortText, preselect, filterText: ctx.dashNeeded ? label : undefined });

  if (listInfo?.meta.catalog === 'attack') {
    const defaults = Array.isArray(listInfo.default) ? (listInfo.default as string[]) : [];
    const names = [...new Set([...defaults, ...COMMON_EVALUATION_ATTACKS])];
    names.forEach((name, i) => {
      if (ctx.siblings.includes(name)) return;
      add(name, 'enum', 'evaluation attack', catalogMarkdown('attack', name), pad(i));
    });
    return items;
  }
  if (!info) return items;
  const doc = settingMarkdown(ctx.path, info, ctx.data);
  if (info.kind === 'choice' && info.values) {
    info.values.forEach((v, i) => {
      if (ctx.siblings.includes(v)) return;
      const isDefault = info.hasDefault && info.default === v;
      add(v, 'enum', isDefault ? 'default' : info.meta.catalog, catalogMarkdown(info.meta.catalog, v) ?? doc, pad(i), isDefault);
    });
  } else if (info.kind === 'boolean') {
    for (const v of ['true', 'false']) add(v, 'keyword', info.hasDefault && String(info.default) === v ? 'default' : undefined, doc, v === String(info.default) ? '0' : '1');
  } else if (info.meta.filePath) {
    items.push(...folderItems(a, ctx));
  } else if (info.kind === 'number' || info.kind === 'integer') {
    if (info.hasDefault && info.default !== null && info.default !== undefined) add(yamlText(info.default), 'value', 'default', doc, '0', true);
    if (info.meta.inputUnits && /epsilon/.test(String(last))) {
      EPSILON_HINTS.forEach(([v, where], i) => add(v, 'value', `usual on ${where}`, doc, `1${i}`));
    }
  } else if (info.kind === 'list' && info.hasDefault && Array.isArray(info.default)) {
    add(yamlText(info.default), 'value', 'default', doc, '0');
  } else if (info.kind === 'string' && info.hasDefault && typeof info.default === 'string') {
    add(info.default, 'value', 'default', doc, '0');
  }
  if (items.length === 0 && info.hasDefault && info.default !== null && typeof info.default !== 'object') {
    add(String(info.default), 'value', 'default', doc, '0', true);
  }
  const insidePath = info.meta.filePath && ctx.typed.includes('/');
  if (info.nullable && !insidePath) add('null', 'keyword', defaultWords(info) ? `null: ${info.defaultText ?? 'the default'}` : 'none', doc, '9');
  return items;
}

/** Folders under the file's own folder, for a dataset or checkpoint path being typed. */
function folderItems(a: Analysis, ctx: Extract<CursorContext, { kind: 'value' }>): CompletionItem[] {
  const typed = ctx.typed.replace(/^["']/, '');
  const slash = typed.lastIndexOf('/');
  const dirPart = slash >= 0 ? typed.slice(0, slash + 1) : '';
  const base = path.dirname(path.resolve(a.doc.filePath));
  const dir = path.resolve(base, dirPart || '.');
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const span: Span = {
    start: { line: ctx.span.start.line, character: ctx.span.start.character + (ctx.typed.length - typed.length) + dirPart.length },
    end: ctx.span.end,
  };
  const items: CompletionItem[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.') && !typed.slice(dirPart.length).startsWith('.')) continue;
    let isDir = e.isDirectory();
    if (e.isSymbolicLink()) {
      try {
        isDir = fs.statSync(path.join(dir, e.name)).isDirectory();
      } catch {
        isDir = false;
      }
    }
    if (!isDir) continue;
    // Folders before `null` (sorted '9'): a path being typed most likely names one.
    items.push({ label: e.name, kind: 'folder', detail: path.join(dir, e.name), insertText: e.name, snippet: false, span, sortText: `1${e.name}` });
    if (items.length >= 500) break;
  }
  return items;
}

function ignoreItems(a: Analysis, ctx: Extract<CursorContext, { kind: 'ignore' }>): CompletionItem[] {
  const seen = new Set<string>();
  const items: CompletionItem[] = [];
  for (const p of a.load.problems) {
    if (p.line - 1 !== ctx.target || seen.has(p.code)) continue;
    seen.add(p.code);
    items.push({ label: p.code, kind: 'keyword', detail: p.severity, documentation: p.message, insertText: p.code, snippet: false, span: ctx.span });
  }
  return items;
}

export function computeCompletion(a: Analysis, pos: Position, options: CompletionOptions = {}): CompletionItem[] {
  const ctx = cursorContext(a, pos);
  let items: CompletionItem[];
  switch (ctx.kind) {
    case 'key':
      // Under a sweep's grid: or zip:, the keys are dotted setting paths.
      items = isSweepMap(ctx.path) ? sweepPathItems(a.plain, a.model.lineText(ctx.span.start.line), ctx.span, ctx.present) : keyItems(ctx);
      break;
    case 'value':
      items = valueItems(a, ctx);
      break;
    case 'ignore':
      items = ignoreItems(a, ctx);
      break;
    default:
      items = [];
  }
  // Asked right after a key's colon or a list dash (the trigger characters), the text needs the
  // space that YAML requires there.
  if (ctx.kind === 'value' || ctx.kind === 'key') {
    const before = a.model.lineText(ctx.span.start.line)[ctx.span.start.character - 1];
    if (before === ':' || before === '-') {
      for (const it of items) {
        it.insertText = ` ${it.insertText}`;
        it.filterText ??= it.label;
      }
    }
  }
  if (options.snippets === false) {
    for (const it of items) {
      if (it.snippet) {
        it.insertText = stripSnippet(it.insertText);
        it.snippet = false;
      }
    }
  }
  return items;
}
