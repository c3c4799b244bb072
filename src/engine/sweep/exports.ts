/**
 * The aggregate as tables: the CLI's (one row per configuration and model, one column per attack,
 * each cell "mean ± std" in percent, with the number of seeds), and the exports of
 * `gacd sweep export`: CSV (every figure, one a line, for a spreadsheet or pandas), Markdown and
 * LaTeX (the CLI's table). Pure: strings in, strings out.
 */
import type { AggregateFigure, SweepResults } from '../../protocol/sweep';

export type ExportFormat = 'csv' | 'md' | 'tex';

const pct = (x: number) => (x * 100).toFixed(1);

/** "67.3 ± 1.2", or "67.3" for a single seed. */
export function cell(f: AggregateFigure | undefined, pm = ' ± '): string {
  if (!f) return '-';
  return f.std === null ? pct(f.mean) : `${pct(f.mean)}${pm}${pct(f.std)}`;
}

/** The table's columns: the attacks (the curve's points and the worst class stay in the CSV). */
function attackColumns(results: SweepResults): string[] {
  const names = results.configurations.flatMap((c) => c.figures.map((f) => f.figure));
  return [...new Set(names)].filter((n) => !n.includes(' @ ') && n !== 'worst class');
}

interface Table {
  header: string[];
  rows: string[][];
}

function table(results: SweepResults, pm: string): Table {
  const attacks = attackColumns(results);
  const rows: string[][] = [];
  for (const c of results.configurations) {
    const models = [...new Set(c.figures.map((f) => f.model))];
    for (const model of models) {
      const mine = c.figures.filter((f) => f.model === model);
      rows.push([
        c.configuration || '(the file)',
        model,
        mine[0].method,
        String(c.seeds.length),
        ...attacks.map((a) => cell(mine.find((f) => f.figure === a), pm)),
      ]);
    }
    if (models.length === 0) rows.push([c.configuration || '(the file)', '-', '-', '0', ...attacks.map(() => '-')]);
  }
  return { header: ['configuration', 'model', 'method', 'seeds', ...attacks], rows };
}

/** The CLI's table, columns padded; text columns left, figures right. */
export function textTable(results: SweepResults): string {
  const t = table(results, ' ± ');
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    `Accuracy (%) over seeds, mean ± sample std (${results.finished} of ${results.members} members finished):`,
    fmt(t.header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...t.rows.map(fmt),
  ].join('\n');
}

export function exportResults(results: SweepResults, format: ExportFormat): string {
  if (format === 'csv') return csv(results);
  if (format === 'md') return markdown(results);
  return latex(results);
}

const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

function csv(results: SweepResults): string {
  const lines = ['configuration,model,method,figure,mean_pct,std_pct,n,seeds'];
  for (const c of results.configurations) {
    for (const f of c.figures) {
      const std = f.std === null ? '' : (f.std * 100).toFixed(4);
      lines.push([c.configuration, f.model, f.method, f.figure, (f.mean * 100).toFixed(4), std, String(f.n), c.seeds.join(' ')].map(csvField).join(','));
    }
  }
  return lines.join('\n') + '\n';
}

function markdown(results: SweepResults): string {
  const t = table(results, ' ± ');
  const row = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [row(t.header), row(t.header.map((_, i) => (i < 3 ? '---' : '---:'))), ...t.rows.map(row)].join('\n') + '\n';
}

const texEscape = (s: string) => s.replace(/([&%$#_{}])/g, '\\$1').replace(/~/g, '\\textasciitilde{}');

function latex(results: SweepResults): string {
  const t = table(results, ' \\pm ');
  const spec = t.header.map((_, i) => (i < 3 ? 'l' : 'r')).join('');
  const row = (cells: string[], math: boolean) =>
    cells.map((c, i) => (math && i >= 4 && c !== '-' ? `$${c}$` : texEscape(c))).join(' & ') + ' \\\\';
  return [
    `% Accuracy (%) over seeds, mean $\\pm$ sample std; sweep ${texEscape(results.sweep)}`,
    `\\begin{tabular}{${spec}}`,
    '\\toprule',
    row(t.header, false),
    '\\midrule',
    ...t.rows.map((r) => row(r, true)),
    '\\bottomrule',
    '\\end{tabular}',
    '',
  ].join('\n');
}
