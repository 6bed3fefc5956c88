/**
 * What a shell command line does that a reviewer must see: fetch code, decode
 * it, evaluate it, pipe it into a shell, open a raw connection, or load a
 * library into another program. Shared by the lifecycle-script check and by
 * no-child-process, which judges the commands a plugin runs.
 */
const DANGEROUS = [
  /\b(curl|wget|fetch|Invoke-WebRequest|iwr|certutil|bitsadmin)\b/i,
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
  const name = program.split(/[\\/]/).pop()!.toLowerCase();
  const flag = INLINE_CODE[name];
  return flag !== undefined && args.some((arg) => flag.test(arg));
}
