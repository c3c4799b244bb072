/**
 * Document symbols (the outline): each section with its settings, each list entry named after what
 * it holds (a baseline by its label or method, an attack by its name).
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { Analysis } from './analysis';
import type { DocumentSymbol, Span } from './types';

type Ranged = { range?: [number, number, number] } | null | undefined;

/** A node's offsets, without the line breaks and spaces a block collection's range ends with. */
function rangeOf(a: Analysis, node: unknown): [number, number] | undefined {
  const r = (node as Ranged)?.range;
  if (!r) return undefined;
  let end = r[1];
  while (end > r[0] && /\s/.test(a.parsed.text[end - 1] ?? '')) end--;
  return [r[0], end];
}

function scalarText(node: unknown): string | undefined {
  return isScalar(node) && node.value !== null && typeof node.value !== 'object' ? String(node.value) : undefined;
}

function children(a: Analysis, node: unknown, depth: number): DocumentSymbol[] {
  if (depth > 32) return [];
  const out: DocumentSymbol[] = [];
  if (isMap(node)) {
    for (const pair of node.items) {
      const name = scalarText(pair.key);
      const key = rangeOf(a, pair.key);
      if (name === undefined || !key) continue;
      const value = pair.value;
      const end = rangeOf(a, value)?.[1] ?? key[1];
      const span = a.spanOfOffsets(key[0], Math.max(end, key[1]));
      const selectionSpan = a.spanOfOffsets(key[0], key[1]);
      let detail = scalarText(value);
      if (isMap(value)) detail = scalarText(value.get('name', true)) ?? scalarText(value.get('method', true));
      out.push({
        name,
        detail,
        kind: isMap(value) ? 'section' : isSeq(value) ? 'list' : 'setting',
        span,
        selectionSpan,
        children: isMap(value) || isSeq(value) ? children(a, value, depth + 1) : [],
      });
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const r = rangeOf(a, item);
      if (!r) return;
      const span: Span = a.spanOfOffsets(r[0], r[1]);
      let name = scalarText(item) ?? `[${i}]`;
      let detail: string | undefined;
      if (isMap(item)) {
        const label = scalarText(item.get('label', true));
        const method = scalarText(item.get('method', true)) ?? scalarText(item.get('name', true));
        name = label ?? method ?? name;
        detail = label && method ? method : undefined;
      }
      const firstLine = a.model.lineText(span.start.line);
      const selectionSpan: Span = {
        start: span.start,
        end: span.end.line === span.start.line ? span.end : { line: span.start.line, character: firstLine.length },
      };
      out.push({ name, detail, kind: 'entry', span, selectionSpan, children: isMap(item) ? children(a, item, depth + 1) : [] });
    });
  }
  return out;
}

export function computeSymbols(a: Analysis): DocumentSymbol[] {
  return children(a, a.parsed.document.contents, 0);
}
