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
const AWK = /^(g|m|n|busybox-)?awk(\.exe)?$/;
/** awk program text that runs shell commands: `system(…)`, a pipe to or from a command, a coprocess. */
const AWK_RUNS_COMMANDS = /\bsystem\s*\(|\|\s*getline|\|&|\bprint[f]?\b[^;}]*\|\s*["\w(]/;

/** True when `awk …` is handed inline program text that runs shell commands (`awk 'BEGIN{system(…)}'`). */
export function awkRunsCommands(program: string, args: string[]): boolean {
  if (!AWK.test(programName(program))) return false;
  const text = args.find((arg, at) => !arg.startsWith('-') && !(at > 0 && /^(-f|-v|--file|--assign|-F)$/.test(args[at - 1])));
  return text !== undefined && AWK_RUNS_COMMANDS.test(text);
}

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
  // awk runs the program text or the `-f` file it is given; its other words are data files.
  if (AWK.test(programName(program))) return args.find((_, at) => at > 0 && /^(-f|--file)$/.test(args[at - 1])) ?? args.find((arg) => /^(-f|--file=)./.test(arg))?.replace(/^(-f|--file=)/, '');
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

/** npm/yarn/pnpm/bun/pip configuration through the environment that changes where packages come from or what runs their scripts. */
const PACKAGE_MANAGER_SOURCE = /^((npm|pnpm|yarn|bun)_config_(.*registry|script[-_]shell|shell|node[-_]options|userconfig|globalconfig|git|onload[-_]script)|YARN_(NPM_)?REGISTRY(_SERVER)?|YARN_RC_FILENAME|NPM_CONFIG_REGISTRY|PIP_(EXTRA_)?INDEX_URL|PIP_FIND_LINKS|UV_(EXTRA_)?INDEX_URL)$/i;
const OFFICIAL_REGISTRY = /^https:\/\/(registry\.npmjs\.org|registry\.yarnpkg\.com|pypi\.org\/simple)\/?$/;

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
  if (COMMAND_VARIABLES.test(name)) return hookCommandRisk(value) !== undefined;
  // A package manager told by its config variables to fetch from another registry or run scripts through another shell.
  if (PACKAGE_MANAGER_SOURCE.test(name)) return value === undefined || (value !== '' && !OFFICIAL_REGISTRY.test(value));
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

/**
 * Inline code of another interpreter that takes the whole environment, not one variable of it: Python's
 * `os.environ` (or `environ`) not indexed, Perl's `%ENV`, Ruby's `ENV` not indexed, Node's `process.env` whole.
 */
const WHOLE_ENVIRONMENT = [
  /(?<!\bimport\s[\w\s,]*)\b(os\.)?environ\b(?!\s*(\[|\.(get|setdefault|pop)\s*\())/,
  /%ENV\b/,
  /(^|[^\w.$])ENV\b(?!\s*(\[|\{|\.fetch\b|\.key\?))/,
  /\bprocess\.env\b(?!\s*(\.|\[|\?\.))/,
];

const INLINE_IN_LINE = /(^|[\s;&|(])(\S*\/)?(python[\d.]*|perl|ruby|node)(\.exe)?\s+(\S+\s+)*?-(c|e|p|-eval|-print)\s/;

/** True when a command line's output is the whole environment, or another process's (`printenv`, `/proc/<pid>/environ`, `ps e`). */
export function dumpsEnvironment(program: string, args: string[]): boolean {
  const name = programName(program);
  if ((name === 'printenv' || name === 'env') && args.every((arg) => arg.startsWith('-') && !arg.includes('='))) return true;
  const line = [program, ...args].join(' ');
  // Inline code of an interpreter, handed as its words or within a shell line (`python3 -c '…'` in `exec`).
  const inline = runsInlineCode(program, args) || (args.length === 0 && INLINE_IN_LINE.test(program));
  if (inline && [program, ...args].some((arg) => WHOLE_ENVIRONMENT.some((pattern) => pattern.test(arg)))) return true;
  return ENVIRONMENT_DUMPS.some((pattern) => pattern.test(line));
}

/** Programs that read or write the paths they are given relative to their working directory. */
const RELATIVE_PATH_PROGRAMS = new Set(['tar', 'bsdtar', 'zip', 'unzip', '7z', '7za', 'gzip', 'cp', 'mv', 'rm', 'rsync', 'scp', 'find', 'ls', 'cat', 'grep', 'rg', 'du', 'head', 'tail', 'base64', 'xxd', 'od', 'dd', 'cpio', 'ar', 'shred']);

/** True when the program reads or writes files named relative to its working directory (`tar czf - .ssh`). */
export function usesRelativePaths(program: string): boolean {
  return RELATIVE_PATH_PROGRAMS.has(programName(program).replace(/\.exe$/, ''));
}

/** Git configuration keys whose value git runs as a command line (`!` aliases too) or reads hooks and config from. */
const GIT_COMMAND_KEYS = /^(core\.(fsmonitor|sshcommand|pager|editor|askpass|gitproxy)|sequence\.editor|diff\.external|(diff|merge|filter|difftool|mergetool|credential|gpg|browser|man)\.(.+\.)?(textconv|command|driver|clean|smudge|process|cmd|helper|program|path)|gpg\.program|credential\.helper|pager\..+|alias\..+|uploadpack\.packobjectshook|web\.browser|sendemail\.(smtpserver|tocmd|cccmd))$/i;
/** Git configuration keys whose value is a folder or file of hooks or more configuration. */
const GIT_FILE_KEYS = /^(core\.hookspath|include\.path|includeif\..+\.path)$/i;
/**
 * Options whose value a program runs as a command line, by program: `git -c core.fsmonitor=…`, `git clone
 * --upload-pack=…`, tar's `--checkpoint-action=exec=…`, `--to-command`, `-I`, rsync's `-e`, ssh's `-o ProxyCommand=…`,
 * find's `-exec … ;`, zip's `-TT`. A value `=` joined or in the next word.
 */
const COMMAND_OPTIONS: Record<string, RegExp> = {
  git: /^--(upload-pack|receive-pack|exec)$/,
  tar: /^(--to-command|--use-compress-program|-I|--rsh-command|--info-script|-F|--new-volume-script)$/,
  rsync: /^(-e|--rsh|--rsync-path)$/,
  ssh: /^-o$/,
  scp: /^(-o|-S)$/,
  sftp: /^(-o|-S)$/,
  zip: /^(-TT|--unzip-command)$/,
};
const PROGRAM_FAMILY: Record<string, string> = { bsdtar: 'tar', gtar: 'tar' };

/** An option and the command line a program's words tell it to run (`{ option: 'core.fsmonitor', command: 'lib/f.sh' }`). */
export interface HandedCommand { option: string; command: string }

/** The command lines `program words…` is told by its options to run, whatever else it does. */
export function handedCommands(program: string, words: string[]): HandedCommand[] {
  const name = programName(program).replace(/\.exe$/, '');
  const family = PROGRAM_FAMILY[name] ?? name;
  const handed: HandedCommand[] = [];
  for (let at = 0; at < words.length; at++) {
    const word = words[at];
    if (family === 'git' && word === '-c' && at + 1 < words.length) {
      const setting = words[++at];
      const key = setting.slice(0, setting.includes('=') ? setting.indexOf('=') : undefined);
      const value = setting.slice(key.length + 1);
      if (GIT_FILE_KEYS.test(key)) handed.push({ option: key, command: value });
      else if (GIT_COMMAND_KEYS.test(key) && (!/^alias\./i.test(key) || value.startsWith('!'))) handed.push({ option: key, command: value.replace(/^!/, '') });
      continue;
    }
    if (family === 'tar' && /^--checkpoint-action(=|$)/.test(word)) {
      const action = word.includes('=') ? word.slice(word.indexOf('=') + 1) : (words[++at] ?? '');
      if (/^exec=/.test(action)) handed.push({ option: '--checkpoint-action', command: action.slice(5) });
      continue;
    }
    if (family === 'find' && /^-(exec|execdir|ok|okdir)$/.test(word)) {
      const end = words.findIndex((w, i) => i > at && (w === ';' || w === '+'));
      handed.push({ option: word, command: words.slice(at + 1, end < 0 ? undefined : end).join(' ') });
      at = end < 0 ? words.length : end;
      continue;
    }
    const pattern = COMMAND_OPTIONS[family];
    if (!pattern) continue;
    const [option, joined] = word.startsWith('--') && word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
    // Short options take their value glued on too (`-Izstd`, `-oProxyCommand=…`).
    const glued = joined === undefined && !pattern.test(word) ? shortGlued(pattern, word) : undefined;
    if (!pattern.test(option) && !glued) continue;
    const value = glued?.value ?? joined ?? words[++at];
    if (value === undefined) continue;
    const opt = glued?.option ?? option;
    if (family === 'ssh' || ((family === 'scp' || family === 'sftp') && opt === '-o')) {
      const match = /^(ProxyCommand|LocalCommand|KnownHostsCommand)\s*[= ]\s*(.*)$/i.exec(value);
      if (match) handed.push({ option: match[1], command: match[2] });
    } else handed.push({ option: opt, command: value });
  }
  return handed;
}

function shortGlued(pattern: RegExp, word: string): { option: string; value: string } | undefined {
  const option = word.slice(0, 2);
  return /^-[A-Za-z]./.test(word) && pattern.test(option) ? { option, value: word.slice(2) } : undefined;
}

/** Folders of the system's own programs: a hook there is an installed tool, not a file the plugin ships or writes. */
const SYSTEM_PROGRAM = /^\/(usr\/(local\/)?)?s?bin\/[^/]+$/;

/**
 * Why a command line a program runs on the plugin's behalf (a hook in an option or a variable) is code the gate
 * never read, if it is: `dangerous` for one that downloads or decodes code, else a reason. A program named by a path
 * outside the system's folders, a shell or interpreter handed a script or inline code: what runs is a file or text
 * the gate did not judge as a command line. A tool named bare (`cat`, `less -R`, `ssh -i key`) is not.
 */
export function hookCommandRisk(command: string | undefined): 'dangerous' | string | undefined {
  if (command === undefined) return 'a command line built at run time';
  if (isDangerousCommand(command)) return 'dangerous';
  const [program = '', ...args] = command.trim().split(/\s+/).map((word) => word.replace(/^["']|["']$/g, ''));
  if (program === '') return undefined;
  if (/[\\/]/.test(program) && !SYSTEM_PROGRAM.test(program)) return `'${program.slice(0, 60)}', a file run as a program`;
  if (runsInlineCode(program, args)) return 'code written inline for an interpreter';
  const name = programName(program);
  if ((STDIN_INTERPRETERS.has(name) || FOREIGN_INTERPRETERS.test(name)) && args.some((arg) => !arg.startsWith('-'))) return `a script handed to ${name}`;
  return undefined;
}

/** Programs whose input (stdin or a file) is a schedule of commands they run later, outside the plugin's lifetime. */
const SCHEDULERS: Record<string, (args: string[]) => boolean> = {
  // `crontab -l` lists and `-r` removes; anything else installs a table (from `-`, stdin or a file).
  crontab: (args) => !args.some((arg) => /^-[lrV]/.test(arg)),
  at: (args) => !args.some((arg) => /^-[lrdcV]/.test(arg)),
  batch: () => true,
  'schtasks': (args) => args.some((arg) => /^\/create$/i.test(arg)),
  'systemd-run': () => true,
};

/** True when `program args…` installs commands that run later on a schedule (`crontab -`, `at now`, `schtasks /create`). */
export function schedulesCommands(program: string, args: string[]): boolean {
  const check = SCHEDULERS[programName(program).replace(/\.exe$/, '')];
  return check !== undefined && check(args);
}
