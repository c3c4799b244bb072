/**
 * Runs a resolved experiment in its run folder for `gacd run` and `gacd resume`: the events go to
 * the printer (or to stdout as JSON lines with --json), and the first SIGINT or SIGTERM asks the
 * engine to stop after a checkpoint, the second quits at once.
 */
import type { EngineEvent } from '../../protocol/events';
import type { ExperimentSpec } from '../experiment/schema';
import { runDirPaths } from '../run/runDir';
import { Printer } from './printer';
import { ProgressBar } from './progressBar';

export interface RunFlags {
  'runs-dir'?: string;
  /** The run folder's name, instead of a new one (gacd sweep names its members' folders). */
  'run-id'?: string;
  backend?: string;
  json?: boolean;
}

/** The exit code: 0 finished, 130 stopped by a signal, 1 failed. */
export async function executeRun(spec: ExperimentSpec, root: string, resumed: boolean, flags: RunFlags): Promise<number> {
  // TensorFlow.js loads only now: `check`, `--help` and the refusals before a run stay instant.
  const { runExperiment } = await import('../run/run');
  const printer = new Printer(process.stdout, process.stderr, new ProgressBar(process.stderr));
  let stopRequests = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    stopRequests++;
    if (stopRequests > 1) {
      printer.notice(`${signal} again: exiting now without a new checkpoint (the last one stays valid)`);
      process.exit(130);
    }
    printer.notice(`${signal}: stopping after this step and writing a checkpoint (send it again to quit at once)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const listener = flags.json ? (e: EngineEvent) => process.stdout.write(JSON.stringify(e) + '\n') : (e: EngineEvent) => printer.event(e);
  const { status } = await runExperiment({
    spec,
    baseDir: root,
    dir: runDirPaths(root),
    resumed,
    backend: flags.backend,
    listeners: [listener],
    shouldStop: () => stopRequests > 0,
  });
  return status === 'finished' ? 0 : status === 'stopped' ? 130 : 1;
}
