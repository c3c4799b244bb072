/**
 * A model's evaluation as a run and `gacd eval` do it: look the figures up in the evaluation cache
 * (the same weights, evaluation settings and test data were evaluated before: a fixed teacher is
 * evaluated once, not at every run), else evaluate, resuming from the blocks an interrupted
 * evaluation saved, with a progress event after each block; then the reliability flags, the
 * per-class table and the model card.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { EventBody, ModelResults } from '../../protocol/events';
import type { Split } from '../data/types';
import type { Model } from '../models/model';
import type { WorkerPool } from '../parallel/pool';
import { packWeights } from '../parallel/weights';
import { ENGINE_VERSION } from '../util/version';
import { writeFileAtomic } from './atomicWrite';
import { EvaluationConfig, EvaluationState, evaluateModel } from './evaluate';
import { evaluationFlags, modelFlags } from './reliability';

/** What data the model is evaluated on, as the cache key and the model card name it. */
export interface EvaluatedData {
  dataset: string;
  split: 'test';
  classes: number[] | null;
  resize: number | null;
  classNames: string[];
}

export interface ModelEvaluationOptions {
  model: Model;
  /** The model's name in the run (`student`, `teacher`, `baseline:ard`) and its training method. */
  label: string;
  method: string;
  split: Split;
  data: EvaluatedData;
  config: EvaluationConfig;
  pool: WorkerPool | null;
  emit: (e: EventBody) => void;
  /** Where an interrupted evaluation's blocks are saved (and resumed from); none: not resumable. */
  partialFile?: string;
  /** The evaluation cache's folder; none: no cache. */
  cacheDir?: string;
  /** Facts for the model card that only the caller knows. */
  card: { backend: string; teachers?: Array<{ role: string; arch: string; weightsSha256: string }>; checkpoint?: string };
}

/** A model card: what a reader needs to trust or reproduce the figures (JSON, one per model). */
export interface ModelCard {
  model: string;
  method: string;
  arch: string;
  parameters: number;
  weightsSha256: string;
  checkpoint?: string;
  teachers: Array<{ role: string; arch: string; weightsSha256: string }>;
  data: Omit<EvaluatedData, 'classNames'> & { examples: number };
  threat: { norm: 'Linf'; epsilon: number; inputRange: [0, 1] };
  results: Array<{ attack: string; accuracy: number; examples: number; settings: unknown }>;
  worstCase?: number;
  flags: string[];
  seeds: { evaluation: number };
  engine: { version: string; backend: string; tfjs: string };
  cached: boolean;
}

export interface ModelEvaluation {
  results: ModelResults;
  card: ModelCard;
}

export function weightsHash(model: Model): string {
  return sha256(Buffer.from(packWeights(model).buffer));
}

export async function evaluateAndReport(o: ModelEvaluationOptions): Promise<ModelEvaluation> {
  const weights = weightsHash(o.model);
  const key = cacheKey(weights, o);
  const cacheFile = o.cacheDir ? path.join(o.cacheDir, `${key}.json`) : null;
  const hit = cacheFile ? readJson<Omit<ModelResults, 'model' | 'method'>>(cacheFile) : null;
  let body: Omit<ModelResults, 'model' | 'method'>;
  if (hit) {
    body = { ...hit, cached: true };
  } else {
    const resume = o.partialFile ? readJson<EvaluationState & { key: string }>(o.partialFile) : null;
    const e = await evaluateModel(o.model, o.split, o.config, {
      correctness: o.pool?.correctnessFor(o.model),
      threads: o.pool?.size ?? 1,
      // A partial state of other weights or settings is not this evaluation's.
      resume: resume?.key === key ? resume : undefined,
      save: o.partialFile ? (state) => writeFileAtomic(o.partialFile!, JSON.stringify({ key, ...state })) : undefined,
      onProgress: (p) => o.emit({ type: 'evaluation-progress', model: o.label, ...p }),
    });
    const flags = [...modelFlags(o.model, o.split), ...evaluationFlags(o.config.attacks, e.results, e.reports, e.examples)];
    body = {
      arch: o.model.arch,
      results: e.results,
      accuracyVsEpsilon: e.accuracyVsEpsilon,
      worstClass: { className: o.data.classNames[e.worstClass.classIndex], accuracy: e.worstClass.accuracy },
      perClass: { classNames: o.data.classNames, counts: e.perClass.counts, rows: e.perClass.rows },
      flags,
      examples: e.examples,
    };
    if (cacheFile) {
      fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
      writeFileAtomic(cacheFile, JSON.stringify(body));
    }
    if (o.partialFile) fs.rmSync(o.partialFile, { force: true });
  }
  const results: ModelResults = { model: o.label, method: o.method, ...body };
  for (const f of results.flags ?? []) o.emit({ type: 'flag', model: o.label, ...f });
  return { results, card: modelCard(o, results, weights) };
}

function modelCard(o: ModelEvaluationOptions, r: ModelResults, weights: string): ModelCard {
  const { classNames: _names, ...data } = o.data;
  const settingsOf = new Map(o.config.attacks.map((a) => [a.label, a.settings]));
  return {
    model: o.label,
    method: o.method,
    arch: o.model.arch,
    parameters: o.model.params.count(),
    weightsSha256: weights,
    checkpoint: o.card.checkpoint,
    teachers: o.card.teachers ?? [],
    data: { ...data, examples: r.examples },
    threat: { norm: 'Linf', epsilon: o.config.epsilon, inputRange: [0, 1] },
    results: r.results.map((x) => ({ attack: x.attack, accuracy: x.accuracy, examples: r.examples, settings: settingsOf.get(x.attack) ?? null })),
    worstCase: r.results.find((x) => x.attack === 'worst-case')?.accuracy,
    flags: (r.flags ?? []).map((f) => f.code),
    seeds: { evaluation: o.config.seed },
    engine: { version: ENGINE_VERSION, backend: o.card.backend, tfjs: tf.version_core },
    cached: r.cached === true,
  };
}

/** The figures depend on the weights, the evaluation's settings, the data and the engine version. */
function cacheKey(weights: string, o: ModelEvaluationOptions): string {
  const data = sha256(Buffer.concat([Buffer.from(o.split.images.buffer, o.split.images.byteOffset, o.split.images.byteLength), Buffer.from(o.split.labels.buffer, o.split.labels.byteOffset, o.split.labels.byteLength)]));
  const { classNames: _names, ...where } = o.data;
  return sha256(Buffer.from(JSON.stringify({ weights, arch: o.model.arch, config: o.config, data, where, engine: ENGINE_VERSION })));
}

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A JSON file's content, or null when it is missing or torn (a killed writer). */
function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}
