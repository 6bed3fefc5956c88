/**
 * `warden audit`: prints the hash-chained audit log; `--verify` walks the
 * chain and exits 1 at the first bad line (edited, removed, reordered or a
 * truncated tail).
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import pc from 'picocolors';
import { inert, inertJson } from '../analyzer/inert-text.js';
import { readAuditLog, verifyAuditLog, type AuditEntry } from '../host/audit.js';
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
    .action((options: AuditOptions) => {
      if (!existsSync(options.log)) throw new UsageError(`no audit log at ${options.log} (run the host first, or pass --log FILE)`);
      if (options.verify) {
        const result = verifyAuditLog(options.log);
        if (result.ok) {
          process.stdout.write(`${options.log}: ${result.entries} entries, hash chain intact\n`);
          for (const note of result.notes ?? []) process.stdout.write(`  note: ${note}\n`);
        } else {
          process.stdout.write(`${options.log}${result.line > 0 ? `:${result.line}` : ''}: ${result.reason}\n`);
          process.exitCode = EXIT.blocked;
        }
        return;
      }
      const entries = readAuditLog(options.log).filter((e) => options.plugin === undefined || e.pluginId === options.plugin);
      for (const entry of entries) process.stdout.write(`${options.json ? inertJson(entry) : formatEntry(entry)}\n`);
    });
  addColorOptions(audit);
}

/** One line per entry, whatever a plugin put in its fields: every value goes through `inert`. */
function formatEntry(entry: AuditEntry): string {
  const details = Object.entries(entry)
    .filter(([key]) => !ENVELOPE.has(key))
    .map(([key, value]) => `${inert(key)}=${typeof value === 'string' ? inert(value) : inertJson(value)}`)
    .join(' ');
  // In full: ids share a per-host prefix, so any shortening makes every row look the same.
  const correlation = entry.correlationId ? pc.dim(` ${inert(String(entry.correlationId))}`) : '';
  return `${pc.dim(`#${inert(String(entry.seq))} ${inert(String(entry.time))}`)} ${pc.bold(inert(String(entry.pluginId)))} ${inert(String(entry.kind))}${correlation} ${details}`;
}
