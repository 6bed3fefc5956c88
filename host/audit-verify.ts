/**
 * `warden audit --verify`: walks a log's hash chain from the first line and
 * checks the head record against where the log ends. It never throws on what
 * it reads: any log or head, however malformed (wrong field types, a FIFO, a
 * link to a device, a log of gigabytes), gets an answer naming the first bad
 * line (or the head) and why. The log is read a chunk at a time, so its size
 * is bounded by the disk, not by what one string or buffer can hold.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { AuditEntry } from './audit.js';
import { checkLine, decodeHead, GENESIS, headPath, HOST_ENTRY, isChecked, MAX_HEAD_BYTES } from './audit-chain.js';
import { DataFileError, fileProblem, readRegularFileSync } from './safe-files.js';

export type Verification =
  | { ok: true; entries: number; notes?: string[] }
  /** `line` 0: the problem is the log or its head as a whole, not one line. `unopened`: no log could be opened there. */
  | { ok: false; line: number; reason: string; unopened?: true };

/** Entries the host wrote about the log itself that mean its history cannot be vouched for. */
const UNVERIFIABLE = new Set(['audit.head-missing', 'audit.head-mismatch']);
const CHUNK_BYTES = 1024 * 1024;
/** No entry the host writes comes near this; a longer line is not an entry, and is not held in memory whole. */
const MAX_LINE_BYTES = 64 * 1024 * 1024;

interface LogLine {
  /** The line's bytes without its newline; undefined when it is longer than MAX_LINE_BYTES (then `end` is where that was seen). */
  bytes: Buffer | undefined;
  /** Where the line ends in the log, after its newline. */
  end: number;
  terminated: boolean;
}

/**
 * Opens the log for reading: a regular file only (the path may be a link the user gave: reading follows it), without
 * waiting on a FIFO. Throws a DataFileError.
 */
function openLog(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    throw fileProblem(path, error);
  }
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw new DataFileError(`${path} is not a regular file`, 'EFTYPE');
  }
  return fd;
}

/**
 * The log's lines in order, a chunk at a time; the last one may be unterminated. A line longer than MAX_LINE_BYTES is
 * yielded once, as soon as it is known to be (without its bytes), and the rest of it is skipped.
 */
function* logLines(fd: number): Generator<LogLine> {
  const chunk = Buffer.alloc(CHUNK_BYTES);
  let parts: Buffer[] = [];
  let held = 0;
  let overlong = false;
  let position = 0;
  for (;;) {
    const read = readSync(fd, chunk, 0, CHUNK_BYTES, position);
    if (read === 0) break;
    let start = 0;
    for (let newline = chunk.indexOf(0x0a, 0); newline >= 0 && newline < read; newline = chunk.indexOf(0x0a, start)) {
      if (!overlong) yield { bytes: join(parts, held, chunk.subarray(start, newline)), end: position + newline + 1, terminated: true };
      parts = [];
      held = 0;
      overlong = false;
      start = newline + 1;
    }
    if (start < read && !overlong) {
      parts.push(Buffer.from(chunk.subarray(start, read)));
      held += read - start;
      if (held > MAX_LINE_BYTES) {
        overlong = true;
        parts = [];
        held = 0;
        yield { bytes: undefined, end: position + read, terminated: false };
      }
    }
    position += read;
  }
  if (held > 0) yield { bytes: join(parts, held, Buffer.alloc(0)), end: position, terminated: false };
}

function join(parts: Buffer[], held: number, last: Buffer): Buffer {
  return parts.length === 0 ? last : Buffer.concat([...parts, last], held + last.length);
}

/** A value of any JSON type as text, for notes: what an edited entry holds can be anything. */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

export function verifyAuditLog(path: string): Verification {
  let fd: number;
  try {
    fd = openLog(path);
  } catch (error) {
    return { ok: false, line: 0, reason: `cannot read the log: ${(error as Error).message}`, unopened: true };
  }
  try {
    return verifyOpened(fd, path);
  } catch (error) {
    return { ok: false, line: 0, reason: `cannot read the log: ${fileProblem(path, error).message}` };
  } finally {
    closeSync(fd);
  }
}

function verifyOpened(fd: number, path: string): Verification {
  const head = readHead(path);
  if (typeof head === 'string') return { ok: false, line: 0, reason: head };
  const notes: string[] = [];
  let previous = { seq: 0, hash: GENESIS };
  /** The line the head points at, once walked past: its number, seq, hash and where it ends. */
  let atHead: { line: number; seq: number; hash: string; end: number } | undefined =
    head && head.seq === 0 ? { line: 0, seq: 0, hash: GENESIS, end: 0 } : undefined;
  let lineNo = 0;
  let size = 0;
  for (const line of logLines(fd)) {
    lineNo += 1;
    size = line.end;
    if (line.bytes === undefined) return { ok: false, line: lineNo, reason: `a line of more than ${MAX_LINE_BYTES} bytes is not an entry` };
    if (!line.terminated) {
      return { ok: false, line: lineNo, reason: 'the last line is unterminated (a write cut short; the next host start moves it aside)' };
    }
    const checked = checkLine(line.bytes.toString('utf8'));
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
      if (UNVERIFIABLE.has(entry.kind)) return { ok: false, line: lineNo, reason: `when the host started: ${asText(entry.message)}` };
      if (entry.kind === 'audit.torn-tail') notes.push(`line ${lineNo}: ${asText(entry.message)}`);
      if (entry.kind === 'audit.lost') notes.push(`line ${lineNo}: ${asText(entry.entries)} entries could not be written before it (${asText(entry.reason)})`);
    }
    previous = { seq: checked.seq, hash: checked.hash };
    if (head && checked.seq === head.seq) atHead = { line: lineNo, seq: checked.seq, hash: checked.hash, end: line.end };
  }
  if (head === undefined) {
    if (lineNo > 0) {
      return { ok: false, line: 0, reason: `no head record (${headPath(path)}) for a log with entries: a cut end cannot be detected (was it deleted?)` };
    }
  } else if (head.seq > previous.seq || (head.size ?? 0) > size) {
    return { ok: false, line: lineNo + 1, reason: `log ends at seq ${previous.seq} but its head records seq ${head.seq} (truncated)` };
  } else if (!atHead || atHead.hash !== head.hash || (head.size !== undefined && atHead.end !== head.size)) {
    return { ok: false, line: atHead?.line ?? 0, reason: 'entry differs from the one the head recorded (the log was rewritten)' };
  }
  return notes.length > 0 ? { ok: true, entries: lineNo, notes } : { ok: true, entries: lineNo };
}

/** The head record, undefined when there is none (or it is empty: its first write failed), or why it cannot be used. */
function readHead(path: string): ReturnType<typeof decodeHead> | undefined {
  const file = headPath(path);
  let text: string | undefined;
  try {
    // Never through a link, never waiting on a FIFO, never more than a head can be: as the host itself reads it.
    text = readRegularFileSync(file, MAX_HEAD_BYTES)?.toString('utf8');
  } catch (error) {
    return `cannot use the head record: ${(error as Error).message}`;
  }
  if (text === undefined || text === '') return undefined;
  const head = decodeHead(text);
  return typeof head === 'string' ? `the head record ${file} is damaged: ${head}` : head;
}

/**
 * Every entry of a log, for printing, a chunk at a time; lines that are not entries are skipped (verify reports them).
 * Throws a DataFileError at once when the log cannot be opened.
 */
export function auditEntries(path: string): Generator<AuditEntry> {
  return entriesOf(openLog(path));
}

function* entriesOf(fd: number): Generator<AuditEntry> {
  try {
    for (const line of logLines(fd)) {
      if (line.bytes === undefined || line.bytes.length === 0) continue;
      let value: unknown;
      try {
        value = JSON.parse(line.bytes.toString('utf8'));
      } catch {
        continue;
      }
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) yield value as AuditEntry;
    }
  } finally {
    closeSync(fd);
  }
}

/** Every entry of a log (none when there is no log yet), for a program to look through. */
export function readAuditLog(path: string): AuditEntry[] {
  try {
    return [...auditEntries(path)];
  } catch (error) {
    if ((error as DataFileError).code === 'ENOENT') return [];
    throw error;
  }
}
