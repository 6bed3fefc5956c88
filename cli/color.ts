/**
 * Whether a stream gets colours: the last of `--color` / `--no-color` on the
 * command line wins; else a non-empty `NO_COLOR` turns them off; else
 * `FORCE_COLOR` turns them on, unless it is `0` or `false` (as chalk and
 * supports-color read it); otherwise only a terminal whose TERM is not `dumb`
 * gets them. Unlike picocolors, `CI` alone does not: a report piped to a file
 * in CI stays plain text. `settleColorChoice` makes picocolors (which
 * `warden run` and others colour through directly) agree.
 */
import type { Command } from 'commander';

/** The choice the flags or the environment make, or undefined when they make none. */
function explicitChoice(argv: readonly string[], env: NodeJS.ProcessEnv): boolean | undefined {
  const flag = argv.findLast((arg) => arg === '--color' || arg === '--no-color');
  if (flag !== undefined) return flag === '--color';
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR) return !['0', 'false'].includes(env.FORCE_COLOR.toLowerCase());
  return undefined;
}

export function colorFor(stream: { isTTY?: boolean }, argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): boolean {
  return explicitChoice(argv, env) ?? (stream.isTTY === true && env.TERM !== 'dumb');
}

/**
 * Before picocolors is loaded: rewrites this process's environment and flags so that picocolors' own reading of them
 * (any NO_COLOR, any FORCE_COLOR, --no-color anywhere before --color) comes to the choice colorFor makes.
 */
export function settleColorChoice(argv: string[] = process.argv, env: NodeJS.ProcessEnv = process.env): void {
  const choice = explicitChoice(argv, env);
  if (choice === undefined) return;
  if (choice) {
    delete env.NO_COLOR;
    env.FORCE_COLOR = '1';
  } else {
    env.NO_COLOR = '1';
    delete env.FORCE_COLOR;
  }
  // Only the flag that won stays, where it stood: picocolors lets --no-color win wherever it is.
  const last = argv.findLastIndex((arg) => arg === '--color' || arg === '--no-color');
  for (let i = last - 1; i >= 0; i -= 1) if (argv[i] === '--color' || argv[i] === '--no-color') argv.splice(i, 1);
}

/** `--color` / `--no-color` on a command that prints in colour (read through colorFor, as picocolors reads them). */
export function addColorOptions(command: Command): Command {
  return command.option('--color', 'force colours on (also FORCE_COLOR=1)').option('--no-color', 'turn colours off (also NO_COLOR=1)');
}
