import { join } from 'node:path';
export const ROOT = join(__dirname, '..', '..');
/** The teacher checkpoint shipped with the examples (made by examples/teacher-fashion.gacd). */
export const TEACHER_CHECKPOINT = join(ROOT, 'examples', 'checkpoints', 'teacher-fashion');
