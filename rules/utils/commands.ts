/**
 * What a shell command line does that a reviewer must see: fetch code, decode
 * it, evaluate it, pipe it into a shell, open a raw connection, or load a
 * library into another program. Shared by the lifecycle-script check and by
 * no-child-process, which judges the commands a plugin runs.
 */
const DANGEROUS = [
  /\b(curl|wget|Invoke-WebRequest|iwr|certutil|bitsadmin)\b/i,
  // BSD's downloader is `fetch` as a program, not the word (`git fetch`, `npm run fetch-data`).
  /(^|[;&|(`]|\$\()\s*(sudo\s+)?fetch\s/,
  /\bnode\s+(-e|--eval|-p|--print)\b/,
  /\beval\b/,
  /\bbase64\b|\batob\b|Buffer\.from/,
  /\|\s*(ba|z|da)?sh\b/,
  /\b(bash|sh|zsh)\s+-c\b/,
  /\bpowershell\b|\bpwsh\b/i,
  /\/dev\/tcp\/|\bnc\s|\bncat\b/,
  /https?:\/\//,
  /\b(LD_PRELOAD|LD_LIBRARY_PATH|DYLD_INSERT_LIBRARIES)\s*=/,
  /\b(rundll32|regsvr32|mshta|wscript|cscript)\b/i,
  // A package manager installing or running a spec it fetches at run time: a git or tarball spec, `owner/repo`.
  // Within one command (never across `&&`, `;` or `|`); `../server` is a local folder, not a `owner/repo` shorthand.
  /\b(npm|pnpm|yarn|bun)\s+(install|i|add|exec|x|dlx)\b[^;&|]*\s(git\+\S+|(github|gitlab|bitbucket|gist|file):\S+|(?!\.)[\w.-]+\/[\w.-]+(#\S*)?|\S+\.(tgz|tar\.gz))(\s|$)/i,
  /\b(npx|pnpx|bunx)\s+(-\S+\s+)*(git\+\S+|(github|gitlab|bitbucket|gist|file):\S+|(?!\.)[\w.-]+\/[\w.-]+(#\S*)?|\S+\.(tgz|tar\.gz))(\s|$)/i,
];

/** True when a command line downloads, decodes, evaluates, pipes into a shell or injects a library. */
export function isDangerousCommand(command: string): boolean {
  return DANGEROUS.some((pattern) => pattern.test(command));
}

/** Interpreters, and the flags with which they run code given on the command line. */
const INLINE_CODE: Record<string, RegExp> = {
  node: /^(-e|--eval|-p|--print)$/,
  python: /^-c$/,
  python3: /^-c$/,
  perl: /^-e$/,
  ruby: /^-e$/,
  sh: /^-c$/,
  bash: /^-c$/,
  zsh: /^-c$/,
  cmd: /^\/c$/i,
  'cmd.exe': /^\/c$/i,
  powershell: /^-(c|command|e|enc|encodedcommand)$/i,
  pwsh: /^-(c|command|e|enc|encodedcommand)$/i,
  osascript: /^-e$/,
};

/** True when `program args…` runs code written inline (`node -e …`, `sh -c …`, `powershell -enc …`). */
export function runsInlineCode(program: string, args: string[]): boolean {
  const flag = INLINE_CODE[programName(program)];
  return flag !== undefined && args.some((arg) => flag.test(arg));
}

/** Interpreters of languages the gate does not read (Node and shells it does: started-files.ts, the shell-script check). */
const FOREIGN_INTERPRETERS = /^(?:python[\d.]*|pythonw|pypy3?|perl|ruby|php|lua(?:jit)?|tclsh|rscript|osascript|pwsh|powershell|java)(?:\.exe)?$/;
/** A word naming a script file: a path or a name with an extension (`tools/sync.py`, `job.rb`), never an option. */
const SCRIPT_WORD = /^[^-].*(?:[\\/]|\.[a-z0-9]{1,12})$/i;
/** Options after which an interpreter runs a module or class by name rather than a file (`python3 -m pip`). */
const BY_NAME_OPTIONS = new Set(['-m', '-cp', '-classpath', '--class-path']);

/**
 * The script file `program args…` hands an interpreter of a language the gate cannot read (`python3 tools/sync.py`,
 * `java -jar x.jar`), if it does: code of the plugin's the gate never read, whatever it looks like as JavaScript.
 */
export function foreignScript(program: string, args: string[]): string | undefined {
  // `env [NAME=value…] python3 x.py` runs the interpreter it names.
  if (programName(program) === 'env') {
    const at = args.findIndex((arg) => !arg.startsWith('-') && !/^\w+=/.test(arg));
    return at < 0 ? undefined : foreignScript(args[at], args.slice(at + 1));
  }
  if (!FOREIGN_INTERPRETERS.test(programName(program))) return undefined;
  for (const arg of args) {
    if (BY_NAME_OPTIONS.has(arg)) return undefined;
    if (SCRIPT_WORD.test(arg)) return arg;
  }
  return undefined;
}

/** The script file any command of a shell line hands a foreign interpreter (`cd tools && python3 sync.py`), if one does. */
export function foreignScriptInLine(line: string): string | undefined {
  for (const command of line.split(/&&|\|\||[;&|\n()`]|\$\(/)) {
    const [program, ...args] = command.trim().split(/\s+/).map((word) => word.replace(/^["']|["']$/g, ''));
    const script = program && foreignScript(program, args);
    if (script) return script;
  }
  return undefined;
}

/** Programs that read code from their standard input when no script or inline code is named. */
const STDIN_INTERPRETERS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'fish', 'node', 'python', 'python3', 'perl', 'ruby', 'php', 'powershell', 'pwsh', 'cmd', 'cmd.exe', 'osascript', 'lua', 'tclsh']);

/** Flags that leave an interpreter reading its script from stdin (`sh -s`, `node -`, `python3 -u`), none that prints and exits. */
const STDIN_FLAGS = /^(-|-s|--stdin|-u|-q|-B|-E|-I|-x|-e|--input-type=\w+|--norc|--noprofile|--no-warnings|-NoProfile|-NonInteractive|-NoLogo|-Command|-)$/;

/** The file name of a program path, lower-cased: `/usr/bin/Bash` → `bash`. */
export function programName(program: string): string {
  return program.split(/[\\/]/).pop()!.toLowerCase();
}

/**
 * True when `program args…` is an interpreter that reads its code from stdin:
 * no argument that names a script (only flags, or `-`/`-s`), so what is piped
 * in is code, like `-c` with that text.
 */
export function readsCodeFromStdin(program: string, args: string[]): boolean {
  return STDIN_INTERPRETERS.has(programName(program)) && args.every((arg) => STDIN_FLAGS.test(arg));
}

/** Variables that make every program started load a library or module: never a plain setting. */
const PRELOAD_VARIABLES = /^(LD_PRELOAD|LD_AUDIT|DYLD_INSERT_LIBRARIES|DYLD_\w+|BASH_ENV|ENV|ZDOTDIR|PERL5OPT|PYTHONSTARTUP|RUBYOPT|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|NODE_REPL_EXTERNAL_MODULE)$/i;
/** Variables naming folders code is loaded from: harmless as constants, code the gate never read when built at run time. */
const LIBRARY_PATH_VARIABLES = /^(LD_LIBRARY_PATH|NODE_PATH|PYTHONPATH|PYTHONHOME|PERL5LIB|RUBYLIB|GIT_EXEC_PATH)$/i;
/** Variables whose value is a command line a tool runs (git's ssh and askpass hooks, pagers, editors). */
const COMMAND_VARIABLES = /^(GIT_SSH_COMMAND|GIT_SSH|GIT_ASKPASS|SSH_ASKPASS|GIT_EDITOR|GIT_SEQUENCE_EDITOR|GIT_PAGER|GIT_EXTERNAL_DIFF|GIT_PROXY_COMMAND|PAGER|MANPAGER|EDITOR|VISUAL|BROWSER|PROMPT_COMMAND)$/i;

/**
 * True when setting `name` to `value` (undefined: known only at run time) in
 * a child's environment makes it load or run code the gate never read:
 * a preload variable, `NODE_OPTIONS` with a flag that loads code, a library
 * path or hook command built at run time, a hook command that is itself
 * dangerous, git configuration passed through the environment.
 */
export function loadsCodeThroughEnv(name: string, value: string | undefined): boolean {
  if (PRELOAD_VARIABLES.test(name) || /^GIT_CONFIG_(COUNT|PARAMETERS|KEY_\d+|VALUE_\d+|GLOBAL|SYSTEM)$/i.test(name)) return value !== '';
  if (/^NODE_OPTIONS$/i.test(name)) return value === undefined || value.split(/\s+/).some(isNodeLoaderFlag);
  if (LIBRARY_PATH_VARIABLES.test(name)) return value === undefined;
  if (COMMAND_VARIABLES.test(name)) {
    if (value === undefined) return true;
    const [program = '', ...args] = value.trim().split(/\s+/);
    return isDangerousCommand(value) || runsInlineCode(program, args);
  }
  return false;
}

/** True for the dynamic linker's variables, which load a shared library (native code) into the program. */
export function isNativePreloadVariable(name: string): boolean {
  return /^(LD_PRELOAD|LD_AUDIT|LD_LIBRARY_PATH|DYLD_\w+)$/i.test(name);
}

/**
 * Node flags that load or evaluate code before (or instead of) the entry file, or read a file that can make it do
 * so: an env file or a config file sets NODE_OPTIONS (`--import=data:…`), OpenSSL's config loads engines (native
 * code), a snapshot blob holds a heap with code in it.
 */
const NODE_LOADER_FLAG = /^(--import|--require|-r|--loader|--experimental-loader|-e|--eval|-p|-pe|--print|--env-file|--env-file-if-exists|--experimental-config-file|--experimental-default-config-file|--openssl-config|--snapshot-blob)(=.*)?$/;

/** True when a Node argv flag (in the argument list or in `execArgv`) loads code the gate never read: `--import x`, `-r x`, a `data:` URL. */
export function isNodeLoaderFlag(arg: string): boolean {
  // Node reads an option's name with underscores as with dashes: `--experimental_loader`, `--env_file_if_exists`.
  const flag = arg.replace(/^--[^=]+/, (name) => `--${name.slice(2).replaceAll('_', '-')}`);
  return NODE_LOADER_FLAG.test(flag) || /^(data|https?):/i.test(arg);
}

/** Where a shell word starts a command: the line's start, or after `;`, `&`, `|`, `(`, a backquote or `$(`. */
const AT_COMMAND = String.raw`(?:^|[;&|(\x60]|\$\()\s*`;
const ENVIRONMENT_DUMPS = [
  // The whole environment: printenv/env/set/export -p/declare -x with nothing after them but the end of the command.
  new RegExp(String.raw`${AT_COMMAND}(?:\S*\/)?(printenv|env|set|export\s+-p|declare\s+-x|declare\s+-p|compgen\s+-v|Get-ChildItem\s+env:|gci\s+env:|dir\s+env:)\s*(?:-0\s*)?(?:$|[;&|)>\x60])`, 'i'),
  // Another process's environment.
  /\/proc\/.*\/environ\b/,
  /\bps\s+(?:-\S+\s+)*[a-z]*e[a-z]*(?:\s|$)/,
];

/** True when a command line's output is the whole environment, or another process's (`printenv`, `/proc/<pid>/environ`, `ps e`). */
export function dumpsEnvironment(program: string, args: string[]): boolean {
  const name = programName(program);
  if ((name === 'printenv' || name === 'env') && args.every((arg) => arg.startsWith('-') && !arg.includes('='))) return true;
  const line = [program, ...args].join(' ');
  return ENVIRONMENT_DUMPS.some((pattern) => pattern.test(line));
}

/** Programs that read or write the paths they are given relative to their working directory. */
const RELATIVE_PATH_PROGRAMS = new Set(['tar', 'bsdtar', 'zip', 'unzip', '7z', '7za', 'gzip', 'cp', 'mv', 'rm', 'rsync', 'scp', 'find', 'ls', 'cat', 'grep', 'rg', 'du', 'head', 'tail', 'base64', 'xxd', 'od', 'dd', 'cpio', 'ar', 'shred']);

/** True when the program reads or writes files named relative to its working directory (`tar czf - .ssh`). */
export function usesRelativePaths(program: string): boolean {
  return RELATIVE_PATH_PROGRAMS.has(programName(program).replace(/\.exe$/, ''));
}
