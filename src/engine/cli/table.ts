/**
 * The tables the CLI prints at the end of a run or an evaluation: robustness (one row per model,
 * one column per attack), then per model its accuracy per class under each attack and the worst
 * case, and the reliability flags its evaluation raised.
 */
import { ModelResults } from '../../protocol/events';

/** Columns padded to their widest cell; the first `left` columns left-aligned, the rest right. */
function grid(header: string[], rows: string[][], left: number): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i < left ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)];
}

const pct = (a: number) => (a * 100).toFixed(1);

export function resultsTable(results: ModelResults[]): string {
  if (results.length === 0) return '';
  const attacks = [...new Set(results.flatMap((r) => r.results.map((a) => a.attack)))];
  const rows = results.map((r) => [
    r.model,
    r.method,
    r.arch,
    ...attacks.map((a) => {
      const hit = r.results.find((x) => x.attack === a);
      return hit ? pct(hit.accuracy) : '-';
    }),
  ]);
  const eps = results[0].results[0]?.epsilon;
  return [
    `Accuracy (%) on ${results[0].examples} test images, epsilon ${eps !== undefined ? +eps.toFixed(4) : '?'} (L-inf):`,
    ...grid(['model', 'method', 'arch', ...attacks], rows, 3),
    ...results.flatMap(perClassTable),
    ...results.flatMap(flagLines),
  ].join('\n');
}

/** A model's accuracy (%) per class: one row per class, one column per attack and the worst case. */
export function perClassTable(r: ModelResults): string[] {
  const pc = r.perClass;
  if (!pc || pc.rows.length === 0) return [];
  const rows = pc.classNames.map((name, k) => [name, String(pc.counts[k]), ...pc.rows.map((row) => pct(row.accuracy[k]))]);
  return ['', `${r.model}: accuracy (%) per class`, ...grid(['class', 'n', ...pc.rows.map((row) => row.attack)], rows, 1)];
}

/** The reliability flags of a model's evaluation, each with what to do. */
export function flagLines(r: ModelResults): string[] {
  if (!r.flags?.length) return [];
  return ['', `${r.model}: reliability flags`, ...r.flags.map((f) => `  [${f.title}] ${f.message} What to do: ${f.fix}.`)];
}
