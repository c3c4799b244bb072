/**
 * The weights' sha256 of each evaluated model of a run, from the model cards the engine writes
 * (`<run>/evaluation/<model>.card.json`): the comparison shows a model that several runs share
 * (the same teacher they all load) once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** `{ teacher: 'cb8c…', student: '91fe…' }`; a card that is missing or unreadable is left out. */
export function readWeightHashes(runDir: string): Record<string, string> {
  const dir = path.join(runDir, 'evaluation');
  const out: Record<string, string> = {};
  let files: string[];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.card.json'));
  } catch {
    return out;
  }
  for (const f of files) {
    try {
      const card = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { model?: unknown; weightsSha256?: unknown };
      if (typeof card.model === 'string' && typeof card.weightsSha256 === 'string') out[card.model] = card.weightsSha256;
    } catch {
      // A card torn by a crash: that model is not merged with others, nothing worse.
    }
  }
  return out;
}
