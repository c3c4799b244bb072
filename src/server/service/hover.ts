/**
 * Hover: for a key, what the setting is (type, description, default, allowed values, range, and
 * the note on a GACD setting the paper leaves unconfirmed), a key inside an evaluation entry
 * written as a section included (a setting of the attack it names); for a value that names a
 * method, attack, model or dataset, its catalog entry (paper, one-line loss or update); for an
 * arithmetic value such as `8/255`, what it evaluates to.
 */
import { isScalar } from 'yaml';
import { evaluateExpression } from '../../engine/catalog/expression';
import { locate, pathAtOffset } from '../../engine/experiment/parse';
import { describeAt } from '../../engine/experiment/schemaInfo';
import type { Analysis } from './analysis';
import { describeSetting } from './attackEntries';
import { catalogMarkdown, settingMarkdown } from './describe';
import type { Hover, Position } from './types';
import { sweepHover } from './sweepPaths';

type Ranged = { range?: [number, number, number] } | null | undefined;

export function computeHover(a: Analysis, pos: Position): Hover | undefined {
  const offset = a.parseOffset(a.model.clamp(pos));
  const parsed = a.parsed;
  const { path, onKey } = pathAtOffset(parsed, offset);
  if (path.length === 0) return undefined;
  const loc = locate(parsed, path);
  if (!loc) return undefined;
  const data = a.plain;
  const info = describeSetting(path, data);

  if (onKey) {
    const r = (loc.key as Ranged)?.range;
    const swept = sweepHover(path, data);
    if (swept && r) return { contents: swept, span: a.spanOfOffsets(r[0], r[1]) };
    if (!info || !r) return undefined;
    return { contents: settingMarkdown(path, info, data), span: a.spanOfOffsets(r[0], r[1]) };
  }

  const value = loc.value;
  const r = (value as Ranged)?.range;
  if (!isScalar(value) || !r || offset < r[0] || offset > r[1]) return undefined;
  const span = a.spanOfOffsets(r[0], r[1]);
  const text = String(value.value);
  const last = path[path.length - 1];
  // A short label in the list of evaluation attacks names an attack; so does `attack: pgd` in an
  // entry written as a section, which describeSetting already marks as the attack catalog's.
  const listInfo = typeof last === 'number' ? describeAt(path.slice(0, -1), data) : undefined;
  const catalog = listInfo?.meta.catalog === 'attack' ? 'attack' : info?.meta.catalog;
  const entry = catalogMarkdown(catalog, text);
  if (entry) return { contents: entry, span };
  if (!info) return undefined;
  const parts: string[] = [];
  if (info.acceptsExpression && typeof value.value === 'string') {
    const r2 = evaluateExpression(value.value);
    if (r2.ok) parts.push(`\`${value.value}\` = ${Number(r2.value.toPrecision(6))}`);
  }
  parts.push(settingMarkdown(path, info, data));
  return { contents: parts.join('\n\n'), span };
}
