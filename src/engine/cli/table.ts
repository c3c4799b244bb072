/** The robustness table the CLI prints at the end of a run: one row per model, one column per attack. */
import { ModelResults } from '../../protocol/events';

export function resultsTable(results: ModelResults[]): string {
  if (results.length === 0) return '';
  const attacks = [...new Set(results.flatMap((r) => r.results.map((a) => a.attack)))];
  const header = ['model', 'method', 'arch', ...attacks];
  const rows = results.map((r) => [
    r.model,
    r.method,
    r.arch,
    ...attacks.map((a) => {
      const hit = r.results.find((x) => x.attack === a);
      return hit ? `${(hit.accuracy * 100).toFixed(1)}` : '-';
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const eps = results[0].results[0]?.epsilon;
  return [
    `Accuracy (%) on ${results[0].examples} test images, epsilon ${eps !== undefined ? +eps.toFixed(4) : '?'} (L-inf):`,
    fmt(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(fmt),
  ].join('\n');
}
