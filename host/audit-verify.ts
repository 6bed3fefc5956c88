/**
 * `warden audit --verify`: walks a log's hash chain from the first line and
 * checks the head record against where the log ends. It never throws on what
 * it reads: any log or head, however malformed, gets an answer naming the
 * first bad line (or the head) and why.
 */
import { readFileSync } from 'node:fs';
import type { AuditEntry } from './audit.js';
import { checkLine, decodeHead, GENESIS, headPath, HOST_ENTRY, isChecked } from './audit-chain.js';

export type Verification =
  | { ok: true; entries: number; notes?: string[] }
  /** `line` 0: the problem is the log or its head as a whole, not one line. */
  | { ok: false; line: number; reason: string };

/** Entries the host wrote about the log itself that mean its history cannot be vouched for. */
const UNVERIFIABLE = new Set(['audit.head-missing', 'audit.head-mismatch']);

export function verifyAuditLog(path: string): Verification {
  let log: Buffer;
  try {
    log = readFileSync(path);
  } catch (error) {
    return { ok: false, line: 0, reason: `cannot read the log: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
  const head = readHead(path);
  if (typeof head === 'string') return { ok: false, line: 0, reason: head };
  const notes: string[] = [];
  let previous = { seq: 0, hash: GENESIS };
  /** The line the head points at, once walked past: its number, seq, hash and where it ends. */
  let atHead: { line: number; seq: number; hash: string; end: number } | undefined =
    head && head.seq === 0 ? { line: 0, seq: 0, hash: GENESIS, end: 0 } : undefined;
  let lineNo = 0;
  for (let start = 0; start < log.length; ) {
    lineNo += 1;
    const newline = log.indexOf(0x0a, start);
    if (newline < 0) {
      return { ok: false, line: lineNo, reason: 'the last line is unterminated (a write cut short; the next host start moves it aside)' };
    }
    const checked = checkLine(log.toString('utf8', start, newline));
    if (!isChecked(checked)) return { ok: false, line: lineNo, reason: checked.reason };
    if (checked.prevHash !== previous.hash || checked.seq !== previous.seq + 1) {
      return {
        ok: false,
        line: lineNo,
        reason: `seq ${checked.seq} does not follow seq ${previous.seq} (a line was removed, inserted or reordered before it)`,
      };
    }
    const { entry } = checked;
    if (entry.pluginId === HOST_ENTRY && typeof entry.kind === 'string') {
      if (UNVERIFIABLE.has(entry.kind)) return { ok: false, line: lineNo, reason: `when the host started: ${String(entry.message)}` };
      if (entry.kind === 'audit.torn-tail') notes.push(`line ${lineNo}: ${String(entry.message)}`);
      if (entry.kind === 'audit.lost') notes.push(`line ${lineNo}: ${String(entry.entries)} entries could not be written before it (${String(entry.reason)})`);
    }
    start = newline + 1;
    previous = { seq: checked.seq, hash: checked.hash };
    if (head && checked.seq === head.seq) atHead = { line: lineNo, seq: checked.seq, hash: checked.hash, end: start };
  }
  if (head === undefined) {
    if (lineNo > 0) {
      return { ok: false, line: 0, reason: `no head record (${headPath(path)}) for a log with entries: a cut end cannot be detected (was it deleted?)` };
    }
  } else if (head.seq > previous.seq || (head.size ?? 0) > log.length) {
    return { ok: false, line: lineNo + 1, reason: `log ends at seq ${previous.seq} but its head records seq ${head.seq} (truncated)` };
  } else if (!atHead || atHead.hash !== head.hash || (head.size !== undefined && atHead.end !== head.size)) {
    return { ok: false, line: atHead?.line ?? 0, reason: 'entry differs from the one the head recorded (the log was rewritten)' };
  }
  return notes.length > 0 ? { ok: true, entries: lineNo, notes } : { ok: true, entries: lineNo };
}

/** The head record, undefined when there is none, or why it cannot be used. */
function readHead(path: string): ReturnType<typeof decodeHead> | undefined {
  const file = headPath(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return `cannot read the head record ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
  const head = decodeHead(text);
  return typeof head === 'string' ? `the head record ${file} is damaged: ${head}` : head;
}

/** Every entry of a log, for printing; damaged lines are skipped (verify reports them). */
export function readAuditLog(path: string): AuditEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((line) => {
    try {
      const value = line.trim() === '' ? undefined : (JSON.parse(line) as unknown);
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? [value as AuditEntry] : [];
    } catch {
      return [];
    }
  });
}
