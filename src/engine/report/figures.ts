/**
 * Every figure of every finished member, and their mean ± sample std over each configuration's
 * seeds: accuracy under each attack and at each epsilon of the curve (fractions of 1, as the
 * results hold them), and the similarity to the teacher (CKA on clean and adversarial inputs, the
 * logit-correlation gap) from the last `similarity` event of each model.
 */
import { meanStd } from '../sweep/aggregate';
import type { MemberData, SweepData } from './sweepData';

export const CKA_CLEAN = 'CKA clean';
export const CKA_ADVERSARIAL = 'CKA adversarial';
export const LOGIT_GAP = 'logit gap';
export const SIMILARITY_FIGURES = [CKA_CLEAN, CKA_ADVERSARIAL, LOGIT_GAP];

/** A point of the accuracy-against-epsilon curve, as a figure's name. */
export const curveFigure = (epsilon: number) => `eps ${+epsilon.toFixed(6)}`;

/** Whether a figure is an accuracy (shown in %) rather than a similarity. */
export const isAccuracy = (figure: string) => !SIMILARITY_FIGURES.includes(figure);
/** Whether more is better (the logit gap is a distance). */
export const higherIsBetter = (figure: string) => figure !== LOGIT_GAP;
/** Whether a model is one of the run's teachers (`teacher`, `teacher:natural`). */
export const isTeacher = (model: string) => model === 'teacher' || model.startsWith('teacher:');

/** One member's figures: model label -> figure name -> value. */
export type MemberFigures = Map<string, Map<string, number>>;

export function memberFigures(m: MemberData): MemberFigures | null {
  if (!m.results) return null;
  const out: MemberFigures = new Map();
  const of = (model: string) => out.get(model) ?? out.set(model, new Map()).get(model)!;
  for (const r of m.results) {
    const f = of(r.model);
    for (const a of r.results) f.set(a.attack, a.accuracy);
    for (const p of r.accuracyVsEpsilon) f.set(curveFigure(p.epsilon), p.accuracy);
  }
  for (const [model, s] of m.similarity) {
    if (!out.has(model)) continue;
    const f = of(model);
    f.set(CKA_CLEAN, s.ckaClean);
    f.set(CKA_ADVERSARIAL, s.ckaAdversarial);
    if (s.logitGap !== undefined) f.set(LOGIT_GAP, s.logitGap);
  }
  return out;
}

export interface Stat {
  mean: number;
  std: number | null;
  n: number;
}

export interface ModelRow {
  model: string;
  method: string;
  arch: string;
  figures: Map<string, Stat>;
}

export interface Configuration {
  /** The manifest's words (`method.name=ard`), '' for a sweep over seeds only. */
  configuration: string;
  /** For people: the method's name, then the other settings as `name=value`, or `(the file)`. */
  label: string;
  overrides: Record<string, unknown>;
  /** The overrides as `path=value` words, a swept section (`method: {name: gacd, reweight: none}`) spread into its settings. */
  words: string[];
  /** The student's method, from the members' resolved settings. */
  method: string;
  members: MemberData[];
  finished: Array<{ member: MemberData; figures: MemberFigures }>;
  models: ModelRow[];
}

const valueText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/** `{method: {name: gacd, reweight: none}}` -> `method.name=gacd`, `method.reweight=none`. */
export function overrideWords(overrides: Record<string, unknown>): string[] {
  const out: string[] = [];
  const walk = (at: string, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) walk(`${at}.${k}`, x);
    else out.push(`${at}=${valueText(v)}`);
  };
  for (const [k, v] of Object.entries(overrides)) walk(k, v);
  return out;
}

/** `gacd reweight=none`: the method's name bare, its settings without `method.`, the rest as they are. */
export function labelOf(words: string[]): string {
  if (words.length === 0) return '(the file)';
  const method = words.find((w) => w.startsWith('method.name='));
  const rest = words.filter((w) => w !== method).map((w) => w.replace(/^method\./, ''));
  return [method?.slice('method.name='.length), ...rest].filter(Boolean).join(' ');
}

function methodOf(m: MemberData): string {
  const s = m.member.settings as { method?: { name?: unknown } } | undefined;
  if (typeof s?.method?.name === 'string') return s.method.name;
  const o = m.member.overrides['method.name'];
  return typeof o === 'string' ? o : '?';
}

/** The sweep's configurations in the manifest's order, each with its models' figures over seeds. */
export function configurations(sweep: SweepData): Configuration[] {
  const groups = new Map<string, MemberData[]>();
  for (const m of sweep.members) groups.set(m.member.configuration, [...(groups.get(m.member.configuration) ?? []), m]);
  return [...groups.entries()].map(([configuration, members]) => {
    const finished = members.flatMap((member) => {
      const figures = memberFigures(member);
      return figures ? [{ member, figures }] : [];
    });
    const models: ModelRow[] = [];
    for (const { member } of finished) {
      for (const r of member.results!) {
        if (models.some((x) => x.model === r.model)) continue;
        const names = [...new Set(finished.flatMap((f) => [...(f.figures.get(r.model)?.keys() ?? [])]))];
        const figures = new Map<string, Stat>();
        for (const name of names) {
          const values = finished.flatMap((f) => {
            const v = f.figures.get(r.model)?.get(name);
            return v === undefined ? [] : [v];
          });
          figures.set(name, meanStd(values));
        }
        models.push({ model: r.model, method: r.method, arch: r.arch, figures });
      }
    }
    const overrides = Object.fromEntries(Object.entries(members[0].member.overrides).filter(([k]) => k !== 'seed'));
    const words = overrideWords(overrides);
    return { configuration, label: labelOf(words), overrides, words, method: methodOf(members[0]), members, finished, models };
  });
}

/** The attacks evaluated, in the order the results list them (the table's columns). */
export function attackNames(configs: Configuration[]): string[] {
  const names: string[] = [];
  for (const c of configs) for (const { member } of c.finished) for (const r of member.results!) for (const a of r.results) if (!names.includes(a.attack)) names.push(a.attack);
  return names;
}

/** The epsilons of the accuracy-against-epsilon curve, ascending. */
export function curveEpsilons(configs: Configuration[]): number[] {
  const eps = new Set<number>();
  for (const c of configs) for (const { member } of c.finished) for (const r of member.results!) for (const p of r.accuracyVsEpsilon) eps.add(+p.epsilon.toFixed(6));
  return [...eps].sort((a, b) => a - b);
}

/** "41.2 ± 1.3" in % for an accuracy, "0.731 ± 0.012" for a similarity; the std left out for one seed. */
export function formatStat(figure: string, s: Stat | undefined): string {
  if (!s || s.n === 0) return '-';
  const [scale, digits] = isAccuracy(figure) ? [100, 1] : [1, 3];
  const mean = (s.mean * scale).toFixed(digits);
  return s.std === null ? mean : `${mean} ± ${(s.std * scale).toFixed(digits)}`;
}
