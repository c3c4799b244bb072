/**
 * `gacd resume RUN_DIR`: continues a stopped, crashed or failed run from its checkpoints. The run
 * folder's spec.json is checked with the experiment schema before anything runs: it is the
 * resolved spec `gacd run` wrote, so a valid one passes unchanged, and one that was edited by
 * hand, truncated or written by another version is refused with the file, the field and the fix.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseExperimentText, pathAtOffset, syntaxProblems, toPlain } from '../experiment/parse';
import type { ParsedExperiment } from '../experiment/parse';
import type { Problem } from '../experiment/problems';
import type { ExperimentSpec } from '../experiment/schema';
import { pathText, validateExperiment } from '../experiment/validate';
import { runDirPaths } from '../run/runDir';
import { executeRun, RunFlags } from './execute';
import { Printer } from './printer';

export async function resumeCommand(runDir: string, flags: RunFlags, printer = new Printer()): Promise<number> {
  const dir = runDirPaths(path.resolve(runDir));
  if (!fs.existsSync(dir.spec)) {
    printer.error(`${runDir} is not a run folder (no spec.json)`, 'give the folder that holds events.jsonl');
    return 1;
  }
  if (fs.existsSync(dir.results)) {
    printer.error(`${runDir} has already finished (results.json exists); nothing to resume`);
    return 1;
  }
  const { spec, problems } = readRunSpec(dir.spec);
  if (!spec) {
    printer.problems(problems);
    printer.error(
      `${dir.spec} is not a valid experiment spec, so the run was not resumed`,
      'correct the fields named above in spec.json, the spec the run started with, or start a new run with gacd run on the experiment.gacd beside it',
    );
    return 1;
  }
  return executeRun(spec, dir.root, true, flags);
}

/**
 * A run folder's spec.json, validated like an experiment file. JSON is YAML, so the experiment
 * parser reads it with positions and each problem points at its line and column; every problem
 * names its field's dotted path.
 */
export function readRunSpec(file: string): { spec?: ExperimentSpec; problems: Problem[] } {
  const parsed = parseExperimentText(fs.readFileSync(file, 'utf8'));
  const syntax = syntaxProblems(parsed, file).filter((p) => p.severity === 'error');
  if (syntax.length) return { problems: syntax };
  const validation = validateExperiment(parsed, toPlain(parsed), file);
  return { spec: validation.spec, problems: validation.problems.map((p) => withPath(parsed, p)) };
}

/** The problem's message, led by the dotted path of the field it points at when it does not name it. */
function withPath(parsed: ParsedExperiment, p: Problem): Problem {
  const offset = (parsed.lineCounter.lineStarts[p.line - 1] ?? 0) + p.column - 1;
  const at = pathAtOffset(parsed, offset).path;
  const where = pathText(at);
  return at.length === 0 || p.message.includes(where) ? p : { ...p, message: `${where}: ${p.message}` };
}
