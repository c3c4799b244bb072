/**
 * Installing a native TensorFlow.js backend into the extension's storage (not into the
 * extension's folder, which an update replaces): `npm install --prefix <storage>/backends PKG`.
 * Both packages download libtensorflow from the internet in their install step, so on a machine
 * without it the install fails; the message then says so plainly. No `vscode` import.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
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
  /** Set when the person cancelled the install. */
  cancelled?: boolean;
  message: string;
  output: string;
}

/** The known causes of a failed install, most specific first, as a clause after "failed: ". */
const CAUSES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/getaddrinfo (?:ENOTFOUND|EAI_AGAIN) (\S+)/, (m) => `there is no internet access (${m[1]} cannot be resolved): npm and the package's own install step, which downloads libtensorflow, need it`],
  [/\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET)\b/, (m) => `the network failed (${m[1]}): npm and the package's own install step, which downloads libtensorflow, need internet access`],
  [/\bENOSPC\b/, () => 'the disk is full'],
  [/\bEACCES\b[^\n]*?(\/\S+)?$/m, (m) => `permission denied${m[1] ? ` on ${m[1]}` : ''}`],
  [/\bEBADPLATFORM\b|[Uu]nsupported platform/, () => `the package does not support this platform (${process.platform}-${process.arch})`],
  [/\b(?:ETARGET|E404)\b/, () => `the registry has no ${TFJS_VERSION} of the package`],
  [/not found: (make|python3?|g\+\+|cc|gcc)\b/, (m) => `no prebuilt native binding fits this Node.js (${process.version}), and building one needs ${m[1]}, which is not installed`],
  [/(?:HTTP|[Ss]tatus ?[Cc]ode|statusCode)\W{0,3}(\d{3})/, (m) => `a download failed with HTTP status ${m[1]}`],
];

/** npm's framing around what went wrong, which says nothing about the cause. */
const BOILERPLATE = /^(code \S+|errno \S+|path \S+|command failed|command sh -c .*|command .*cmd\.exe .*|signal \S+|A complete log of this run can be found in.*|\/\S+\.log|[A-Z]:\\\S+\.log|Log files were not written.*|You can rerun the command with.*|(gyp|node-pre-gyp) (info|verb|timing|http).*|it worked if it ends with ok)$/;

/**
 * Why an install failed, in words: a known cause found anywhere in npm's output, and the last line
 * of the output that is about the failure rather than npm's framing ("A complete log of this run
 * can be found in...", "code 1", the command line).
 */
export function installFailureCause(output: string, code: number | null): { why: string; said?: string } {
  let known: string | undefined;
  for (const [re, words] of CAUSES) {
    const m = re.exec(output);
    if (m) {
      known = words(m);
      break;
    }
  }
  const lines = output
    .split('\n')
    .map((l) => l.replace(/^npm (?:ERR!|error|WARN|warn)\s*/, '').trim())
    .filter((l) => l !== '' && !BOILERPLATE.test(l));
  const telling = [...lines].reverse().find((l) => /err|fail|not found|denied|cannot|unable|unsupported/i.test(l)) ?? lines[lines.length - 1];
  return { why: known ?? `npm exited with ${code === null ? 'a signal' : `code ${code}`}`, said: telling?.slice(0, 300) };
}

/**
 * `npm install` of the package into `dir`. `signal` cancels it: npm is stopped and the result says
 * so (a package half written is finished or cleaned by the next install).
 */
export function installBackend(
  which: BackendPackage,
  dir: string,
  o: { npm?: string; onOutput?: (line: string) => void; env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {},
): Promise<InstallResult> {
  const { pkg } = BACKEND_PACKAGES[which];
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(`${dir}/package.json`)) fs.writeFileSync(`${dir}/package.json`, '{"name":"gacd-backends","private":true}\n');
  const npm = o.npm ?? (process.platform === 'win32' ? 'npm.cmd' : 'npm');
  const args = ['install', '--prefix', dir, '--no-audit', '--no-fund', `${pkg}@${TFJS_VERSION}`];
  return new Promise((resolve) => {
    let output = '';
    let cancelled = false;
    // Its own process group, so that cancelling stops npm and the install scripts it started.
    const windows = process.platform === 'win32';
    const child = spawn(npm, args, { cwd: dir, env: { ...process.env, ...o.env }, shell: windows, detached: !windows });
    const cancel = () => {
      cancelled = true;
      killTree(child);
    };
    if (o.signal?.aborted) cancel();
    else o.signal?.addEventListener('abort', cancel, { once: true });
    const take = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split('\n')) if (line.trim()) o.onOutput?.(line);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (err) => {
      o.signal?.removeEventListener('abort', cancel);
      resolve({ ok: false, output, message: `Could not run npm (${err.message}). Installing ${pkg} needs npm on the PATH and internet access.` });
    });
    child.on('close', (code) => {
      o.signal?.removeEventListener('abort', cancel);
      if (cancelled) {
        resolve({ ok: false, cancelled: true, output, message: `Installing ${pkg} was cancelled. The engine keeps using the backend it had.` });
        return;
      }
      if (code === 0) {
        resolve({ ok: true, output, message: `Installed ${pkg}@${TFJS_VERSION}. New runs use it (backend "auto" or "tensorflow"); the run's first line names the backend it got.` });
        return;
      }
      const { why, said } = installFailureCause(output, code);
      resolve({ ok: false, output, message: `Installing ${pkg} failed: ${why}.${said ? ` npm said: ${said}` : ''} The engine keeps using the wasm backend.` });
    });
  });
}

/** Stops a process and its children: its process group on POSIX, `taskkill /T` on Windows. */
function killTree(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    if (process.platform === 'win32') spawnSync('taskkill', ['/pid', String(child.pid), '/T', '/F']);
    else process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
}
