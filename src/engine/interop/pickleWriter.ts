/**
 * Writes the pickle (protocol 2, torch.save's default) of a PyTorch state_dict: an OrderedDict from
 * parameter names to float32 tensors, each rebuilt by `torch._utils._rebuild_tensor_v2` from a
 * storage that the pickle names by a persistent id (`('storage', torch.FloatStorage, key, 'cpu',
 * numel)`, or torch.LongStorage for an integer counter) and that the archive holds as `data/<key>`. These are exactly the globals that
 * `torch.load(..., weights_only=True)` accepts.
 */
import { contiguousStrides } from './tensorTable';

export interface PickledTensor {
  /** The state_dict's key, e.g. `layer1.0.conv1.weight`. */
  name: string;
  /** The archive record `data/<storageKey>` holding its values. */
  storageKey: string;
  shape: number[];
  /** torch's storage class: float32 weights, int64 counters. */
  storageType: 'FloatStorage' | 'LongStorage';
}

/** The pickle bytes of an OrderedDict of contiguous tensors. */
export function stateDictPickle(tensors: PickledTensor[]): Uint8Array {
  const out: number[] = [];
  const bytes = (...b: number[]) => out.push(...b);
  const text = (s: string) => out.push(...new TextEncoder().encode(s));
  const global = (module: string, name: string) => {
    bytes(0x63); // GLOBAL
    text(`${module}\n${name}\n`);
  };
  const str = (s: string) => {
    const encoded = new TextEncoder().encode(s);
    bytes(0x58, ...u32(encoded.length)); // BINUNICODE
    out.push(...encoded);
  };
  const int = (n: number) => {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new Error(`cannot pickle ${n} as a 32-bit integer`);
    if (n < 0x100) bytes(0x4b, n); // BININT1
    else if (n < 0x10000) bytes(0x4d, n & 0xff, n >> 8); // BININT2
    else bytes(0x4a, ...u32(n)); // BININT
  };
  const tuple = (items: number[]) => {
    if (items.length === 0) return bytes(0x29); // EMPTY_TUPLE
    bytes(0x28); // MARK
    items.forEach(int);
    bytes(0x74); // TUPLE
  };
  const emptyOrderedDict = () => {
    global('collections', 'OrderedDict');
    bytes(0x29, 0x52); // EMPTY_TUPLE, REDUCE
  };

  bytes(0x80, 2); // PROTO 2
  emptyOrderedDict();
  bytes(0x28); // MARK: the items, set all at once by SETITEMS
  for (const t of tensors) {
    str(t.name);
    global('torch._utils', '_rebuild_tensor_v2');
    bytes(0x28); // MARK: _rebuild_tensor_v2's arguments
    // The storage, by persistent id.
    bytes(0x28);
    str('storage');
    global('torch', t.storageType);
    str(t.storageKey);
    str('cpu');
    int(t.shape.reduce((a, b) => a * b, 1));
    bytes(0x74, 0x51); // TUPLE, BINPERSID
    int(0); // storage offset
    tuple(t.shape);
    tuple(contiguousStrides(t.shape));
    bytes(0x89); // requires_grad = False
    emptyOrderedDict(); // backward hooks
    bytes(0x74, 0x52); // TUPLE, REDUCE
  }
  bytes(0x75, 0x2e); // SETITEMS, STOP
  return Uint8Array.from(out);
}

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}
