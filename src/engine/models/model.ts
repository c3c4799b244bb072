/**
 * What every architecture offers the rest of the engine: its parameters, its logits and named
 * feature taps. Methods (GACD, CRD, ...) pick a tap by name instead of knowing the architecture.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Params } from './params';

export type ImageShape = [height: number, width: number, channels: number];

export interface ForwardMode {
  /** Training mode: batch-norm uses batch statistics and updates its running averages. */
  training: boolean;
}

export interface ModelOutput {
  logits: tf.Tensor2D;
  /** Named intermediate activations; always includes `penultimate` (pooled, rank 2). */
  features: Record<string, tf.Tensor>;
}

export interface Model {
  readonly arch: string;
  readonly inputShape: ImageShape;
  readonly numClasses: number;
  readonly params: Params;
  /** The names `apply` puts in `features`, shallow to deep; the last is `penultimate`. */
  readonly taps: readonly string[];
  apply(x: tf.Tensor4D, mode: ForwardMode): ModelOutput;
  /** The options and input normalisation it was built with, so another thread can build its twin. */
  readonly built?: Pick<ModelConfig, 'options' | 'normalization'>;
}

export interface ModelConfig {
  inputShape: ImageShape;
  numClasses: number;
  /** Seed for the initial weights. */
  seed: number;
  /** Width multiplier or other architecture options, as the architecture defines them. */
  options?: Record<string, unknown>;
  /**
   * Per-channel `(x - mean) / std` applied to the input inside the network, as some PyTorch
   * models (RobustBench's zoo among them) do; absent, the network sees the [0, 1] pixels.
   */
  normalization?: InputNormalization;
}

/** One mean and one standard deviation per input channel. */
export interface InputNormalization {
  mean: number[];
  std: number[];
}

export type ModelFactory = (config: ModelConfig) => Model;
