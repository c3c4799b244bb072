/**
 * A restricted unpickler: reads Python pickle bytes (protocols 2 to 5) into plain values without
 * executing anything.
 *
 * A pickle is a small stack program, and Python's own unpickler runs whatever callable it names
 * (`os.system` included), which is why loading an untrusted `.pt` file with `pickle` is remote code
 * execution. This one knows only the opcodes that build data (numbers, strings, tuples, lists,
 * dicts, memo references) and the few that call something, and for those it accepts only the
 * globals its caller lists, each bound to a TypeScript function that builds a plain value from the
 * arguments. Any other global is refused when its name is read, before anything else happens, and
 * the error names it. Opcodes that create arbitrary objects (INST, OBJ, NEWOBJ, EXT*) are refused.
 */

/** A value built by the pickle: Python's None, bool, int, float, str, bytes, tuple, list, dict, or what a global built. */
export type PyValue = unknown;

/** What an accepted global stands for: a value, or a callable that builds one (REDUCE). */
export interface GlobalBinding {
  /** Called by REDUCE with the argument tuple; absent for a global that is only passed around (a storage type). */
  call?: (args: PyValue[]) => PyValue;
  /** What the global itself is on the stack when it is not called (for example a dtype marker). */
  value?: PyValue;
}

export interface UnpickleOptions {
  /** Named in every error. */
  file: string;
  /** Accepted globals, by `module.name` (e.g. `collections.OrderedDict`). */
  globals: Record<string, GlobalBinding>;
  /** Resolves a persistent id (BINPERSID): how torch refers to the tensors' storages. */
  persistentLoad?: (pid: PyValue) => PyValue;
}

/** A global accepted by the caller, as it sits on the stack. */
export class PyGlobal {
  constructor(readonly qualifiedName: string, readonly binding: GlobalBinding) {}
}

/** A refused or malformed pickle. */
export class PickleError extends Error {}

const MARK = Symbol('mark');

/** Decodes `bytes` under `options`; the result of the pickle's STOP. */
export function unpickle(bytes: Uint8Array, options: UnpickleOptions): PyValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: PyValue[] = [];
  const memo = new Map<number, PyValue>();
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const latin1 = new TextDecoder('latin1');
  let at = 0;

  const fail = (what: string) => new PickleError(`${options.file}: ${what} (at byte ${at} of the pickle); nothing from the file was run`);
  const need = (n: number) => {
    if (at + n > bytes.length) throw fail('the pickle ends early, the file is truncated or corrupt');
  };
  const u8 = () => (need(1), bytes[at++]);
  const u16 = () => (need(2), (at += 2), view.getUint16(at - 2, true));
  const i32 = () => (need(4), (at += 4), view.getInt32(at - 4, true));
  const u32 = () => (need(4), (at += 4), view.getUint32(at - 4, true));
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(at, true);
    at += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw fail('a length field is impossibly large');
    return Number(v);
  };
  const take = (n: number) => (need(n), (at += n), bytes.subarray(at - n, at));
  const line = () => {
    const end = bytes.indexOf(0x0a, at);
    if (end < 0) throw fail('the pickle ends inside a text line');
    const text = latin1.decode(bytes.subarray(at, end));
    at = end + 1;
    return text;
  };
  const pop = () => {
    if (stack.length === 0) throw fail('the pickle pops an empty stack');
    const v = stack.pop();
    if (v === MARK) throw fail('the pickle pops a mark as a value');
    return v;
  };
  const top = () => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) throw fail('the pickle reads an empty stack');
    return stack[stack.length - 1];
  };
  const popToMark = () => {
    const mark = stack.lastIndexOf(MARK);
    if (mark < 0) throw fail('the pickle has no mark to pop to');
    const items = stack.splice(mark + 1);
    stack.pop();
    return items;
  };
  const signedLong = (raw: Uint8Array): number | bigint => {
    let v = 0n;
    for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]);
    if (raw.length > 0 && raw[raw.length - 1] & 0x80) v -= 1n << BigInt(8 * raw.length);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const global = (module: string, name: string) => {
    const qualified = `${module}.${name}`;
    const binding = Object.prototype.hasOwnProperty.call(options.globals, qualified) ? options.globals[qualified] : undefined;
    if (!binding) {
      throw new PickleError(
        `${options.file}: refused: the pickle asks for the Python global '${qualified}', which a state_dict never needs ` +
          `(accepted: ${Object.keys(options.globals).join(', ')}); nothing from the file was run. ` +
          `If you trust the file, load it in Python and save model.state_dict() alone with torch.save`,
      );
    }
    return new PyGlobal(qualified, binding);
  };
  const setItems = (dict: PyValue, items: PyValue[]) => {
    if (!(dict instanceof Map)) throw fail('SETITEM(S) on something that is not a dict');
    if (items.length % 2 !== 0) throw fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) dict.set(items[i], items[i + 1]);
  };
  const append = (list: PyValue, items: PyValue[]) => {
    if (!Array.isArray(list)) throw fail('APPEND(S) on something that is not a list');
    list.push(...items);
  };
  const string = (raw: Uint8Array) => {
    try {
      return utf8.decode(raw);
    } catch {
      throw fail('a string is not valid UTF-8');
    }
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME: a hint for buffered readers
      case 0x2e: { // STOP
        const result = pop();
        return result;
      }
      case 0x28: stack.push(MARK); break; // MARK
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x8f: stack.push(new Set()); break; // EMPTY_SET
      case 0x74: stack.push(popToMark()); break; // TUPLE
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); stack.push([pop(), b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); stack.push([pop(), b, c]); break; } // TUPLE3
      case 0x6c: stack.push(popToMark()); break; // LIST
      case 0x64: { const d = new Map(); setItems(d, popToMark()); stack.push(d); break; } // DICT
      case 0x61: { const v = pop(); append(top(), [v]); break; } // APPEND
      case 0x65: { const items = popToMark(); append(top(), items); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popToMark(); setItems(top(), items); break; } // SETITEMS
      case 0x90: { const items = popToMark(); const s = top(); if (!(s instanceof Set)) throw fail('ADDITEMS on something that is not a set'); items.forEach((i) => s.add(i)); break; }
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: stack.push(signedLong(take(u8()))); break; // LONG1
      case 0x8b: stack.push(signedLong(take(u32()))); break; // LONG4
      case 0x47: need(8); stack.push(view.getFloat64(at, false)); at += 8; break; // BINFLOAT (big-endian)
      case 0x58: stack.push(string(take(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(string(take(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(string(take(u64()))); break; // BINUNICODE8
      case 0x54: stack.push(latin1.decode(take(u32()))); break; // BINSTRING (Python 2 str)
      case 0x55: stack.push(latin1.decode(take(u8()))); break; // SHORT_BINSTRING
      case 0x42: stack.push(take(u32()).slice()); break; // BINBYTES
      case 0x43: stack.push(take(u8()).slice()); break; // SHORT_BINBYTES
      case 0x8e: stack.push(take(u64()).slice()); break; // BINBYTES8
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const key = op === 0x68 ? u8() : u32();
        if (!memo.has(key)) throw fail(`the pickle reads memo entry ${key}, which it never stored`);
        stack.push(memo.get(key));
        break;
      }
      case 0x30: pop(); break; // POP
      case 0x31: popToMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x63: { const module = line(); stack.push(global(module, line())); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw fail('STACK_GLOBAL without a module and a name');
        stack.push(global(module, name));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const callable = pop();
        if (!(callable instanceof PyGlobal) || !callable.binding.call) throw fail('the pickle calls something that is not an accepted callable');
        if (!Array.isArray(args)) throw fail(`the pickle calls ${callable.qualifiedName} without an argument tuple`);
        stack.push(callable.binding.call(args));
        break;
      }
      case 0x62: { // BUILD: the only state a state_dict carries is an OrderedDict's `_metadata`, kept as is.
        const state = pop();
        const target = top();
        if (!(target instanceof Map)) throw fail('BUILD on something other than a dict');
        (target as Map<PyValue, PyValue> & { state?: PyValue }).state = state;
        break;
      }
      case 0x51: { // BINPERSID
        if (!options.persistentLoad) throw fail('the pickle refers to outside data (a persistent id), which is not expected here');
        stack.push(options.persistentLoad(pop()));
        break;
      }
      default:
        throw fail(`refused: pickle opcode 0x${op.toString(16).padStart(2, '0')} (${OPCODE_NAMES[op] ?? 'unknown'}) is not one a state_dict needs`);
    }
  }
}

/** Names of the opcodes refused above, for the error message. */
const OPCODE_NAMES: Record<number, string> = {
  0x69: 'INST', 0x6f: 'OBJ', 0x81: 'NEWOBJ', 0x92: 'NEWOBJ_EX', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4',
  0x50: 'PERSID', 0x49: 'INT', 0x4c: 'LONG', 0x46: 'FLOAT', 0x53: 'STRING', 0x56: 'UNICODE', 0x70: 'PUT', 0x67: 'GET',
  0x91: 'FROZENSET', 0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};
