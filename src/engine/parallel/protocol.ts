/** Messages between the engine's main thread and its worker threads. */
import type { ImageShape } from '../models/model';
import type { ServerEnd } from './syncChannel';
import type { TrainingSetup } from './trainingProtocol';

export interface ModelRef {
  arch: string;
  inputShape: ImageShape;
  numClasses: number;
}

export type ToWorker =
  | { type: 'init'; backend: string }
  | { type: 'set-model'; model: ModelRef; weights: Float32Array }
  | { type: 'training-session'; setup: TrainingSetup; end: ServerEnd }
  | {
      type: 'correctness';
      id: number;
      images: Float32Array;
      labels: Int32Array;
      shape: ImageShape;
      label: string;
      epsilon: number;
      batchSize: number;
      seed: number;
      /** Position of the first image in the whole split (for the per-batch seeds). */
      offset: number;
    };

export type FromWorker =
  | { type: 'ready'; backend: string }
  | { type: 'session-closed' }
  | { type: 'correctness'; id: number; correct: Uint8Array }
  | { type: 'error'; id?: number; message: string };
