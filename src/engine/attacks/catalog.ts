/**
 * Descriptions of the attacks (tfjs-free), and the one parser of an evaluation entry. The
 * experiment schema, the language server and `gacd eval --attacks` all read entries through
 * `parseEvaluationEntry`, so that a label means the same thing everywhere. All attacks are L-inf
 * attacks on inputs in [0, 1]; epsilon comes from the experiment (training.attack or evaluation),
 * not from these settings. The implementations live next to this file (registry.ts).
 *
 * An evaluation entry is written either as a short label (`clean`, `fgsm`, `pgd-20`, `cw-30`) or as
 * a section with settings (`{attack: pgd, steps: 50, step_size: 1/255, restarts: 5, loss: cw}`),
 * and resolves to `{label, attack, settings}` with every setting of that attack filled in.
 */
import { z } from 'zod';
import type { AttackInfo } from '../catalog/types';
import { closestMatches } from '../catalog/closest';
import { numberOrExpression } from '../catalog/expression';

/** The Carlini-Wagner margin's kappa when a setting does not give it: 50, as FAT's and IAD's evaluations use. */
export const DEFAULT_CW_CONFIDENCE = 50;

const stepSize = numberOrExpression(z.number().positive())
  .nullable()
  .default(null)
  .describe('Size of each signed-gradient step; null means epsilon/4.');

const randomStart = (byDefault: boolean) =>
  z.boolean().default(byDefault).describe('Start from a uniform random point in the epsilon ball instead of the clean input.');

const restarts = numberOrExpression(z.int().min(1))
  .default(1)
  .describe('Number of runs from different random starts; each sample keeps its worst (misclassified first, then the highest loss).');

export const fgsmSettings = z.object({
  random_start: randomStart(false),
});

export const pgdSettings = z.object({
  steps: numberOrExpression(z.int().min(1)).default(20).describe('Number of PGD steps.'),
  step_size: stepSize,
  random_start: randomStart(true),
  loss: z
    .enum(['ce', 'kl', 'cw'])
    .default('ce')
    .describe(
      "Loss to maximise: 'ce' with the true label; 'kl' away from the model's own output on the clean input (TRADES style); " +
        `'cw' the Carlini-Wagner margin with kappa ${DEFAULT_CW_CONFIDENCE}.`,
    ),
  restarts,
});

export const cwSettings = z.object({
  steps: numberOrExpression(z.int().min(1)).default(30).describe('Number of PGD steps on the margin loss.'),
  step_size: stepSize,
  random_start: randomStart(true),
  confidence: numberOrExpression(z.number().min(0))
    .default(DEFAULT_CW_CONFIDENCE)
    .describe("Margin kappa at which the loss saturates, min(max_{j≠y} z_j − z_y, kappa); 50 as in FAT's and IAD's evaluations."),
  restarts,
});

export type PgdSettings = z.infer<typeof pgdSettings>;
export type CwSettings = z.infer<typeof cwSettings>;

// The components of an AA-style evaluation (Croce and Hein, ICML 2020; official code
// https://github.com/fra31/auto-attack), with the standard evaluation's values as defaults.

const apgdSettings = z.object({
  steps: numberOrExpression(z.int().min(1)).default(100).describe('Iterations of each run (100 in the standard evaluation).'),
  restarts: numberOrExpression(z.int().min(1))
    .default(1)
    .describe('Runs from new random starts, each on the points no earlier run broke (1 in the standard evaluation).'),
});

export const apgdCeSettings = apgdSettings;
export const apgdDlrSettings = apgdSettings;
export const apgdTSettings = apgdSettings;

export const squareSettings = z.object({
  steps: numberOrExpression(z.int().min(1))
    .default(5000)
    .describe('Iterations, each one query of every point not yet broken (5,000 in the standard evaluation; the first stripes cost one more).'),
  restarts: numberOrExpression(z.int().min(1)).default(1).describe('Runs from new stripes, each on the points no earlier run broke.'),
});

const iterations = numberOrExpression(z.int().min(1))
  .default(100)
  .describe('Iterations of each APGD run (100 in the reference evaluations).');

export const aaStyleSettings = z.object({
  iterations,
  queries: numberOrExpression(z.int().min(1)).default(5000).describe("Square Attack's queries per point (5,000 in the reference's standard version)."),
});

export const aaStyleFastSettings = z.object({ iterations });

export const aaStyleRandSettings = z.object({
  iterations,
  eot: numberOrExpression(z.int().min(1))
    .default(20)
    .describe('Passes each APGD gradient is averaged over (expectation over transformation; 20 in the reference\'s rand version).'),
});

const AA_PAPER = 'Croce and Hein, ICML 2020 (arXiv:2003.01690)';
const AA_CODE = 'https://github.com/fra31/auto-attack (autoattack/autopgd_base.py); our own code of the algorithm as coded there';
const APGD_FORMULA =
  'z = P(x_k + η·sign(∇L)), x_{k+1} = P(x_k + 0.75(z − x_k) + 0.25(x_k − x_{k−1})); η = 2·eps, halved at checkpoints 22, 41, 57, 70, 80, 87, 93, 99 % of the iterations';

export const attacks = [
  {
    name: 'fgsm',
    title: 'Fast Gradient Sign Method',
    summary: 'One signed-gradient step of size epsilon on the CE loss: the weakest attack, a sanity check.',
    paper: 'Goodfellow, Shlens, Szegedy, ICLR 2015 (arXiv:1412.6572)',
    code: 'none released with the paper; the reference implementation is CleverHans, https://github.com/cleverhans-lab/cleverhans',
    formula: "x' = clip_[0,1](x + eps·sign(∇_x CE(f(x), y)))",
    settings: fgsmSettings,
  },
  {
    name: 'pgd',
    title: 'Projected Gradient Descent',
    summary: 'Iterated signed-gradient steps projected back onto the epsilon ball and [0, 1], from a random start. `pgd-20` is the usual evaluation.',
    paper: 'Madry, Makelov, Schmidt, Tsipras, Vladu, ICLR 2018 (arXiv:1706.06083)',
    code: 'https://github.com/MadryLab/cifar10_challenge',
    formula: "x_{k+1} = Π_{B_eps(x) ∩ [0,1]}(x_k + a·sign(∇_x L(f(x_k), y))),  x_0 = x + U(−eps, eps)",
    settings: pgdSettings,
  },
  {
    name: 'cw',
    title: 'Carlini-Wagner (L-inf, PGD on the margin loss)',
    summary: 'PGD that maximises the Carlini-Wagner margin instead of CE, the usual "CW-inf" of robust-distillation tables (30 steps).',
    paper: 'Carlini and Wagner, IEEE S&P 2017 (arXiv:1608.04644)',
    code: 'https://github.com/carlini/nn_robust_attacks; the L-inf PGD form follows https://github.com/zjfheart/Friendly-Adversarial-Training',
    formula: "L_cw = min(max_{j≠y} z_j − z_y, kappa), maximised with L-inf PGD",
    settings: cwSettings,
  },
  {
    name: 'apgd-ce',
    title: 'APGD on the cross-entropy (AA-style component)',
    summary:
      'Auto-PGD: PGD with momentum and a step size that halves itself at checkpoints when the loss stalls, on the CE loss, 100 iterations; only correctly classified points are attacked. `apgd-ce-100` is the standard run.',
    paper: AA_PAPER,
    code: AA_CODE,
    formula: `L = CE(f(x), y); ${APGD_FORMULA}`,
    settings: apgdCeSettings,
  },
  {
    name: 'apgd-dlr',
    title: 'APGD on the DLR loss (AA-style component)',
    summary:
      'Auto-PGD on the Difference of Logits Ratio, which is invariant to shifting and rescaling the logits (so saturated softmax cannot hide the gradient). `apgd-dlr-100` is the standard run.',
    paper: AA_PAPER,
    code: AA_CODE,
    formula: `L = −(z_y − max_{i≠y} z_i) / (z_π1 − z_π3 + 1e−12); ${APGD_FORMULA}`,
    settings: apgdDlrSettings,
  },
  {
    name: 'apgd-t',
    title: 'Targeted APGD on the DLR loss (AA-style component)',
    summary:
      'Auto-PGD on the targeted DLR loss, one full run per target class (the 2nd to 10th largest clean logits: 9 targets, or classes − 1), each on the points no earlier target broke. `apgd-t-100` is the standard run.',
    paper: AA_PAPER,
    code: AA_CODE,
    formula: `L = −(z_y − z_t) / (z_π1 − (z_π3 + z_π4)/2 + 1e−12); ${APGD_FORMULA}`,
    settings: apgdTSettings,
  },
  {
    name: 'square',
    title: 'Square Attack, L-inf (AA-style component)',
    summary:
      'A score-based black-box attack: random square updates of size ±2·eps kept when they lower the margin, from vertical stripes; forward passes only, so it is immune to gradient masking. `square-5000` is the standard run (5,000 queries).',
    paper: 'Andriushchenko, Croce, Flammarion, Hein, ECCV 2020 (arXiv:1912.00049)',
    code: 'https://github.com/max-andr/square-attack; as run by https://github.com/fra31/auto-attack (autoattack/square.py); our own code',
    formula: "margin m = z_y − max_{i≠y} z_i; x' = P(x_best + δ), δ = ±2·eps on a random s×s square (s² ≈ p·h·w, p from 0.8 down); keep x' when m falls",
    settings: squareSettings,
  },
  {
    name: 'aa-style',
    title: 'AA-style evaluation (APGD-CE, APGD-T, Square as a cascade)',
    summary:
      "The components of AutoAttack's standard evaluation (without FAB-T), each run only on the points every earlier one failed to break, reported per sample as the worst case. " +
      'Our implementations of the published algorithms, not AutoAttack itself; the figure to report for robustness.',
    paper: AA_PAPER,
    code: 'https://github.com/fra31/auto-attack (autoattack/autoattack.py, run_standard_evaluation); our own code of the algorithms as coded there',
    formula: 'robust(x) = no success of APGD-CE, then APGD-T (9 targets), then Square (5,000 queries), each on what is left',
    settings: aaStyleSettings,
  },
  {
    name: 'aa-style-fast',
    title: 'AA-style evaluation, fast (APGD-CE, APGD-T)',
    summary: 'The white-box half of the AA-style cascade: APGD-CE, then APGD-T on what it left. A quicker check that misses what only Square finds.',
    paper: AA_PAPER,
    code: 'https://github.com/fra31/auto-attack; our own code',
    formula: 'robust(x) = no success of APGD-CE, then APGD-T, each on what is left',
    settings: aaStyleFastSettings,
  },
  {
    name: 'aa-style-rand',
    title: 'AA-style evaluation for randomised models (APGD-CE, APGD-DLR with EOT)',
    summary:
      "AutoAttack's rand version: APGD-CE and APGD-DLR with each gradient averaged over 20 passes of the model (expectation over transformation), for models whose forward pass is random.",
    paper: AA_PAPER,
    code: 'https://github.com/fra31/auto-attack (version=rand); our own code',
    formula: 'robust(x) = no success of APGD-CE (EOT 20), then APGD-DLR (EOT 20), each on what is left',
    settings: aaStyleRandSettings,
  },
] as const satisfies readonly AttackInfo[];

export type AttackName = (typeof attacks)[number]['name'];

type SettingsByName = { [A in (typeof attacks)[number] as A['name']]: z.output<A['settings']> };

/** The settings of attack N with every default filled in. */
export type AttackSettings<N extends AttackName = AttackName> = SettingsByName[N];

export const attackNames: AttackName[] = attacks.map((a) => a.name);

export function findAttack(name: string): (typeof attacks)[number] | undefined {
  return attacks.find((a) => a.name === name);
}

// What follows is the parser of evaluation entries, the one the schema, the editor and the
// command line share.

/** One resolved evaluation entry of attack N. */
export interface AttackEntryOf<N extends AttackName> {
  /** The name of its row in results and charts. */
  label: string;
  attack: N;
  settings: AttackSettings<N>;
}

export type AttackEntry = { [N in AttackName]: AttackEntryOf<N> }[AttackName];

/** The unattacked images: clean accuracy. */
export interface CleanEntry {
  label: string;
  attack: 'clean';
  settings: Record<string, never>;
}

export type EvaluationEntry = CleanEntry | AttackEntry;

/** What went wrong with an entry, where: `[]` is the entry itself, `['steps']` one of its keys. */
export interface EntryIssue {
  path: string[];
  /** A problem code of the experiment checker (unknown-name, unknown-key, missing-key, bad-value, wrong-type, bad-expression). */
  code: string;
  message: string;
  fix?: string;
  /** Texts that may replace the value at `path`, best first (quick fixes). */
  replacements?: string[];
}

export type EntryParse = { ok: true; entry: EvaluationEntry } | { ok: false; issues: EntryIssue[] };

/** The result row of the per-sample worst case over the list; no entry may take its name. */
export const WORST_CASE_LABEL = 'worst-case';

export const DEFAULT_EVALUATION_ATTACKS = ['clean', 'fgsm', 'pgd-20', 'cw-20'];

/** The usual labels, offered by completion and "did you mean". */
export const COMMON_EVALUATION_ATTACKS = ['clean', 'fgsm', 'pgd-10', 'pgd-20', 'pgd-50', 'pgd-100', 'cw-30', 'aa-style', 'aa-style-fast', 'apgd-ce-100', 'apgd-t-100', 'square-5000'];

/** Whether the attack's settings have a number of steps, which its short label then carries. */
const stepped = (info: (typeof attacks)[number]) => 'steps' in info.settings.shape;

/** The short forms, for messages: `clean, fgsm, pgd-<steps>, cw-<steps>`. */
export const EVALUATION_ATTACK_FORMS = ['clean', ...attacks.map((a) => (stepped(a) ? `${a.name}-<steps>` : a.name))].join(', ');

const LONG_FORM_EXAMPLE = '{attack: pgd, steps: 50}';

/**
 * Turns an evaluation entry as written (a short label, a section with settings, or an entry this
 * function resolved before, as spec.json holds it) into `{label, attack, settings}`, validated by
 * the attack's own settings schema with every default filled in. Never throws.
 */
export function parseEvaluationEntry(value: unknown): EntryParse {
  if (typeof value === 'string') return parseShortLabel(value);
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return parseSection(value as Record<string, unknown>);
  return fail({
    path: [],
    code: 'wrong-type',
    message: `an evaluation attack is a label such as pgd-20 or a section such as ${LONG_FORM_EXAMPLE}, not ${valueWords(value)}`,
  });
}

/** parseEvaluationEntry for callers that stop at the first error (the command line, tests, benches). */
export function resolveEvaluationEntry(value: unknown): EvaluationEntry {
  const r = parseEvaluationEntry(value);
  if (r.ok) return r.entry;
  throw new Error(r.issues.map((i) => (i.fix ? `${i.message} (${i.fix})` : i.message)).join('; '));
}

/** Whether the entry is stronger than FGSM: an iterative attack. */
export function isIterative(entry: EvaluationEntry): boolean {
  return 'steps' in entry.settings;
}

/** Positions of entries whose label an earlier entry already has (their rows would collide). */
export function duplicateLabels(entries: readonly unknown[]): Array<{ index: number; label: string; first: number }> {
  const seen = new Map<string, number>();
  const out: Array<{ index: number; label: string; first: number }> = [];
  entries.forEach((e, index) => {
    const label = e !== null && typeof e === 'object' ? (e as { label?: unknown }).label : undefined;
    if (typeof label !== 'string') return;
    const first = seen.get(label);
    if (first === undefined) seen.set(label, index);
    else out.push({ index, label, first });
  });
  return out;
}

/** Suggestions for a label that does not parse, best first. */
export function suggestEvaluationAttacks(name: string): string[] {
  const lower = name.toLowerCase().trim();
  const short = matchShortLabel(lower);
  if (short && resolveSettings(short.name, short.settings).ok) return [lower];
  const m = /^([a-z]+)[\s_]*-?[\s_]*(\d+)$/.exec(lower);
  const info = m ? findAttack(m[1]) : undefined;
  if (m && info && stepped(info) && Number(m[2]) > 0) return [`${m[1]}-${Number(m[2])}`];
  // Variants we do not run (apgd, pgd-inf, cw_inf, a bare pgd...) get the usual form of the attack
  // they name. A name of two letters counts only at the start, where it cannot be part of a word.
  for (const a of attacks) {
    const named = a.name.length >= 3 ? lower.includes(a.name) : lower.startsWith(a.name);
    if (stepped(a) && named) return [usualLabel(a.name)];
  }
  return closestMatches(lower, COMMON_EVALUATION_ATTACKS);
}

/** The short label of the attack with its default steps: `pgd-20`, `cw-30`, `fgsm`. */
function usualLabel(name: AttackName): string {
  const defaults = findAttack(name)!.settings.parse({}) as { steps?: number };
  return defaults.steps === undefined ? name : `${name}-${defaults.steps}`;
}

const fail = (...issues: EntryIssue[]): EntryParse => ({ ok: false, issues });

const CLEAN: CleanEntry = { label: 'clean', attack: 'clean', settings: {} };

/**
 * The attack and settings a short label names, by its form alone: `fgsm` for an attack without
 * steps, `<attack>-<steps>` for one with (the name may hold dashes, the steps are the last part).
 */
function matchShortLabel(text: string): { name: AttackName; settings: Record<string, unknown> } | undefined {
  const m = /^([a-z][a-z0-9-]*?)(?:-(0|[1-9]\d*))?$/.exec(text);
  const info = m ? findAttack(m[1]) : undefined;
  if (!m || !info || stepped(info) !== (m[2] !== undefined)) return undefined;
  return { name: info.name, settings: m[2] === undefined ? {} : { steps: Number(m[2]) } };
}

/** `clean`, or a short label of an attack (matchShortLabel) whose steps its settings schema accepts. */
function parseShortLabel(text: string): EntryParse {
  if (text === 'clean') return { ok: true, entry: { ...CLEAN, settings: {} } };
  const short = matchShortLabel(text);
  if (short) {
    const r = resolveSettings(short.name, short.settings);
    if (r.ok) return { ok: true, entry: { label: text, attack: short.name, settings: r.settings } as AttackEntry };
    // A short label's settings are its steps: the issue belongs to the label as a whole.
    const suggestions = suggestEvaluationAttacks(text);
    return fail(
      ...r.issues.map((i) => ({
        ...i,
        path: [],
        message: `${text}: ${i.message}`,
        fix: suggestions.length ? `did you mean ${suggestions[0]}?` : i.fix,
        replacements: suggestions,
      })),
    );
  }
  const suggestions = suggestEvaluationAttacks(text);
  return fail({
    path: [],
    code: 'unknown-name',
    message: `unknown attack "${text}": each entry is one of ${EVALUATION_ATTACK_FORMS}, or a section such as ${LONG_FORM_EXAMPLE}`,
    fix: suggestions.length ? `did you mean ${suggestions[0]}?` : `use one of ${EVALUATION_ATTACK_FORMS}`,
    replacements: suggestions,
  });
}

/** `{attack, label?, ...settings}`, or `{attack, label?, settings: {...}}` as a resolved entry is written. */
function parseSection(section: Record<string, unknown>): EntryParse {
  const { attack, label, settings: nested, ...flat } = section;
  const known = ['clean', ...attackNames];
  if (attack === undefined) {
    return fail({
      path: [],
      code: 'missing-key',
      message: `an attack written as a section names it with "attack:", one of ${known.join(', ')}`,
      fix: 'add attack: pgd',
    });
  }
  if (typeof attack !== 'string' || !known.includes(attack)) {
    const close = closestMatches(String(attack), known);
    return fail({
      path: ['attack'],
      code: 'unknown-name',
      message: `unknown attack "${String(attack)}"; known: ${known.join(', ')}`,
      fix: close.length ? `did you mean ${close[0]}?` : undefined,
      replacements: close,
    });
  }
  const issues: EntryIssue[] = [];
  if (label !== undefined && (typeof label !== 'string' || label.trim() === '')) {
    issues.push({ path: ['label'], code: 'wrong-type', message: `label must be a non-empty string, not ${valueWords(label)}` });
  } else if (label === WORST_CASE_LABEL) {
    issues.push({ path: ['label'], code: 'bad-value', message: `label "${WORST_CASE_LABEL}" is the name of the worst case over all attacks; choose another` });
  }
  let input: Record<string, unknown> = flat;
  let base: string[] = [];
  if (nested !== undefined) {
    if (nested === null || typeof nested !== 'object' || Array.isArray(nested)) {
      issues.push({ path: ['settings'], code: 'wrong-type', message: `settings must be a section of the attack's settings, not ${valueWords(nested)}` });
    } else if (Object.keys(flat).length > 0) {
      issues.push({ path: [], code: 'bad-value', message: `give ${attack}'s settings either beside "attack:" or under "settings:", not both` });
    } else {
      input = nested as Record<string, unknown>;
      base = ['settings'];
    }
  }
  if (issues.length) return fail(...issues);
  if (attack === 'clean') {
    const extra = Object.keys(input);
    if (extra.length) return fail(...extra.map((k) => ({ path: [...base, k], code: 'unknown-key', message: `"${k}" is not a setting: clean takes none` })));
    return { ok: true, entry: { ...CLEAN, settings: {}, label: (label as string | undefined) ?? CLEAN.label } };
  }
  const name = attack as AttackName;
  const r = resolveSettings(name, input);
  if (!r.ok) return fail(...r.issues.map((i) => ({ ...i, path: [...base, ...i.path], message: `attack ${name}: ${i.message}` })));
  return { ok: true, entry: { label: (label as string | undefined) ?? generatedLabel(name, r.settings), attack: name, settings: r.settings } as AttackEntry };
}

type SettingsParse = { ok: true; settings: AttackSettings } | { ok: false; issues: EntryIssue[] };

/** The attack's own settings schema over `input`; unknown keys are refused with the closest known one. */
function resolveSettings(name: AttackName, input: Record<string, unknown>): SettingsParse {
  const info = findAttack(name)!;
  const keys = Object.keys(info.settings.shape);
  const unknown = Object.keys(input).filter((k) => !keys.includes(k));
  if (unknown.length) {
    return {
      ok: false,
      issues: unknown.map((k) => {
        const close = closestMatches(k, keys);
        return {
          path: [k],
          code: 'unknown-key',
          message: `"${k}" is not one of its settings (${keys.join(', ')})`,
          fix: close.length ? `did you mean ${close[0]}?` : undefined,
          replacements: close,
        };
      }),
    };
  }
  const parsed = info.settings.safeParse(input);
  if (parsed.success) return { ok: true, settings: parsed.data as AttackSettings };
  return { ok: false, issues: parsed.error.issues.map((i) => settingIssue(i, input)) };
}

/** One issue of a settings schema, in words that name the setting and the value written. */
function settingIssue(issue: z.core.$ZodIssue, input: Record<string, unknown>): EntryIssue {
  const path = issue.path.map(String);
  const key = path.join('.');
  const written = valueWords(input[path[0]]);
  switch (issue.code) {
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = Number(small ? issue.minimum : issue.maximum);
      const words = small ? (issue.inclusive ? 'at least' : 'greater than') : issue.inclusive ? 'at most' : 'less than';
      return { path, code: 'bad-value', message: `${key} must be ${words} ${bound}, not ${written}` };
    }
    case 'invalid_type':
      return { path, code: 'wrong-type', message: `${key} must be ${typeWords(issue.expected)}, not ${written}` };
    case 'invalid_value': {
      const allowed = issue.values.map(String);
      const close = closestMatches(String(input[path[0]]), allowed);
      return {
        path,
        code: 'bad-value',
        message: `${key} must be one of ${allowed.join(', ')}, not ${written}`,
        fix: close.length ? `did you mean ${close[0]}?` : `use one of ${allowed.join(', ')}`,
        replacements: close.length ? close : allowed,
      };
    }
    case 'custom': {
      const expression = (issue.params as { expression?: boolean } | undefined)?.expression;
      return { path, code: expression ? 'bad-expression' : 'bad-value', message: `${key}: ${issue.message}` };
    }
    default:
      return { path, code: 'bad-value', message: `${key}: ${issue.message}` };
  }
}

function typeWords(expected: string): string {
  switch (expected) {
    case 'int':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'string':
      return 'a string';
    default:
      return `of type ${expected}`;
  }
}

function valueWords(v: unknown): string {
  if (v === null) return 'empty (null)';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a section';
  if (typeof v === 'string') return `"${v}"`;
  return String(v);
}

/**
 * The label of a section without `label:`: the short label (`pgd-50`, `fgsm`) followed by each
 * setting that differs from the attack's default, so that two entries of one attack get distinct
 * rows: `pgd-50 step_size=1/255 loss=cw restarts=5`.
 */
function generatedLabel(name: AttackName, settings: AttackSettings): string {
  const info = findAttack(name)!;
  const defaults = info.settings.parse({}) as Record<string, unknown>;
  const values = settings as Record<string, unknown>;
  const base = 'steps' in values ? `${name}-${values.steps}` : name;
  const differing = Object.keys(info.settings.shape).filter((k) => k !== 'steps' && values[k] !== defaults[k]);
  return [base, ...differing.map((k) => `${k}=${settingText(values[k])}`)].join(' ');
}

/** A setting's value for a label: fractions of 255 as `k/255`, other numbers to 4 significant digits. */
function settingText(v: unknown): string {
  if (typeof v !== 'number') return String(v);
  const k = v * 255;
  if (!Number.isInteger(v) && Math.abs(k - Math.round(k)) < 1e-9) return `${Math.round(k)}/255`;
  return String(Number(v.toPrecision(4)));
}
