/**
 * `warden analyze <path>...`: run the gate on plugin folders or npm pack
 * tarballs and print the verdict per tier. Exit 0 allowed or warned, 1
 * blocked (or more warnings than --max-warnings), 2 bad input (a UsageError,
 * printed as one line by main.ts).
 */
import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { analyzePlugins, type Progress } from '../analyzer/analyze.js';
import { prepareCacheDir } from '../analyzer/cache-dir.js';
import { format, FORMATS, type Format } from '../analyzer/format/index.js';
import { removeTempDirsOnSignal } from '../analyzer/temp-dirs.js';
import { actionOf, defaultPolicy, loadPolicy } from '../analyzer/policy.js';
import { TIERS, type PluginAnalysis, type Policy, type Tier } from '../analyzer/types.js';
import { addColorOptions, colorFor } from './color.js';
import { EXIT, UsageError } from './errors.js';

interface AnalyzeFlags {
  tier: Tier;
  format?: Format;
  output?: string;
  policy?: string;
  cache: boolean;
  cacheDir?: string;
  quiet?: boolean;
  maxWarnings?: number;
  ignorePattern: string[];
}

export function registerAnalyze(program: Command): void {
  const command = program
    .command('analyze')
    .description('Run the static-analysis gate on plugin folders or npm pack .tgz files and print the verdict for a trust tier')
    .argument('<path...>', 'plugin folders or .tgz archives')
    .addOption(new Option('--tier <tier>', 'trust tier whose policy decides').choices(TIERS).default('community'))
    .addOption(new Option('--format <format>', 'report format (default: stylish on a terminal, json otherwise)').choices(FORMATS))
    .option('--output <file>', 'write the report to a file instead of stdout')
    .option('--policy <file>', 'JSON policy file overriding cells of the default tier table')
    .option('--quiet', 'list only the findings that block (the others are still counted)')
    .option('--max-warnings <n>', 'exit 1 when more findings than this need a warning', parseCount)
    .option('--no-cache', 'analyze every file afresh, neither reading nor writing the cache')
    .option('--cache-dir <dir>', 'where cached per-file results live (default: $XDG_CACHE_HOME/warden or ~/.cache/warden)')
    .option('--ignore-pattern <pattern>', 'ESLint-style pattern of generated files not to read unless an entry point reaches them (repeatable)', (pattern: string, all: string[]) => [...all, pattern], [] as string[])
    .action(async (paths: string[], flags: AnalyzeFlags) => {
      process.exitCode = await analyze(paths, flags);
    });
  addColorOptions(command);
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`--max-warnings: expected a whole number, not ${JSON.stringify(value)}`);
  return Number(value);
}

async function analyze(paths: string[], flags: AnalyzeFlags): Promise<number> {
  // Interrupted mid-way, still leave nothing behind.
  removeTempDirsOnSignal();
  const policy = flags.policy ? await loadPolicy(flags.policy) : undefined;
  if (flags.cache && flags.cacheDir !== undefined) {
    await prepareCacheDir(flags.cacheDir).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot use --cache-dir ${flags.cacheDir}: ${error.code ?? error.message}`);
    });
  }
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
  // A file gets colours only when asked for (--color, FORCE_COLOR); stdout by the usual rules.
  const color = flags.output ? colorFor({ isTTY: false }) : colorFor(process.stdout);
  const quiet = flags.quiet === true;
  const reported = quiet && (formatName === 'json' || formatName === 'sarif') ? analyses.map((analysis) => onlyBlocking(analysis, policy)) : analyses;
  const report = await format(formatName, reported, { color, policy, quiet, width: flags.output ? undefined : terminalWidth() });
  if (flags.output) {
    await writeFile(flags.output, report).catch((error: Error) => {
      throw new UsageError(`cannot write ${flags.output}: ${error.message}`);
    });
  } else {
    process.stdout.write(report);
  }
  if (paths.length > 1 && formatName !== 'stylish') {
    // The stylish report ends with these lines; other formats keep stdout clean and put them on stderr.
    const { summaryLines } = await import('../analyzer/format/stylish.js');
    process.stderr.write(`${summaryLines(analyses, { color: colorFor(process.stderr), policy, width: process.stderr.columns })}\n`);
  }
  const blocked = analyses.some((analysis) => analysis.decision.action === 'block');
  const warnings = countWarnings(analyses, policy);
  if (flags.maxWarnings !== undefined && warnings > flags.maxWarnings) {
    process.stderr.write(`warden: too many warnings (${warnings}, more than --max-warnings ${flags.maxWarnings})\n`);
    return EXIT.blocked;
  }
  return blocked ? EXIT.blocked : EXIT.ok;
}

/** Findings whose action for their tier is a warning: ESLint's "warnings", for --max-warnings. */
function countWarnings(analyses: PluginAnalysis[], policy: Policy | undefined): number {
  return analyses.reduce((sum, analysis) => sum + analysis.findings.filter((finding) => actionOf(policy ?? defaultPolicy, analysis.tier, finding) === 'warn').length, 0);
}

function onlyBlocking(analysis: PluginAnalysis, policy: Policy | undefined): PluginAnalysis {
  return { ...analysis, findings: analysis.findings.filter((finding) => actionOf(policy ?? defaultPolicy, analysis.tier, finding) === 'block') };
}

/** The terminal's width; `COLUMNS` for a pipe into a pager; none (no wrapping) otherwise. */
function terminalWidth(): number | undefined {
  if (process.stdout.isTTY && process.stdout.columns > 0) return process.stdout.columns;
  const columns = Number(process.env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : undefined;
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
