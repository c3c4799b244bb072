/**
 * The report's content, assembled from one or more sweep folders: for each sweep its members'
 * state, the table over seeds, the charts, the claims, the reliability flags and where the
 * numbers came from. Rendering is markdown.ts's and html.ts's.
 */
import { ENGINE_VERSION } from '../util/version';
import { bestOf, bestSentence, chooseReference, claimSentence, compareAll, Comparison, differenceText, headlineFigures } from './claims';
import type { Block, ReportDocument } from './document';
import {
  attackNames,
  CKA_ADVERSARIAL,
  CKA_CLEAN,
  Configuration,
  configurations,
  curveEpsilons,
  curveFigure,
  formatStat,
  isAccuracy,
  isTeacher,
  labelOf,
  LOGIT_GAP,
  overrideWords,
  SIMILARITY_FIGURES,
} from './figures';
import { duration, provenanceOf, sweepCommandLine, thisMachine, wallTime } from './provenance';
import { barChart, lineChart, LineSeries } from './svgChart';
import type { SweepData } from './sweepData';

export interface ReportOptions {
  /** Words naming the reference configuration (`method.name=gacd`); by default chooseReference's. */
  reference?: string;
  /** The command line that makes this report, to print in it. */
  commandLine?: string;
  /** When the report was made (fixed in tests). */
  now?: Date;
}

function evaluationEpsilon(sweep: SweepData): number | undefined {
  const s = sweep.members[0]?.member.settings as { evaluation?: { epsilon?: unknown } } | undefined;
  return typeof s?.evaluation?.epsilon === 'number' ? s.evaluation.epsilon : undefined;
}

/** Rows for a model other than a teacher, and a teacher's row only the first time it reads so. */
function tableRows(configs: Configuration[], columns: string[]): string[][] {
  const rows: string[][] = [];
  // A shared teacher reads the same in every configuration: one row, naming the configurations.
  const teachers = new Map<string, { row: string[]; labels: string[] }>();
  for (const c of configs) {
    if (c.models.length === 0) rows.push([c.label, '-', c.method, '0', ...columns.map(() => '-')]);
    for (const m of c.models) {
      const cells = columns.map((f) => formatStat(f, m.figures.get(f)));
      const n = Math.max(0, ...[...m.figures.values()].map((s) => s.n));
      const row = [c.label, m.model, `${m.method} (${m.arch})`, String(n), ...cells];
      if (!isTeacher(m.model)) {
        rows.push(row);
        continue;
      }
      const key = [m.model, m.method, ...cells].join('\u0000');
      const seen = teachers.get(key);
      if (seen) seen.labels.push(c.label);
      else {
        teachers.set(key, { row, labels: [c.label] });
        rows.push(row);
      }
    }
  }
  const withModels = configs.filter((c) => c.models.length > 0).length;
  for (const { row, labels } of teachers.values()) if (labels.length > 1) row[0] = labels.length === withModels ? 'every configuration' : labels.join(', ');
  return rows;
}

/** The name a series or a bar group has: the configuration, and the model unless it is the student. */
const seriesName = (c: Configuration, model: string) => (model === 'student' ? c.label : `${c.label} · ${model}`);

function epsilonChart(configs: Configuration[], slug: string): Block | null {
  const eps = curveEpsilons(configs);
  if (eps.length < 2) return null;
  const series: LineSeries[] = [];
  let teacherShown = false;
  for (const c of configs) {
    for (const m of c.models) {
      if (isTeacher(m.model) && teacherShown) continue;
      const points = eps.flatMap((e) => {
        const s = m.figures.get(curveFigure(e));
        return s && s.n > 0 ? [{ x: e, y: s.mean * 100, err: s.std === null ? null : s.std * 100 }] : [];
      });
      if (points.length === 0) continue;
      series.push({ name: isTeacher(m.model) ? m.model : seriesName(c, m.model), points });
      if (isTeacher(m.model)) teacherShown = true;
    }
  }
  if (series.length === 0) return null;
  return {
    kind: 'figure',
    name: `${slug}-accuracy-epsilon`,
    caption: 'Accuracy against epsilon (PGD-20 at each epsilon of the curve), mean over seeds; bars: ± sample std.',
    svg: lineChart({ title: 'Accuracy against epsilon', xLabel: 'epsilon (L∞)', yLabel: 'accuracy (%)', series, yDomain: [0, 100] }),
  };
}

function ckaChart(configs: Configuration[], slug: string): Block | null {
  const groups = configs.flatMap((c) =>
    c.models
      .filter((m) => !isTeacher(m.model) && (m.figures.get(CKA_CLEAN)?.n ?? 0) > 0)
      .map((m) => ({
        label: seriesName(c, m.model),
        values: [CKA_CLEAN, CKA_ADVERSARIAL].map((f) => {
          const s = m.figures.get(f);
          return s && s.n > 0 ? { value: s.mean, err: s.std } : null;
        }),
      })),
  );
  if (groups.length === 0) return null;
  return {
    kind: 'figure',
    name: `${slug}-cka`,
    caption: "Linear CKA of each student's features to the teacher's, on clean and on adversarial inputs (the last epoch's), mean over seeds; bars: ± sample std.",
    svg: barChart({ title: 'CKA to the teacher', yLabel: 'linear CKA', series: ['clean', 'adversarial'], groups, yDomain: [0, 1] }),
  };
}

/** One row per other configuration (and model, where not the student), one column per headline figure. */
function comparisonTable(comparisons: Comparison[], figures: string[]): Block {
  const rows = new Map<string, Map<string, Comparison>>();
  for (const c of comparisons) {
    const key = c.model === 'student' ? c.other : `${c.other} (${c.model})`;
    (rows.get(key) ?? rows.set(key, new Map()).get(key)!).set(c.figure, c);
  }
  const unit = (f: string) => (isAccuracy(f) ? `${f} (points)` : f);
  return {
    kind: 'table',
    header: ['versus', ...figures.map(unit)],
    rows: [...rows.entries()].map(([other, byFigure]) => [other, ...figures.map((f) => (byFigure.has(f) ? differenceText(byFigure.get(f)!) : '-'))]),
    numeric: [false, ...figures.map(() => true)],
  };
}

function flagRows(sweep: SweepData, configs: Configuration[]): string[][] {
  const flags = new Map<string, { title: string; models: Set<string>; members: Set<string>; configurations: Set<string> }>();
  for (const c of configs) {
    for (const { member } of c.finished) {
      for (const r of member.results!) {
        for (const f of r.flags ?? []) {
          const g = flags.get(f.code) ?? flags.set(f.code, { title: f.title, models: new Set(), members: new Set(), configurations: new Set() }).get(f.code)!;
          g.models.add(r.model);
          g.members.add(member.member.id);
          g.configurations.add(c.label);
        }
      }
    }
  }
  const finished = sweep.members.filter((m) => m.results).length;
  return [...flags.entries()].map(([code, g]) => [code, g.title, [...g.models].join(', '), `${g.members.size} of ${finished}`, [...g.configurations].join('; ')]);
}

function sweepBlocks(sweep: SweepData, options: ReportOptions): Block[] {
  const m = sweep.manifest;
  const configs = configurations(sweep);
  const finished = sweep.members.filter((x) => x.results);
  const slug = m.id.replace(/[^\w.-]+/g, '-');
  const blocks: Block[] = [{ kind: 'heading', level: 1, text: `Sweep ${m.id} (experiment ${m.experiment})` }];
  // A swept section (`method: [{name: gacd, reweight: none}, ...]`) reads as its configurations' labels.
  const valueText = (p: string, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? labelOf(overrideWords({ [p]: v })) : typeof v === 'string' ? v : JSON.stringify(v));
  const axes = m.axes.map((a) => `${a.path} (${a.kind}): ${a.values.map((v) => valueText(a.path, v)).join(', ')}`);
  blocks.push({
    kind: 'paragraph',
    text: `${finished.length} of ${m.members.length} members finished, in ${configs.length} configuration${configs.length === 1 ? '' : 's'}; from ${m.source}, created ${m.created}, run by the ${m.executor} executor. Folder: ${sweep.root}.`,
  });
  if (axes.length) blocks.push({ kind: 'list', items: axes.map((a) => `swept: ${a}`) });

  const missing = sweep.members.filter((x) => !x.results);
  if (missing.length) {
    blocks.push({ kind: 'heading', level: 2, text: 'Members not finished' });
    blocks.push({ kind: 'paragraph', text: `These members have no results yet; every figure below is over the members that finished (its n says how many).` });
    blocks.push({
      kind: 'list',
      items: missing.map((x) => {
        const label = configs.find((c) => c.members.includes(x))?.label ?? x.member.configuration;
        return `${x.member.id} (${label}, seed ${x.member.seed}): ${x.state}${x.message ? ` (${x.message})` : ''}`;
      }),
    });
  }

  const attacks = attackNames(configs);
  const columns = [...attacks, ...SIMILARITY_FIGURES];
  const eps = evaluationEpsilon(sweep);
  blocks.push({ kind: 'heading', level: 2, text: 'Results over seeds' });
  blocks.push({
    kind: 'paragraph',
    text:
      `Accuracy (%) on the test split under each attack${eps !== undefined ? ` at epsilon ${eps}` : ''}, and the similarity of each model to the teacher ` +
      `(linear CKA of features on clean and on adversarial inputs; the logit gap is the mean absolute difference of their class-correlation matrices of logits, lower is closer), ` +
      `from each model's last similarity measurement: mean ± sample std over the seeds that finished; n: seeds.` +
      (attacks.some((a) => a.startsWith('aa-style')) ? ' aa-style is this engine’s own code of the AA-style cascade (APGD-CE, then APGD-T, then Square, each on what the earlier left), not the reference implementation.' : ''),
  });
  blocks.push({
    kind: 'table',
    header: ['configuration', 'model', 'method (architecture)', 'n', ...columns],
    rows: tableRows(configs, columns),
    numeric: [false, false, false, true, ...columns.map(() => true)],
  });

  const charts = [epsilonChart(configs, slug), ckaChart(configs, slug)].filter((b): b is Block => b !== null);
  if (charts.length) blocks.push({ kind: 'heading', level: 2, text: 'Charts' }, ...charts);

  blocks.push({ kind: 'heading', level: 2, text: 'Claims' });
  if (finished.length === 0) {
    blocks.push({ kind: 'paragraph', text: 'No member has finished: nothing to compare yet.' });
  } else {
    const reference = chooseReference(configs, options.reference);
    const how = options.reference !== undefined ? `named by --reference '${options.reference}'` : reference.method === 'gacd' ? 'the GACD configuration with the fewest overrides' : 'the first configuration (none trains GACD)';
    const figures = headlineFigures(reference, attacks);
    const comparisons = compareAll(reference, configs, figures);
    blocks.push({
      kind: 'paragraph',
      text:
        `Reference: ${reference.label} (${how}). Each line is the reference minus the other configuration, member by member with the same seed: ` +
        `the mean of those paired differences ± their sample std, over the seeds both finished. Accuracy in percentage points, CKA in its own units (0 to 1). ` +
        `Figures compared: ${figures.join(', ')}.`,
    });
    if (comparisons.length) {
      const strongest = figures.find((f) => f !== 'clean' && isAccuracy(f));
      const sentences = comparisons.filter((c) => c.figure === strongest);
      if (sentences.length) blocks.push({ kind: 'list', items: sentences.map(claimSentence) });
      blocks.push({ kind: 'paragraph', text: 'Every headline figure: reference minus each other configuration, mean ± std of the paired differences (n: pairs).' });
      blocks.push(comparisonTable(comparisons, figures));
    } else if (configs.length === 1) blocks.push({ kind: 'paragraph', text: 'The sweep has one configuration (it sweeps seeds only): nothing to compare it with.' });
    else blocks.push({ kind: 'paragraph', text: 'No other configuration shares a finished seed with the reference: no paired comparison.' });
    const best = [...attacks, CKA_CLEAN, CKA_ADVERSARIAL, LOGIT_GAP].map((f) => bestOf(configs, f)).filter((b) => b !== null);
    if (best.length) {
      blocks.push({ kind: 'paragraph', text: 'Best configuration per figure (teachers aside), by its mean over seeds; a lead smaller than the stds is not a difference.' });
      blocks.push({ kind: 'list', items: best.map(bestSentence) });
    }
  }

  const flags = flagRows(sweep, configs);
  blocks.push({ kind: 'heading', level: 2, text: 'Reliability flags' });
  if (flags.length) {
    blocks.push({ kind: 'paragraph', text: 'Raised by the evaluation of the finished members: a flag says a figure may not mean what it seems (its message and fix are in each run’s results.json).' });
    blocks.push({ kind: 'table', header: ['flag', 'what', 'models', 'members', 'configurations'], rows: flags, numeric: [false, false, false, true, false] });
  } else {
    blocks.push({ kind: 'paragraph', text: 'None raised by the finished members.' });
  }

  const p = provenanceOf(sweep);
  const { command, recorded } = sweepCommandLine(sweep);
  const w = wallTime(sweep);
  blocks.push({ kind: 'heading', level: 2, text: 'How it was made' });
  blocks.push({ kind: 'paragraph', text: recorded ? 'The command that made the sweep:' : 'The command that makes this sweep (the manifest recorded no command line; rebuilt from it):' });
  blocks.push({ kind: 'code', text: command });
  const list = (xs: string[]) => (xs.length ? xs.join('; ') : 'not recorded');
  blocks.push({
    kind: 'list',
    items: [
      `engine: ${list(p.engineVersions)} (TensorFlow.js ${list(p.tfjsVersions)}, Node ${list(p.nodeVersions)})`,
      `backend: ${list(p.backends)}`,
      `hosts the members ran on: ${list(p.hosts)}`,
      `wall time: ${w.spanMs === null ? 'no run has started' : `${duration(w.spanMs)} from the first event of any run (shared teachers included) to the last`}; ` +
        `members' own times added up: ${duration(w.memberSumMs)} over ${w.timed} member${w.timed === 1 ? '' : 's'}` +
        (sweep.teachers.length ? `; shared teachers: ${duration(w.teacherSumMs)}` : ''),
    ],
  });
  return blocks;
}

export function buildReport(sweeps: SweepData[], options: ReportOptions = {}): ReportDocument {
  const experiments = [...new Set(sweeps.map((s) => s.manifest.experiment))];
  const now = options.now ?? new Date();
  const head: Block[] = [
    {
      kind: 'paragraph',
      text: `Made by gacd report (engine ${ENGINE_VERSION}) on ${now.toISOString()} from ${sweeps.length} sweep${sweeps.length === 1 ? '' : 's'}; every number below is computed from the sweep folders, and running the same command again remakes it.`,
    },
  ];
  if (options.commandLine) head.push({ kind: 'code', text: options.commandLine });
  head.push({ kind: 'list', items: [`machine making this report: ${thisMachine()}`] });
  return { title: `GACD Studio report: ${experiments.join(', ')}`, blocks: [...head, ...sweeps.flatMap((s) => sweepBlocks(s, options))] };
}
