/**
 * Choosing the TensorFlow.js backend: the best one that loads, or the one the user pinned.
 *
 * auto: `tensorflow` through @tensorflow/tfjs-node-gpu (CUDA), then through @tensorflow/tfjs-node
 * (both optional dependencies, usually absent), then `wasm` with GACD's kernels registered
 * (kernels/register.ts), then `cpu` (pure JavaScript, two orders of magnitude slower).
 * Every failure on the way is kept in `tried`, so the run-start event and the UI can say why a
 * faster backend was not used. Pinning a backend that does not load throws an Error that names
 * the backend, the reason and the fix.
 *
 * Packages are loaded with a runtime `require` so that the esbuild bundle, which keeps
 * `@tensorflow/*` external, finds them (and the .wasm files) in node_modules at run time.
 * selectBackend also registers tfjs-core's gradients (gradients.ts), which the core package's
 * main entry does not: call it before any tf.grad (the engine's run and tests do).
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureGradients } from './gradients';
import { registerWasmKernels } from './kernels/register';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;

export interface BackendInfo {
  name: BackendName;
  /** For people: "tfjs-node-gpu (CUDA)", "wasm (SIMD) with GACD kernels", "cpu (pure JS)". */
  detail: string;
  /** Backends tried before this one and why each failed, in order. */
  tried: Array<{ name: string; error: string }>;
}

export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

const req: NodeRequire =
  typeof require === 'function' ? require : createRequire(pathToFileURL(path.join(process.cwd(), 'index.js')).href);

interface Candidate {
  /** What `tried` calls it. */
  label: string;
  backend: BackendName;
  load: () => Promise<string>;
}

const TFJS_NODE_FIX =
  'run `npm install @tensorflow/tfjs-node` (CPU, libtensorflow) or `npm install @tensorflow/tfjs-node-gpu` ' +
  '(NVIDIA GPU with CUDA 11.2 and cuDNN 8.1), or choose the backend wasm';

const candidates: Record<string, Candidate> = {
  'tfjs-node-gpu': {
    label: '@tensorflow/tfjs-node-gpu',
    backend: 'tensorflow',
    load: () => loadTensorflow('@tensorflow/tfjs-node-gpu', 'tfjs-node-gpu (CUDA)'),
  },
  'tfjs-node': {
    label: '@tensorflow/tfjs-node',
    backend: 'tensorflow',
    load: () => loadTensorflow('@tensorflow/tfjs-node', 'tfjs-node (CPU, libtensorflow)'),
  },
  wasm: { label: 'wasm', backend: 'wasm', load: loadWasm },
  cpu: { label: 'cpu', backend: 'cpu', load: loadCpu },
};

const ORDER: Record<BackendPreference, string[]> = {
  auto: ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'],
  tensorflow: ['tfjs-node-gpu', 'tfjs-node'],
  wasm: ['wasm'],
  cpu: ['cpu'],
};

let current: BackendInfo | null = null;
let currentPreference: BackendPreference | null = null;
let pending: Promise<BackendInfo> | null = null;

/**
 * Makes the best backend that loads (or the pinned one) tfjs's active backend and returns what it
 * got. Idempotent: asking again for the same preference returns the same answer without reloading;
 * concurrent calls share one selection.
 */
export async function selectBackend(preferred: BackendPreference = 'auto'): Promise<BackendInfo> {
  if (!BACKEND_PREFERENCES.includes(preferred)) {
    throw new Error(`unknown backend '${String(preferred)}': choose one of ${BACKEND_PREFERENCES.join(', ')}`);
  }
  while (pending) await pending.catch(() => undefined);
  if (current && currentPreference === preferred && tf.getBackend() === current.name) return copy(current);
  pending = select(preferred);
  try {
    return copy(await pending);
  } finally {
    pending = null;
  }
}

/** The backend selectBackend chose, or null before it has (or when tfjs was switched behind it). */
export function currentBackend(): BackendInfo | null {
  if (!current) return null;
  const active = tf.engine().backendName;
  return active === current.name ? copy(current) : null;
}

async function select(preferred: BackendPreference): Promise<BackendInfo> {
  const tried: BackendInfo['tried'] = [];
  for (const key of ORDER[preferred]) {
    const c = candidates[key];
    let detail: string;
    try {
      detail = await c.load();
    } catch (e) {
      tried.push({ name: c.label, error: errorText(e) });
      continue;
    }
    // After the backend: @tensorflow/tfjs-node brings the union package, which registers them.
    await ensureGradients();
    current = { name: c.backend, detail, tried };
    currentPreference = preferred;
    return current;
  }
  const reasons = tried.map((t) => `${t.name}: ${t.error}`).join('; ');
  if (preferred === 'tensorflow') {
    throw new Error(`backend 'tensorflow' could not be loaded (${reasons}). Fix: ${TFJS_NODE_FIX}.`);
  }
  if (preferred === 'wasm') {
    throw new Error(
      `backend 'wasm' could not be loaded (${reasons}). Fix: run \`npm install @tensorflow/tfjs-backend-wasm@${tf.version_core}\` ` +
        '(its dist folder must hold tfjs-backend-wasm*.wasm), or choose the backend cpu.',
    );
  }
  if (preferred === 'cpu') {
    throw new Error(
      `backend 'cpu' could not be loaded (${reasons}). Fix: run \`npm install @tensorflow/tfjs-backend-cpu@${tf.version_core}\`.`,
    );
  }
  throw new Error(`no TensorFlow.js backend could be loaded (${reasons}). Fix: run \`npm install\` in the GACD Studio folder.`);
}

async function loadTensorflow(pkg: string, detail: string): Promise<string> {
  try {
    // The package registers the 'tensorflow' backend (and loads its native binding) on require.
    req(pkg);
  } catch (e) {
    const msg = errorText(e);
    if (isNotFound(e, pkg)) throw new Error(`not installed (${msg})`);
    if (/tfjs_binding\.node/.test(msg)) {
      throw new Error(`native binding missing (${msg}); run \`npm rebuild ${pkg}\` where the machine can download libtensorflow`);
    }
    throw new Error(`failed to load: ${msg}`);
  }
  if (tf.findBackendFactory('tensorflow') == null) {
    throw new Error(
      `${pkg} loaded but registered no 'tensorflow' backend in this @tensorflow/tfjs-core ${tf.version_core} ` +
        '(versions differ? install the same version as @tensorflow/tfjs-core)',
    );
  }
  await activate('tensorflow');
  return detail;
}

let wasmPathsSet = false;

async function loadWasm(): Promise<string> {
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasm = req('@tensorflow/tfjs-backend-wasm');
  } catch (e) {
    throw new Error(`failed to load @tensorflow/tfjs-backend-wasm: ${errorText(e)}`);
  }
  if (!wasmPathsSet && tf.findBackend('wasm') == null) {
    // Where the .wasm binaries are: the package's own dist folder (works when we are bundled).
    // Once only: after a failed start the wasm package refuses new paths.
    const dist = path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm'));
    wasm.setWasmPaths(dist + path.sep);
    wasmPathsSet = true;
  }
  registerWasmKernels();
  await activate('wasm');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  // Each wasm instance runs on one thread; how many worker threads a run uses is said beside it.
  return `wasm (${simd ? 'SIMD' : 'no SIMD'}) with GACD kernels`;
}

async function loadCpu(): Promise<string> {
  try {
    req('@tensorflow/tfjs-backend-cpu');
  } catch (e) {
    throw new Error(`failed to load @tensorflow/tfjs-backend-cpu: ${errorText(e)}`);
  }
  await activate('cpu');
  // The cpu backend prints an advert for tfjs-node on its first use; the run-start event already
  // says which backend runs and why (tried), so silence it.
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
  return 'cpu (pure JS)';
}

/** tf.setBackend, but an Error (with tfjs's or emscripten's reason where one was logged) instead of `false`. */
async function activate(name: string): Promise<void> {
  if (tf.findBackendFactory(name) == null) throw new Error(`no '${name}' backend is registered`);
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
  };
  let ok = false;
  let failure: unknown = null;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    failure = e;
  } finally {
    console.warn = warn;
  }
  if (failure || !ok || tf.getBackend() !== name) {
    const reason = failureReason(warnings) ?? (failure ? errorText(failure) : 'tf.setBackend returned false');
    throw new Error(`initialisation failed: ${reason}`);
  }
  for (const w of warnings) if (!isNodeAdvert(w)) warn(w);
}

/** The informative line of what tfjs and emscripten logged while a backend failed to start. */
function failureReason(warnings: string[]): string | null {
  const lines = warnings
    .flatMap((w) => w.split('\n'))
    .map((l) => l.replace(/ Build with -sASSERTIONS for more info\.?/, '').trim())
    .filter((l) => l && !/^Initialization of backend \S+ failed$/.test(l) && !/^at /.test(l));
  return lines.length ? lines[0].slice(0, 400) : null;
}

/** tfjs's "Hi, looks like you are running TensorFlow.js in Node.js" advert (we choose ourselves). */
function isNodeAdvert(text: string): boolean {
  return /looks like you are running TensorFlow\.js in Node\.js/.test(text);
}

function isNotFound(e: unknown, pkg: string): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code === 'MODULE_NOT_FOUND' && errorText(e).includes(pkg);
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message.split('\n')[0].trim();
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message).split('\n')[0];
  return String(e);
}

function copy(info: BackendInfo): BackendInfo {
  return { name: info.name, detail: info.detail, tried: info.tried.map((t) => ({ ...t })) };
}
