/**
 * `gacd import FILE --arch NAME --dataset NAME --out DIR [--mean a,b,c --std a,b,c]`: a PyTorch
 * state_dict (torch.save zip or safetensors) as a checkpoint folder of ours, usable as
 * `teacher: {model: NAME, checkpoint: DIR}`. The file's pickle is read, never run.
 */
import * as path from 'node:path';
import { selectBackend } from '../backend/select';
import { findDataset } from '../data/catalog';
import { architectureOf } from '../interop/architectures';
import { importTorchWeights } from '../interop/importTorch';
import { InputNormalization } from '../models/model';
import { Printer } from './printer';

export interface ImportFlags {
  arch?: string;
  dataset?: string;
  out?: string;
  mean?: string;
  std?: string;
  json?: boolean;
}

export async function importCommand(file: string, flags: ImportFlags): Promise<number> {
  if (!flags.arch) throw new Error('gacd import needs --arch NAME (the architecture the file holds, e.g. wrn-34-10, preact-resnet18, resnet18)');
  if (!flags.dataset) throw new Error('gacd import needs --dataset NAME (it sets the input shape and the number of classes)');
  if (!flags.out) throw new Error('gacd import needs --out DIR (the checkpoint folder to write)');
  const { arch, options } = architectureOf(flags.arch);
  const info = findDataset(flags.dataset);
  if (!info) throw new Error(`unknown dataset '${flags.dataset}' (--dataset)`);
  const normalization = normalizationOf(flags, info.shape[2]);
  // Only variables are created (to learn the parameters' names and shapes): the cpu backend does.
  await selectBackend('cpu');
  const out = path.resolve(flags.out);
  importTorchWeights(file, out, { arch: flags.arch, inputShape: info.shape, numClasses: info.numClasses, normalization });
  const teacher = { model: arch, checkpoint: out, ...(options ? { options } : {}) };
  if (flags.json) process.stdout.write(JSON.stringify({ imported: path.resolve(file), out, arch, options, normalization }) + '\n');
  else {
    const printer = new Printer();
    printer.line(`imported ${path.resolve(file)} as a ${flags.arch} for ${flags.dataset} into ${out}`);
    printer.line(`use it as a teacher: teacher: {model: ${teacher.model}, checkpoint: ${out}}`);
    if (options) printer.line(`(a ${arch} with options ${JSON.stringify(options)}, recorded in the checkpoint)`);
  }
  return 0;
}

/** `--mean` and `--std` as one normalisation, or none; one without the other is an error. */
function normalizationOf(flags: ImportFlags, channels: number): InputNormalization | undefined {
  if (flags.mean === undefined && flags.std === undefined) return undefined;
  if (flags.mean === undefined || flags.std === undefined) throw new Error('give --mean and --std together (the input normalisation the model applies inside its forward pass)');
  const list = (text: string, flag: string) => {
    const values = text.split(',').map((v) => Number(v.trim()));
    if (values.length !== channels || !values.every(Number.isFinite)) {
      throw new Error(`--${flag} ${text}: give ${channels} numbers separated by commas, one per channel, such as 0.4914,0.4822,0.4465`);
    }
    return values;
  };
  return { mean: list(flags.mean, 'mean'), std: list(flags.std, 'std') };
}
