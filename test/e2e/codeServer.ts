/**
 * A real VS Code for the end-to-end tests: code-server 4.100.3 (VS Code 1.100.3, the newest for
 * Node 20), installed on first use into node_modules/.cache (git-ignored, outside the extension's
 * own dependencies), started per test with a fresh profile, and stopped with its whole process
 * group. See research/vscode-testing.md of the project.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');
export const CODE_SERVER_VERSION = '4.100.3';
const HOME = path.join(ROOT, 'node_modules', '.cache', `code-server-${CODE_SERVER_VERSION}`);
const BIN = path.join(HOME, 'node_modules', '.bin', 'code-server');

/**
 * Installs code-server once. Its @vscode/ripgrep step downloads from GitHub, which this machine
 * cannot reach: a cache holding Debian's /usr/bin/rg (package ripgrep) stands in for the download.
 * Its kerberos module builds against Debian's libkrb5-dev. .ci/run installs both packages.
 */
export function ensureCodeServer(log: (s: string) => void = () => {}): string {
  if (fs.existsSync(BIN)) return BIN;
  for (const need of ['/usr/bin/rg', '/usr/include/krb5.h']) {
    if (!fs.existsSync(need)) throw new Error(`${need} is missing: apt-get install ripgrep libkrb5-dev (as .ci/run does)`);
  }
  const t0 = Date.now();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-rg-'));
  const cache = path.join(tmp, 'vscode-ripgrep-cache-1.15.11');
  fs.mkdirSync(cache);
  fs.copyFileSync('/usr/bin/rg', path.join(tmp, 'rg'));
  execFileSync('tar', ['czf', path.join(cache, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz'), '-C', tmp, 'rg']);
  fs.mkdirSync(HOME, { recursive: true });
  fs.writeFileSync(path.join(HOME, 'package.json'), '{"name":"gacd-e2e-code-server","private":true}\n');
  // As root, code-server's postinstall refuses to run unless npm says unsafe-perm.
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: HOME,
    // Without the npm_* variables of the `npm test` around us (its prefix would redirect the install).
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))), TMPDIR: tmp, npm_config_yes: 'true', npm_config_unsafe_perm: 'true' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  fs.rmSync(tmp, { recursive: true, force: true });
  if (r.status !== 0 || !fs.existsSync(BIN)) {
    fs.rmSync(HOME, { recursive: true, force: true });
    throw new Error(`installing code-server failed (exit ${r.status}):\n${r.stdout.slice(-2500)}\n${r.stderr.slice(-1500)}`);
  }
  log(`installed code-server ${CODE_SERVER_VERSION} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return BIN;
}

/** Packages the extension as users get it. */
export function packageVsix(out: string): string {
  const vsce = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  execFileSync(process.execPath, [vsce, 'package', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '--out', out], { cwd: ROOT, stdio: 'pipe' });
  return out;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface CodeServer {
  url: string;
  dir: string;
  log(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  vsix: string;
  workspace: string;
  trusted: boolean;
  settings?: Record<string, unknown>;
}

/** Installs the .vsix into a fresh profile and starts code-server on a free loopback port. */
export async function startCodeServer(o: StartOptions): Promise<CodeServer> {
  const bin = ensureCodeServer();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-cs-'));
  const ud = path.join(dir, 'ud');
  fs.mkdirSync(path.join(ud, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(ud, 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'telemetry.telemetryLevel': 'off',
      'workbench.tips.enabled': false,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'security.workspace.trust.startupPrompt': 'never',
      'security.workspace.trust.enabled': !o.trusted ? true : false,
      'window.restoreWindows': 'none',
      ...o.settings,
    }),
  );
  const env = { ...process.env, XDG_CONFIG_HOME: path.join(dir, 'xdg'), XDG_DATA_HOME: path.join(dir, 'xdg'), XDG_CACHE_HOME: path.join(dir, 'xdg') };
  const common = ['--config', path.join(dir, 'config.yaml'), '--user-data-dir', ud, '--extensions-dir', path.join(dir, 'exts')];
  execFileSync(bin, [...common, '--install-extension', o.vsix], { env, stdio: 'pipe' });
  const port = await freePort();
  const args = [...common, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override'];
  if (o.trusted) args.push('--disable-workspace-trust');
  args.push(o.workspace);
  const out = fs.openSync(path.join(dir, 'code-server.log'), 'w');
  // Its own process group, so that stopping it ends its file watcher and extension hosts too.
  const child: ChildProcess = spawn(bin, args, { env, detached: true, stdio: ['ignore', out, out] });
  const health = `http://127.0.0.1:${port}/healthz`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${fs.readFileSync(path.join(dir, 'code-server.log'), 'utf8').slice(-2000)}`);
    try {
      if ((await fetch(health)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error('code-server did not answer /healthz within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(o.workspace)}`,
    dir,
    log: () => fs.readFileSync(path.join(dir, 'code-server.log'), 'utf8'),
    async stop() {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // Gone already.
      }
      const end = Date.now() + 5000;
      while (Date.now() < end && groupAlive(child.pid!)) await new Promise((r) => setTimeout(r, 100));
      if (groupAlive(child.pid!)) process.kill(-child.pid!, 'SIGKILL');
      fs.closeSync(out);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
