/**
 * The experiment module's public face, for the engine, the CLI and the language server. Pure:
 * it imports `yaml`, `zod`, node's fs/path and the engine's tfjs-free catalogs, never tfjs.
 */
export { loadExperiment, defaultExperimentName } from './load';
export type { LoadOptions, LoadResult } from './load';
export { experimentSchema, experimentFields, defaultEpsilons, backendNames, augmentNames, scheduleNames } from './schema';
export type { ExperimentSpec, MethodBlock, BaselineBlock, TeacherTrainingBlock, SettingMeta } from './schema';
export { schemaAt, describeAt, describeSchema, typeWords } from './schemaInfo';
export type { SettingInfo, SettingKind } from './schemaInfo';
export {
  parseExperimentText,
  toPlain,
  locate,
  rangeOf,
  rangeNear,
  sourceOf,
  keysAt,
  pathAtOffset,
  offsetRange,
  syntaxProblems,
} from './parse';
export type { ParsedExperiment, Path, Part } from './parse';
export { formatProblem, hasErrors, sortProblems } from './problems';
export type { Problem, Range, Severity, ProblemCode } from './problems';
export { evaluateExpression, numberOrExpression } from '../catalog/expression';
export {
  parseEvaluationEntry,
  resolveEvaluationEntry,
  suggestEvaluationAttacks,
  isIterative,
  COMMON_EVALUATION_ATTACKS,
  DEFAULT_EVALUATION_ATTACKS,
  EVALUATION_ATTACK_FORMS,
} from '../attacks/catalog';
export type { EvaluationEntry, AttackEntry, EntryIssue, EntryParse } from '../attacks/catalog';
export { findWorkspaceRoot, resolveFromFile, isInside } from './workspace';
export { closestMatches, editDistance } from '../catalog/closest';
