/**
 * Installing a native TensorFlow.js backend into the extension's storage (not into the
 * extension's folder, which an update replaces): `npm install --prefix <storage>/backends PKG`.
 * Both packages download libtensorflow from the internet in their install step, so on a machine
 * without it the install fails; the message then says so plainly. No `vscode` import.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

export const BACKEND_PACKAGES = {
  'tfjs-node-gpu': { pkg: '@tensorflow/tfjs-node-gpu', label: 'GPU (CUDA): @tensorflow/tfjs-node-gpu', detail: 'Linux with an NVIDIA GPU, CUDA 11.2 and cuDNN 8.1' },
  'tfjs-node': { pkg: '@tensorflow/tfjs-node', label: 'CPU (native): @tensorflow/tfjs-node', detail: 'libtensorflow on the CPU, several times faster than wasm' },
} as const;
export type BackendPackage = keyof typeof BACKEND_PACKAGES;

/** The engine's TensorFlow.js version: a backend must match it. */
export const TFJS_VERSION = '4.22.0';

export interface InstallResult {
  ok: boolean;
  message: string;
  output: string;
}

export function installBackend(which: BackendPackage, dir: string, o: { npm?: string; onOutput?: (line: string) => void; env?: NodeJS.ProcessEnv } = {}): Promise<InstallResult> {
  const { pkg } = BACKEND_PACKAGES[which];
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(`${dir}/package.json`)) fs.writeFileSync(`${dir}/package.json`, '{"name":"gacd-backends","private":true}\n');
  const npm = o.npm ?? (process.platform === 'win32' ? 'npm.cmd' : 'npm');
  const args = ['install', '--prefix', dir, '--no-audit', '--no-fund', `${pkg}@${TFJS_VERSION}`];
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(npm, args, { cwd: dir, env: { ...process.env, ...o.env }, shell: process.platform === 'win32' });
    const take = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split('\n')) if (line.trim()) o.onOutput?.(line);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (err) =>
      resolve({ ok: false, output, message: `Could not run npm (${err.message}). Installing ${pkg} needs npm on the PATH and internet access.` }),
    );
    child.on('close', (code) => {
      if (code === 0) {
        resolve({ ok: true, output, message: `Installed ${pkg}@${TFJS_VERSION}. New runs use it (backend "auto" or "tensorflow"); the run's first line names the backend it got.` });
        return;
      }
      const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|getaddrinfo|network/i.test(output);
      const why = offline
        ? 'there is no internet access: npm and the package\'s own install step (which downloads libtensorflow) need it'
        : `npm exited with code ${code}`;
      const last = output.trim().split('\n').filter((l) => /ERR|error/i.test(l)).slice(-2).join(' ').slice(0, 300);
      resolve({ ok: false, output, message: `Installing ${pkg} failed: ${why}.${last ? ` npm said: ${last}` : ''} The engine keeps using the wasm backend.` });
    });
  });
}
