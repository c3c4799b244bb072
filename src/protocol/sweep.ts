/**
 * The sweep folder, typed once for the engine (`gacd sweep` writes it) and the extension (which
 * reads it to show a sweep and its members):
 *
 *   <runs>/<experiment>/sweep-<id>/sweep.json          the manifest (sweepManifest below)
 *                                  members/m00.gacd    each member as an ordinary experiment file
 *                                  members/m00.state.json  what the member's task last reported (memberStateFile)
 *                                  logs/               each task's output (local or Slurm)
 *                                  slurm/submit-N.sh   each sbatch script, as submitted
 *                                  results.json        the aggregate over seeds (sweepResults)
 *
 * Each member runs into its own ordinary run folder (`<runs>/<experiment>/sweep-<id>-m00/`), so the
 * run explorer, the comparison and `gacd eval` read it like any run. sweep.json is written only by
 * the command that creates or resubmits the sweep; the tasks write only their own state files, so
 * no two processes ever write one file.
 */
import { z } from 'zod';

/** One swept setting: its dotted path and its values (`zip` paths advance together). */
export const sweepAxis = z.object({
  path: z.string(),
  values: z.array(z.unknown()),
  kind: z.enum(['grid', 'zip']),
});

export const sweepMember = z.object({
  index: z.number().int().nonnegative(),
  /** `m00`, `m01`, ...: the member's file, state file and run folder are named after it. */
  id: z.string(),
  /** The dotted path of each swept setting and this member's value of it. */
  overrides: z.record(z.string(), z.unknown()),
  /** The member's configuration: its overrides except the seed, as `path=value` words ('' for none). */
  configuration: z.string(),
  seed: z.number().int(),
  /** The member's experiment file (absolute). */
  file: z.string(),
  /** The run folder the member runs into (absolute); it exists once the member has started. */
  runDir: z.string(),
  /** The member's resolved spec, every default filled in (as spec.json will hold it). */
  settings: z.unknown(),
});

/** A teacher trained once for the whole sweep, as its own run, before the members. */
export const sharedTeacher = z.object({
  /** `adversarial` (teacher:) or `natural` (teachers.natural). */
  role: z.string(),
  file: z.string(),
  runDir: z.string(),
  /** The checkpoint folder the members load it from (exists once the teacher's run finished). */
  checkpoint: z.string(),
});

/** One sbatch call: its job id and the member indices (or teachers) its array covers. */
export const slurmSubmission = z.object({
  jobId: z.string(),
  /** Member indices, each its array task id; absent for the teachers' job. */
  members: z.array(z.number().int()).optional(),
  teachers: z.array(z.string()).optional(),
  script: z.string(),
  submittedAt: z.string(),
});

export const slurmResources = z.object({
  partition: z.string().nullable(),
  time: z.string().nullable(),
  cpus: z.number().int().nullable(),
  gpus: z.number().int().nullable(),
  memory: z.string().nullable(),
  account: z.string().nullable(),
  extra: z.array(z.string()),
});

export const sweepManifest = z.object({
  format: z.literal('gacd-sweep-1'),
  id: z.string(),
  experiment: z.string(),
  /** The experiment file the sweep was expanded from (absolute). */
  source: z.string(),
  created: z.string(),
  executor: z.enum(['local', 'slurm']),
  /** Members run at once (the local queue's width, or Slurm's `%` cap; null: no cap). */
  parallel: z.number().int().positive().nullable(),
  axes: z.array(sweepAxis),
  teachers: z.array(sharedTeacher),
  members: z.array(sweepMember),
  slurm: z.object({ resources: slurmResources, submissions: z.array(slurmSubmission) }).nullable(),
});

/** What a member's task wrote last: when it started and how it ended. */
export const memberStateFile = z.object({
  state: z.enum(['running', 'finished', 'failed', 'stopped']),
  pid: z.number().int(),
  host: z.string(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  exitCode: z.number().int().optional(),
  slurmJobId: z.string().optional(),
});

/** A member's state as `gacd sweep status` reports it (the run folder, its state file and Slurm combined). */
export const memberState = z.enum(['pending', 'running', 'finished', 'failed', 'cancelled', 'timeout', 'stopped']);

export const memberStatus = z.object({
  index: z.number().int(),
  id: z.string(),
  state: memberState,
  runDir: z.string(),
  /** The Slurm job of its latest submission, as `<array job>_<task>`. */
  slurmJob: z.string().optional(),
  /** The task's output, where there is one. */
  log: z.string().optional(),
  /** Why, for a failed member. */
  message: z.string().optional(),
});

/** One figure of one model aggregated over a configuration's seeds. */
export const aggregateFigure = z.object({
  model: z.string(),
  method: z.string(),
  /** An attack's label (`clean`, `pgd-20`), `pgd-20 @ 0.05` for the accuracy-against-epsilon curve, or `worst class`. */
  figure: z.string(),
  mean: z.number(),
  /** Sample standard deviation (n - 1); null for a single seed. */
  std: z.number().nullable(),
  n: z.number().int(),
});

export const aggregateConfiguration = z.object({
  configuration: z.string(),
  overrides: z.record(z.string(), z.unknown()),
  members: z.array(z.number().int()),
  /** The seeds of the members that finished, whose figures are aggregated. */
  seeds: z.array(z.number().int()),
  figures: z.array(aggregateFigure),
});

export const sweepResults = z.object({
  sweep: z.string(),
  experiment: z.string(),
  finished: z.number().int(),
  members: z.number().int(),
  configurations: z.array(aggregateConfiguration),
});

export type SweepAxis = z.infer<typeof sweepAxis>;
export type SweepMember = z.infer<typeof sweepMember>;
export type SharedTeacher = z.infer<typeof sharedTeacher>;
export type SlurmSubmission = z.infer<typeof slurmSubmission>;
export type SlurmResources = z.infer<typeof slurmResources>;
export type SweepManifest = z.infer<typeof sweepManifest>;
export type MemberStateFile = z.infer<typeof memberStateFile>;
export type MemberState = z.infer<typeof memberState>;
export type MemberStatus = z.infer<typeof memberStatus>;
export type AggregateFigure = z.infer<typeof aggregateFigure>;
export type AggregateConfiguration = z.infer<typeof aggregateConfiguration>;
export type SweepResults = z.infer<typeof sweepResults>;
