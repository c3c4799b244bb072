/**
 * Formatting that keeps every comment: indentation normalised to `tabSize` spaces a level (list
 * dashes indented under their key, item contents two columns after the dash), one space after a
 * key's colon, no trailing spaces, at most one blank line in a row, one line break at the end.
 * Values, quotes, flow lists and comments are kept as written; block scalars and flow lists that
 * span lines move with their key.
 *
 * A document with a YAML syntax error is not touched, and the result is parsed again: unless it
 * holds the same data and the same number of comments, nothing is changed, so that formatting can
 * never alter what an experiment means.
 */
import { parseExperimentText, toPlain } from '../../engine/experiment/parse';
import type { Analysis } from './analysis';
import type { FormattingOptions, TextEdit } from './types';

interface Column {
  orig: number;
  fresh: number;
}

export function formatText(a: Analysis, options: FormattingOptions = {}): string | undefined {
  if (a.parsed.document.errors.length > 0) return undefined;
  const tab = Math.max(1, Math.min(8, Math.floor(options.tabSize ?? 2)));
  const lines = a.lines.lines;
  const out: (string | null)[] = [];
  const stack: Column[] = [];
  // How far each content line moved, for the lines that continue its value.
  const moved = new Map<number, number>();

  const freshFor = (indent: number, child: boolean): number => {
    while (stack.length && stack[stack.length - 1].orig > indent) stack.pop();
    const top = stack[stack.length - 1];
    if (!top) {
      stack.push({ orig: indent, fresh: 0 });
      return 0;
    }
    if (top.orig === indent) return top.fresh;
    if (!child) return top.fresh + (indent - top.orig);
    const fresh = top.fresh + tab;
    stack.push({ orig: indent, fresh });
    return fresh;
  };

  for (let n = 0; n < lines.length; n++) {
    const l = lines[n];
    if (l.kind === 'blank') {
      out.push(l.owner !== undefined ? l.text : '');
      continue;
    }
    if (l.kind === 'continuation') {
      const delta = moved.get(l.owner ?? -1) ?? 0;
      const shifted = Math.max(0, l.indent + delta);
      // Trailing spaces are content in a block scalar, but not in a flow list.
      const flow = /^[[{]/.test(lines[l.owner ?? -1]?.value ?? '');
      const body = l.text.slice(l.indent);
      out.push(' '.repeat(shifted) + (flow ? body.trimEnd() : body));
      continue;
    }
    if (l.kind === 'comment') {
      // A comment takes the indentation of the next content line when it is written at that
      // line's column (it introduces that line), else it keeps its place among the lines above.
      let next = n + 1;
      while (next < lines.length && (lines[next].kind === 'comment' || lines[next].kind === 'blank')) next++;
      const body = l.text.slice(l.indent).trimEnd();
      if (l.indent === 0) {
        out.push(body);
        continue;
      }
      if (next < lines.length && lines[next].kind === 'content' && lines[next].indent === l.indent) {
        out.push(null); // filled in when the next content line has its indentation
        continue;
      }
      const fresh = freshFor(l.indent, false);
      out.push(' '.repeat(Math.max(0, fresh)) + body);
      continue;
    }
    // A content line.
    const fresh = freshFor(l.indent, true);
    moved.set(n, fresh - l.indent);
    let text = ' '.repeat(fresh);
    let col = fresh;
    for (const d of l.dashes) {
      text += '- ';
      col += 2;
      // Everything written after this dash is an item two columns further.
      const after = l.dashes.find((x) => x > d) ?? l.contentCol;
      stack.push({ orig: after, fresh: col });
    }
    const rest = l.text.slice(l.contentCol);
    if (l.key !== undefined && l.colon !== undefined) {
      const keyText = l.text.slice(l.contentCol, l.keyEnd);
      const afterColon = l.text.slice(l.colon + 1).trimEnd();
      text += l.valueStart !== undefined ? `${keyText}: ${l.text.slice(l.valueStart).trimEnd()}` : `${keyText}:${afterColon}`;
    } else {
      text += rest.trimEnd();
    }
    out.push(text.trimEnd());
    // Comments held back for this line get its indentation.
    for (let c = n - 1; c >= 0 && (lines[c].kind === 'comment' || lines[c].kind === 'blank'); c--) {
      if (out[c] === null) out[c] = ' '.repeat(fresh) + lines[c].text.slice(lines[c].indent).trimEnd();
    }
  }

  // Blank lines: at most one in a row outside block scalars, none at the end.
  const result: string[] = [];
  out.forEach((line, n) => {
    const text = line ?? lines[n].text;
    const blankOutside = text === '' && lines[n].owner === undefined;
    if (blankOutside && result.length > 0 && result[result.length - 1] === '' && lines[n - 1]?.owner === undefined) return;
    result.push(text);
  });
  while (result.length > 0 && result[result.length - 1].trim() === '') result.pop();
  const eol = a.doc.text.includes('\r\n') ? '\r\n' : '\n';
  const bom = a.bom ? '\uFEFF' : '';
  const formatted = bom + result.join(eol) + (result.length ? eol : '');

  // The safety net: same data, same comments, no new error.
  const again = parseExperimentText(formatted.slice(a.bom));
  if (again.document.errors.length > 0) return undefined;
  if (JSON.stringify(toPlain(again)) !== JSON.stringify(toPlain(a.parsed))) return undefined;
  const comments = (s: string) => (s.match(/(^|\s)#/g) ?? []).length;
  if (comments(formatted) !== comments(a.doc.text)) return undefined;
  return formatted;
}

export function computeFormatting(a: Analysis, options: FormattingOptions = {}): TextEdit[] {
  const formatted = formatText(a, options);
  if (formatted === undefined || formatted === a.doc.text) return [];
  const last = a.model.lineCount - 1;
  return [{ span: { start: { line: 0, character: 0 }, end: { line: last, character: a.model.lineText(last).length } }, newText: formatted }];
}
