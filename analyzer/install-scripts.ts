/**
 * Lifecycle scripts npm runs at install, outside any sandbox. Any of them is
 * worth a reviewer's look (high); one that fetches, decodes or evaluates
 * code, or runs a file that does something dangerous, is the classic
 * supply-chain payload (critical). `prepare` and its siblings of a bundled
 * dependency never run on install: info. The files a script runs with
 * `node` are entry points of the module graph, read like any other code.
 */
import { posix } from 'node:path';
import { createRequire } from 'node:module';
import type { parse as ParseShell } from 'shell-quote';
import { isDangerousCommand } from '../rules/utils/commands.js';
import type { RawReport } from '../rules/utils/report.js';
import { checkReport, keyLocation } from './checks.js';

/**
 * Every script name npm runs around an install (npm's scripts.md, "Life Cycle
 * Operation Order", npm 11): `npm install`/`npm ci` run the install and
 * prepare scripts; npm 8+ runs `dependencies` (with its pre/post, as arborist's
 * reify does) after any change to node_modules; a git dependency is packed
 * before it is installed, which runs `prepack` and `postpack`.
 */
export const LIFECYCLE_SCRIPTS = [
  'preinstall', 'install', 'postinstall', 'preprepare', 'prepare', 'postprepare', 'prepublish',
  'predependencies', 'dependencies', 'postdependencies', 'prepack', 'postpack',
] as const;
/** Scripts npm runs only for the project itself (developed, packed, installed from git), never for a dependency installed from a registry. */
const PREPARE_SCRIPTS = new Set(['preprepare', 'prepare', 'postprepare', 'prepublish', 'predependencies', 'dependencies', 'postdependencies', 'prepack', 'postpack']);
/** `node` flags that take the next word as their value (`node -r hook.js main.js` runs main.js). */
const FLAGS_WITH_VALUE = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--input-type']);
const MAX_SCRIPT_DEPTH = 5;

export interface ScriptFacts {
  /** True for a bundled dependency's package.json. */
  bundled: boolean;
  /** Files a script runs with `node` (or its inline `node -e` code) that do something dangerous, by script name. */
  dangerousEntries?: ReadonlyMap<string, string>;
  /** Files a script runs with `node` that use the file system (where no sandbox confines it), by script name. */
  fileUsingEntries?: ReadonlyMap<string, string>;
  /** The gate linted the code the scripts give `node -e` (see scriptEntries): judged by what it does, not by being there. */
  inlineCodeLinted?: boolean;
  /** True when `node <target>` from the plugin root runs a file the gate has read (the root's scripts only). */
  isReadFile?: (target: string) => boolean;
}

function scriptsOf(text: string): Record<string, string> | undefined {
  let scripts: unknown;
  try {
    scripts = (JSON.parse(text) as { scripts?: unknown }).scripts;
  } catch {
    return undefined;
  }
  if (!scripts || typeof scripts !== 'object') return undefined;
  return Object.fromEntries(Object.entries(scripts).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** Reports for one package.json's text (already known to parse for the root; bundled ones may not). */
export function installScriptReports(text: string, facts: ScriptFacts = { bundled: false }): RawReport[] {
  const scripts = scriptsOf(text);
  if (!scripts) return [];
  const reports: RawReport[] = [];
  for (const script of LIFECYCLE_SCRIPTS) {
    const command = scripts[script];
    if (command === undefined) continue;
    const where = keyLocation(text, script);
    const entry = facts.dangerousEntries?.get(script);
    if (facts.bundled && PREPARE_SCRIPTS.has(script)) reports.push(checkReport('install-script', 'bundledPrepare', { script, command }, where));
    else if (isDangerousCommand(facts.inlineCodeLinted ? withoutInlineNodeCode(command) : command)) reports.push(checkReport('install-script', 'dangerous', { script, command }, where));
    else if (entry) reports.push(checkReport('install-script', 'dangerousEntry', { script, command, entry }, where));
    else if (facts.fileUsingEntries?.has(script)) reports.push(checkReport('install-script', 'filesAtInstall', { script, command, entry: facts.fileUsingEntries.get(script)! }, where));
    else if (facts.isReadFile && runsOnlyReadCode(command, facts.isReadFile)) reports.push(checkReport('install-script', 'readScript', { script, command }, where));
    else reports.push(checkReport('install-script', 'script', { script, command }, where));
  }
  return reports;
}

/** Programs that only print or set an exit status, whatever constant words they are given. */
const PRINTING_BUILTINS = new Set(['echo', 'printf', 'true', 'false', ':', 'exit']);
/** Operators between commands that run one after another; every other operator (pipes, redirections, `&`, subshells) is more than reading code. */
const SEQUENCE = new Set(['&&', '||', ';']);

/**
 * True when everything a command line runs is code the gate has read: each command is `node` given a file of the
 * plugin (`node scripts/setup.js`) or constant code (`node -e "console.log('thanks')"`), or a builtin that only
 * prints, joined by `&&`, `||` or `;`. Anything else the shell would do — expand a variable or a glob, substitute a
 * command, redirect, pipe, start another program, give node a flag that loads a module — is not read.
 * shell-quote splits the words; a newline or a backtick, which it passes through as text where sh acts on them,
 * is refused before it.
 */
/** shell-quote, loaded the first time a script is split: most plugins have no lifecycle script, and a warm run pays for every module it loads. */
const parseShell = (): typeof ParseShell => (createRequire(import.meta.url)('shell-quote') as { parse: typeof ParseShell }).parse;

function runsOnlyReadCode(command: string, isReadFile: (target: string) => boolean): boolean {
  if (/[\n\r`]/.test(command)) return false;
  let tokens: ReturnType<typeof ParseShell>;
  try {
    tokens = parseShell()(command, (name) => ({ op: `$${name}` }));
  } catch {
    return false; // a substitution shell-quote cannot split (`${A:-$(id)}`): sh runs it all the same
  }
  const commands: string[][] = [[]];
  for (const token of tokens) {
    if (typeof token !== 'string') {
      if (!('op' in token) || !SEQUENCE.has(token.op)) return false;
      commands.push([]);
    } else commands.at(-1)!.push(token);
  }
  return commands.every(([program, ...args]) => {
    if (program === undefined) return true;
    if (PRINTING_BUILTINS.has(program)) return true;
    if (program !== 'node' && program !== 'nodejs') return false;
    if (isInlineFlag(args[0] ?? '')) return args.length === 2;
    return args[0] !== undefined && !args[0].startsWith('-') && isReadFile(args[0]);
  });
}

/** Command names a script's `node` may be instead of Node. */
const NODE_COMMANDS = new Set(['node', 'nodejs']);

/**
 * True when the plugin ships something npm puts on a lifecycle script's PATH under the name `node`: npm runs scripts
 * with every `node_modules/.bin` above the package first on PATH, and links there each command a package it
 * installs declares (`bin`, a string `bin` named after its package, each file of `directories.bin`); a
 * `node_modules/.bin/node` shipped as is does the same. Then `node setup.js` runs that program, not Node.
 */
export function shipsNodeCommand(manifests: ReadonlyMap<string, string>, paths: readonly string[]): boolean {
  if (paths.some((path) => /(^|\/)node_modules\/\.bin\/(node|nodejs)$/.test(path))) return true;
  for (const [manifestPath, text] of manifests) {
    let manifest: { name?: unknown; bin?: unknown; directories?: { bin?: unknown } };
    try {
      manifest = JSON.parse(text) as typeof manifest;
    } catch {
      continue;
    }
    const { name, bin, directories } = manifest ?? {};
    if (typeof bin === 'string' && typeof name === 'string' && NODE_COMMANDS.has(name.split('/').pop()!)) return true;
    if (bin && typeof bin === 'object' && Object.keys(bin).some((command) => NODE_COMMANDS.has(command.split('/').pop()!))) return true;
    if (typeof directories?.bin === 'string' && !bin) {
      const folder = posix.join(posix.dirname(manifestPath), directories.bin, '/');
      if (paths.some((path) => path.startsWith(folder) && NODE_COMMANDS.has(posix.basename(path)))) return true;
    }
  }
  return false;
}

/** What a lifecycle script hands to `node`: files to run, and code given inline (`node -e "require('./x')"`). */
export interface ScriptEntries {
  files: string[];
  code: string[];
}

/**
 * What each lifecycle script runs with `node` (`node scripts/setup.js`,
 * `node -r x ./a.js`, `node -e '…'`), following `npm run other` into the script it names.
 */
export function scriptEntries(text: string): Map<string, ScriptEntries> {
  const scripts = scriptsOf(text) ?? {};
  const out = new Map<string, ScriptEntries>();
  for (const script of LIFECYCLE_SCRIPTS) {
    if (scripts[script] === undefined) continue;
    const entries: ScriptEntries = { files: [], code: [] };
    nodeTargets(scripts[script], scripts, 0, entries);
    if (entries.files.length || entries.code.length) out.set(script, entries);
  }
  return out;
}

/**
 * A command's segments (split at `&&`, `||`, `;`, `|` outside quotes: `node -e "a(); b()"` is one command), each as
 * its words as written, variable assignments dropped.
 */
function segmentWords(command: string): string[][] {
  return shellSegments(command).map((segment) => (segment.match(/"(?:[^"\\]|\\.)*"|'[^']*'|\S+/g) ?? []).filter((word) => !/^[A-Za-z_]\w*=/.test(word)));
}

/** The command split at its unquoted operators; quoted text (with `\` escapes outside single quotes) is kept whole. */
function shellSegments(command: string): string[] {
  const segments: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const char = command[i];
    if (char === '\\' && quote !== "'" && i + 1 < command.length) {
      current += char + command[++i];
      continue;
    }
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      current += char;
      continue;
    }
    if (char === '"' || char === "'") quote = char;
    const operator = char === ';' || char === '|' || (char === '&' && command[i + 1] === '&');
    if (!operator) {
      current += char;
      continue;
    }
    segments.push(current);
    current = '';
    if (char !== ';' && command[i + 1] === char) i++;
  }
  segments.push(current);
  return segments;
}

const isNode = (program: string) => /^(node|nodejs|node\.exe)$/.test(unquote(program).split(/[\\/]/).pop()!);
const isInlineFlag = (arg: string) => arg === '-e' || arg === '--eval' || arg === '-p' || arg === '--print';
/** A word the shell hands on as written: single-quoted, or with nothing it expands (`$…`, backticks, globs). */
const isConstantWord = (word: string) => word.startsWith("'") || !/[$`]|^[^"]*[*?[~]/.test(word);

/**
 * The command without the code it gives `node -e` when that code is constant (the gate lints it as an entry point):
 * `node -e "console.log('thanks')"` is judged by what it does, like a constant eval, and the rest of the line as
 * before; `node -e "$(curl …)"` is code the shell builds at install, and stays as written.
 */
function withoutInlineNodeCode(command: string): string {
  return segmentWords(command)
    .map(([program, ...args]) => {
      const flag = program === undefined || !isNode(program) ? -1 : args.findIndex(isInlineFlag);
      if (flag < 0 || args[flag + 1] === undefined || !isConstantWord(args[flag + 1])) return [program, ...args].join(' ');
      return [program, ...args.slice(0, flag), ...args.slice(flag + 2)].join(' ');
    })
    .join(' ; ');
}

function nodeTargets(command: string, scripts: Record<string, string>, depth: number, out: ScriptEntries): void {
  if (depth > MAX_SCRIPT_DEPTH) return;
  for (const [program, ...args] of segmentWords(command).map((words) => words.map(unquote))) {
    if (program === undefined) continue;
    if (isNode(program)) {
      for (let i = 0; i < args.length; i++) {
        if (isInlineFlag(args[i])) {
          if (args[i + 1] !== undefined) out.code.push(args[i + 1]);
          break;
        }
        if (FLAGS_WITH_VALUE.has(args[i])) i++;
        else if (!args[i].startsWith('-')) {
          out.files.push(args[i]);
          break;
        }
      }
    } else if ((program === 'npm' || program === 'pnpm') && (args[0] === 'run' || args[0] === 'run-script') && scripts[args[1]] !== undefined) {
      nodeTargets(scripts[args[1]], scripts, depth + 1, out);
    } else if (program === 'yarn' && scripts[args[0] === 'run' ? args[1] : args[0]] !== undefined) {
      nodeTargets(scripts[args[0] === 'run' ? args[1] : args[0]], scripts, depth + 1, out);
    }
  }
}

/** A shell word without its quotes (a double-quoted word keeps its escaped quotes as quotes). */
function unquote(word: string): string {
  if (word.startsWith('"') && word.endsWith('"')) return word.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
  if (word.startsWith("'") && word.endsWith("'")) return word.slice(1, -1);
  return word;
}
