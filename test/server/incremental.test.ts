import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Rng } from '../../src/engine/util/rng';
import { fileUri, startClient } from './client';
import type { PublishedDiagnostics } from './client';
import { doc, exampleFiles, strictService } from './helpers';
import { randomChange } from './mutate';

const EDITS = 80;

const comparable = (p: PublishedDiagnostics) =>
  p.diagnostics.map((d) => ({ range: d.range, severity: d.severity, code: d.code, message: d.message, data: d.data }));

test('a document edited quickly through incremental sync ends with the diagnostics of the same text opened fresh', async () => {
  const client = await startClient();
  try {
    const rng = new Rng(7);
    for (const file of exampleFiles().slice(0, 4)) {
      const uri = fileUri(file);
      const original = fs.readFileSync(file, 'utf8');
      let local = TextDocument.create(uri, 'gacd', 1, original);
      client.open(uri, original, 1);
      await client.diagnostics(uri, 1);

      // A burst of edits, sent without waiting, one to three changes per notification.
      let text = original;
      for (let v = 2; v < 2 + EDITS; v++) {
        const changes = [];
        for (let c = 1 + rng.int(3); c > 0; c--) {
          const r = randomChange(rng, text);
          changes.push(r.change);
          text = r.text;
        }
        local = TextDocument.update(local, changes, v);
        void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: changes });
      }
      assert.equal(local.getText(), text, 'the test applies its own edits like the server');
      const finalVersion = 1 + EDITS;
      const edited = await client.diagnostics(uri, finalVersion);
      assert.equal(edited.version, finalVersion);

      const freshUri = fileUri(path.join(path.dirname(file), `__fresh-${path.basename(file)}`));
      client.open(freshUri, text, 1);
      const fresh = await client.diagnostics(freshUri, 1);
      assert.deepEqual(comparable(edited), comparable(fresh), file);

      // And both are what the service says of the final text.
      const { service } = strictService();
      const direct = service.validate(doc(text, file));
      assert.deepEqual(edited.diagnostics.map((d) => [d.range, d.code]), direct.map((d) => [d.span, d.code]));

      await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
      await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: freshUri } });
    }
    assert.deepEqual(client.logs.filter((l) => /failed/.test(l)), []);
  } finally {
    await client.stop();
  }
});
