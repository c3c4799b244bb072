import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { datasetNames } from '../../src/engine/data/catalog';
import { methodNames } from '../../src/engine/methods/catalog';
import { modelNames } from '../../src/engine/models/catalog';
import { augmentNames, backendNames, experimentFields, scheduleNames } from '../../src/engine/experiment/schema';
import { repoRoot } from './helpers';

const grammarPath = path.join(repoRoot, 'syntaxes/gacd.tmLanguage.json');

async function loadGrammar(): Promise<textmate.IGrammar> {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) =>
      scope === 'source.gacd' ? textmate.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath) : null,
  });
  const grammar = await registry.loadGrammar('source.gacd');
  assert.ok(grammar);
  return grammar;
}

/** Each token of the text with its innermost scope. */
function tokenize(grammar: textmate.IGrammar, text: string): { text: string; scope: string; scopes: string[] }[] {
  let state = textmate.INITIAL;
  const out: { text: string; scope: string; scopes: string[] }[] = [];
  for (const line of text.split('\n')) {
    const r = grammar.tokenizeLine(line, state);
    for (const t of r.tokens) {
      const piece = line.slice(t.startIndex, t.endIndex);
      if (piece.trim()) out.push({ text: piece.trim(), scope: t.scopes[t.scopes.length - 1], scopes: t.scopes });
    }
    state = r.ruleStack;
  }
  return out;
}

const scopeOf = (tokens: ReturnType<typeof tokenize>, text: string) => tokens.find((t) => t.text === text)?.scope;

test('the grammar highlights sections, keys, catalog names, expressions and comments', async () => {
  const grammar = await loadGrammar();
  const tokens = tokenize(
    grammar,
    `# An experiment.
name: demo
data:
  dataset: cifar10   # trailing
student:
  model: preact-resnet18
method:
  name: gacd
  critic: infonce
training:
  schedule: piecewise
  attack:
    # gacd-ignore: epsilon-units
    epsilon: 8/255
    step_size: 0.5e-2
    random_start: true
baselines:
  - method: ard
    label: "ARD baseline"
evaluation:
  attacks: [clean, fgsm, pgd-20, cw-30]
  epsilons: [0, 4 / 255, (1 + 1) * 0.5]`,
  );
  assert.equal(scopeOf(tokens, 'data'), 'entity.name.tag.section.gacd');
  assert.equal(scopeOf(tokens, 'dataset'), 'entity.name.tag.key.gacd');
  assert.equal(scopeOf(tokens, 'cifar10'), 'support.constant.dataset.gacd');
  assert.equal(scopeOf(tokens, 'preact-resnet18'), 'support.type.model.gacd');
  assert.equal(scopeOf(tokens, 'gacd'), 'support.constant.method.gacd');
  assert.equal(scopeOf(tokens, 'ard'), 'support.constant.method.gacd');
  assert.equal(scopeOf(tokens, 'infonce'), 'constant.language.choice.gacd');
  assert.equal(scopeOf(tokens, 'piecewise'), 'constant.language.choice.gacd');
  assert.equal(scopeOf(tokens, 'pgd-20'), 'support.constant.attack.gacd');
  assert.equal(scopeOf(tokens, 'cw-30'), 'support.constant.attack.gacd');
  assert.equal(scopeOf(tokens, 'true'), 'constant.language.gacd');
  assert.equal(scopeOf(tokens, '0.5e-2'), 'constant.numeric.gacd');
  assert.equal(scopeOf(tokens, '"ARD baseline"') ?? scopeOf(tokens, 'ARD baseline'), 'string.quoted.double.gacd');
  assert.equal(scopeOf(tokens, '-'), 'punctuation.definition.block.sequence.item.gacd');
  assert.equal(scopeOf(tokens, 'gacd-ignore'), 'keyword.other.directive.ignore.gacd');
  assert.equal(scopeOf(tokens, 'epsilon-units'), 'constant.other.diagnostic-code.gacd');
  assert.ok(tokens.find((t) => t.text === 'trailing')?.scopes.includes('comment.line.number-sign.gacd'));
  // 8/255: two numbers and an operator inside one arithmetic expression.
  const eps = tokens.filter((t) => t.scopes.includes('meta.expression.arithmetic.gacd'));
  assert.deepEqual(eps.slice(0, 3).map((t) => [t.text, t.scope]), [
    ['8', 'constant.numeric.gacd'],
    ['/', 'keyword.operator.arithmetic.gacd'],
    ['255', 'constant.numeric.gacd'],
  ]);
  assert.ok(eps.some((t) => t.text === '*'), '(1 + 1) * 0.5 is one expression');
});

test('the grammar knows every name the catalogs and the schema accept', async () => {
  const grammar = await loadGrammar();
  const check = (names: readonly string[], scope: string) => {
    for (const n of names) assert.equal(scopeOf(tokenize(grammar, `key: ${n}`), n), scope, `add ${n} to syntaxes/gacd.tmLanguage.json`);
  };
  check(methodNames, 'support.constant.method.gacd');
  check(modelNames, 'support.type.model.gacd');
  check(datasetNames, 'support.constant.dataset.gacd');
  check([...backendNames, ...scheduleNames, ...augmentNames.filter((a) => a !== 'none')], 'constant.language.choice.gacd');
  for (const key of Object.keys(experimentFields.shape)) {
    assert.equal(scopeOf(tokenize(grammar, `${key}:`), key), 'entity.name.tag.section.gacd', `add the section ${key} to syntaxes/gacd.tmLanguage.json`);
  }
});

test('every example file tokenizes, and the language configuration is valid JSON', async () => {
  const grammar = await loadGrammar();
  for (const dir of ['examples', 'test/experiment/fixtures']) {
    for (const f of fs.readdirSync(path.join(repoRoot, dir)).filter((x) => x.endsWith('.gacd'))) {
      assert.ok(tokenize(grammar, fs.readFileSync(path.join(repoRoot, dir, f), 'utf8')).length > 0, f);
    }
  }
  const config = JSON.parse(fs.readFileSync(path.join(repoRoot, 'language-configuration.json'), 'utf8'));
  assert.equal(config.comments.lineComment, '#');
  assert.ok(new RegExp(config.wordPattern).test('pgd-20'));
});
