/**
 * `gacd`: the engine's command line: the usage text, the arguments, and the dispatch to one file
 * per command (runCommand.ts, resumeCommand.ts, evalCommand.ts, checkCommand.ts, benchCommand.ts,
 * importCommand.ts, exportCommand.ts, sweepCommand.ts, reportCommand.ts).
 * Each command is loaded only when asked for, so `check` and `--help` never load TensorFlow.js.
 * Errors are printed as one clear message (what, where, the fix), never as a stack trace.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_NOTES_MODE, NOTES_MODES } from '../experiment/problems';
import { ENGINE_VERSION } from '../util/version';
import { errorLine } from './printer';

const USAGE = `gacd ${ENGINE_VERSION}: adversarial robustness distillation (GACD and peers)

usage:
  gacd run FILE.gacd [--runs-dir DIR] [--backend auto|tensorflow|wasm|cpu] [--json]
  gacd resume RUN_DIR [--backend NAME] [--json]
  gacd eval CHECKPOINT_DIR [--dataset NAME] [--epsilon X] [--attacks clean,fgsm,pgd-20,cw-20] [--test-size N] [--workers N]
            [--card FILE] [--json]
  gacd check FILE.gacd... [--notes summary|all|off]
  gacd import FILE.pt|FILE.safetensors --arch NAME --dataset NAME --out DIR [--mean a,b,c --std a,b,c] [--json]
  gacd export CHECKPOINT_DIR --out FILE [--format pt|safetensors] [--json]
  gacd sweep FILE.gacd [--executor local|slurm] [--parallel N] [--runs-dir DIR] [--wait] [--dry-run] [--json] [--yes]
             [--partition P] [--time T] [--cpus N] [--gpus N] [--memory M] [--account A]
  gacd sweep status|cancel|resume SWEEP_DIR [--wait] [--json]
  gacd sweep export SWEEP_DIR --format csv|md|tex [--out FILE]
  gacd report SWEEP_DIR... --out FILE [--format md|html] [--reference 'method.name=gacd']
  gacd bench [--json] [--backend NAME] [--steps N] [--workers N]
  gacd bench --case resnet|gacd|methods|eval|apgd|leak [--json] [--backend NAME] [--workers N] [--steps N]
             [--batch N] [--images N] [--method pgd-at|gacd] [--train-size N]

--runs-dir defaults to .gacd-runs next to the experiment file; --json prints one event a line on
stdout (the same events as the run's events.jsonl). --attacks takes short labels (clean, fgsm,
pgd-<steps>, cw-<steps>) and sections with settings, as in an experiment file:
--attacks 'clean,pgd-20,{attack: pgd, steps: 50, restarts: 5}'. eval prints the accuracy per class
and the reliability flags; --card writes the model card (JSON: weights hash, data, threat model,
every figure with its settings, flags, seeds, engine version). import reads a PyTorch state_dict
without running anything from it (--arch: a model name, or wrn-DEPTH-WIDTH such as wrn-28-10;
--mean/--std: a normalisation the model applies to its input); export writes the state_dict of
the modules in python/gacd_models.py. sweep runs each member of the file's sweep: block (grid: every
combination, zip: lists taken together) as an ordinary run, N at a time here or as one Slurm array
job (resources from the file's slurm: block or the flags), and aggregates them over seeds (mean ±
sample std); more than 64 members needs --yes. report writes one self-contained report of sweeps
(also unfinished ones): the table over seeds (accuracy per attack, CKA and logit gap to the teacher),
accuracy-against-epsilon and CKA charts (SVG files in FILE's stem-figures/ folder for md, inline for
html), claims as paired differences by seed against the reference configuration (default: the GACD
one with the fewest overrides), the flags raised, the command, engine, backend, machine and wall time.`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      'runs-dir': { type: 'string' },
      'run-id': { type: 'string' },
      backend: { type: 'string' },
      json: { type: 'boolean', default: false },
      dataset: { type: 'string' },
      epsilon: { type: 'string' },
      attacks: { type: 'string' },
      'test-size': { type: 'string' },
      card: { type: 'string' },
      steps: { type: 'string' },
      workers: { type: 'string' },
      case: { type: 'string' },
      batch: { type: 'string' },
      images: { type: 'string' },
      method: { type: 'string' },
      'train-size': { type: 'string' },
      arch: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string' },
      mean: { type: 'string' },
      std: { type: 'string' },
      executor: { type: 'string' },
      parallel: { type: 'string' },
      wait: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      yes: { type: 'boolean', default: false },
      partition: { type: 'string' },
      time: { type: 'string' },
      cpus: { type: 'string' },
      gpus: { type: 'string' },
      memory: { type: 'string' },
      account: { type: 'string' },
      reference: { type: 'string' },
      notes: { type: 'string' },
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
    case 'check': {
      if (positionals.length === 0) throw new UsageError('gacd check needs at least one .gacd file');
      const notes = values.notes ?? DEFAULT_NOTES_MODE;
      const mode = NOTES_MODES.find((m) => m === notes);
      if (!mode) throw new UsageError(`--notes must be one of ${NOTES_MODES.join(', ')}, not "${notes}"`);
      const { checkCommand } = await import('./checkCommand');
      return checkCommand(positionals, (line) => process.stdout.write(line + '\n'), mode);
    }
    case 'run': {
      if (positionals.length !== 1) throw new UsageError('gacd run needs exactly one .gacd file');
      const { runCommand } = await import('./runCommand');
      return runCommand(positionals[0], values);
    }
    case 'resume': {
      if (positionals.length !== 1) throw new UsageError('gacd resume needs the run folder (the one holding events.jsonl)');
      const { resumeCommand } = await import('./resumeCommand');
      return resumeCommand(positionals[0], values);
    }
    case 'eval': {
      if (positionals.length !== 1) throw new UsageError('gacd eval needs a checkpoint folder');
      const { evalCommand } = await import('./evalCommand');
      return evalCommand(positionals[0], values);
    }
    case 'import': {
      if (positionals.length !== 1) throw new UsageError('gacd import needs one .pt or .safetensors file');
      const { importCommand } = await import('./importCommand');
      return importCommand(positionals[0], values);
    }
    case 'export': {
      if (positionals.length !== 1) throw new UsageError('gacd export needs a checkpoint folder');
      const { exportCommand } = await import('./exportCommand');
      return exportCommand(positionals[0], values);
    }
    case 'sweep': {
      if (positionals.length === 0) throw new UsageError('gacd sweep needs an experiment file with a sweep: block, or status|cancel|resume|export and a sweep folder');
      if (['status', 'cancel', 'resume', 'export'].includes(positionals[0]) && positionals.length !== 2) {
        throw new UsageError(`gacd sweep ${positionals[0]} needs the sweep folder (<runs>/<experiment>/sweep-<id>)`);
      }
      const { sweepCommand } = await import('./sweepCommand');
      return sweepCommand(positionals, values);
    }
    case 'report': {
      if (positionals.length === 0) throw new UsageError('gacd report needs at least one sweep folder (<runs>/<experiment>/sweep-<id>)');
      const { reportCommand } = await import('./reportCommand');
      return reportCommand(positionals, values);
    }
    case 'bench': {
      const { benchCommand } = await import('./benchCommand');
      return benchCommand(values);
    }
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError || (err as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${errorLine((err as Error).message)}\n\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(errorLine((err as Error)?.message ?? String(err)) + '\n');
    if (process.env.GACD_DEBUG) process.stderr.write(`${(err as Error)?.stack}\n`);
    process.exit(1);
  },
);
