/**
 * Hand-assembled WebAssembly SIMD kernels that work on the wasm backend's own heap.
 *
 * Some kernels are pure data movement where JavaScript is several times slower than 128-bit SIMD
 * (the gradient of 2x2 max pooling of a [128, 28, 28, 32] input: 12.8 ms in JavaScript, 1.2 ms here).
 * tfjs-backend-wasm exports its WebAssembly.Memory, so a second, tiny module that imports that
 * memory reads and writes tensors in place through their heap offsets, with no copy. There is no
 * WebAssembly toolchain among our dependencies, so the module is assembled here from a few
 * opcodes; the function bodies read as their stack-machine instructions.
 *
 * Where the module cannot be made (no SIMD, a shared-memory build of the backend, a memory that
 * is not exported), `simdKernels` returns null and the caller keeps its JavaScript path.
 */
import type { TensorInfo, WasmBackend } from './util';

// ---- encoding ----

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => [...uleb(s.length), ...[...s].map((ch) => ch.charCodeAt(0))];

const I32 = 0x7f;
const V128 = 0x7b;

/** The instructions the kernels use (core and SIMD opcodes of the WebAssembly 2.0 spec). */
const op = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  add: [0x6a],
  mul: [0x6c],
  geU: [0x4f],
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  /** v128.load / v128.store with alignment hint 1 byte and offset 0. */
  load: [0xfd, ...uleb(0x00), 0x00, 0x00],
  store: [0xfd, ...uleb(0x0b), 0x00, 0x00],
  /** v128.const of four float32 values. */
  f32x4: (v: number) => [0xfd, ...uleb(0x0c), ...[...new Uint8Array(new Float32Array([v, v, v, v]).buffer)]],
  gt: [0xfd, ...uleb(0x44)], // f32x4.gt
  lt: [0xfd, ...uleb(0x43)], // f32x4.lt
  sub: [0xfd, ...uleb(0xe5)], // f32x4.sub
  min: [0xfd, ...uleb(0xe8)], // f32x4.min: NaN if either is NaN, min(-0, +0) = -0 (as Math.min)
  max: [0xfd, ...uleb(0xe9)], // f32x4.max: NaN if either is NaN, max(-0, +0) = +0 (as Math.max)
  and: [0xfd, ...uleb(0x4e)], // v128.and
  andNot: [0xfd, ...uleb(0x4f)], // v128.andnot: a & ~b
  bitselect: [0xfd, ...uleb(0x52)], // v128.bitselect(a, b, mask): (a & mask) | (b & ~mask)
};

interface FunctionDef {
  name: string;
  params: number; // all i32
  locals: Array<[count: number, type: number]>;
  body: number[][];
}

/** A module that imports `env.memory` (no maximum, not shared) and exports `functions`. */
function assemble(functions: FunctionDef[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vec(new Array(f.params).fill([I32])), 0x00]);
  const imports = [[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(0)]];
  const exports = functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]);
  const codes = functions.map((f) => {
    const body = [...vec(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.body.flat(), ...op.end];
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(exports)),
    ...section(10, vec(codes)),
  ]);
}

// ---- kernels ----

/**
 * maxPoolGrad2x2(x, dy, dx, rows, wo, c): the gradient of 2x2 max pooling with stride 2 and no
 * padding over NHWC float32 tensors at byte offsets x, dy, dx; rows = batch * outHeight, wo =
 * outWidth, c = channels (a multiple of 4). Four channels at a time it runs the cpu backend's
 * scan exactly: best = -Infinity, then for the window's positions in row-major order
 * `if (v > best) best = v` (f32x4.gt, false for NaN); the last position that raised `best` gets
 * dy, the three others +0. A window of only NaN and -Infinity passes nothing.
 */
function maxPoolGrad2x2(): FunctionDef {
  // Params: 0 x, 1 dy, 2 dx, 3 rows, 4 wo, 5 c. i32 locals: 6 cB (c * 4), 7 rowB (input row,
  // bytes), 8 r, 9 j, 10 k, 11 a (x address of the window's channel block), 12 d (dx address),
  // 13 offset of dx from x. v128 locals: 14 best, 15 m0, 16 m1, 17 m2, 18 m3, 19 g.
  const [X, DY, DX, ROWS, WO, C, CB, ROWB, R, J, K, A, D, DXOFF] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const [BEST, M0, M1, M2, M3, G] = [14, 15, 16, 17, 18, 19];
  const raise = (v: number[], m: number) => [
    // m = v > best; best = m ? v : best
    ...v, op.get(BEST), op.gt, op.tee(m),
    ...v, op.get(BEST), op.get(m), op.bitselect, op.set(BEST),
  ].flat();
  const at = (extra: number[]) => [op.get(A), ...extra, op.add].flat();
  const loadX = (extra: number[]) => [...at(extra), op.load].flat();
  const storeDx = (extra: number[], mask: number[]) =>
    [op.get(D), ...extra, op.add, op.get(G), ...mask, op.and, op.store].flat();
  const right = [op.get(CB)].flat();
  const below = [op.get(ROWB)].flat();
  const belowRight = [op.get(ROWB), op.get(CB), op.add].flat();
  return {
    name: 'maxPoolGrad2x2',
    params: 6,
    locals: [
      [8, I32],
      [6, V128],
    ],
    body: [
      op.get(C), op.i32(4), op.mul, op.set(CB),
      op.get(CB), op.get(WO), op.mul, op.i32(2), op.mul, op.set(ROWB),
      op.get(DX), op.get(X), op.i32(-1), op.mul, op.add, op.set(DXOFF),
      op.i32(0), op.set(R),
      op.block, op.loop, // rows
      op.get(R), op.get(ROWS), op.geU, op.brIf(1),
      op.i32(0), op.set(J),
      op.block, op.loop, // windows of the row
      op.get(J), op.get(WO), op.geU, op.brIf(1),
      op.i32(0), op.set(K),
      op.block, op.loop, // channel blocks of the window
      op.get(K), op.get(CB), op.geU, op.brIf(1),
      op.get(X), op.get(K), op.add, op.set(A),
      op.get(A), op.get(DXOFF), op.add, op.set(D),
      op.get(DY), op.get(K), op.add, op.load, op.set(G),
      op.f32x4(-Infinity), op.set(BEST),
      raise(loadX([op.i32(0)].flat()), M0),
      raise(loadX(right), M1),
      raise(loadX(below), M2),
      // m3 = v3 > best (best itself is not needed after it)
      loadX(belowRight), op.get(BEST), op.gt, op.set(M3),
      // Winners: the last position whose comparison raised `best`.
      storeDx([op.i32(0)].flat(), [op.get(M0), op.get(M1), op.andNot, op.get(M2), op.andNot, op.get(M3), op.andNot].flat()),
      storeDx(right, [op.get(M1), op.get(M2), op.andNot, op.get(M3), op.andNot].flat()),
      storeDx(below, [op.get(M2), op.get(M3), op.andNot].flat()),
      storeDx(belowRight, op.get(M3)),
      op.get(K), op.i32(16), op.add, op.set(K),
      op.br(0),
      op.end, op.end,
      // Next window: two pixels right in x and dx, one in dy.
      op.get(X), op.get(CB), op.i32(2), op.mul, op.add, op.set(X),
      op.get(DY), op.get(CB), op.add, op.set(DY),
      op.get(J), op.i32(1), op.add, op.set(J),
      op.br(0),
      op.end, op.end,
      // Next row of windows: the row of x just read was the window's top; skip its bottom.
      op.get(X), op.get(ROWB), op.add, op.set(X),
      op.get(R), op.i32(1), op.add, op.set(R),
      op.br(0),
      op.end, op.end,
    ],
  };
}

/**
 * A loop over `bytes` bytes (a multiple of 16) of float32 vectors: out = f(a[, b]). `f` gets the
 * index of a v128 local and returns the instructions that turn the loaded vector(s) on the stack
 * into the result (the local is free for it to use).
 */
function elementwise(fname: string, binary: boolean, f: (v: number) => number[][]): FunctionDef {
  // Params: a, b (binary only), out, bytes. Locals: i, then one v128.
  const [A, B] = [0, 1];
  const OUT = binary ? 2 : 1;
  const BYTES = OUT + 1;
  const I = BYTES + 1;
  const V = I + 1;
  const load = (p: number) => [op.get(p), op.get(I), op.add, op.load].flat();
  return {
    name: fname,
    params: binary ? 4 : 3,
    locals: [
      [1, I32],
      [1, V128],
    ],
    body: [
      op.i32(0), op.set(I),
      op.block, op.loop,
      op.get(I), op.get(BYTES), op.geU, op.brIf(1),
      op.get(OUT), op.get(I), op.add,
      load(A), ...(binary ? [load(B)] : []), ...f(V),
      op.store,
      op.get(I), op.i32(16), op.add, op.set(I),
      op.br(0),
      op.end, op.end,
    ],
  };
}

const FUNCTIONS = (): FunctionDef[] => [
  maxPoolGrad2x2(),
  elementwise('maximum', true, () => [op.max]),
  elementwise('minimum', true, () => [op.min]),
  // sign(v) = (v > 0 ? 1 : +0) - (v < 0 ? 1 : +0): -1, +0 or 1; NaN and -0 give +0 (as the cpu backend).
  elementwise('sign', false, (v) => [
    op.tee(v), op.f32x4(0), op.gt, op.f32x4(1), op.and,
    op.get(v), op.f32x4(0), op.lt, op.f32x4(1), op.and,
    op.sub,
  ]),
];

export interface SimdKernels {
  /** See maxPoolGrad2x2 above; `c` must be a multiple of 4. */
  maxPoolGrad2x2(x: TensorInfo, dy: TensorInfo, dx: TensorInfo, rows: number, wo: number, c: number): void;
  /** out = max(a, b), min(a, b) or sign(a) over the first `count` floats (a multiple of 4). */
  maximum(a: TensorInfo, b: TensorInfo, out: TensorInfo, count: number): void;
  minimum(a: TensorInfo, b: TensorInfo, out: TensorInfo, count: number): void;
  sign(a: TensorInfo, out: TensorInfo, count: number): void;
}

/** The parts of the WebAssembly JS API used here (our TypeScript lib has no DOM types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: abstract new (...args: never[]) => object;
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;
const instances = new WeakMap<WasmBackend, SimdKernels | null>();

/** The SIMD kernels bound to `backend`'s heap, or null where they cannot run. */
export function simdKernels(backend: WasmBackend): SimdKernels | null {
  if (instances.has(backend)) return instances.get(backend)!;
  let kernels: SimdKernels | null = null;
  try {
    if (compiled === undefined) {
      const bytes = assemble(FUNCTIONS());
      compiled = wasmApi && wasmApi.validate(bytes) ? new wasmApi.Module(bytes) : null;
    }
    const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
    if (wasmApi && compiled && memory instanceof wasmApi.Memory) {
      type Fn = (...args: number[]) => void;
      const exports = new wasmApi.Instance(compiled, { env: { memory } }).exports as Record<string, Fn>;
      const offset = (t: TensorInfo) => backend.dataIdMap.get(t.dataId)!.memoryOffset;
      kernels = {
        maxPoolGrad2x2: (x, dy, dx, rows, wo, c) => exports.maxPoolGrad2x2(offset(x), offset(dy), offset(dx), rows, wo, c),
        maximum: (a, b, out, count) => exports.maximum(offset(a), offset(b), offset(out), count * 4),
        minimum: (a, b, out, count) => exports.minimum(offset(a), offset(b), offset(out), count * 4),
        sign: (a, out, count) => exports.sign(offset(a), offset(out), count * 4),
      };
    }
  } catch {
    kernels = null; // a shared-memory build, or an engine without SIMD: the JavaScript paths
  }
  instances.set(backend, kernels);
  return kernels;
}

/** The module's bytes (tests check that it validates). */
export const simdModuleBytes = (): Uint8Array => assemble(FUNCTIONS());
