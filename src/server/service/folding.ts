/**
 * Folding ranges from the indentation, so that folding keeps working while a line is broken:
 * each section and list entry spanning lines, multi-line flow lists and block scalars, and runs of
 * two or more comment lines.
 */
import type { Analysis } from './analysis';
import { blockEnd } from './lines';
import type { FoldingRange } from './types';

export function computeFolding(a: Analysis): FoldingRange[] {
  const lines = a.lines.lines;
  const out: FoldingRange[] = [];
  for (let n = 0; n < lines.length; n++) {
    const l = lines[n];
    if (l.kind === 'comment') {
      let end = n;
      while (end + 1 < lines.length && lines[end + 1].kind === 'comment') end++;
      if (end > n) out.push({ startLine: n, endLine: end, kind: 'comment' });
      n = end;
      continue;
    }
    if (l.kind !== 'content') continue;
    if (l.dashes.length) {
      const end = blockEnd(lines, n, true);
      if (end > n) out.push({ startLine: n, endLine: end });
    }
    if (l.key !== undefined && (!l.dashes.length || l.value !== '')) {
      const end = blockEnd(lines, n);
      if (end > n) out.push({ startLine: n, endLine: end });
    }
  }
  return out;
}
