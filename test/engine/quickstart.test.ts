/**
 * The main job keeps its promise: `gacd run examples/quickstart.gacd` finishes and the GACD
 * student's PGD-20 accuracy is at least 10 points above the naturally trained student's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { engineEvent } from '../../src/protocol/events';
import { ROOT } from './paths';

test('the quickstart: GACD beats natural training by at least 10 points of PGD-20 accuracy', () => {
  const runs = fs.mkdtempSync(path.join(os.tmpdir(), 'gacd-quickstart-'));
  try {
    const r = spawnSync(process.execPath, ['bin/gacd.js', 'run', 'examples/quickstart.gacd', '--json', '--runs-dir', runs], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const end = engineEvent.parse(JSON.parse(r.stdout.trim().split('\n').pop()!));
    assert.ok(end.type === 'run-end' && end.results);
    const pgd20 = (model: string) => end.results!.find((m) => m.model === model)!.results.find((a) => a.attack === 'pgd-20')!.accuracy;
    const gacd = pgd20('student');
    const natural = pgd20('baseline:natural');
    assert.ok(gacd >= natural + 0.1, `GACD ${gacd} vs natural ${natural}`);
    // Robustness is not free: the teacher and the GACD student are attacked, not just tested.
    for (const m of end.results!) {
      const acc = Object.fromEntries(m.results.map((a) => [a.attack, a.accuracy]));
      assert.ok(acc['pgd-20'] <= acc.clean && acc['cw-20'] <= acc.clean, `${m.model}: robust above clean`);
    }
  } finally {
    fs.rmSync(runs, { recursive: true, force: true });
  }
});
