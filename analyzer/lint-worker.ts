/** The piscina worker: lints one file per task with the same code as the in-process path. */
import type { LintResult } from './lint-file.js';
import type { LintTask } from './pool.js';
import { lintSource } from './lint-file.js';

export default function lintTask({ code, filename, sourceType }: LintTask): LintResult {
  return lintSource(code, filename, sourceType);
}
