/**
 * `gacd`: the engine's command line.
 *   gacd run FILE.gacd [--runs-dir DIR] [--backend NAME] [--json]
 *   gacd resume RUN_DIR [--backend NAME] [--json]
 *   gacd eval CHECKPOINT_DIR [--dataset NAME] [--epsilon X] [--attacks a,b] [--test-size N] [--json]
 *   gacd check FILE.gacd...
 *   gacd bench [--json] [--backend NAME] [--steps N] [--workers N]
 *   gacd bench --case resnet|gacd|eval|leak [--json] [--backend NAME] [--workers N] [--steps N] [--batch N] [--images N] [--method NAME] [--train-size N]
 * Errors are printed as one clear message (what, where, the fix), never as a stack trace.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { EngineEvent } from '../../protocol/events';
import { checkCommand } from '../experiment/checkCommand';
import { loadExperiment } from '../experiment/load';
import { formatProblem } from '../experiment/problems';
import type { ExperimentSpec } from '../experiment/schema';
import { ProgressBar } from './progressBar';
import { resultsTable } from './table';
import { createRunDir, runDirPaths } from '../run/runDir';
import { ENGINE_VERSION } from '../util/version';

const USAGE = `gacd ${ENGINE_VERSION}: adversarial robustness distillation (GACD and peers)

usage:
  gacd run FILE.gacd [--runs-dir DIR] [--backend auto|tensorflow|wasm|cpu] [--json]
  gacd resume RUN_DIR [--backend NAME] [--json]
  gacd eval CHECKPOINT_DIR [--dataset NAME] [--epsilon X] [--attacks clean,fgsm,pgd-20,cw-20] [--test-size N] [--workers N] [--json]
  gacd check FILE.gacd...
  gacd bench [--json] [--backend NAME] [--steps N] [--workers N]
  gacd bench --case resnet|gacd|eval|leak [--json] [--backend NAME] [--workers N] [--steps N]
             [--batch N] [--images N] [--method pgd-at|gacd] [--train-size N]

--runs-dir defaults to .gacd-runs next to the experiment file; --json prints one event a line on
stdout (the same events as the run's events.jsonl).`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      'runs-dir': { type: 'string' },
      backend: { type: 'string' },
      json: { type: 'boolean', default: false },
      dataset: { type: 'string' },
      epsilon: { type: 'string' },
      attacks: { type: 'string' },
      'test-size': { type: 'string' },
      steps: { type: 'string' },
      workers: { type: 'string' },
      case: { type: 'string' },
      batch: { type: 'string' },
      images: { type: 'string' },
      method: { type: 'string' },
      'train-size': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (!command || command === 'help' || command === '--help' || command === '-h' || values.help) {
    process.stdout.write(USAGE + '\n');
    return command ? 0 : 2;
  }
  if (command === '--version' || command === 'version') {
    process.stdout.write(`${ENGINE_VERSION}\n`);
    return 0;
  }
  switch (command) {
    case 'check':
      if (positionals.length === 0) throw new UsageError('gacd check needs at least one .gacd file');
      return checkCommand(positionals, (line) => process.stdout.write(line + '\n'));
    case 'run':
      if (positionals.length !== 1) throw new UsageError('gacd run needs exactly one .gacd file');
      return runCommand(positionals[0], values);
    case 'resume':
      if (positionals.length !== 1) throw new UsageError('gacd resume needs the run folder (the one holding events.jsonl)');
      return resumeCommand(positionals[0], values);
    case 'eval': {
      if (positionals.length !== 1) throw new UsageError('gacd eval needs a checkpoint folder');
      const { evalCommand } = await import('./evalCommand');
      return evalCommand(positionals[0], values);
    }
    case 'bench': {
      const { benchCommand } = await import('./benchCommand');
      return benchCommand(values);
    }
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

interface Flags {
  'runs-dir'?: string;
  backend?: string;
  json?: boolean;
}

async function runCommand(file: string, flags: Flags): Promise<number> {
  const loaded = loadExperiment(path.resolve(file));
  for (const p of loaded.problems.filter((q) => q.severity !== 'info')) process.stderr.write(formatProblem(p) + '\n');
  if (!loaded.spec || loaded.problems.some((p) => p.severity === 'error')) {
    process.stderr.write(`gacd: ${file} has errors; nothing was run (gacd check ${file} lists them all)\n`);
    return 1;
  }
  const spec = absolutePaths(loaded.spec, path.dirname(path.resolve(file)));
  const runsDir = path.resolve(flags['runs-dir'] ?? path.join(path.dirname(path.resolve(file)), '.gacd-runs'));
  const dir = createRunDir(runsDir, spec.name, fs.readFileSync(file, 'utf8'), spec);
  return execute(spec, dir.root, false, flags);
}

async function resumeCommand(runDir: string, flags: Flags): Promise<number> {
  const dir = runDirPaths(path.resolve(runDir));
  if (!fs.existsSync(dir.spec)) {
    process.stderr.write(`gacd: ${runDir} is not a run folder (no spec.json); give the folder that holds events.jsonl\n`);
    return 1;
  }
  if (fs.existsSync(dir.results)) {
    process.stderr.write(`gacd: ${runDir} has already finished (results.json exists); nothing to resume\n`);
    return 1;
  }
  const spec = JSON.parse(fs.readFileSync(dir.spec, 'utf8')) as ExperimentSpec;
  return execute(spec, dir.root, true, flags);
}

/** Relative paths of the spec made absolute, so spec.json is valid wherever the run is resumed. */
function absolutePaths(spec: ExperimentSpec, base: string): ExperimentSpec {
  const abs = (p: string | null) => (p ? path.resolve(base, p) : p);
  return {
    ...spec,
    data: { ...spec.data, path: abs(spec.data.path) },
    teacher: spec.teacher ? { ...spec.teacher, checkpoint: abs(spec.teacher.checkpoint) } : spec.teacher,
  };
}

async function execute(spec: ExperimentSpec, root: string, resumed: boolean, flags: Flags): Promise<number> {
  // TensorFlow.js loads only now: `check` and `--help` stay instant.
  const { runExperiment } = await import('../run/run');
  const bar = new ProgressBar(process.stderr);
  let stopRequests = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    stopRequests++;
    if (stopRequests > 1) {
      process.stderr.write(`\ngacd: ${signal} again: exiting now without a new checkpoint (the last one stays valid)\n`);
      process.exit(130);
    }
    bar.clear();
    process.stderr.write(`\ngacd: ${signal}: stopping after this step and writing a checkpoint (send it again to quit at once)\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const listeners = [
    flags.json
      ? (e: EngineEvent) => process.stdout.write(JSON.stringify(e) + '\n')
      : (e: EngineEvent) => human(e, bar),
  ];
  const { status } = await runExperiment({
    spec,
    baseDir: root,
    dir: runDirPaths(root),
    resumed,
    backend: flags.backend,
    listeners,
    shouldStop: () => stopRequests > 0,
  });
  return status === 'finished' ? 0 : status === 'stopped' ? 130 : 1;
}

/** The human-readable view of the event stream. */
function human(e: EngineEvent, bar: ProgressBar): void {
  bar.handle(e);
  const say = (s: string) => {
    bar.clear();
    process.stdout.write(s + '\n');
  };
  switch (e.type) {
    case 'run-start':
      say(`gacd ${ENGINE_VERSION} · backend ${e.backend}: ${e.backendDetail} · ${e.resumed ? 'resuming' : 'run'} ${e.runDir}`);
      break;
    case 'stage-start':
      say(
        e.loadedFrom
          ? `${e.model}: ${e.arch} (${e.params.toLocaleString('en')} parameters) loaded from ${e.loadedFrom}`
          : `${e.model}: ${e.method} on ${e.arch} (${e.params.toLocaleString('en')} parameters), ${e.epochs} epochs of ${e.stepsPerEpoch} steps`,
      );
      break;
    case 'similarity':
      say(
        `  ${e.model} vs teacher: CKA clean ${e.cka.clean.toFixed(3)} adv ${e.cka.adversarial.toFixed(3)}` +
          (e.cosine ? ` · cosine clean ${e.cosine.clean.toFixed(3)} adv ${e.cosine.adversarial.toFixed(3)}` : '') +
          ` · logit-correlation gap ${e.logitCorrelationGap.toFixed(3)}`,
      );
      break;
    case 'evaluation':
      say(`evaluated ${e.model}: ${e.results.map((r) => `${r.attack} ${(r.accuracy * 100).toFixed(1)}%`).join(', ')}`);
      break;
    case 'warning':
      say(`warning: ${e.message}`);
      break;
    case 'error':
      bar.clear();
      process.stderr.write(`gacd: error: ${e.message}${e.fix ? ` (fix: ${e.fix})` : ''}\n`);
      break;
    case 'run-end':
      if (e.results?.length) say('\n' + resultsTable(e.results));
      say(`${e.status} in ${(e.durationMs / 1000).toFixed(1)} s`);
      break;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError || (err as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`gacd: ${(err as Error).message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`gacd: ${(err as Error)?.message ?? String(err)}\n`);
    if (process.env.GACD_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
    process.exit(1);
  },
);
