/**
 * The report's claims, computed rather than written: a reference configuration compared with
 * every other on the headline figures, members paired by seed (the same seed, so the same data
 * order and initialisation where the configurations allow), as the mean of the paired differences
 * ± their sample std, with n; and for each figure the configuration that did best.
 */
import { meanStd } from '../sweep/aggregate';
import { CKA_ADVERSARIAL, CKA_CLEAN, Configuration, formatStat, higherIsBetter, isAccuracy, isTeacher, Stat } from './figures';

/**
 * The configuration the claims are about: the one `spec` names (its label or manifest
 * configuration exactly, else the configuration with all of spec's `path=value` words and the
 * fewest overrides), or by default the GACD configuration with the fewest overrides, or the first.
 */
export function chooseReference(configs: Configuration[], spec?: string): Configuration {
  // A stable sort: among equals, the manifest's order decides.
  const fewest = (cs: Configuration[]) => [...cs].sort((a, b) => a.words.length - b.words.length)[0];
  if (spec !== undefined) {
    const exact = configs.find((c) => c.configuration === spec.trim() || c.label === spec.trim());
    if (exact) return exact;
    const words = spec.trim().split(/\s+/).filter(Boolean);
    const matching = configs.filter((c) => words.every((w) => c.words.includes(w)));
    if (matching.length === 0) {
      throw new Error(
        `--reference '${spec}' matches no configuration of this sweep; give a label or path=value words of one of: ` +
          configs.map((c) => `'${c.label}' (${c.words.join(' ') || 'no overrides'})`).join(', '),
      );
    }
    return fewest(matching);
  }
  const gacd = configs.filter((c) => c.method === 'gacd');
  return gacd.length ? fewest(gacd) : configs[0];
}

/**
 * The figures a claim is made on: clean accuracy, the strongest attack (AA-style where it was
 * run, under any label that starts with aa-style, such as aa-style-sq1000; else the attack with the
 * lowest accuracy for the reference's student), and CKA.
 */
export function headlineFigures(reference: Configuration, attacks: string[]): string[] {
  const robust = attacks.filter((a) => a !== 'clean');
  let strongest: string | undefined = robust.find((a) => a === 'aa-style') ?? robust.find((a) => a.startsWith('aa-style'));
  if (!strongest) {
    const student = reference.models.find((m) => !isTeacher(m.model));
    const scored = robust.map((a) => ({ a, v: student?.figures.get(a)?.mean ?? Infinity })).sort((x, y) => x.v - y.v);
    strongest = scored[0]?.a;
  }
  return [...(attacks.includes('clean') ? ['clean'] : []), ...(strongest ? [strongest] : []), CKA_CLEAN, CKA_ADVERSARIAL];
}

export interface Comparison {
  reference: string;
  other: string;
  model: string;
  figure: string;
  /** Mean ± std of the paired differences (reference minus other), and the number of pairs. */
  difference: Stat;
  seeds: number[];
}

/** Reference minus other on one figure of one model, over the seeds both finished. */
export function pairedDifference(reference: Configuration, other: Configuration, model: string, figure: string): Comparison {
  const bySeed = (c: Configuration) => new Map(c.finished.map((f) => [f.member.member.seed, f.figures.get(model)?.get(figure)]));
  const ref = bySeed(reference);
  const oth = bySeed(other);
  const seeds: number[] = [];
  const diffs: number[] = [];
  for (const [seed, a] of ref) {
    const b = oth.get(seed);
    if (a === undefined || b === undefined) continue;
    seeds.push(seed);
    diffs.push(a - b);
  }
  return { reference: reference.label, other: other.label, model, figure, difference: meanStd(diffs), seeds: seeds.sort((x, y) => x - y) };
}

/** Each other configuration against the reference, for every non-teacher model they share. */
export function compareAll(reference: Configuration, configs: Configuration[], figures: string[]): Comparison[] {
  const out: Comparison[] = [];
  for (const other of configs) {
    if (other === reference) continue;
    for (const m of reference.models) {
      if (isTeacher(m.model) || !other.models.some((o) => o.model === m.model)) continue;
      for (const figure of figures) {
        const c = pairedDifference(reference, other, m.model, figure);
        if (c.difference.n > 0) out.push(c);
      }
    }
  }
  return out;
}

const signed = (x: number, digits: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;

/** "+2.1 ± 0.8 (n=3)": points for an accuracy, CKA's own units otherwise. */
export function differenceText(c: Comparison, withN = true): string {
  const [scale, digits] = isAccuracy(c.figure) ? [100, 1] : [1, 3];
  const d = c.difference;
  const spread = d.std === null ? '' : ` ± ${(d.std * scale).toFixed(digits)}`;
  return `${signed(d.mean * scale, digits)}${spread}${withN ? ` (n=${d.n})` : ''}`;
}

/** "gacd vs ard, aa-style: +2.1 ± 0.8 points over 3 seeds". */
export function claimSentence(c: Comparison): string {
  const who = c.model === 'student' ? '' : ` (${c.model})`;
  const unit = isAccuracy(c.figure) ? ' points' : '';
  return `${c.reference} vs ${c.other}${who}, ${c.figure}: ${differenceText(c, false)}${unit} over ${c.difference.n} seed${c.difference.n === 1 ? '' : 's'}`;
}

export interface Best {
  figure: string;
  best: { label: string; model: string; stat: Stat };
  next?: { label: string; model: string; stat: Stat };
}

/** For a figure, the configuration and model (teachers aside) with the best mean, and the runner-up. */
export function bestOf(configs: Configuration[], figure: string): Best | null {
  const entries = configs.flatMap((c) =>
    c.models.filter((m) => !isTeacher(m.model) && (m.figures.get(figure)?.n ?? 0) > 0).map((m) => ({ label: c.label, model: m.model, stat: m.figures.get(figure)! })),
  );
  if (entries.length === 0) return null;
  const sign = higherIsBetter(figure) ? -1 : 1;
  entries.sort((a, b) => sign * (a.stat.mean - b.stat.mean));
  return { figure, best: entries[0], ...(entries[1] ? { next: entries[1] } : {}) };
}

export function bestSentence(b: Best): string {
  const who = (e: { label: string; model: string }) => (e.model === 'student' ? e.label : `${e.label} (${e.model})`);
  const direction = higherIsBetter(b.figure) ? 'highest' : 'lowest';
  const next = b.next ? `; next ${who(b.next)} (${formatStat(b.figure, b.next.stat)})` : '';
  return `${b.figure}: ${direction} ${who(b.best)} (${formatStat(b.figure, b.best.stat)}, n=${b.best.stat.n})${next}`;
}
