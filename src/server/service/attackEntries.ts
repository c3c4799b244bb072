/**
 * The keys inside an evaluation entry written as a section (`{attack: pgd, steps: 50, loss: cw}`),
 * for completion and hover. The experiment schema takes each entry as any value and hands it to
 * the attacks catalog's parser (parseEvaluationEntry), so the schema alone knows nothing of the
 * keys inside one; this module describes them from the same catalog: `attack:` and `label:`, then
 * the settings schema of the attack the entry names. Every other path is left to describeAt.
 */
import { z } from 'zod';
import { attackNames, findAttack, WORST_CASE_LABEL } from '../../engine/attacks/catalog';
import type { Path } from '../../engine/experiment/parse';
import type { SettingInfo } from '../../engine/experiment/schemaInfo';
import { describeAt, describeSchema, schemaAt } from '../../engine/experiment/schemaInfo';

const attackKey = z
  .enum(['clean', ...attackNames])
  .meta({ catalog: 'attack' })
  .describe("The attack of this entry, or clean for no attack; the keys beside it are that attack's settings.");

const labelKey = z
  .string()
  .min(1)
  .optional()
  .meta({ defaultText: 'the short label, then each setting that differs from its default (e.g. `pgd-50 loss=cw`)' })
  .describe(`The name of this entry's row in results and charts; "${WORST_CASE_LABEL}" is taken by the worst case over all entries.`);

const sections = new Map<string, z.ZodType>();

/**
 * The schema of an entry that names `attack`: `attack` and `label`, then that attack's settings
 * beside them, or under `settings:` when the entry is written that way (as spec.json holds a
 * resolved entry), so that completion does not offer the form the entry does not use.
 */
function entrySchema(attack: unknown, nested: boolean): z.ZodType {
  const info = typeof attack === 'string' ? findAttack(attack) : undefined;
  const id = `${info?.name ?? ''}|${nested}`;
  let schema = sections.get(id);
  if (!schema) {
    const settings = !info
      ? {}
      : nested
        ? { settings: info.settings.describe(`The settings of ${info.name}, as a resolved entry writes them; beside "attack:" is the usual form.`) }
        : info.settings.shape;
    schema = z.object({ attack: attackKey, label: labelKey, ...settings });
    sections.set(id, schema);
  }
  return schema;
}

function getIn(data: unknown, path: Path): unknown {
  let here = data;
  for (const seg of path) here = here && typeof here === 'object' ? (here as Record<string | number, unknown>)[seg] : undefined;
  return here;
}

const isSection = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The path of the evaluation entry that `path` lies in (the list's path and the entry's index)
 * and the rest of `path` inside that entry, or undefined when `path` is not in one. The list is
 * recognised by its schema (a list of the attack catalog), not by its name.
 */
function entryOf(path: Path, data: unknown): { entry: Path; inner: Path } | undefined {
  for (let k = 1; k < path.length; k++) {
    if (typeof path[k] !== 'number') continue;
    const list = describeAt(path.slice(0, k), data);
    if (list?.kind === 'list' && list.meta.catalog === 'attack') return { entry: path.slice(0, k + 1), inner: path.slice(k + 1) };
  }
  return undefined;
}

/**
 * describeAt, and inside an evaluation entry written as a section, its keys: `attack` (a choice of
 * the attack catalog), `label`, and the settings of the attack named, read from the catalog's
 * settings schema. An entry that is a short label (or not written yet) stays what the schema says.
 */
export function describeSetting(path: Path, data?: unknown): SettingInfo | undefined {
  const where = entryOf(path, data);
  if (!where) return describeAt(path, data);
  const written = getIn(data, where.entry);
  if (!isSection(written) && where.inner.length === 0) return describeAt(path, data);
  // A key on the line being typed makes a section of an entry that has no other line yet.
  const entry = isSection(written) ? written : written === undefined ? {} : undefined;
  if (!entry) return undefined;
  const nested = isSection(entry.settings);
  const node = schemaAt(where.inner, entry, entrySchema(entry.attack, nested));
  if (!node) return undefined;
  const info = describeSchema(node, getIn(entry, where.inner));
  // The entry itself keeps the schema's description of an entry.
  if (where.inner.length === 0) info.description = describeAt(where.entry, data)?.description;
  // A setting's own description does not name its attack, which the hover should say.
  const attack = typeof entry.attack === 'string' ? findAttack(entry.attack) : undefined;
  const setting = where.inner[where.inner.length - 1];
  if (attack && typeof setting === 'string' && setting in attack.settings.shape && where.inner.length === (nested ? 2 : 1)) {
    info.description = `${info.description ?? ''} A setting of \`${attack.name}\`, ${attack.title}.`.trim();
  }
  return info;
}
