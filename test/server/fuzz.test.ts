import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Rng } from '../../src/engine/util/rng';
import type { Position, ServiceDocument, Span } from '../../src/server/service/types';
import { exampleFiles, strictService } from './helpers';
import { randomChange } from './mutate';

/** How many mutated documents the service must answer every request on. */
const MUTATIONS = 2000;

function checkSpan(s: Span, what: string): void {
  for (const p of [s.start, s.end]) {
    assert.ok(Number.isInteger(p.line) && p.line >= 0 && Number.isInteger(p.character) && p.character >= 0, `${what}: ${JSON.stringify(s)}`);
  }
  assert.ok(s.start.line < s.end.line || (s.start.line === s.end.line && s.start.character <= s.end.character), `${what} ends after it starts`);
}

test(`the service answers every request on ${MUTATIONS} randomly edited experiments`, () => {
  const files = exampleFiles();
  assert.ok(files.length >= 5, 'the examples and fixtures are there');
  const { service, errors } = strictService();
  const rng = new Rng(20240601);
  const started = performance.now();
  // Documents on which each request gave a non-empty answer: every request returning nothing
  // would pass the span checks without testing anything.
  const answered = { diagnostics: 0, completion: 0, hover: 0, codeActions: 0, symbols: 0, folding: 0, formatting: 0 };
  for (let n = 0; n < MUTATIONS; n++) {
    const file = files[n % files.length];
    let text = fs.readFileSync(file, 'utf8');
    const edits = 1 + rng.int(6);
    for (let e = 0; e < edits; e++) text = randomChange(rng, text).text;
    const doc: ServiceDocument = { id: `fuzz://${n % 7}`, filePath: file, version: n, text };
    const lines = text.split('\n');
    const randomPos = (): Position => {
      const line = rng.int(lines.length + 1);
      return { line, character: rng.int((lines[line]?.length ?? 0) + 2) };
    };

    const diagnostics = service.validate(doc);
    for (const d of diagnostics) checkSpan(d.span, `diagnostic ${d.code}`);
    let completions = 0;
    for (let k = 0; k < 2; k++) {
      const items = service.complete(doc, randomPos(), { snippets: rng.next() < 0.5 });
      for (const item of items) checkSpan(item.span, 'completion');
      completions += items.length;
    }
    const hover = service.hover(doc, randomPos());
    if (hover) checkSpan(hover.span, 'hover');
    const target = diagnostics[rng.int(diagnostics.length)]?.span ?? { start: randomPos(), end: randomPos() };
    const actions = service.codeActions(doc, target);
    for (const a of actions) for (const e of a.edits) checkSpan(e.span, `code action ${a.title}`);
    const symbols = service.documentSymbols(doc);
    const folding = service.foldingRanges(doc);
    const formatting = service.format(doc, { tabSize: 1 + rng.int(4) });
    for (const e of formatting) checkSpan(e.span, 'formatting');
    answered.diagnostics += diagnostics.length > 0 ? 1 : 0;
    answered.completion += completions > 0 ? 1 : 0;
    answered.hover += hover ? 1 : 0;
    answered.codeActions += actions.length > 0 ? 1 : 0;
    answered.symbols += symbols.length > 0 ? 1 : 0;
    answered.folding += folding.length > 0 ? 1 : 0;
    answered.formatting += formatting.length > 0 ? 1 : 0;
    if (errors.length) break;
  }
  assert.deepEqual(errors, [], 'no request failed');
  const seconds = (performance.now() - started) / 1000;
  // Each request answers with something on a fair share of the documents (today from about a
  // fifth of them for formatting to nearly all for symbols), so the checks above saw real spans.
  for (const [request, count] of Object.entries(answered)) {
    assert.ok(count >= MUTATIONS / 20, `${request} answered on only ${count} of ${MUTATIONS} edited documents: the fuzzing no longer reaches it`);
  }
  // A generous bound: the whole run takes a few seconds on a shared two-core machine.
  assert.ok(seconds < 60, `took ${seconds.toFixed(1)} s`);
});
