import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadExperiment } from '../../src/engine/experiment/load';
import { fileUri, startClient } from './client';
import { fixtures, repoRoot } from './helpers';

interface Range {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

test('the server over stdio: initialize, diagnostics, completion, hover, quick fixes, formatting, shutdown', async () => {
  const client = await startClient({ diagnosticsDelayMs: 0 });
  try {
    const caps = client.initializeResult.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2 });
    for (const c of ['completionProvider', 'hoverProvider', 'codeActionProvider', 'documentSymbolProvider', 'foldingRangeProvider', 'documentFormattingProvider']) {
      assert.ok(caps[c], c);
    }

    // didOpen → publishDiagnostics, the same problems as gacd check.
    const file = path.join(fixtures, 'bad.gacd');
    const text = fs.readFileSync(file, 'utf8');
    const uri = fileUri(file);
    client.open(uri, text);
    const published = await client.diagnostics(uri, 1);
    const problems = loadExperiment(file, { text }).problems;
    assert.deepEqual(
      published.diagnostics.map((d) => [d.range.start.line + 1, d.range.start.character + 1, d.code]),
      problems.map((p) => [p.line, p.column, p.code]),
    );
    const units = published.diagnostics.find((d) => d.code === 'epsilon-units')!;
    assert.equal(units.severity, 1);
    assert.deepEqual(units.data, { fix: 'did you mean 8/255?', replacements: ['8/255'] });

    // Completion: the values of the method name, as edits of the word at the cursor.
    const completion = (await client.connection.sendRequest('textDocument/completion', {
      textDocument: { uri },
      position: { line: 7, character: 8 },
    })) as { label: string; textEdit: { range: Range; newText: string }; insertTextFormat: number }[];
    assert.deepEqual(completion.map((c) => c.label), ['natural', 'pgd-at', 'ard', 'gacd', 'trades', 'kd', 'rslad', 'iad', 'adaad', 'igdm', 'crd', 'mtard']);
    assert.deepEqual(completion[3].textEdit.range, { start: { line: 7, character: 8 }, end: { line: 7, character: 12 } });

    // Hover on the dataset key.
    const hover = (await client.connection.sendRequest('textDocument/hover', {
      textDocument: { uri },
      position: { line: 2, character: 4 },
    })) as { contents: { kind: string; value: string }; range: Range };
    assert.equal(hover.contents.kind, 'markdown');
    assert.match(hover.contents.value, /\*\*data\.dataset\*\*/);

    // Quick fix for 8 → 8/255, sent back with the diagnostic as the client has it.
    const actions = (await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: units.range,
      context: { diagnostics: [units] },
    })) as { title: string; kind: string; isPreferred?: boolean; edit: { changes: Record<string, { range: Range; newText: string }[]> } }[];
    const fix = actions.find((a) => a.title === 'Change to 8/255')!;
    assert.equal(fix.kind, 'quickfix');
    assert.deepEqual(fix.edit.changes[uri], [{ range: units.range, newText: '8/255' }]);

    // Formatting of a messy document, as one edit; outline and folding.
    const messy = 'data:\n    dataset:    mnist\nstudent:\n    model: tiny-cnn\n';
    const messyUri = fileUri(path.join(fixtures, '__messy.gacd'));
    client.open(messyUri, messy);
    const edits = (await client.connection.sendRequest('textDocument/formatting', {
      textDocument: { uri: messyUri },
      options: { tabSize: 2, insertSpaces: true },
    })) as { range: Range; newText: string }[];
    assert.equal(edits.length, 1);
    assert.equal(edits[0].newText, 'data:\n  dataset: mnist\nstudent:\n  model: tiny-cnn\n');
    const symbols = (await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: messyUri } })) as { name: string }[];
    assert.deepEqual(symbols.map((s) => s.name), ['data', 'student']);
    const folds = (await client.connection.sendRequest('textDocument/foldingRange', { textDocument: { uri: messyUri } })) as unknown[];
    assert.equal(folds.length, 2);

    // Closing a document clears its diagnostics.
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    assert.deepEqual((await client.diagnostics(uri)).diagnostics, []);
    assert.deepEqual(client.logs.filter((l) => /failed/.test(l)), []);
  } finally {
    assert.equal(await client.stop(), 0, 'the server exits cleanly after shutdown and exit');
  }
});

test('the bundled server also speaks over Node IPC, as the extension starts it', async () => {
  const { build } = await import('esbuild');
  const { fork } = await import('node:child_process');
  const os = await import('node:os');
  const { createMessageConnection, IPCMessageReader, IPCMessageWriter } = await import('vscode-jsonrpc/node');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-ls-bundle-'));
  try {
    // The same bundle as scripts/build.mjs makes for bin/gacd-ls.js.
    await build({
      entryPoints: { server: path.join(repoRoot, 'src/server/server.ts') },
      outdir: out,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['@tensorflow/*'],
      logLevel: 'silent',
    });
    const child = fork(path.join(out, 'server.js'), ['--node-ipc'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    const diagnostics = new Promise<{ diagnostics: { code: string }[] }>((resolve) =>
      connection.onNotification('textDocument/publishDiagnostics', resolve),
    );
    connection.listen();
    const init = (await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} })) as {
      serverInfo: { name: string };
    };
    assert.equal(init.serverInfo.name, 'gacd-ls');
    await connection.sendNotification('initialized', {});
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: 'untitled:Untitled-1', languageId: 'gacd', version: 1, text: 'data:\n  dataset: mnst\n' },
    });
    const codes = (await diagnostics).diagnostics.map((d) => d.code);
    assert.ok(codes.includes('unknown-name') && codes.includes('missing-section'), codes.join());
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    assert.equal(await exited, 0);
    connection.dispose();
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('gacd.notes reaches the server at start (initializationOptions) and when it changes (didChangeConfiguration)', async () => {
  const client = await startClient({ diagnosticsDelayMs: 0, notes: 'all' });
  try {
    const file = path.join(fixtures, 'quickstart.gacd');
    const uri = fileUri(file);
    client.open(uri, fs.readFileSync(file, 'utf8'));
    const notes = (d: Awaited<ReturnType<typeof client.diagnostics>>) => d.diagnostics.filter((x) => x.code === 'unconfirmed');
    assert.equal(notes(await client.diagnostics(uri, 1)).length, 16);
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { gacd: { notes: 'summary' } } });
    const summary = notes(await client.diagnostics(uri, 1));
    assert.equal(summary.length, 1);
    assert.match(summary[0].message, /^gacd: 16 settings are reconstructed/);
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { gacd: { notes: 'off' } } });
    assert.equal(notes(await client.diagnostics(uri, 1)).length, 0);
  } finally {
    await client.stop();
  }
});
