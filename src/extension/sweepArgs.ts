/** The `gacd sweep` command line of Run Sweep and Submit Sweep to Slurm (pure: unit-tested in node). */

/** A settings reader: the `gacd.` configuration's `get`. */
export type SettingGetter = <T>(key: string, fallback: T) => T;

/** The arguments for a file, the executor, the `gacd.sweep.*` and `gacd.slurm.*` settings, and a runs folder. */
export function sweepArgs(cli: string, file: string, executor: 'local' | 'slurm', get: SettingGetter, runsDirectory?: string): string[] {
  const args = [cli, 'sweep', file, '--executor', executor, '--wait', '--yes'];
  const parallel = get<number>('sweep.parallel', 1);
  if (parallel > 0) args.push('--parallel', String(parallel));
  if (runsDirectory) args.push('--runs-dir', runsDirectory);
  if (executor === 'slurm') {
    for (const key of ['partition', 'time', 'memory', 'account'] as const) {
      const v = get<string>(`slurm.${key}`, '').trim();
      if (v) args.push(`--${key}`, v);
    }
    for (const key of ['cpus', 'gpus'] as const) {
      const v = get<number>(`slurm.${key}`, 0);
      if (v > 0) args.push(`--${key}`, String(v));
    }
  }
  return args;
}
