/**
 * Gradient registration. `@tensorflow/tfjs-core`'s main entry (the CommonJS bundle Node loads)
 * registers kernels' forward functions only: the gradients live in
 * `@tensorflow/tfjs-core/dist/register_all_gradients`, an ES module tree whose relative imports have
 * no file extensions (the union package `@tensorflow/tfjs` inlines them, we do not depend on it).
 * Without them `tf.grad` fails with "gradient function not found for Add".
 *
 * `ensureGradients()` registers them once:
 * 1. when something already registered them (`@tensorflow/tfjs` loaded, or an earlier call), nothing;
 * 2. a plain `require`, which works under tsx (tests, development) and in bundles that inline it;
 * 3. otherwise (our esbuild bundle keeps `@tensorflow/*` external, so plain Node loads the file and
 *    cannot resolve `./gradients/Abs_grad`), a module resolve hook that adds the missing `.js` or
 *    `/index.js` for files inside tfjs-core's `dist`, then a dynamic `import()`.
 * The gradient tree is a second copy of tfjs-core's ES modules; it shares the engine and the
 * kernel and gradient registries with the CommonJS copy through tfjs's global namespace.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import * as nodeModule from 'node:module';
import { pathToFileURL } from 'node:url';

const GRADIENTS_ENTRY = '@tensorflow/tfjs-core/dist/register_all_gradients';

// `require` exists in the CommonJS bundle and under tsx; createRequire covers plain ES modules.
const req: NodeRequire =
  typeof require === 'function' ? require : createRequire(pathToFileURL(process.cwd() + '/index.js').href);

let done: Promise<void> | null = null;

/** True when tfjs knows the gradients a training step needs. */
export function gradientsRegistered(): boolean {
  return ['Add', 'Conv2D', 'BatchMatMul', 'Relu', 'MaxPool'].every((k) => tf.getGradient(k) != null);
}

/** Registers tfjs-core's gradients once; safe to call any number of times. */
export function ensureGradients(): Promise<void> {
  if (gradientsRegistered()) return Promise.resolve();
  if (!done) {
    done = load().catch((e) => {
      done = null;
      throw e;
    });
  }
  return done;
}

async function load(): Promise<void> {
  let firstError: unknown;
  try {
    req(GRADIENTS_ENTRY);
  } catch (e) {
    firstError = e;
  }
  if (gradientsRegistered()) return;
  try {
    installResolveHook();
    const file = req.resolve(GRADIENTS_ENTRY + '.js');
    // A query gives a fresh module record in case the failed require left one behind.
    await import(pathToFileURL(file).href + '?gacd-gradients');
  } catch (e) {
    throw new Error(
      `could not register TensorFlow.js gradients (${GRADIENTS_ENTRY}): ${errorText(e)}` +
        (firstError ? `; require said: ${errorText(firstError)}` : ''),
    );
  }
  if (!gradientsRegistered()) {
    throw new Error(`loading ${GRADIENTS_ENTRY} did not register the gradients (a second tfjs-core version?)`);
  }
}

let hookInstalled = false;

function installResolveHook(): void {
  if (hookInstalled) return;
  const register = (nodeModule as unknown as { register?: (url: string) => void }).register;
  if (typeof register !== 'function') throw new Error('node:module register() is unavailable (Node >= 20.6 needed)');
  const hooks = `
const inTfjsCore = (url) => typeof url === 'string' && /\\/@tensorflow\\/tfjs-core\\/dist\\//.test(url);
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    const code = e && e.code;
    if ((code !== 'ERR_MODULE_NOT_FOUND' && code !== 'ERR_UNSUPPORTED_DIR_IMPORT') ||
        !/^\\.\\.?\\//.test(specifier) || !inTfjsCore(context.parentURL)) throw e;
    try { return await next(specifier + '.js', context); }
    catch { return next(specifier + '/index.js', context); }
  }
}`;
  register('data:text/javascript,' + encodeURIComponent(hooks));
  hookInstalled = true;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}
