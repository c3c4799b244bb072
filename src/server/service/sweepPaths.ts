/**
 * The language service inside a `sweep:` block: the keys under `grid:` and `zip:` are dotted
 * setting paths, so completion offers every setting's path (a method's own settings under the
 * method the file names) and hover describes the setting a path names; hover on `sweep:` says how
 * many members the block makes.
 */
import { schemaAt } from '../../engine/experiment/schemaInfo';
import type { Path } from '../../engine/experiment/parse';
import { typeWords } from '../../engine/experiment/schemaInfo';
import { memberCount, splitPath, sweepAxes } from '../../engine/experiment/sweep';
import { describeSetting } from './attackEntries';
import { settingMarkdown } from './describe';
import type { CompletionItem, Span } from './types';

/** Settings that cannot vary within a sweep (sweepChecks.ts refuses them). */
const FIXED = ['name', 'sweep', 'slurm'];

/** Whether `path` is the `grid:` or `zip:` map itself, whose keys are setting paths. */
export function isSweepMap(path: Path): boolean {
  return path.length === 2 && path[0] === 'sweep' && (path[1] === 'grid' || path[1] === 'zip');
}

/** Every setting's dotted path, sections walked (a method block under the method `data` names), lists not entered. */
export function settingPaths(data: unknown, at: string[] = [], depth = 4): string[] {
  const info = describeSetting(at, data);
  if (!info) return [];
  if (info.kind !== 'section' || !info.keys || depth === 0) return at.length ? [at.join('.')] : [];
  return info.keys.filter((k) => !(at.length === 0 && FIXED.includes(k))).flatMap((k) => settingPaths(data, [...at, k], depth - 1));
}

/** Completion of a path under grid: or zip:, replacing the dotted word typed so far. */
export function sweepPathItems(data: unknown, lineText: string, span: Span, present: string[]): CompletionItem[] {
  let start = span.start.character;
  while (start > 0 && /[A-Za-z0-9_.-]/.test(lineText[start - 1])) start--;
  const wide: Span = { start: { line: span.start.line, character: start }, end: span.end };
  return settingPaths(data)
    .filter((p) => !present.includes(p))
    .map((p, i) => {
      const info = describeSetting(splitPath(p), data)!;
      return {
        label: p,
        kind: 'property' as const,
        detail: typeWords(info),
        documentation: settingMarkdown(splitPath(p), info, data),
        insertText: `${p}: [$1]`,
        snippet: true,
        span: wide,
        sortText: String(i).padStart(4, '0'),
      };
    });
}

/** Hover on `sweep:` (the number of members) or on a path under grid:/zip: (that setting). */
export function sweepHover(path: Path, data: unknown): string | undefined {
  if (path.length === 1 && path[0] === 'sweep') {
    const axes = sweepAxes((data as Record<string, unknown> | undefined)?.sweep);
    const n = memberCount(axes);
    const shape = axes.map((a) => `${a.path} (${a.values.length}${a.kind === 'zip' ? ', zipped' : ''})`).join(' × ');
    return `**sweep**: ${n} member${n === 1 ? '' : 's'}${shape ? ` — ${shape}` : ''}. \`gacd sweep FILE\` runs each as an ordinary run and aggregates them over seeds.`;
  }
  if (path.length === 3 && isSweepMap(path.slice(0, 2)) && typeof path[2] === 'string') {
    const target = splitPath(path[2]);
    if (!schemaAt(target, data)) return undefined;
    const info = describeSetting(target, data);
    return info ? `Swept: ${settingMarkdown(target, info, data)}` : undefined;
  }
  return undefined;
}
