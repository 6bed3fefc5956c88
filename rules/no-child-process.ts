/**
 * Loading anything that starts other programs or threads: `child_process`,
 * `cluster` and the wrappers around them (capability `childProcess`), and
 * `worker_threads` and worker pools (capability `worker`). Every spelling of
 * a module load counts (see modules.ts); the finding is at the load site.
 *
 * Besides the load, each call that runs a program the gate cannot vouch for
 * is reported where it is made: a command or arguments built at run time, a
 * hidden or detached process, a shell, inline code for an interpreter, or a
 * command line that downloads, decodes or evaluates code. What a declared
 * childProcess does not grant is critical or in its own category: a program
 * the plugin wrote or the gate cannot name, an interpreter fed code on stdin,
 * loader variables and flags in `env`/`execArgv`, a package fetched at run
 * time, a dump of the environment (env), a relative-path tool run in a folder
 * outside the plugin's (filesystem). A plain constant command
 * (`spawn('ls', ['-la'])`) is covered by the load finding alone.
 */
import type { Rule } from 'eslint';
import { defineRule } from './meta.js';
import type { AnyNode } from './utils/ast.js';
import { unwrap } from './utils/ast.js';
import { awkRunsCommands, dumpsEnvironment, foreignScript, foreignScriptInLine, handedCommands, hookCommandRisk, schedulesCommands, isDangerousCommand, isNativePreloadVariable, isNodeLoaderFlag, loadsCodeThroughEnv, programName, readsCodeFromStdin, runsInlineCode, usesRelativePaths } from './utils/commands.js';
import { DATA_ROOT, PLUGIN_ROOT } from './utils/markers.js';
import { isInside, PathProver, shownPlace } from './utils/path-proof.js';
import { pluginWritableSearchFolder, writtenByPlugin } from './utils/search-path.js';
import { PROCESS_ENVIRONMENT, sensitiveGlobReason, sensitivePathReason } from './utils/sensitive-paths.js';
import { combineListeners } from './utils/listeners.js';
import { packageLoadListeners } from './utils/modules.js';
import { packageName } from './utils/specifiers.js';
import { report } from './utils/report.js';
import { DYNAMIC, Resolver, resolverFor } from './utils/resolve.js';

type MessageId = 'envFile' | 'childProcess' | 'worker' | 'run' | 'dangerousRun' | 'unreadCode' | 'environmentDump' | 'folderUse' | 'nativePreload' | 'secretArgument' | 'foreignScript';

const CHILD_PROCESS_PACKAGES = [
  'child_process', 'cluster', 'execa', 'shelljs', 'cross-spawn', 'cross-spawn-async', 'node-pty', 'spawn-sync', 'spawn-command',
  'child-process-promise', '@npmcli/promise-spawn', 'nano-spawn', 'tinyexec', 'zx', 'foreground-child', 'exec-sh', 'sudo-prompt',
  'node-cmd', 'shell-exec', '@expo/spawn-async', 'open', 'opn', '@vscode/sudo-prompt', 'simple-git',
];
const PACKAGES = new Map<string, 'childProcess' | 'worker'>([
  ...CHILD_PROCESS_PACKAGES.map((name): [string, 'childProcess'] => [name, 'childProcess']),
  ...['worker_threads', 'web-worker', 'piscina', 'tinypool', 'workerpool', 'threads'].map((name): [string, 'worker'] => [name, 'worker']),
]);
/** Wrappers whose first argument is a whole shell command line. */
const SHELL_PACKAGES = new Set(['shelljs', 'zx', 'exec-sh', 'node-cmd', 'shell-exec', 'sudo-prompt', '@vscode/sudo-prompt', 'spawn-command']);
/** `child_process` functions that run something, and how they read their first argument. */
const LAUNCHERS: Record<string, 'shell' | 'file' | 'module'> = {
  exec: 'shell', execSync: 'shell', execFile: 'file', execFileSync: 'file', spawn: 'file', spawnSync: 'file', fork: 'module',
};

const rule = defineRule<MessageId>({
  name: 'no-child-process',
  description: 'Reports loading modules that start processes (child_process, cluster, execa…) or threads (worker_threads…), and the calls that run what cannot be vouched for.',
  messages: {
    childProcess: "Loads '{{module}}', which can run other programs with the user's rights.",
    worker: "Loads '{{module}}', which can start threads that run code outside the host's view.",
    run: 'Runs a program through {{callee}} ({{command}}): {{reason}}.',
    dangerousRun: 'Runs {{command}} through {{callee}}: a command line that downloads, decodes, evaluates code or injects a library.',
    unreadCode: 'Runs {{command}} through {{callee}}: {{reason}}, code the gate never read.',
    environmentDump: 'Runs {{command}} through {{callee}}: its output is {{reason}}, every variable and secret in it.',
    nativePreload: 'Runs {{command}} through {{callee}}: {{reason}}, a native library the gate never read loaded into the program.',
    folderUse: 'Runs {{command}} through {{callee}} in {{path}}: it reads and writes the files it names relative to that folder.',
    secretArgument: "Runs {{command}} through {{callee}}: it hands the program '{{path}}', {{reason}}.",
    envFile: 'Loads {{file}} into process.env through process.loadEnvFile: like Node\'s --env-file, its NODE_OPTIONS and loader variables make every program started later load code the gate never read.',
    foreignScript: "Runs {{command}} through {{callee}}: '{{path}}' is a script in a language the gate does not read, so it cannot vouch for what it does.",
  },
  findings: {
    childProcess: { category: 'child-process', severity: 'high', capability: 'childProcess' },
    worker: { category: 'child-process', severity: 'high', capability: 'worker' },
    run: { category: 'child-process', severity: 'high', capability: 'childProcess' },
    dangerousRun: { category: 'child-process', severity: 'critical', capability: 'childProcess' },
    unreadCode: { category: 'child-process', severity: 'critical', capability: 'childProcess' },
    environmentDump: { category: 'env', severity: 'high', capability: 'env' },
    nativePreload: { category: 'native-code', severity: 'critical', capability: 'childProcess' },
    folderUse: { category: 'filesystem', severity: 'high', capability: 'filesystem' },
    secretArgument: { category: 'filesystem', severity: 'critical', capability: 'filesystem' },
    foreignScript: { category: 'child-process', severity: 'high' },
    envFile: { category: 'child-process', severity: 'critical', capability: 'childProcess' },
  },
  create(context) {
    const resolver = resolverFor(context);
    // Where the program and its working directory lie; relative paths are judged against the data folder only when nothing changes directory (no-filesystem reports a change).
    const prover = new PathProver(resolver, (node) => context.sourceCode.getScope(node as never), false, () => false);
    const onCall = (node: AnyNode) => {
      const call = resolver.normalizeCall(node);
      const callee = call.callee;
      // `process.execve` (Node 22.15+) replaces the process with another program, no child_process needed.
      if (callee?.module === undefined && callee?.path.length === 2 && callee.path[0] === 'process' && callee.path[1] === 'execve') {
        const program = call.args?.[0] && resolver.folder.foldString(call.args[0]);
        const command = program === undefined ? 'a program known only at run time' : JSON.stringify(program);
        report(context, rule, { node, messageId: 'run', data: { callee: 'process.execve', command, reason: 'it replaces the plugin with another program, outside the sandbox\'s view of Node' } });
        return;
      }
      // `process.loadEnvFile(file)` is `--env-file` at run time: what the file sets reaches every program started after it.
      if ((callee?.module === undefined && callee?.path.length === 2 && callee.path[0] === 'process' && callee.path[1] === 'loadEnvFile') || (callee?.module === 'process' && callee.path.length === 1 && callee.path[0] === 'loadEnvFile')) {
        const file = call.args?.[0] ? resolver.folder.foldString(call.args[0]) : '.env';
        envFileLoads.push({ node, file: file === undefined ? 'a file named at run time' : `'${file}'` });
        return;
      }
      if (callee?.module === undefined || callee.module === DYNAMIC || callee.path.some((step) => step.startsWith('%'))) return;
      const name = packageName(callee.module);
      // node:test's run() starts a process for each test file it is given.
      if (name === 'test' && callee.path.length === 1 && callee.path[0] === 'run') {
        report(context, rule, { node, messageId: 'run', data: { callee: 'test.run', command: 'test files', reason: 'node:test runs each file it is given in a new Node process' } });
        return;
      }
      if (PACKAGES.get(name) !== 'childProcess') return;
      const label = [name, ...callee.path].join('.').replace(`.${DYNAMIC}`, '[…]');
      const judged = judgeRun(resolver, prover, name, callee.path, call.args);
      if (!judged) return;
      const { messageId, ...rest } = judged;
      report(context, rule, { node, messageId, data: { callee: label, reason: '', ...rest } });
    };
    // An env file matters where programs are started: reported once the file is read, if it loads a process launcher.
    const envFileLoads: { node: AnyNode; file: string }[] = [];
    let startsPrograms = false;
    const onExit = () => {
      if (startsPrograms) for (const { node, file } of envFileLoads) report(context, rule, { node, messageId: 'envFile', data: { file } });
    };
    return combineListeners(
      packageLoadListeners(context, PACKAGES, (load, module, messageId) => {
        startsPrograms ||= messageId === 'childProcess';
        report(context, rule, { node: load.node, messageId, data: { module } });
      }),
      { CallExpression: onCall, NewExpression: onCall, 'Program:exit': onExit } as Rule.RuleListener,
    );
  },
});

type Judged = { messageId: MessageId; command: string; reason?: string; path?: string; folder?: string; open?: string; access?: string };

/**
 * Why a call that runs a program needs its own finding. A declared
 * childProcess grants running the programs the user expects, not everything
 * a process can be made to do: a program the plugin writes or the gate cannot
 * name, an interpreter fed code on stdin, loader variables or flags, a
 * package fetched at run time are code the gate never read; a dump of the
 * environment is an env read; a working directory outside the plugin's
 * folders is a filesystem use. Undefined for a plain constant command.
 */
function judgeRun(resolver: Resolver, prover: PathProver, module: string, path: string[], args: AnyNode[] | undefined): Judged | undefined {
  const member = path[0];
  if (!args) return { messageId: 'run', command: 'arguments the gate cannot see', reason: 'its arguments are only known at run time' };
  if (member === DYNAMIC) {
    // Whichever function it is, a dangerous command line handed to it (as a shell line, or a program and its words) is what runs.
    const line = args[0] && resolver.folder.foldString(args[0]);
    const words = args[1] && !isOptions(resolver, args[1]) ? listOf(resolver, args[1]) : [];
    const shown = line === undefined ? undefined : [line, ...(words ?? []).filter((word) => word !== undefined)].join(' ');
    const command = shown === undefined ? '' : `'${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown}'`;
    if (shown !== undefined && isDangerousCommand(shown)) return { messageId: 'dangerousRun', command };
    // A secret named by the line (read as a shell line or as a program's words) is handed to whatever runs it.
    const secret = shown !== undefined && secretWord(shellWords(shown));
    if (secret) return secretRun(command, secret);
    return { messageId: 'run', command: 'a function chosen at run time', reason: 'which function runs is only known at run time' };
  }
  let mode: 'shell' | 'file' | 'module';
  if (module === 'child_process') {
    if (!(member in LAUNCHERS)) return undefined;
    mode = LAUNCHERS[member];
  } else if (module === 'cluster') {
    return undefined;
  } else {
    mode = SHELL_PACKAGES.has(module) || member === 'command' || member === 'execaCommand' ? 'shell' : 'file';
  }
  const [first, second] = args;
  const program = first && (resolver.folder.foldString(first) ?? (isExecPath(resolver, first) ? 'node' : undefined));
  const written = first && writtenByPlugin(prover, first);
  if (written) return { messageId: 'unreadCode', command: `'${written}'`, reason: 'the program is a file in a folder the plugin itself writes' };
  // A shell line built at run time is shell code evaluated unread, like eval of a built string; a program path that does
  // not fold is the capability a childProcess grant gives (unless it is proven to be one the plugin wrote, above).
  if (program === undefined && mode === 'shell') return { messageId: 'unreadCode', command: 'a shell command line built at run time', reason: 'the shell runs it as code' };
  if (program === undefined) return { messageId: 'run', command: 'a program chosen at run time', reason: 'what it runs is only known at run time' };
  const list = mode === 'shell' || !second || isOptions(resolver, second) ? [] : listOf(resolver, second);
  const shown = [program, ...(list ?? []).map((arg) => (arg === undefined ? '…' : arg))].join(' ');
  const command = `'${shown.length > 80 ? `${shown.slice(0, 80)}…` : shown}'`;
  const words = (list ?? []).filter((arg): arg is string => arg !== undefined);
  const known = list !== undefined && !list.includes(undefined);
  if (isDangerousCommand([program, ...words].join(' '))) return { messageId: 'dangerousRun', command };
  // A command line the program is told by its options to run (`git -c core.fsmonitor=…`, `tar --to-command=…`) is judged as one.
  for (const handed of mode === 'file' ? handedCommands(program, words) : []) {
    const risk = hookCommandRisk(handed.command);
    if (risk === 'dangerous') return { messageId: 'dangerousRun', command };
    if (risk) return { messageId: 'unreadCode', command, reason: `its option ${handed.option} makes it run ${risk}` };
  }
  const optionsNode = args.slice(1).find((arg) => isOptions(resolver, arg));
  // A program's stdin and environment are its input like its words: a secret path there reaches it as well (`xargs cat`, `cat "$F"`).
  const secret = secretWord(mode === 'shell' ? shellWords(program) : [program, ...words]) ?? secretWord(inputWords(resolver, optionsNode));
  if (secret) return secretRun(command, secret);
  if (mode !== 'module' && schedulesCommands(tool0(mode, program), mode === 'shell' ? [] : words)) {
    return { messageId: 'unreadCode', command, reason: 'it installs commands that run later on a schedule, outside the plugin and the host' };
  }
  if (mode === 'file' && awkRunsCommands(program, words)) return { messageId: 'unreadCode', command, reason: 'awk is handed a program that runs shell commands' };
  const hijack = mode === 'module' ? undefined : searchPathHijack(resolver, prover, optionsNode, program);
  if (hijack) return { messageId: 'unreadCode', command, reason: `its PATH puts ${hijack} first, where a program of the plugin's can stand in for '${programName(program)}'` };
  const script = mode === 'file' ? foreignScript(program, words) : mode === 'shell' ? foreignScriptInLine(program) : undefined;
  if (script) return { messageId: 'foreignScript', command, path: script };
  const loader = loaderOption(resolver, optionsNode);
  if (loader) return { messageId: loader.native ? 'nativePreload' : 'unreadCode', command, reason: loader.reason };
  if (isNode(program) && mode !== 'module') {
    const flag = words.find(isNodeLoaderFlag);
    if (flag) return { messageId: 'unreadCode', command, reason: `Node is given '${flag.slice(0, 40)}', which loads code before the program` };
  }
  if (dumpsEnvironment(program, words)) return { messageId: 'environmentDump', command, reason: 'the whole environment, or another process\'s' };
  const options = optionsOf(resolver, optionsNode);
  const [tool, ...toolArgs] = mode === 'shell' ? program.trim().split(/\s+/) : [program, ...words];
  if (mode !== 'module' && known && readsCodeFromStdin(tool, toolArgs) && options.stdinCode) {
    return { messageId: 'unreadCode', command, reason: 'an interpreter reads its code from stdin, which the plugin writes' };
  }
  if (runsInlineCode(program, words) && !known) return { messageId: 'unreadCode', command, reason: 'an interpreter is handed code built at run time' };
  const cwd = optionsNode && objectProperty(resolver, optionsNode, 'cwd');
  if (cwd && usesRelativePaths(tool)) {
    const proof = prover.prove(cwd);
    const own = proof && !proof.climbs && [DATA_ROOT, PLUGIN_ROOT].some((root) => isInside(proof.folder, root));
    // A program run in a folder of secrets reads them by their bare names (`cat credentials` in ~/.aws).
    const inSecrets = proof && secretWord((mode === 'shell' ? shellWords(program) : words).map((word) => `${proof.folder}/${word}`));
    if (inSecrets) return secretRun(command, inSecrets);
    if (!own) {
      const where = proof ? `'${shownPlace(proof)}'` : 'a folder the gate cannot place';
      return { messageId: 'folderUse', command, path: where, folder: proof && !proof.climbs ? proof.folder : '', open: 'yes', access: 'write' };
    }
  }
  if (!known) return { messageId: 'run', command, reason: 'its arguments are built at run time' };
  if (runsInlineCode(program, words)) return { messageId: 'run', command, reason: 'it hands an interpreter code written inline' };
  if (options.detached || options.silenced) return { messageId: 'run', command, reason: `it starts ${options.detached ? 'a detached' : 'a'} process${options.silenced ? ' with its output thrown away' : ''}` };
  if (options.shell && mode !== 'shell') return { messageId: 'run', command, reason: 'it runs through a shell' };
  return undefined;
}

/** The first program of a shell line, or the program itself. */
function tool0(mode: 'shell' | 'file' | 'module', program: string): string {
  return mode === 'shell' ? (program.trim().split(/\s+/)[0] ?? '') : program;
}

/** The words of the `input` option and of the `env` option's values: what reaches the program besides its arguments. */
function inputWords(resolver: Resolver, options: AnyNode | undefined): string[] {
  if (!options) return [];
  const input = objectProperty(resolver, options, 'input');
  const text = input && resolver.folder.foldString(input);
  const env = objectProperty(resolver, options, 'env');
  const values = env ? objectEntries(resolver, env).map(([, value]) => value).filter((value): value is string => value !== undefined) : [];
  return [...(text === undefined ? [] : shellWords(text)), ...values];
}

/**
 * A folder the plugin can write or a relative one among the `PATH` entries the `env` option gives a program named
 * bare (see search-path.ts). The inherited `process.env.PATH` and system folders are not.
 */
function searchPathHijack(resolver: Resolver, prover: PathProver, options: AnyNode | undefined, program: string): string | undefined {
  if (!options || /[\\/]/.test(program)) return undefined;
  const env = objectProperty(resolver, options, 'env');
  const literal = env && literalObject(resolver, env);
  const value = literal?.properties.find((property: AnyNode) => property.type === 'Property' && !property.computed && /^path$/i.test(String(property.key.name ?? property.key.value)))?.value;
  return value ? pluginWritableSearchFolder(resolver, prover, value) : undefined;
}

function isNode(program: string): boolean {
  return /^node(\.exe)?$/.test(programName(program));
}

/** `process.execPath`: the Node binary running the plugin. */
function isExecPath(resolver: Resolver, node: AnyNode): boolean {
  return /^(process:)?(process\.)?execPath$/.test(Resolver.nameOf(resolver.resolve(unwrap(node))) ?? '');
}

/**
 * A word of a command line that names a file holding secrets (`cat ~/.aws/credentials`, `find / -path
 * '*\/.ssh/*' -exec cat {} +`, `--key=~/.ssh/id_rsa`): whatever the program is, handing it the path is how it reads it,
 * as a filesystem call with that path would.
 */
function secretWord(words: string[]): { path: string; reason: string } | undefined {
  for (const word of words) {
    for (const part of [word, word.slice(word.indexOf('=') + 1)]) {
      const reason = sensitivePathReason(part) ?? sensitiveGlobReason(part);
      if (reason) return { path: part.length > 60 ? `${part.slice(0, 60)}…` : part, reason };
    }
  }
  return undefined;
}

/** A run handed a secret file: a /proc environment file is the whole environment (env), any other a credential on disk. */
function secretRun(command: string, secret: { path: string; reason: string }) {
  if (secret.reason === PROCESS_ENVIRONMENT) return { messageId: 'environmentDump' as const, command, reason: `the environment, read from ${secret.path}` };
  return { messageId: 'secretArgument' as const, command, ...secret };
}

/** A folded shell line's words after the shell's quote removal (`~/.a''ws`, `~/.s\\sh` are `~/.aws`, `~/.ssh`): enough to see the paths it names. */
function shellWords(line: string): string[] {
  return line.split(/[\s;&|()<>`]+/).map((word) => word.replace(/\\(.)/g, '$1').replace(/["']/g, '')).filter(Boolean);
}

/** Why an `env` or `execArgv` option makes the child load code the gate never read, if it does; `native` for a shared library. */
function loaderOption(resolver: Resolver, options: AnyNode | undefined): { reason: string; native?: boolean } | undefined {
  if (!options) return undefined;
  const env = objectProperty(resolver, options, 'env');
  if (env) {
    for (const [name, value] of objectEntries(resolver, env)) {
      if (name === undefined) return { reason: 'its environment sets a variable named only at run time' };
      if (loadsCodeThroughEnv(name, value)) return { reason: `its environment sets ${name}, which makes the program load or run other code`, native: isNativePreloadVariable(name) };
    }
  }
  const execArgv = objectProperty(resolver, options, 'execArgv');
  if (execArgv) {
    const flags = listOf(resolver, execArgv);
    if (flags === undefined) return undefined;
    const flag = flags.find((arg): arg is string => arg !== undefined && isNodeLoaderFlag(arg));
    if (flag !== undefined) return { reason: `Node is given '${flag.slice(0, 40)}' in execArgv, which loads code before the program` };
    if (flags.includes(undefined)) return { reason: 'Node is given flags built at run time in execArgv, which may load code before the program' };
  }
  return undefined;
}

/** The expression an object literal (or a constant alias of one) gives a key. */
function objectProperty(resolver: Resolver, node: AnyNode, key: string): AnyNode | undefined {
  const object = literalObject(resolver, node);
  if (!object) return undefined;
  for (const property of object.properties) {
    if (property.type !== 'Property') continue;
    const name = property.computed ? resolver.folder.foldString(property.key) : (property.key.name ?? property.key.value);
    if (String(name) === key) return property.value;
  }
  return undefined;
}

/** The names and folded values an object literal sets (spreads skipped); undefined name: a computed key that does not fold. */
function objectEntries(resolver: Resolver, node: AnyNode): [string | undefined, string | undefined][] {
  const object = literalObject(resolver, node);
  if (!object) {
    const value = resolver.folder.fold(node)?.value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
    return Object.entries(value as Record<string, unknown>).map(([name, v]) => [name, typeof v === 'string' ? v : undefined]);
  }
  const entries: [string | undefined, string | undefined][] = [];
  for (const property of object.properties) {
    if (property.type !== 'Property') continue;
    const name = property.computed ? resolver.folder.foldString(property.key) : String(property.key.name ?? property.key.value);
    entries.push([name, resolver.folder.foldString(property.value)]);
  }
  return entries;
}

function literalObject(resolver: Resolver, node: AnyNode): AnyNode | undefined {
  const direct = unwrap(node);
  if (direct.type === 'ObjectExpression') return direct;
  const alias = direct.type === 'Identifier' ? resolver.aliasedExpression(direct) : undefined;
  const held = alias && unwrap(alias.node);
  return held?.type === 'ObjectExpression' ? held : undefined;
}

/** An options object in the place of the argument list (`spawn('ls', { shell: true })`). */
function isOptions(resolver: Resolver, node: AnyNode): boolean {
  if (unwrap(node).type === 'ObjectExpression') return true;
  const value = resolver.folder.fold(node)?.value;
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The folded elements of an argument list; undefined entries did not fold; undefined for a list that is not an array. */
function listOf(resolver: Resolver, node: AnyNode): (string | undefined)[] | undefined {
  const folded = resolver.folder.fold(node)?.value;
  if (Array.isArray(folded)) return folded.map((value) => (typeof value === 'string' || typeof value === 'number' ? String(value) : undefined));
  let list = unwrap(node);
  if (list.type === 'Identifier') list = unwrap(resolver.aliasedExpression(list)?.node ?? list);
  if (list.type !== 'ArrayExpression') return undefined;
  return list.elements.map((element: AnyNode | null) => {
    if (!element || element.type === 'SpreadElement') return undefined;
    const value = resolver.folder.fold(element)?.value;
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  });
}

/** `{ detached: true, stdio: 'ignore', windowsHide: true, shell: true }`, read from a literal or a folded object. */
function optionsOf(resolver: Resolver, node: AnyNode | undefined): { detached: boolean; silenced: boolean; shell: boolean; stdinCode: boolean } {
  // Without options stdin is a pipe the plugin can write.
  const none = { detached: false, silenced: false, shell: false, stdinCode: true };
  if (!node || unwrap(node).type === 'ArrayExpression') return none;
  const value = resolver.folder.fold(node)?.value as Record<string, unknown> | undefined;
  const props: Record<string, unknown> = value && typeof value === 'object' && !Array.isArray(value) ? value : literalProps(resolver, unwrap(node));
  const stdio = props.stdio;
  const stdin = Array.isArray(stdio) ? stdio[0] : stdio;
  const input = objectProperty(resolver, node, 'input');
  return {
    // An interpreter reads code from a pipe the plugin writes (or `input`), not from the user's terminal or nothing.
    stdinCode: input === undefined ? stdin === undefined || stdin === 'pipe' || stdin === 'overlapped' : codeUnvouched(resolver, input),
    detached: props.detached === true,
    silenced: stdio === 'ignore' || (Array.isArray(stdio) && stdio.every((s) => s === 'ignore')) || props.windowsHide === true,
    shell: props.shell === true || typeof props.shell === 'string',
  };
}

/** Text handed to an interpreter that is built at run time, or dangerous as a command line. */
function codeUnvouched(resolver: Resolver, node: AnyNode): boolean {
  const text = resolver.folder.foldString(node);
  return text === undefined || isDangerousCommand(text);
}

/** The foldable properties of an object literal, even when others do not fold (`{ env, detached: true }`). */
function literalProps(resolver: Resolver, node: AnyNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (node.type !== 'ObjectExpression') return out;
  for (const property of node.properties) {
    if (property.type !== 'Property' || property.computed) continue;
    const key = property.key.name ?? property.key.value;
    const folded = resolver.folder.fold(property.value);
    if (folded) out[String(key)] = folded.value;
  }
  return out;
}

export default rule;
