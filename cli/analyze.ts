/**
 * `warden analyze <path>...`: run the gate on plugin folders or npm pack
 * tarballs and print the verdict per tier. Exit 0 allowed or warned, 1
 * blocked, 2 bad input (a UsageError, printed as one line by main.ts).
 */
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { analyzePlugins, format, FORMATS, loadPolicy, summaryLines, TIERS, type Format, type Progress, type Tier } from '../analyzer/index.js';
import { removeTempDirsSync } from '../analyzer/package-source.js';
import { EXIT, UsageError } from './errors.js';

interface AnalyzeFlags {
  tier: Tier;
  format?: Format;
  output?: string;
  policy?: string;
  cache: boolean;
  cacheDir?: string;
  ignorePattern: string[];
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description('Run the static-analysis gate on plugin folders or npm pack .tgz files and print the verdict for a trust tier')
    .argument('<path...>', 'plugin folders or .tgz archives')
    .addOption(new Option('--tier <tier>', 'trust tier whose policy decides').choices(TIERS).default('community'))
    .addOption(new Option('--format <format>', 'report format (default: stylish on a terminal, json otherwise)').choices(FORMATS))
    .option('--output <file>', 'write the report to a file instead of stdout')
    .option('--policy <file>', 'JSON policy file overriding cells of the default tier table')
    .option('--no-cache', 'analyze every file afresh, neither reading nor writing the cache')
    .option('--cache-dir <dir>', 'where cached per-file results live (default: $XDG_CACHE_HOME/warden or ~/.cache/warden)')
    .option('--ignore-pattern <pattern>', 'ESLint-style pattern of generated files not to read unless an entry point reaches them (repeatable)', (pattern: string, all: string[]) => [...all, pattern], [] as string[])
    .action(async (paths: string[], flags: AnalyzeFlags) => {
      process.exitCode = await analyze(paths, flags);
    });
}

async function analyze(paths: string[], flags: AnalyzeFlags): Promise<number> {
  // Interrupted mid-way, still leave nothing behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      removeTempDirsSync();
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
  const policy = flags.policy ? await loadPolicy(flags.policy) : undefined;
  const toTerminal = !flags.output && process.stdout.isTTY === true;
  // A terminal gets the human report; a pipe or file gets the machine one unless asked otherwise.
  const formatName: Format = flags.format ?? (toTerminal ? 'stylish' : 'json');
  const bar = paths.length > 1 && process.stderr.isTTY ? progressBar() : undefined;
  let analyses;
  try {
    analyses = await analyzePlugins(paths, { tier: flags.tier, policy, cache: flags.cache, cacheDir: flags.cacheDir, ignorePatterns: flags.ignorePattern }, bar?.update);
  } finally {
    bar?.clear();
  }
  const color = toTerminal && !process.env.NO_COLOR;
  const report = await format(formatName, analyses, { color, policy });
  if (flags.output) {
    await writeFile(flags.output, report).catch((error: Error) => {
      throw new UsageError(`cannot write ${flags.output}: ${error.message}`);
    });
  } else {
    process.stdout.write(report);
  }
  if (paths.length > 1 && formatName !== 'stylish') {
    // The stylish report ends with these lines; machine formats keep stdout clean and put them on stderr.
    process.stderr.write(`${summaryLines(analyses, { color: process.stderr.isTTY === true && !process.env.NO_COLOR, policy })}\n`);
  }
  return analyses.some((analysis) => analysis.decision.action === 'block') ? EXIT.blocked : EXIT.ok;
}

/** One self-overwriting line on stderr: files linted across all plugins. */
function progressBar(): { update: (progress: Progress) => void; clear: () => void } {
  const width = 30;
  return {
    update: ({ filesDone, filesTotal, pluginsDone, pluginsTotal }) => {
      const filled = filesTotal === 0 ? width : Math.round((filesDone / filesTotal) * width);
      process.stderr.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${filesDone}/${filesTotal} files, ${pluginsDone}/${pluginsTotal} plugins`);
    },
    clear: () => process.stderr.write('\r\x1b[2K'),
  };
}
