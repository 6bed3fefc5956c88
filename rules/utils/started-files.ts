/**
 * Every place a file starts a file as code of its own outside `require` and
 * `import`: a thread (`new Worker(file)`, worker pools given a `filename`), a
 * child Node process (`fork(file)`, `spawn(process.execPath, [file])`,
 * `exec('node file')`, `cluster.setupPrimary({ exec: file })`), and the
 * files such a Node is told to preload (`-r`, `--import` in its arguments or
 * `execArgv`). The module graph follows them like loads: what the started
 * file does is the plugin's code as much as what it requires.
 */
import type { Rule } from 'eslint';
import { posix } from 'node:path';
import type { AnyNode } from './ast.js';
import { unwrap } from './ast.js';
import { possibleSpecifiers } from './modules.js';
import { DYNAMIC, memberName, Resolver, resolverFor } from './resolve.js';
import { PLUGIN_ROOT } from './markers.js';
import { programName } from './commands.js';
import type { StartVia } from './start-vias.js';

export interface StartedFile {
  node: AnyNode;
  /** The folded path or URL; undefined when it cannot be known statically. */
  specifier: string | undefined;
  /** The expression that gives the path, when there is one. */
  specifierNode: AnyNode | undefined;
  via: StartVia;
}

/** Where the started file is given: an argument, or a key of an options argument. */
interface Starter {
  via: StartVia;
  argument: number;
  key?: string;
  /** Reads `execArgv` of the options at this argument for preloaded files. */
  execArgvAt?: number;
}

/** By `module:path` as the resolver names the callee. */
const STARTERS = new Map<string, Starter>([
  ['worker_threads:Worker', { via: 'worker', argument: 0, execArgvAt: 1 }],
  ['child_process:fork', { via: 'fork', argument: 0, execArgvAt: 2 }],
  ['execa:execaNode', { via: 'fork', argument: 0, execArgvAt: 2 }],
  ['cluster:setupPrimary', { via: 'cluster', argument: 0, key: 'exec' }],
  ['cluster:setupMaster', { via: 'cluster', argument: 0, key: 'exec' }],
  ['piscina:', { via: 'worker', argument: 0, key: 'filename' }],
  ['piscina:Piscina', { via: 'worker', argument: 0, key: 'filename' }],
  ['tinypool:', { via: 'worker', argument: 0, key: 'filename' }],
  ['tinypool:Tinypool', { via: 'worker', argument: 0, key: 'filename' }],
  ['workerpool:pool', { via: 'worker', argument: 0 }],
]);
/** Functions that run a program with an argument list: a Node binary among them runs the file the list names. */
const PROGRAM_RUNNERS = new Set([
  'child_process:spawn', 'child_process:spawnSync', 'child_process:execFile', 'child_process:execFileSync',
  'cross-spawn:', 'cross-spawn:sync', 'cross-spawn:spawn', 'execa:', 'execa:execa', 'execa:execaSync', 'execa:sync',
]);
/** Functions that run a whole shell command line. */
const SHELL_RUNNERS = new Set(['child_process:exec', 'child_process:execSync', 'execa:execaCommand', 'execa:execaCommandSync', 'execa:command']);
/** The Node binary the plugin runs in, however it is named. */
const NODE_BINARY_REFS = new Set(['process.execPath', 'process.argv0', 'process.argv.0']);
const NODE_BINARY_NAME = /(^|[\\/])node(js)?(\d+(\.\d+)*)?(\.exe)?$/i;
/** Node options whose value is a file Node loads before the script, and those that make it run no file. */
const PRELOAD_OPTIONS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader']);
const INLINE_CODE_OPTIONS = new Set(['-e', '--eval', '-p', '--print', '--run']);
/** A relative word naming a code file: what a program handed it may run. */
const CODE_FILE = /\.(?:[cm]?js|[cm]?ts|jsx|tsx|sh|node)$/i;

export function startedFileListeners(context: Rule.RuleContext, onStart: (start: StartedFile) => void): Rule.RuleListener {
  const resolver = resolverFor(context);
  /** A file given as an expression, or as a word already folded. */
  const emit = (node: AnyNode, file: AnyNode | string, via: StartVia) => {
    if (typeof file === 'string') onStart({ node, specifier: file, specifierNode: undefined, via });
    else for (const possible of possibleSpecifiers(resolver, file)) onStart({ node, ...possible, via });
  };
  const onCall = (node: AnyNode) => {
    const call = resolver.normalizeCall(node);
    const callee = call.callee;
    if (callee?.module === undefined || callee.module === DYNAMIC) return;
    const name = `${callee.module}:${callee.path.join('.')}`;
    const args = call.args;
    if (!args) return;
    const starter = STARTERS.get(name);
    if (starter) {
      const given = starter.key === undefined ? args[starter.argument] : args[starter.argument] && optionValue(resolver, args[starter.argument], starter.key);
      // A Worker handed code with `eval: true` runs a string, not a file (no-dynamic-code judges it).
      if (given && !(starter.via === 'worker' && evalOn(resolver, args[1]))) emit(node, given, starter.via);
      const options = starter.execArgvAt === undefined ? undefined : args[starter.execArgvAt] ?? (starter.via === 'fork' ? args[1] : undefined);
      // `fork(file, [], { execPath: '/bin/sh' })`: the program fork runs the file with is a shell.
      const execPath = starter.via === 'fork' && options ? optionValue(resolver, options, 'execPath') : undefined;
      if (given && execPath && isShell(resolver, execPath)) emit(node, given, 'shell');
      const execArgv = options && optionValue(resolver, options, 'execArgv');
      if (execArgv) nodeArguments(resolver, execArgv, false, (file) => emit(node, file, starter.via));
    } else if (PROGRAM_RUNNERS.has(name) && args[0]) {
      // The same file may be named by the folded words and by the list's own elements: start it once per way.
      const started = new Set<AnyNode | string>();
      const named = new Set<string>();
      const startOnce = (file: AnyNode | string, via: StartVia = 'node') => {
        const folded = typeof file === 'string' ? file : resolver.folder.foldString(file);
        const key = folded === undefined ? file : `${via} ${folded}`;
        if (!started.has(key)) emit(node, file, via);
        started.add(key);
        if (folded !== undefined) named.add(folded);
      };
      const words = args[1] ? foldedWords(resolver, args[1]) : [];
      if (isNodeBinary(resolver, args[0]) && args[1]) {
        nodeArguments(resolver, args[1], true, (file) => startOnce(file));
        for (const script of scriptsRun('node', words ?? [])) startOnce(script, 'script');
      } else {
        // A program that runs the next words as a command (`env bash f`, `nohup sh -c '…'`, `npm start`), or a shell handed a script.
        const program = resolver.folder.foldString(args[0]);
        for (const start of program !== undefined && words ? commandStarts([program, ...words]) : []) startOnce(start.file, start.via);
      }
      // Whatever the program (`/proc/self/exe f`, `git f`), a shipped file it is handed may run; a shell runs it as a script.
      const shell = isShell(resolver, args[0]);
      for (const element of args[1] ? ownPathElements(resolver, args[1]) : []) {
        if (!named.has(resolver.folder.foldString(element)!)) startOnce(element, shell ? 'shell' : 'node');
      }
    } else if (SHELL_RUNNERS.has(name) && args[0]) {
      const line = resolver.folder.foldString(args[0]);
      for (const start of line === undefined ? [] : shellLineStarts(line)) emit(node, start.file, start.via);
    } else if (node.type === 'NewExpression' && (callee.path.at(-1) ?? unwrap(node.callee).name) === 'Worker' && args[0]) {
      // A worker class of any package (threads, web-worker, tiny-worker) runs the file it is given, as Node's does.
      emit(node, args[0], 'worker');
    }
  };
  /** `cluster.settings.exec = file`: the file every later `cluster.fork()` runs. */
  const onAssignment = (node: AnyNode) => {
    const target = unwrap(node.left);
    if (node.operator !== '=' || target.type !== 'MemberExpression' || memberName(target, resolver.folder) !== 'exec') return;
    if (Resolver.nameOf(resolver.resolve(target.object)) === 'cluster:settings') emit(node, node.right, 'cluster');
  };
  return { CallExpression: onCall, NewExpression: onCall, AssignmentExpression: onAssignment } as Rule.RuleListener;
}

/** The elements of a literal argument list that fold to a path of the plugin's own (`path.join(__dirname, 'w.js')`, `'svc/w.js'`). */
function ownPathElements(resolver: Resolver, list: AnyNode): AnyNode[] {
  const inner = unwrap(list);
  if (inner.type !== 'ArrayExpression') return [];
  return inner.elements.filter((element: AnyNode | null): element is AnyNode => {
    if (!element || element.type === 'SpreadElement') return false;
    const word = resolver.folder.foldString(element);
    // A word with spaces or `;`, `|`, `&` is a command line (`sh -c '…'`), whose commands commandStarts reads.
    return word !== undefined && !word.startsWith('-') && !/[\s;|&]/.test(word) && (word.startsWith(`${PLUGIN_ROOT}/`) || (!posix.isAbsolute(word) && CODE_FILE.test(word)));
  });
}

/** Programs that run a package.json script by name, and the word before the name. */
const SCRIPT_RUNNERS: Record<string, RegExp> = { node: /^--run$/, npm: /^(?:run|run-script|rum|urn)$/, pnpm: /^run$/, yarn: /^run$/, bun: /^run$/ };
/** npm's commands that are a script's name (`npm start` runs scripts.start; `npm t` scripts.test). */
const NPM_SCRIPT_COMMANDS: Record<string, string> = { start: 'start', stop: 'stop', restart: 'restart', test: 'test', t: 'test', tst: 'test' };
/** Runners whose first word, when it is not `run`, may itself be a script's name (`yarn sync`, `pnpm sync`). */
const BARE_SCRIPT_RUNNERS = new Set(['yarn', 'pnpm', 'bun']);

function scriptsRun(program: string, words: string[]): string[] {
  const runnerName = programName(program).replace(/\.(?:exe|cmd)$/i, '');
  const runner = SCRIPT_RUNNERS[runnerName];
  const at = runner ? words.findIndex((word) => runner.test(word)) : -1;
  const name = at >= 0 ? words[at + 1] : undefined;
  if (name !== undefined && !name.startsWith('-')) return [name];
  const first = words.find((word) => !word.startsWith('-'));
  if (first === undefined) return [];
  // A name the package.json does not declare is no script: the analyzer judges only declared ones.
  if (runnerName === 'npm' && Object.hasOwn(NPM_SCRIPT_COMMANDS, first)) return [NPM_SCRIPT_COMMANDS[first]];
  return BARE_SCRIPT_RUNNERS.has(runnerName) && at < 0 ? [first] : [];
}

/** A list that folds to words (`['run', 'sync']`), or undefined. */
function foldedWords(resolver: Resolver, list: AnyNode): string[] | undefined {
  const words = resolver.folder.fold(list)?.value;
  return Array.isArray(words) && words.every((word) => typeof word === 'string') ? (words as string[]) : undefined;
}

/** Programs that run the rest of their words as a command: `env [VAR=x] prog …`, `nohup prog …`. */
const COMMAND_WRAPPERS = new Set(['env', 'nohup', 'nice', 'setsid', 'exec', 'command', 'sudo', 'doas', 'stdbuf', 'chrt', 'ionice']);

interface CommandStart {
  file: string;
  via: StartVia;
}

/** What one command's words start: the script of a Node binary, the script a shell is handed, a package.json script, a shipped file. */
function commandStarts(input: string[]): CommandStart[] {
  let words = input;
  while (words.length > 0 && COMMAND_WRAPPERS.has(programName(words[0]))) {
    const at = words.findIndex((word, i) => i > 0 && !word.startsWith('-') && !/^\w+=/.test(word));
    words = at < 0 ? [] : words.slice(at);
  }
  if (words.length === 0) return [];
  const [program, ...rest] = words;
  const starts: CommandStart[] = scriptsRun(program, rest).map((file) => ({ file, via: 'script' }));
  if (NODE_BINARY_NAME.test(program)) starts.push(...nodeWords(rest, true).map((file): CommandStart => ({ file, via: 'node' })));
  else if (SHELL_NAME.test(program)) {
    // `sh -c 'line'` runs the line; otherwise the first word that is no option is the script it reads.
    const inline = rest.findIndex((word) => /^-[a-z]*c[a-z]*$/.test(word));
    if (inline >= 0) starts.push(...shellLineStarts(rest.slice(inline + 1).join(' ')));
    else {
      // A word that looks like a path (`setup.sh`, `./run`), not an option's value (`-o pipefail`).
      const script = rest.find((word) => !word.startsWith('-') && !word.startsWith('+'));
      if (script !== undefined && /[./]/.test(script)) starts.push({ file: script, via: 'shell' });
    }
  }
  const named = new Set(starts.map((start) => start.file));
  for (const word of words.slice(1)) if (word.startsWith(`${PLUGIN_ROOT}/`) && !named.has(word)) starts.push({ file: word, via: 'node' });
  return starts;
}

/** The starts of a shell command line, each command of `a && b; c | d` on its own. */
function shellLineStarts(line: string): CommandStart[] {
  return line.split(/&&|\|\||[;|&\n]/).flatMap((command) => {
    const words = command.trim().split(/\s+/).filter((word) => word !== '').map((word) => word.replace(/^['"]|['"]$/g, ''));
    return commandStarts(words);
  });
}

/** A shell (`sh`, `/bin/bash`, `dash`, `zsh`, busybox): what it is handed is read as a shell script. */
const SHELL_NAME = /(^|[\\/])(?:(?:ba|da|z|k|a|fi)?sh|busybox)$/;

function isShell(resolver: Resolver, node: AnyNode): boolean {
  const program = resolver.folder.foldString(node);
  return program !== undefined && SHELL_NAME.test(program);
}

function isNodeBinary(resolver: Resolver, node: AnyNode): boolean {
  const program = resolver.folder.foldString(node);
  if (program !== undefined) return NODE_BINARY_NAME.test(program);
  const ref = resolver.resolve(node);
  return ref?.module === undefined && NODE_BINARY_REFS.has(Resolver.nameOf(ref) ?? '');
}

/** `{ eval: true }`, or options the gate cannot read that may say so. */
function evalOn(resolver: Resolver, options: AnyNode | undefined): boolean {
  if (!options) return false;
  const value = optionValue(resolver, options, 'eval');
  return value !== undefined && resolver.folder.fold(value)?.value !== false;
}

/** The expression a key of an options object literal (or the literal an alias names) gives. */
function optionValue(resolver: Resolver, input: AnyNode, key: string): AnyNode | undefined {
  let node = unwrap(input);
  if (node.type === 'Identifier') node = unwrap(resolver.aliasedExpression(node)?.node ?? node);
  if (node.type !== 'ObjectExpression') return undefined;
  for (const property of [...node.properties].reverse()) {
    if (property.type !== 'Property') continue;
    const name = property.computed ? resolver.folder.foldString(property.key) : (property.key.name ?? String(property.key.value));
    if (name === key) return property.value;
  }
  return undefined;
}

/**
 * The files a Node command line loads: the script (when `script` is set: the first argument that is not an option)
 * and every `-r`/`--import` value. An element that does not fold where a file is expected is handed on as it is,
 * so the graph sees a start it cannot name.
 */
function nodeArguments(resolver: Resolver, list: AnyNode, script: boolean, onFile: (file: AnyNode | string) => void): void {
  const inner = unwrap(list);
  if (inner.type !== 'ArrayExpression') {
    const folded = resolver.folder.fold(list)?.value;
    if (Array.isArray(folded) && folded.every((word) => typeof word === 'string')) nodeWords(folded as string[], script).forEach(onFile);
    else if (script) onFile(list);
    return;
  }
  const elements: (AnyNode | null)[] = inner.elements;
  for (let i = 0; i < elements.length; i++) {
    const element = elements[i];
    if (!element || element.type === 'SpreadElement') return;
    const word = resolver.folder.foldString(element);
    if (word === undefined) {
      if (script) onFile(element);
      return;
    }
    if (word === '--') {
      if (script && elements[i + 1]) onFile(elements[i + 1]!);
      return;
    }
    if (INLINE_CODE_OPTIONS.has(word)) return;
    const [option, attached] = splitOption(word);
    if (PRELOAD_OPTIONS.has(option)) {
      const value = attached === undefined ? elements[++i] : undefined;
      if (attached !== undefined) onFile(attached);
      else if (value && value.type !== 'SpreadElement') onFile(value);
      continue;
    }
    if (word.startsWith('-')) continue;
    if (script) onFile(element);
    return;
  }
}

/** `nodeArguments` for words already folded (a folded list, a shell command line). */
function nodeWords(words: string[], script: boolean): string[] {
  const files: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    if (word === '--') return script && words[i + 1] !== undefined ? [...files, words[i + 1]] : files;
    if (INLINE_CODE_OPTIONS.has(word)) return files;
    const [option, attached] = splitOption(word);
    if (PRELOAD_OPTIONS.has(option)) {
      const value = attached ?? words[++i];
      if (value !== undefined) files.push(value);
      continue;
    }
    if (word.startsWith('-')) continue;
    if (script) files.push(word);
    return files;
  }
  return files;
}

/** `--require=./a.js` as `['--require', './a.js']`; `-r` as `['-r', undefined]`. */
function splitOption(word: string): [string, string | undefined] {
  const at = word.indexOf('=');
  return word.startsWith('--') && at > 0 ? [word.slice(0, at), word.slice(at + 1)] : [word, undefined];
}
