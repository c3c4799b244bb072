/**
 * Quick fixes, built from what each diagnostic carries (its code, span and replacements) and from
 * the schema: the closest key for an unknown one, each allowed value for a bad one, 8 → 8/255, the
 * missing method name, a missing required section or key, a duplicate key removed, FGSM-only
 * evaluations strengthened, and, for a warning or a note, a `# gacd-ignore:` comment that
 * silences it on purpose.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { Pair } from 'yaml';
import { findMethod } from '../../engine/methods/catalog';
import { rolesOf, type TeacherRole } from '../../engine/catalog/types';
import { methodBlockSettings } from '../../engine/experiment/checks';
import { keysAt, locate, pathAtOffset } from '../../engine/experiment/parse';
import type { NotesMode } from '../../engine/experiment/problems';
import type { Path } from '../../engine/experiment/parse';
import { describeAt } from '../../engine/experiment/schemaInfo';
import type { Analysis } from './analysis';
import { pathLabel } from './describe';
import { computeDiagnostics, IGNORE_PATTERN } from './diagnostics';
import type { LineInfo } from './lines';
import { blockEnd, samePath } from './lines';
import { touches } from './textModel';
import type { CodeAction, Diagnostic, Span, TextEdit } from './types';

/** At most this many "change to" actions per diagnostic (an enum of every dataset is enough). */
const MAX_REPLACEMENTS = 8;

type Ranged = { range?: [number, number, number] } | null | undefined;

const point = (line: number, character: number): Span => ({ start: { line, character }, end: { line, character } });

function action(title: string, diagnostic: Diagnostic, edits: TextEdit[], preferred = false): CodeAction {
  return { title, kind: 'quickfix', diagnostics: [diagnostic], edits, ...(preferred ? { preferred: true } : {}) };
}

/** The content line whose key has path `p`. */
function lineOfPath(a: Analysis, p: Path): number {
  const lines = a.lines.lines;
  for (let n = lines.length - 1; n >= 0; n--) {
    if (lines[n].kind === 'content' && lines[n].key !== undefined && samePath(lines[n].path, p)) return n;
  }
  return -1;
}

/**
 * An edit that adds `entry` (lines relative to the block, the first without indentation) as the
 * last key of the section at `p`; undefined when the section is not a block written in the file.
 */
function addToSection(a: Analysis, p: Path, entry: string[]): TextEdit | undefined {
  const lines = a.lines.lines;
  if (p.length === 0) return appendTopLevel(a, entry);
  const n = lineOfPath(a, p);
  if (n < 0 || lines[n].value !== '') return undefined;
  const end = blockEnd(lines, n);
  const firstChild = lines.slice(n + 1, end + 1).find((l) => l.kind === 'content');
  const indent = ' '.repeat(firstChild ? firstChild.indent : (lines[n].keyStart ?? 0) + 2);
  const text = entry.map((l) => indent + l).join('\n');
  return { span: point(end, a.model.lineText(end).length), newText: `\n${text}` };
}

function appendTopLevel(a: Analysis, entry: string[]): TextEdit {
  const last = a.model.lineCount - 1;
  const lastText = a.model.lineText(last);
  const text = entry.join('\n');
  return { span: point(last, lastText.length), newText: lastText.trim() === '' ? `${text}\n` : `\n${text}\n` };
}

/** Adds a top-level section in the schema's order: before the first later section written. */
function addTopLevelSection(a: Analysis, key: string, entry: string[]): TextEdit {
  const order = describeAt([], {})?.keys ?? [];
  const rank = order.indexOf(key);
  const lines = a.lines.lines;
  for (let n = 0; n < lines.length; n++) {
    const l = lines[n];
    if (l.kind !== 'content' || l.key === undefined || !samePath(l.container, []) || order.indexOf(l.key) <= rank) continue;
    // Comments right above a section belong to it: insert above them.
    let at = n;
    while (at > 0 && lines[at - 1].kind === 'comment') at--;
    return { span: point(at, 0), newText: `${entry.join('\n')}\n` };
  }
  return appendTopLevel(a, entry);
}

/** The first value of a choice, or an empty one. */
function firstValues(info: ReturnType<typeof describeAt>): string[] {
  if (!info) return [''];
  if (info.values?.length) return info.values.slice(0, 6);
  if (info.hasDefault && info.default !== null && info.default !== undefined) return [String(info.default)];
  return [''];
}

/** A missing top-level section: its required keys, one variant per value of the first choice. */
function sectionVariants(key: string): { label: string; lines: string[] }[] {
  const keys = describeAt([key], {})?.keys ?? [];
  const required = keys.filter((k) => describeAt([key, k], {})?.required);
  if (key === 'teacher') required.splice(0, required.length, 'model');
  if (required.length === 0) return [{ label: `${key}:`, lines: [`${key}:`] }];
  const [first, ...rest] = required;
  const restLines = rest.map((k) => `  ${k}: ${firstValues(describeAt([key, k], {}))[0]}`);
  if (key === 'teacher') restLines.push('  train:', '    method: pgd-at');
  return firstValues(describeAt([key, first], {})).map((v) => ({
    label: `${key}: ${first}: ${v}`,
    lines: [`${key}:`, `  ${first}: ${v}`, ...restLines],
  }));
}

/** Whether the student's method or a baseline needs a teacher in `role` with its written settings. */
function needsRole(plain: Record<string, unknown>, role: TeacherRole): boolean {
  return [plain.method, ...(Array.isArray(plain.baselines) ? plain.baselines : [])].some((m) => {
    if (!m || typeof m !== 'object') return false;
    const block = m as Record<string, unknown>;
    const info = findMethod(String(block.name ?? block.method));
    if (!info) return false;
    const settings = methodBlockSettings(info, block);
    return settings !== null && rolesOf(info, settings).includes(role);
  });
}

function missingSectionActions(a: Analysis, d: Diagnostic): CodeAction[] {
  const plain = (a.plain && typeof a.plain === 'object' ? a.plain : {}) as Record<string, unknown>;
  const present = keysAt(a.parsed, []);
  const wanted = (describeAt([], plain)?.keys ?? []).filter((k) => !present.includes(k) && describeAt([k], plain)?.required);
  const distills = [plain.method, ...(Array.isArray(plain.baselines) ? plain.baselines : [])].some((m) => {
    const name = m && typeof m === 'object' ? ((m as Record<string, unknown>).name ?? (m as Record<string, unknown>).method) : undefined;
    return typeof name === 'string' && findMethod(name)?.needsTeacher;
  });
  if (distills && (plain.teacher === undefined || plain.teacher === null) && !present.includes('teacher')) wanted.push('teacher');
  const actions = wanted.flatMap((key) =>
    sectionVariants(key).map((v) => action(`Add section ${v.label}`, d, [addTopLevelSection(a, key, v.lines)])),
  );
  // A method that also needs a naturally trained teacher (MTARD, IAD-II) gets one trained first.
  if (needsRole(plain, 'natural') && !present.includes('teachers')) {
    const model = firstValues(describeAt(['teacher', 'model'], {}))[0];
    const lines = ['teachers:', '  natural:', `    model: ${model}`, '    train:', '      method: natural'];
    actions.push(action('Add section teachers: natural: (trained naturally first)', d, [addTopLevelSection(a, 'teachers', lines)]));
  }
  return actions;
}

/** The section that a diagnostic on a section's key points at. */
function sectionAt(a: Analysis, d: Diagnostic): Path | undefined {
  const { path, onKey } = pathAtOffset(a.parsed, a.parseOffset(d.span.start));
  return onKey ? path : undefined;
}

function missingKeyActions(a: Analysis, d: Diagnostic): CodeAction[] {
  const p = sectionAt(a, d);
  if (!p) return [];
  const info = describeAt(p, a.plain);
  const present = keysAt(a.parsed, p);
  const out: CodeAction[] = [];
  for (const key of info?.keys ?? []) {
    if (present.includes(key)) continue;
    const child = describeAt([...p, key], a.plain);
    if (!child?.required) continue;
    const values = d.data?.replacements?.length && info?.keys?.[0] === key ? d.data.replacements : firstValues(child);
    for (const v of values.slice(0, MAX_REPLACEMENTS)) {
      const edit = addToSection(a, p, [`${key}: ${v}`.trimEnd()]);
      if (edit) out.push(action(`Add ${key}: ${v} to ${pathLabel(p)}`, d, [edit], values.length === 1));
    }
  }
  return out;
}

/** All pairs of the document's maps, with the map holding them. */
function* pairs(node: unknown): Generator<{ map: { items: Pair[] }; pair: Pair }> {
  if (isMap(node)) {
    for (const pair of node.items) {
      yield { map: node as unknown as { items: Pair[] }, pair };
      yield* pairs(pair.value);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) yield* pairs(item);
  }
}

function duplicateKeyActions(a: Analysis, d: Diagnostic): CodeAction[] {
  const offset = a.parseOffset(d.span.start);
  const keyText = (p: Pair) => (isScalar(p.key) ? String(p.key.value) : undefined);
  for (const { map, pair } of pairs(a.parsed.document.contents)) {
    if ((pair.key as Ranged)?.range?.[0] !== offset) continue;
    const name = keyText(pair);
    const same = map.items.filter((p) => keyText(p) === name);
    const out: CodeAction[] = [];
    for (const p of same) {
      const start = (p.key as Ranged)?.range?.[0];
      if (start === undefined) continue;
      const pos = a.model.positionAt(start + a.bom);
      const line = a.lines.lines[pos.line];
      // Only a key that starts its own line (not a list item's first key, not inside `{ }`).
      if (!line || line.kind !== 'content' || line.key !== name || line.keyStart !== pos.character || line.dashes.length) continue;
      let end = blockEnd(a.lines.lines, pos.line);
      while (end > pos.line && a.lines.lines[end].kind !== 'content' && a.lines.lines[end].kind !== 'continuation') end--;
      const title = p === pair ? `Remove this duplicate "${name}" (line ${pos.line + 1})` : `Remove the other "${name}" (line ${pos.line + 1})`;
      out.push(action(title, d, [{ span: a.model.linesSpan(pos.line, end), newText: '' }]));
    }
    return out;
  }
  return [];
}

function weakEvaluationActions(a: Analysis, d: Diagnostic): CodeAction[] {
  const loc = locate(a.parsed, ['evaluation', 'attacks']);
  const seq = loc?.value;
  if (!isSeq(seq)) return [];
  const written = seq.items.map((i) => (isScalar(i) ? String(i.value) : ''));
  const add = (d.data?.replacements ?? ['pgd-20', 'cw-20']).filter((r) => !written.includes(r));
  if (add.length === 0) return [];
  const range = (seq as unknown as Ranged)?.range;
  if (!range) return [];
  const title = `Add ${add.join(' and ')} to the evaluation's attacks`;
  if (seq.flow) {
    const close = a.parsed.text.lastIndexOf(']', range[1]);
    if (close < range[0]) return [];
    const inner = a.parsed.text.slice(range[0] + 1, close).trimEnd();
    // Insert right after the last entry, before any spaces that precede the bracket.
    const at = a.model.positionAt(range[0] + 1 + inner.length + a.bom);
    const sep = inner.trim() === '' ? '' : ', ';
    return [action(title, d, [{ span: { start: at, end: at }, newText: `${sep}${add.join(', ')}` }], true)];
  }
  const lastItem = seq.items[seq.items.length - 1] as Ranged;
  if (!lastItem?.range) return [];
  const itemPos = a.model.positionAt(lastItem.range[0] + a.bom);
  const line = a.lines.lines[itemPos.line];
  const dash = line?.dashes[line.dashes.length - 1] ?? itemPos.character - 2;
  const end = a.model.lineText(itemPos.line).length;
  const text = add.map((r) => `\n${' '.repeat(dash)}- ${r}`).join('');
  return [action(title, d, [{ span: point(itemPos.line, end), newText: text }], true)];
}

function noTeacherSourceActions(a: Analysis, d: Diagnostic): CodeAction[] {
  const edit = addToSection(a, ['teacher'], ['train:', '  method: pgd-at']);
  return edit ? [action('Train the teacher first with pgd-at (add train: method: pgd-at)', d, [edit], true)] : [];
}

function unusedIgnoreActions(a: Analysis, d: Diagnostic): CodeAction[] {
  const n = d.span.start.line;
  const text = a.model.lineText(n);
  const m = IGNORE_PATTERN.exec(text);
  if (!m) return [];
  const codes = m[2].split(/[\s,]+/).filter(Boolean);
  const code = text.slice(d.span.start.character, d.span.end.character);
  const rest = codes.filter((c) => c !== code);
  if (rest.length === 0) return [action('Remove the unused gacd-ignore comment', d, [{ span: a.model.linesSpan(n, n), newText: '' }], true)];
  return [action(`Remove "${code}" from the gacd-ignore comment`, d, [{ span: { start: { line: n, character: m[1].length }, end: { line: n, character: text.length } }, newText: rest.join(', ') }], true)];
}

function silenceAction(a: Analysis, d: Diagnostic): CodeAction | undefined {
  if (d.severity !== 'warning' && d.severity !== 'info') return undefined;
  const n = d.span.start.line;
  const title = `Silence "${d.code}" on this line (# gacd-ignore)`;
  const prev = n > 0 ? a.model.lineText(n - 1) : '';
  const m = IGNORE_PATTERN.exec(prev);
  if (m && n > 0) {
    if (m[2].split(/[\s,]+/).includes(d.code)) return undefined;
    return action(title, d, [{ span: point(n - 1, prev.trimEnd().length), newText: `, ${d.code}` }]);
  }
  const indent = /^ */.exec(a.model.lineText(n))![0];
  return action(title, d, [{ span: point(n, 0), newText: `${indent}# gacd-ignore: ${d.code}\n` }]);
}

function replacementActions(d: Diagnostic): CodeAction[] {
  const replacements = d.data?.replacements ?? [];
  const best = d.data?.fix && replacements[0] !== undefined && d.data.fix.includes(replacements[0]);
  return replacements.slice(0, MAX_REPLACEMENTS).map((r, i) =>
    action(d.code === 'unknown-key' ? `Change the key to "${r}"` : `Change to ${r}`, d, [{ span: d.span, newText: r }], i === 0 && !!best),
  );
}

/** A key written without a value (`model:`): its span is the key's, so the value goes after the colon. */
function missingValueActions(a: Analysis, d: Diagnostic): CodeAction[] {
  const n = d.span.end.line;
  const text = a.model.lineText(n);
  const colon = text.indexOf(':', d.span.end.character);
  if (colon < 0) return [];
  const blank = /^[ \t]*/.exec(text.slice(colon + 1))![0].length;
  const span = { start: { line: n, character: colon + 1 }, end: { line: n, character: colon + 1 + blank } };
  const key = text.slice(d.span.start.character, d.span.end.character);
  const replacements = d.data?.replacements ?? [];
  return replacements.slice(0, MAX_REPLACEMENTS).map((r) => action(`Set ${key}: ${r}`, d, [{ span, newText: ` ${r}` }], replacements.length === 1));
}

function actionsFor(a: Analysis, d: Diagnostic): CodeAction[] {
  const out: CodeAction[] = [];
  switch (d.code) {
    case 'missing-section':
      out.push(...missingSectionActions(a, d));
      break;
    case 'missing-key':
      out.push(...missingKeyActions(a, d));
      break;
    case 'duplicate-key':
      out.push(...duplicateKeyActions(a, d));
      break;
    case 'weak-evaluation':
      out.push(...weakEvaluationActions(a, d));
      break;
    case 'no-teacher-source':
      out.push(...noTeacherSourceActions(a, d));
      break;
    case 'unused-ignore':
      out.push(...unusedIgnoreActions(a, d));
      break;
    case 'missing-value':
      out.push(...missingValueActions(a, d));
      break;
    default:
      out.push(...replacementActions(d));
  }
  const silence = silenceAction(a, d);
  if (silence) out.push(silence);
  return out;
}

/**
 * The quick fixes for the diagnostics that touch `span`. Actions that make the same edits (the
 * silencing comment for several notes of one line) are offered once, for all their diagnostics.
 */
export function computeCodeActions(a: Analysis, span: Span, notes?: NotesMode): CodeAction[] {
  const byEdit = new Map<string, CodeAction>();
  for (const d of computeDiagnostics(a, notes).filter((x) => touches(x.span, span))) {
    for (const act of actionsFor(a, d)) {
      const key = `${act.title}\n${JSON.stringify(act.edits)}`;
      const same = byEdit.get(key);
      if (same) same.diagnostics.push(...act.diagnostics);
      else byEdit.set(key, act);
    }
  }
  return [...byEdit.values()];
}

