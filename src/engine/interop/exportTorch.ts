/**
 * `gacd export`'s work: a model's weights (our names and layouts, as a checkpoint holds them) to a
 * PyTorch state_dict file that the module of python/gacd_models.py loads with
 * `load_state_dict(torch.load(file, weights_only=True))`, or to safetensors.
 */
import { ImageShape, InputNormalization } from '../models/model';
import { architectureOf } from './architectures';
import { weightsToTorch } from './convert';
import { WeightsFormat, writeStateDict } from './stateDictFile';
import { TensorTable } from './tensorTable';

export interface ExportSource {
  /** The checkpoint's architecture (a catalog name). */
  arch: string;
  inputShape: ImageShape;
  numClasses: number;
  /** The model's weights by our names (run/checkpoint.ts's `model` group). */
  weights: TensorTable;
  normalization?: InputNormalization;
}

/** Writes `source` to `file` in `format`; returns the state_dict's keys in the order written. */
export function exportTorchWeights(source: ExportSource, file: string, format: WeightsFormat): string[] {
  const { names } = architectureOf(source.arch);
  const table = weightsToTorch(source.weights, names, { inputShape: source.inputShape, numClasses: source.numClasses });
  // safetensors can carry the settings the weights need; a .pt state_dict holds tensors only.
  const metadata: Record<string, string> = { format: 'pt', gacd_arch: source.arch };
  if (source.normalization) metadata.gacd_normalization = JSON.stringify(source.normalization);
  writeStateDict(file, table, format, metadata);
  return [...table.keys()];
}
