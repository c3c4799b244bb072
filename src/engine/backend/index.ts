/**
 * The backend layer: choosing the TensorFlow.js backend (select.ts), registering tfjs-core's
 * gradients (gradients.ts), and GACD's kernels for the wasm backend (kernels/).
 */
export { BACKEND_PREFERENCES, currentBackend, selectBackend } from './select';
export type { BackendInfo, BackendName, BackendPreference } from './select';
export { ensureGradients, gradientsRegistered } from './gradients';
export { registerWasmKernels, unregisterWasmKernels, wasmKernelsRegistered } from './kernels/register';
