/**
 * The one parser of evaluation entries (attacks/catalog.ts): short labels and sections with
 * settings resolve to `{label, attack, settings}` with every default; bad entries are refused with
 * suggestions; and the experiment schema and `gacd eval --attacks` give the same answer for the
 * same entry, since both call it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMMON_EVALUATION_ATTACKS,
  DEFAULT_EVALUATION_ATTACKS,
  EvaluationEntry,
  attacks,
  isIterative,
  parseEvaluationEntry,
  resolveEvaluationEntry,
} from '../../src/engine/attacks/catalog';
import { parseAttackList, splitTopLevel } from '../../src/engine/cli/attackList';
import { MINIMAL, byCode, check, covered, errors } from './helpers';

const issuesOf = (value: unknown) => {
  const r = parseEvaluationEntry(value);
  assert.ok(!r.ok, `${JSON.stringify(value)} should be refused`);
  return r.issues;
};

/** The entries of an experiment whose evaluation lists `attacks` (YAML flow text). */
function schemaEntries(attacksText: string): { entries?: EvaluationEntry[]; problems: string[] } {
  const r = check(`${MINIMAL}evaluation:\n  attacks: ${attacksText}\n`);
  return { entries: r.spec?.evaluation.attacks, problems: errors(r).map((p) => p.message) };
}

test('short labels resolve to the attack with every default filled in', () => {
  assert.deepEqual(resolveEvaluationEntry('clean'), { label: 'clean', attack: 'clean', settings: {} });
  assert.deepEqual(resolveEvaluationEntry('fgsm'), { label: 'fgsm', attack: 'fgsm', settings: { random_start: false } });
  assert.deepEqual(resolveEvaluationEntry('pgd-20'), {
    label: 'pgd-20',
    attack: 'pgd',
    settings: { steps: 20, step_size: null, random_start: true, loss: 'ce', restarts: 1 },
  });
  assert.deepEqual(resolveEvaluationEntry('cw-30'), {
    label: 'cw-30',
    attack: 'cw',
    settings: { steps: 30, step_size: null, random_start: true, confidence: 50, restarts: 1 },
  });
  for (const label of COMMON_EVALUATION_ATTACKS) assert.equal(resolveEvaluationEntry(label).label, label);
});

test('a section gives settings; its label is written or generated from what differs from the defaults', () => {
  const long = resolveEvaluationEntry({ attack: 'pgd', steps: 50, step_size: '1/255', restarts: 5, loss: 'cw' });
  assert.deepEqual(long, {
    label: 'pgd-50 step_size=1/255 loss=cw restarts=5',
    attack: 'pgd',
    settings: { steps: 50, step_size: 1 / 255, random_start: true, loss: 'cw', restarts: 5 },
  });
  assert.deepEqual(resolveEvaluationEntry({ attack: 'pgd' }), resolveEvaluationEntry('pgd-20'));
  assert.deepEqual(resolveEvaluationEntry({ attack: 'cw', steps: 20 }), resolveEvaluationEntry('cw-20'));
  assert.equal(resolveEvaluationEntry({ attack: 'fgsm', random_start: true }).label, 'fgsm random_start=true');
  assert.equal(resolveEvaluationEntry({ attack: 'cw', confidence: 0 }).label, 'cw-30 confidence=0');
  assert.equal(resolveEvaluationEntry({ attack: 'pgd', steps: 50, label: 'PGD-50 x5' }).label, 'PGD-50 x5');
  assert.deepEqual(resolveEvaluationEntry({ attack: 'clean' }), resolveEvaluationEntry('clean'));
});

test('a resolved entry parses back to itself, as spec.json and the editor hand it over', () => {
  const written = [...COMMON_EVALUATION_ATTACKS, 'cw-20', { attack: 'pgd', steps: 7, restarts: 2, label: 'mine' }, { attack: 'cw', step_size: 0.01 }];
  for (const value of written) {
    const entry = resolveEvaluationEntry(value);
    assert.deepEqual(resolveEvaluationEntry(JSON.parse(JSON.stringify(entry))), entry, JSON.stringify(value));
  }
  assert.match(issuesOf({ attack: 'pgd', steps: 3, settings: { steps: 4 } })[0].message, /not both/);
});

test('unknown labels and attacks are refused with the closest one', () => {
  const cases: Array<[unknown, string]> = [
    ['pgd20', 'pgd-20'],
    ['PGD-20', 'pgd-20'],
    ['pgd-020', 'pgd-20'],
    ['apgd', 'pgd-20'],
    ['pgd', 'pgd-20'],
    ['cw', 'cw-30'],
    ['fgsm-1', 'fgsm'],
    ['clea', 'clean'],
  ];
  for (const [value, suggestion] of cases) {
    const [issue] = issuesOf(value);
    assert.equal(issue.code, 'unknown-name', String(value));
    assert.equal(issue.fix, `did you mean ${suggestion}?`, String(value));
    assert.equal(issue.replacements?.[0], suggestion, String(value));
    assert.match(issue.message, /each entry is one of clean, fgsm, pgd-<steps>, cw-<steps>/);
  }
  const [attack] = issuesOf({ attack: 'pgx', steps: 3 });
  assert.deepEqual([attack.path, attack.code, attack.fix], [['attack'], 'unknown-name', 'did you mean pgd?']);
  assert.equal(issuesOf({ steps: 3 })[0].code, 'missing-key');
  assert.equal(issuesOf(7)[0].code, 'wrong-type');
});

test("a section's settings are checked by the attack's own schema, each issue at its key", () => {
  const [key] = issuesOf({ attack: 'pgd', stpes: 3 });
  assert.deepEqual([key.path, key.code, key.fix], [['stpes'], 'unknown-key', 'did you mean steps?']);
  assert.equal(issuesOf({ attack: 'fgsm', steps: 3 })[0].code, 'unknown-key', 'fgsm has no steps');
  assert.equal(issuesOf({ attack: 'pgd', confidence: 3 })[0].code, 'unknown-key', 'confidence is a cw setting');
  const bad = issuesOf({ attack: 'cw', steps: 2.5, confidence: -1 });
  assert.deepEqual(
    bad.map((i) => [i.path, i.message]),
    [
      [['steps'], 'attack cw: steps must be an integer, not 2.5'],
      [['confidence'], 'attack cw: confidence must be at least 0, not -1'],
    ],
  );
  const loss = issuesOf({ attack: 'pgd', loss: 'kll' })[0];
  assert.deepEqual([loss.path, loss.fix], [['loss'], 'did you mean kl?']);
  assert.equal(issuesOf({ attack: 'pgd', step_size: '1//255' })[0].code, 'bad-expression');
  assert.equal(issuesOf({ attack: 'pgd', label: '' })[0].path[0], 'label');
  assert.match(issuesOf({ attack: 'pgd', label: 'worst-case' })[0].message, /worst case/);
});

test('pgd-0 is refused by the parser, the experiment schema and gacd eval alike', () => {
  for (const value of ['pgd-0', 'cw-0', { attack: 'pgd', steps: 0 }, { attack: 'pgd', restarts: 0 }]) {
    const issues = issuesOf(value);
    assert.match(issues[0].message, /must be at least 1, not 0/, JSON.stringify(value));
  }
  assert.equal(issuesOf('pgd-0')[0].fix, 'did you mean pgd-20?');
  assert.match(schemaEntries('[clean, pgd-0]').problems.join('\n'), /pgd-0: steps must be at least 1, not 0/);
  assert.throws(() => parseAttackList('clean,pgd-0'), /--attacks entry 2 "pgd-0": pgd-0: steps must be at least 1, not 0 \(did you mean pgd-20\?\)/);
  assert.throws(() => parseAttackList('{attack: pgd, steps: 0}'), /steps must be at least 1/);
});

test('the experiment schema and gacd eval resolve the same entries, and spec holds them resolved', () => {
  const lists: Array<[string, string]> = [
    ['[clean, fgsm, pgd-20, cw-20]', 'clean,fgsm,pgd-20,cw-20'],
    ['[clean, {attack: pgd, steps: 50, step_size: 1/255, restarts: 5, loss: cw}, cw-30]', "clean,{attack: pgd, steps: 50, step_size: 1/255, restarts: 5, loss: cw},cw-30"],
    ['[{attack: cw, confidence: 5, label: cw-k5}, fgsm]', '{attack: cw, confidence: 5, label: cw-k5}, fgsm'],
  ];
  for (const [yamlList, flag] of lists) {
    const fromSchema = schemaEntries(yamlList);
    assert.deepEqual(fromSchema.problems, [], yamlList);
    assert.deepEqual(fromSchema.entries, parseAttackList(flag), yamlList);
  }
  const defaults = check(MINIMAL).spec!.evaluation.attacks;
  assert.deepEqual(defaults, DEFAULT_EVALUATION_ATTACKS.map((a) => resolveEvaluationEntry(a)));
  assert.deepEqual(parseAttackList(DEFAULT_EVALUATION_ATTACKS.join(',')), defaults);
  // The editor passes spec.json's entries back as JSON, which --attacks reads as YAML flow.
  assert.deepEqual(parseAttackList(defaults.map((e) => JSON.stringify(e)).join(',')), defaults);
});

test("a bad setting in a section is reported at its key in the file, with the attack's words", () => {
  const text = `${MINIMAL}evaluation:\n  attacks:\n    - clean\n    - attack: pgd\n      stpes: 50\n    - {attack: cw, confidence: -1}\n`;
  const r = check(text);
  const unknown = byCode(r, 'unknown-key').find((p) => /stpes/.test(p.message))!;
  assert.equal(unknown.line, 11);
  assert.equal(unknown.fix, 'did you mean steps?');
  const bound = errors(r).find((p) => /confidence/.test(p.message))!;
  assert.equal(covered(text, bound), '-1');
  const apgd = byCode(check(`${MINIMAL}evaluation:\n  attacks: [clean, {attack: apgd}]\n`), 'unknown-name')[0];
  assert.equal(apgd.fix, 'did you mean pgd?');
});

test('two entries with one label are refused, in the file and on the command line', () => {
  assert.match(schemaEntries('[pgd-20, {attack: pgd}]').problems.join('\n'), /entries 1 and 2 are both labelled "pgd-20"/);
  assert.throws(() => parseAttackList('pgd-20,{attack: pgd, steps: 20}'), /entries 1 and 2 are both labelled "pgd-20"/);
  assert.deepEqual(schemaEntries('[pgd-20, {attack: pgd, label: pgd-20b}]').problems, []);
});

test('the weak-evaluation warning reads sections too', () => {
  const weak = (list: string) => byCode(check(`${MINIMAL}evaluation:\n  attacks: ${list}\n`), 'weak-evaluation').length;
  assert.equal(weak('[clean, {attack: fgsm, random_start: true}]'), 1);
  assert.equal(weak('[clean, {attack: pgd, steps: 5}]'), 0);
  assert.equal(weak('[clean, cw-30]'), 0);
  assert.deepEqual(
    attacks.map((a) => isIterative(resolveEvaluationEntry({ attack: a.name }))),
    attacks.map((a) => 'steps' in a.settings.shape),
  );
});

test('--attacks splits at top-level commas only', () => {
  assert.deepEqual(splitTopLevel('clean, fgsm,pgd-20'), ['clean', 'fgsm', 'pgd-20']);
  assert.deepEqual(splitTopLevel('clean,{attack: pgd, steps: 50},cw-30'), ['clean', '{attack: pgd, steps: 50}', 'cw-30']);
  assert.deepEqual(splitTopLevel(`{attack: pgd, label: 'a, b'},{label: "c,\\"d", attack: cw}`), [`{attack: pgd, label: 'a, b'}`, `{label: "c,\\"d", attack: cw}`]);
  assert.deepEqual(splitTopLevel("{attack: pgd, label: it's},fgsm"), ["{attack: pgd, label: it's}", 'fgsm']);
  assert.equal(parseAttackList("{attack: pgd, label: 'a, b'}")[0].label, 'a, b');
  assert.throws(() => parseAttackList('clean,,fgsm'), /entry 2 "" is empty/);
  assert.throws(() => parseAttackList('{attack: pgd, steps: 5'), /entry 1 .* is not a YAML flow section/);
});
