/**
 * `warden audit`: prints the hash-chained audit log; `--verify` walks the
 * chain and exits 1 at the first bad line (edited, removed, reordered or a
 * truncated tail).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import pc from 'picocolors';
import { inert, inertJson } from '../analyzer/inert-text.js';
import { auditEntries, verifyAuditLog, type AuditEntry } from '../host/audit.js';
import { addColorOptions } from './color.js';
import { EXIT, UsageError } from './errors.js';

interface AuditOptions {
  log: string;
  plugin?: string;
  verify?: boolean;
  json?: boolean;
}

/** Fields every entry has; the rest are the entry's details. */
const ENVELOPE = new Set(['seq', 'time', 'pluginId', 'correlationId', 'kind', 'prevHash', 'hash']);

export function registerAudit(program: Command): void {
  const audit = program
    .command('audit')
    .description('print the audit log; --verify checks its hash chain')
    .option('--log <file>', 'the audit log', '.warden/audit.log')
    .option('--plugin <id>', 'only entries of this plugin')
    .option('--verify', 'check the hash chain; exit 1 at the first bad line')
    .option('--json', 'print entries as JSON lines')
    .action(async (options: AuditOptions) => {
      if (!existsSync(options.log)) throw new UsageError(`no audit log at ${options.log} (run the host first, or pass --log FILE)`);
      if (options.verify) {
        const result = verifyAuditLog(options.log);
        // A link, a device or a folder is not a log to judge: bad input, like a missing one.
        if (!result.ok && result.unopened) throw new UsageError(`${options.log}: ${result.reason}`);
        if (result.ok) {
          process.stdout.write(`${options.log}: ${result.entries} entries, hash chain intact\n`);
          for (const note of result.notes ?? []) process.stdout.write(`  note: ${note}\n`);
        } else {
          process.stdout.write(`${options.log}${result.line > 0 ? `:${result.line}` : ''}: ${result.reason}\n`);
          process.exitCode = EXIT.blocked;
        }
        return;
      }
      await printEntries(options);
    });
  addColorOptions(audit);
}

/** Entries this many at a time, then a turn of the event loop: a reader that went away (EPIPE) is noticed there. */
const ENTRIES_PER_TURN = 1000;

/**
 * The log streamed a chunk at a time (a log of gigabytes is printed as it is read, never held whole); lines that are
 * not entries are skipped, as --verify reports them.
 */
async function printEntries(options: AuditOptions): Promise<void> {
  const entries = auditEntries(options.log); // a log that cannot be opened is a DataFileError: one line, exit 2
  let out = '';
  let count = 0;
  for (const entry of entries) {
    if (options.plugin !== undefined && entry.pluginId !== options.plugin) continue;
    out += `${options.json ? inertJson(entry) : formatEntry(entry)}\n`;
    count += 1;
    if (count % ENTRIES_PER_TURN === 0) {
      process.stdout.write(out);
      out = '';
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  process.stdout.write(out);
}

/** One line per entry, whatever is in its fields (an edited log can hold any JSON anywhere): every value goes through `inert`. */
function formatEntry(entry: AuditEntry): string {
  const details = Object.entries(entry)
    .filter(([key]) => !ENVELOPE.has(key))
    .map(([key, value]) => `${inert(key)}=${asText(value)}`)
    .join(' ');
  // In full: ids share a per-host prefix, so any shortening makes every row look the same.
  const correlation = entry.correlationId ? pc.dim(` ${asText(entry.correlationId)}`) : '';
  return `${pc.dim(`#${asText(entry.seq)} ${asText(entry.time)}`)} ${pc.bold(asText(entry.pluginId))} ${asText(entry.kind)}${correlation} ${details}`;
}

/** A string as its inert text, anything else as inert JSON (String() throws on an object whose toString is not a function). */
function asText(value: unknown): string {
  return typeof value === 'string' ? inert(value) : inertJson(value);
}
