/**
 * Whether a stream gets colours, with picocolors' rules (so `warden run`,
 * which colours through picocolors directly, agrees with the reports):
 * `--no-color` or a non-empty `NO_COLOR` turn colours off; `--color` or a
 * non-empty `FORCE_COLOR` turn them on; otherwise only a terminal whose TERM
 * is not `dumb` gets them. Unlike picocolors, `CI` alone does not: a report
 * piped to a file in CI stays plain text.
 */
import type { Command } from 'commander';

export function colorFor(stream: { isTTY?: boolean }, argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): boolean {
  if (argv.includes('--no-color') || Boolean(env.NO_COLOR)) return false;
  if (argv.includes('--color') || Boolean(env.FORCE_COLOR)) return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** `--color` / `--no-color` on a command that prints in colour (read through colorFor, as picocolors reads them). */
export function addColorOptions(command: Command): Command {
  return command.option('--color', 'force colours on (also FORCE_COLOR=1)').option('--no-color', 'turn colours off (also NO_COLOR=1)');
}
