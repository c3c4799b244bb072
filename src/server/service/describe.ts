/**
 * Markdown for settings and catalog entries, shared by hover and by the documentation of
 * completion items. Everything said here is read from the schema (schemaInfo.ts) and the engine's
 * tfjs-free catalogs, so that the editor never says something the engine does not do.
 */
import { findAttack, parseEvaluationEntry } from '../../engine/attacks/catalog';
import type { Described } from '../../engine/catalog/types';
import { datasets } from '../../engine/data/catalog';
import type { Path } from '../../engine/experiment/parse';
import type { SettingInfo } from '../../engine/experiment/schemaInfo';
import { typeWords } from '../../engine/experiment/schemaInfo';
import { findMethod, unconfirmed } from '../../engine/methods/catalog';
import { shownNumber } from '../../engine/catalog/expression';
import { epsilonText } from '../../engine/experiment/validate';
import { models } from '../../engine/models/catalog';

/** `training.attack.epsilon`, `baselines[0].method`. */
export function pathLabel(path: Path): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('') || 'experiment';
}

/** A value as it would be written in the file. */
export function yamlText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return shownNumber(v);
  if (Array.isArray(v)) return `[${v.map(yamlText).join(', ')}]`;
  if (typeof v === 'object') {
    const entries = Object.entries(v);
    return entries.length ? `{ ${entries.map(([k, x]) => `${k}: ${yamlText(x)}`).join(', ')} }` : '{}';
  }
  return String(v);
}

/** The default as a person reads it: "8/255-ish" texts from the schema win over raw values. */
export function defaultWords(info: SettingInfo): string | undefined {
  if (info.defaultText) return info.defaultText;
  if (info.hasDefault) return `\`${yamlText(info.default)}\``;
  return undefined;
}

/** The method block of the unconfirmed-setting note, or undefined. */
function unconfirmedNote(path: Path, data: unknown): string | undefined {
  const key = path[path.length - 1];
  if (typeof key !== 'string') return undefined;
  const block = path.slice(0, -1);
  let here = data;
  for (const seg of block) here = here && typeof here === 'object' ? (here as Record<string | number, unknown>)[seg] : undefined;
  if (!here || typeof here !== 'object') return undefined;
  const method = (here as Record<string, unknown>).name ?? (here as Record<string, unknown>).method;
  const note = unconfirmed.find((u) => u.method === method && u.setting === key);
  return note && `**Unconfirmed by the paper.** ${note.reason} ${note.chosen}`;
}

/** The hover text of a setting: its path and type, description, default, allowed values, range. */
export function settingMarkdown(path: Path, info: SettingInfo, data?: unknown): string {
  const parts = [`**${pathLabel(path)}**: ${typeWords(info)}`];
  if (info.description) parts.push(info.description);
  const facts: string[] = [];
  // A section's default is "its keys' defaults", which the keys' own hovers say better.
  const def = info.kind === 'section' ? undefined : defaultWords(info);
  if (def) facts.push(`Default: ${def}.`);
  else if (info.required) facts.push('Required.');
  else if (info.kind === 'section') facts.push('Optional.');
  if (info.values && info.kind === 'choice') facts.push(`Allowed: ${info.values.map((v) => `\`${v}\``).join(', ')}.`);
  if (info.kind === 'section' && info.keys?.length) facts.push(`Keys: ${info.keys.map((k) => `\`${k}\``).join(', ')}.`);
  if (info.min !== undefined || info.max !== undefined) {
    facts.push(
      info.min !== undefined && info.max !== undefined
        ? `Range: ${info.min} to ${info.max}.`
        : info.min !== undefined
          ? `At least ${info.min}.`
          : `At most ${info.max}.`,
    );
  }
  // An integer accepts arithmetic too, but `8/255` is no integer: only fractions advertise it.
  if (info.acceptsExpression && info.kind === 'number') facts.push('Accepts arithmetic such as `8/255`.');
  if (info.meta.filePath) facts.push('A folder, relative to this file.');
  if (facts.length) parts.push(facts.join('  \n'));
  const note = unconfirmedNote(path, data);
  if (note) parts.push(note);
  return parts.join('\n\n');
}

/** Title, summary, paper and one-line formula of a catalog entry. */
export function describedMarkdown(entry: Described, formulaLabel = 'Loss', extra: string[] = []): string {
  const parts = [`**${entry.title}** (\`${entry.name}\`)`, entry.summary];
  const facts = [...extra];
  if (entry.paper) facts.push(`Paper: ${entry.paper}.`);
  if (entry.formula) facts.push(`${formulaLabel}: \`${entry.formula}\``);
  if (facts.length) parts.push(facts.join('  \n'));
  return parts.join('\n\n');
}

/** The catalog entry that a value names, as markdown: a method, model, dataset or attack. */
export function catalogMarkdown(catalog: string | undefined, value: string): string | undefined {
  switch (catalog) {
    case 'method': {
      const m = findMethod(value);
      if (!m) return undefined;
      return describedMarkdown(m, 'Loss', [m.needsTeacher ? 'Distills from a teacher (needs `teacher:`).' : 'Needs no teacher.']);
    }
    case 'model': {
      const m = models.find((x) => x.name === value);
      if (!m) return undefined;
      const params = m.approxParams >= 1e6 ? `${(m.approxParams / 1e6).toFixed(1)}M` : `${Math.round(m.approxParams / 1e3)}k`;
      return describedMarkdown(m, 'Loss', [`About ${params} parameters${m.paperScale ? '; meant for a GPU' : ''}.`]);
    }
    case 'dataset': {
      const d = datasets.find((x) => x.name === value);
      if (!d) return undefined;
      return describedMarkdown(d, 'Loss', [
        `${d.shape[0]}x${d.shape[1]}x${d.shape[2]}, ${d.numClasses} classes; usual epsilon ${epsilonText(d.defaultEpsilon)}; augmentation ${d.defaultAugment}.`,
      ]);
    }
    case 'attack': {
      if (value === 'clean') return '**Clean accuracy** (`clean`)\n\nAccuracy on the unperturbed test images: no attack.';
      // A short label (`pgd-20`) or, in a section, the name after `attack:` (`pgd`).
      const parsed = parseEvaluationEntry(value);
      const a = findAttack(parsed.ok ? parsed.entry.attack : value);
      if (!a) return undefined;
      const steps = parsed.ok && 'steps' in parsed.entry.settings ? [`${parsed.entry.settings.steps} steps.`] : [];
      return describedMarkdown(a, 'Update', steps);
    }
    default:
      return undefined;
  }
}
