/**
 * An evaluation of one saved checkpoint (the Evaluate Checkpoint command, `gacd eval` on a folder of
 * the run's `checkpoints/`), kept in the run folder so that it outlives the notification:
 *   <run>/evaluation/checkpoints/<checkpoint folder>.json       this record
 *   <run>/evaluation/checkpoints/<checkpoint folder>.card.json  the model card `gacd eval --card` writes
 * Evaluating the same checkpoint again replaces its record. The dashboard and the comparison read
 * these records through the run's view model (`checkpointEvaluations`).
 */
import { z } from 'zod';
import { modelResults } from './events';

/** The folder, inside a run folder, that holds the checkpoints' evaluations. */
export const CHECKPOINT_EVALUATIONS_DIR = ['evaluation', 'checkpoints'] as const;

export const checkpointEvaluation = z.object({
  /** The checkpoint folder's name in the run's `checkpoints/`, e.g. `student-e3-s0` or `student-best`. */
  checkpoint: z.string().regex(/^[A-Za-z0-9_-]+$/),
  /** Which model of the run the checkpoint holds (`student`, `baseline:natural`). */
  model: z.string(),
  /** Epochs done, and steps into the next epoch, when the checkpoint was written. */
  epoch: z.number().int().nonnegative(),
  step: z.number().int().nonnegative(),
  /** The L-inf radius the attacks used. */
  epsilon: z.number(),
  /** The evaluation entries as they were asked for (labels or YAML flow sections). */
  attacks: z.array(z.string()),
  /** When the evaluation finished (ISO 8601). */
  evaluatedAt: z.string(),
  backend: z.string(),
  /** The figures, as the end of a run reports a model's (`results[].attack` is each row's label). */
  results: modelResults,
});
export type CheckpointEvaluation = z.infer<typeof checkpointEvaluation>;
