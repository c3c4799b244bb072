/**
 * A PyTorch state_dict to our model's weights and back, through an architecture's name map. An
 * import is strict, as PyTorch's `load_state_dict` is: every parameter of ours must find its key
 * with the shape it needs, and every key of the file must be used or known to be droppable; any
 * other case is an error naming the key and the shape expected, and what the file looks like.
 */
import { ParamSpec, ModelShape, TorchNames } from './torchNames';
import { fromTorch, toTorch, torchShapeOf } from './layouts';
import { formatShape, TensorTable } from './tensorTable';
import { guessArchitecture } from './architectures';

export interface ImportTarget {
  /** The file, named in errors. */
  file: string;
  /** The architecture as the user named it (`wrn-28-10`), named in errors. */
  label: string;
  names: TorchNames;
  /** Our parameters, in our model's order. */
  params: ParamSpec[];
  model: ModelShape;
}

/** Problems listed in full before "and N more". */
const LISTED = 6;

/** Our weights (our names and layouts) from the state_dict `table`. */
export function weightsFromTorch(table: TensorTable, target: ImportTarget): TensorTable {
  const { names, params, model } = target;
  const weights: TensorTable = new Map();
  const used = new Set<string>();
  const problems: string[] = [];
  const classifier = classifierKeys(target);
  for (const param of params) {
    const layout = names.layoutOf(param, model);
    const expected = torchShapeOf(layout, param.shape);
    const keys = names.keysOf(param.name);
    const key = keys.find((k) => table.has(k));
    if (!key) {
      problems.push(`missing ${keys[0]} ${formatShape(expected)}`);
      continue;
    }
    used.add(key);
    const t = table.get(key)!;
    if (formatShape(t.shape) !== formatShape(expected)) {
      const classes = classifier.includes(key) && t.shape[0] !== expected[0]
        ? ` (the file's classifier has ${t.shape[0]} classes, the dataset ${model.numClasses})`
        : '';
      problems.push(`${key} has shape ${formatShape(t.shape)}, expected ${formatShape(expected)}${classes}`);
      continue;
    }
    weights.set(param.name, { shape: param.shape, values: fromTorch(layout, param.shape, t.values) });
  }
  for (const [key, t] of table) {
    if (used.has(key) || names.ignores(key)) continue;
    const normalisation = /(^|\.)(mean|std|mu|sigma)$/.test(key) ? ' (an input normalisation? give it as --mean and --std)' : '';
    problems.push(`unexpected ${key} ${formatShape(t.shape)}${normalisation}`);
  }
  if (problems.length > 0) throw new Error(mismatch(table, target, problems));
  return weights;
}

/** The keys of the classifier (the last linear layer: our last two parameters), for a clearer message. */
function classifierKeys({ params, names }: ImportTarget): string[] {
  return params.slice(-2).flatMap((p) => names.keysOf(p.name));
}

function mismatch(table: TensorTable, target: ImportTarget, problems: string[]): string {
  const [h, w, c] = target.model.inputShape;
  const more = problems.length > LISTED ? `; and ${problems.length - LISTED} more` : '';
  const guess = guessArchitecture(new Map([...table].map(([k, t]) => [k, t.shape])));
  const fix =
    guess && guess !== target.label
      ? `the file looks like a ${guess}: use --arch ${guess}`
      : problems.some((p) => p.includes('classes'))
        ? 'choose the dataset the model was trained on (--dataset)'
        : 'check --arch and --dataset against the model that was saved';
  return (
    `${target.file}: does not fit a ${target.label} for ${h}x${w}x${c} inputs and ${target.model.numClasses} classes: ` +
    `${problems.slice(0, LISTED).join('; ')}${more}; fix: ${fix}`
  );
}

/** A PyTorch state_dict (keys, layouts, batch-norm counters) from our weights. */
export function weightsToTorch(weights: TensorTable, names: TorchNames, model: ModelShape): TensorTable {
  const table: TensorTable = new Map();
  for (const [name, t] of weights) {
    const layout = names.layoutOf({ name, shape: t.shape }, model);
    table.set(names.keysOf(name)[0], { shape: torchShapeOf(layout, t.shape), values: toTorch(layout, t.shape, t.values) });
  }
  for (const key of names.extraExportKeys([...weights.keys()].map((n) => names.keysOf(n)[0]))) {
    table.set(key, { shape: [], values: new Float32Array(1), dtype: 'int64' });
  }
  return table;
}
