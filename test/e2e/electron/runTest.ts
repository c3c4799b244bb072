/**
 * `npm run test:electron`: the extension's integration suite in VS Code desktop (Electron), for
 * contributors with internet: @vscode/test-electron 2.5.2 (the last for Node 20) downloads VS Code
 * 1.100.3 (the oldest we support) and, with VSCODE_VERSION=stable, the newest. CI cannot download it
 * and runs the code-server suite (test/e2e/vscode.test.ts) instead.
 */
import { build } from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

const ROOT = path.join(__dirname, '..', '..', '..');

async function main(): Promise<void> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-electron-'));
  // The suite runs inside VS Code's extension host, which loads JavaScript only.
  await build({ entryPoints: [path.join(__dirname, 'suite.ts')], outfile: path.join(out, 'suite.js'), bundle: true, platform: 'node', format: 'cjs', external: ['vscode'], logLevel: 'warning' });
  const workspace = path.join(out, 'workspace');
  fs.mkdirSync(workspace);
  fs.writeFileSync(path.join(workspace, 'package.json'), '{"name":"electron-workspace","private":true}\n');
  fs.copyFileSync(path.join(__dirname, 'tiny.gacd'), path.join(workspace, 'tiny.gacd'));
  fs.writeFileSync(path.join(workspace, 'broken.gacd'), fs.readFileSync(path.join(__dirname, 'tiny.gacd'), 'utf8').replace('train_size', 'trian_size'));
  try {
    await runTests({
      version: process.env.VSCODE_VERSION ?? '1.100.3',
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(out, 'suite.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    });
  } catch (err) {
    console.error(`test:electron failed: ${(err as Error).message}`);
    console.error('It downloads VS Code from Microsoft (update.code.visualstudio.com): without internet use `npm run test:e2e` (code-server).');
    process.exitCode = 1;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

void main();
