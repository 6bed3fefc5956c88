/**
 * Where linting runs. Work big enough to pay for starting workers (each loads
 * ESLint and the TypeScript parser afresh) goes through one piscina pool on
 * all cores, shared by every plugin being analyzed; small work lints in
 * this thread. Workers get a large heap, since a single bundled file of many
 * megabytes makes a large AST.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { LintResult } from './lint-file.js';
import type { SourceType } from './files.js';

export interface LintTask {
  code: string;
  /** Relative to the plugin root. */
  filename: string;
  sourceType: SourceType;
}

export interface Linting {
  lint(task: LintTask): Promise<LintResult>;
  close(): Promise<void>;
}

/** Below this much source, starting workers costs more than it saves. */
const POOL_THRESHOLD_BYTES = 1024 * 1024;
/**
 * On two cores the pool loses to linting in this thread (measured with the
 * bench corpus: each worker loads the rules and parsers afresh, and the
 * machine's other work leaves little of the second core), so it starts at three.
 */
const MIN_POOL_THREADS = 3;
const WORKER_HEAP_MB = 6144;
/** Parsing makes short-lived garbage at a high rate; a larger young generation means far fewer scavenges. */
const WORKER_YOUNG_MB = 96;

/** The compiled worker module; absent when running from TypeScript sources (tests), where linting stays in-process. */
const WORKER_FILE = fileURLToPath(new URL('./lint-worker.js', import.meta.url));

export async function createLinting(pendingBytes: number, pendingFiles: number): Promise<Linting> {
  const threads = availableParallelism();
  if (pendingBytes < POOL_THRESHOLD_BYTES || pendingFiles < 2 || threads < MIN_POOL_THREADS || !existsSync(WORKER_FILE)) return inProcess;
  // Loaded only when a pool starts: most runs lint in this thread or not at all.
  const { Piscina } = await import('piscina');
  const pool = new Piscina<LintTask, LintResult>({
    filename: WORKER_FILE,
    minThreads: threads,
    maxThreads: threads,
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB, maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
  });
  return { lint: (task) => pool.run(task), close: () => pool.destroy() };
}

// Loaded on first need: a run served wholly from the cache never loads the rules or the parsers.
let linter: Promise<typeof import('./lint-file.js')> | undefined;

/** Starts loading the in-process linter, so that it loads while the rest of the files are still being read. */
export function preloadLinter(): void {
  linter ??= import('./lint-file.js');
}

const inProcess: Linting = {
  lint: async (task) => {
    preloadLinter();
    return (await linter!).lintSource(task.code, task.filename, task.sourceType);
  },
  close: async () => undefined,
};
