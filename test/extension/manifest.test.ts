/**
 * The extension as shipped: the bundle never imports TensorFlow.js; package.json contributes every
 * command the code registers (and no other); the VS Code version range; the panels' CSP. (New
 * Experiment's templates are the examples: experimentTemplates.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { contentSecurityPolicy, panelHtml } from '../../src/extension/panels/html';

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

test('the extension bundle reaches no TensorFlow.js module and requires none', () => {
  const meta = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist', 'extension.meta.json'), 'utf8')) as { inputs: Record<string, unknown> };
  const inputs = Object.keys(meta.inputs);
  assert.ok(inputs.some((i) => i.startsWith('src/extension/')), 'the metafile is the extension bundle');
  // Engine folders may contribute only their tfjs-free descriptions (catalog.ts, the methods' *.info.ts).
  const engineCode = /src\/engine\/(backend|run|parallel|step|analysis|(models|attacks|methods|data)\/(?!catalog\.ts|[^/]+\.info\.ts))/;
  assert.deepEqual(inputs.filter((i) => /@tensorflow/.test(i) || engineCode.test(i)), []);
  const js = fs.readFileSync(path.join(ROOT, 'dist', 'extension.js'), 'utf8');
  assert.doesNotMatch(js, /require\(["']@tensorflow\//);
  assert.doesNotMatch(js, /import\(["']@tensorflow\//);
});

test('every registered command is contributed, with a title in the GACD category', () => {
  const code = fs.readFileSync(path.join(ROOT, 'src', 'extension', 'commands.ts'), 'utf8');
  const registered = [...code.matchAll(/register\('(gacd\.[\w.]+)'/g)].map((m) => m[1]).sort();
  const contributed = (pkg.contributes.commands as Array<{ command: string; category: string }>).map((c) => c.command).sort();
  assert.deepEqual(registered, contributed);
  for (const id of ['gacd.newExperiment', 'gacd.runExperiment', 'gacd.stopRun', 'gacd.resumeRun', 'gacd.evaluateCheckpoint', 'gacd.compareRuns', 'gacd.openDashboard', 'gacd.showEngineLog', 'gacd.revealRunFolder', 'gacd.installGpuBackend']) {
    assert.ok(contributed.includes(id), id);
  }
  const menuCommands = Object.values(pkg.contributes.menus as Record<string, Array<{ command: string }>>).flat().map((m) => m.command);
  for (const c of menuCommands) assert.ok(contributed.includes(c), `menu entry ${c} is a contributed command`);
});

test('VS Code 1.100 at most; main is the bundle; the webview serializers can activate the extension', () => {
  assert.equal(pkg.engines.vscode, '^1.100.0');
  assert.equal(pkg.devDependencies['@types/vscode'], '1.100.0');
  assert.equal(pkg.main, './dist/extension.js');
  assert.ok(pkg.activationEvents.includes('onWebviewPanel:gacd.dashboard'));
  assert.ok(pkg.activationEvents.includes('onWebviewPanel:gacd.comparison'));
  assert.ok(pkg.activationEvents.includes('onLanguage:gacd'));
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  assert.deepEqual(Object.keys(pkg.contributes.configuration.properties).sort(), ['gacd.backend', 'gacd.maxConcurrentRuns', 'gacd.nodePath', 'gacd.notes', 'gacd.openDashboardOnRun', 'gacd.runsDirectory', 'gacd.slurm.account', 'gacd.slurm.cpus', 'gacd.slurm.gpus', 'gacd.slurm.memory', 'gacd.slurm.partition', 'gacd.slurm.time', 'gacd.stopTimeoutSeconds', 'gacd.sweep.parallel']);
});

test("the panels' CSP: nothing by default, scripts only with the nonce, no eval, no inline style", () => {
  const csp = contentSecurityPolicy('https://x.vscode-cdn.net', 'abc');
  assert.match(csp, /^default-src 'none'/);
  assert.match(csp, /script-src 'nonce-abc'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-eval|unsafe-inline|https?:\/\/(?!x\.vscode-cdn\.net)/);
  const html = panelHtml({ kind: 'dashboard', title: 'a<b', cspSource: 'https://x.vscode-cdn.net', scriptUri: 'https://x.vscode-cdn.net/d.js', styleUri: 'https://x.vscode-cdn.net/s.css', nonce: 'abc' });
  assert.match(html, /<script nonce="abc" src="https:\/\/x\.vscode-cdn\.net\/d\.js"><\/script>/);
  assert.match(html, /<title>a&#60;b<\/title>/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
});
