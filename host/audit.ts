/**
 * The audit log: append-only JSON lines, each entry chained to the one before
 * by hash, so an edited, removed, reordered or inserted line breaks the chain.
 * Cutting whole entries off the end leaves a valid chain, so the last seq, hash
 * and the log's size are also kept in a small sidecar (`<log>.head`, one
 * fixed-size record rewritten in place): a log that ends before its head was
 * truncated.
 *
 * Crash safety: each entry is one complete line or nothing. A write cut short
 * (a full disk) is retried for the rest, and on failure the log is cut back to
 * where it was, so the call fails and the log still verifies. A host killed
 * mid-write can leave a torn last line: the next open moves it aside into
 * `<log>.torn-<time>` and appends an entry saying so, chained to the last good
 * one. A head that is missing, damaged or ahead of the log is recorded in the
 * log as found, never silently replaced (`warden audit --verify` then fails).
 */
import { closeSync, fstatSync, ftruncateSync, readSync, writeSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { checkLine, decodeHead, encodeHead, GENESIS, HEAD_BYTES, headPath, HOST_ENTRY, isChecked, MAX_HEAD_BYTES, sealLine, type Head } from './audit-chain.js';
import { DataFileError, fileProblem, makeDataFolder, moveAsideSync, openRegularFileSync, readRegularFileSync, writeNewFileSync } from './safe-files.js';

export { headPath } from './audit-chain.js';
export { auditEntries, readAuditLog, verifyAuditLog, type Verification } from './audit-verify.js';

export interface AuditRecord {
  pluginId: string;
  /** Ties together the entries one request produced (call, denial, result). */
  correlationId?: string;
  kind: string;
  [detail: string]: unknown;
}

export interface AuditEntry extends AuditRecord {
  seq: number;
  time: string;
  prevHash: string;
  hash: string;
}

/** What opening the log found and recorded about its own state (a torn tail moved aside, a missing head…). */
export interface AuditRepair {
  kind: 'audit.torn-tail' | 'audit.head-missing' | 'audit.head-mismatch';
  message: string;
}

const HEAD_INTERVAL_MS = 100;
/** How much of the end is read at open to find the last good line (widened when it holds none). */
const TAIL_WINDOW = 64 * 1024;

/**
 * ISO timestamps, formatted once per millisecond: under load entries arrive tens of thousands a second, and
 * formatting a fresh Date (~0.45 µs) was an eighth of what a whole entry costs.
 */
class IsoClock {
  #ms = -1;
  #iso = '';

  now(): string {
    const ms = Date.now();
    if (ms !== this.#ms) {
      this.#ms = ms;
      this.#iso = new Date(ms).toISOString();
    }
    return this.#iso;
  }
}

export class AuditLog {
  readonly path: string;
  /** What open found and recorded; the host reports each. */
  readonly repairs: AuditRepair[] = [];
  #fd: number;
  /** The log's length in bytes after the last complete line: where a failed write is cut back to. */
  #size: number;
  #head: Head & { size: number };
  readonly #clock = new IsoClock();
  #headDirty = false;
  /** The head sidecar, opened at its first rewrite. */
  #headFd = -1;
  /** Entries `tryAppend` could not write, recorded as one entry as soon as writing works again. */
  #lost: { entries: number; reason: string } | undefined;

  /**
   * Opens (or creates) the log: never through a symlink and only as a regular file. Throws a DataFileError (one line)
   * when it cannot be used as it is: a link or a FIFO at its name, a read-only disk, a torn tail with no room to
   * move it aside (then the log is left as it was).
   */
  constructor(path: string) {
    this.path = path;
    makeDataFolder(dirname(path));
    // Mode 0666 less the umask, as a shell's `>>` would create it: a folder shared through a group stays shared.
    this.#fd = openRegularFileSync(path, { append: true, create: true, mode: 0o666 })!.fd;
    try {
      this.#size = fstatSync(this.#fd).size;
      const last = this.#recoverTail();
      this.#head = { seq: last?.seq ?? 0, hash: last?.hash ?? GENESIS, size: this.#size };
      this.#checkHead();
      for (const repair of this.repairs) this.append({ pluginId: HOST_ENTRY, kind: repair.kind, message: repair.message });
    } catch (error) {
      closeSync(this.#fd);
      throw fileProblem(path, error);
    }
    // A fresh log gets its head at once, so a log with entries and no head only ever means a deleted head.
    if (this.repairs.length > 0 || this.#size === 0) this.#writeHeadQuietly();
  }

  /**
   * Appends one entry now: synchronously, so entries keep the order of the events they record and a
   * call's entry is on file before the call is carried out. Throws when it cannot be written (a full
   * disk), leaving the log as it was: an audited call then fails, closed.
   */
  append(record: AuditRecord): AuditEntry {
    // An entry after close() (a plugin exiting after the host closed its log) reopens the file rather than being lost.
    if (this.#fd < 0) this.#reopen();
    if (this.#lost) this.#recordLost();
    return this.#appendNow(record);
  }

  /**
   * For what happens whether or not it can be recorded (a process exit, a crash, a kill): never throws. An entry
   * that cannot be written is counted, and the count is recorded in the log once writing works again.
   */
  tryAppend(record: AuditRecord): AuditEntry | undefined {
    try {
      return this.append(record);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      this.#lost = { entries: (this.#lost?.entries ?? 0) + 1, reason };
      return undefined;
    }
  }

  /** Writes the head sidecar and releases the files. */
  close(): void {
    if (this.#fd < 0) return;
    closeSync(this.#fd);
    this.#fd = -1;
    if (this.#headDirty) this.#writeHeadQuietly();
    if (this.#headFd >= 0) closeSync(this.#headFd);
    this.#headFd = -1;
  }

  #appendNow(record: AuditRecord): AuditEntry {
    // One object, built in the order its line shows (record keys after the chain's own, prevHash last); the record's
    // own pluginId, correlationId and kind overwrite the placeholders in place, so they keep their position.
    const entry: Record<string, unknown> = {
      seq: this.#head.seq + 1,
      time: this.#clock.now(),
      pluginId: '',
      correlationId: null,
      kind: '',
      ...(record as Record<string, unknown>),
      prevHash: this.#head.hash,
    };
    entry.correlationId ??= null;
    // The line is the hashed text with `"hash"` appended as its last key: exactly JSON.stringify of the
    // entry, for one stringify instead of two (this runs on every ctx call, before the call is carried out).
    const { line, hash } = sealLine(JSON.stringify(entry));
    this.#writeLine(line);
    entry.hash = hash;
    this.#head.seq = entry.seq as number;
    this.#head.hash = hash;
    this.#head.size = this.#size;
    this.#scheduleHead();
    return entry as AuditEntry;
  }

  #recordLost(): void {
    const lost = this.#lost!;
    this.#appendNow({ pluginId: HOST_ENTRY, kind: 'audit.lost', entries: lost.entries, reason: lost.reason });
    this.#lost = undefined;
  }

  /**
   * The whole line or nothing. write(2) may write less than asked (a disk filling up): the rest is written until
   * done; if a write fails, the bytes already written are cut off again so no partial line stays in the log.
   */
  #writeLine(line: string): void {
    const bytes = Buffer.byteLength(line);
    let written = 0;
    try {
      written = writeSync(this.#fd, line);
      if (written < bytes) {
        const buffer = Buffer.from(line);
        while (written < bytes) written += writeSync(this.#fd, buffer, written, bytes - written);
      }
    } catch (error) {
      if (written > 0) ftruncateSync(this.#fd, this.#size);
      throw error;
    }
    this.#size += bytes;
  }

  #reopen(): void {
    this.#fd = openRegularFileSync(this.path, { append: true, create: true, mode: 0o666 })!.fd;
    this.#size = fstatSync(this.#fd).size;
  }

  /**
   * The last complete entry, after moving aside what follows it when that is not an entry: an unterminated last
   * line (a write cut short, even one missing only its newline) and trailing lines that are not JSON. A last line
   * that is JSON but fails its hash is an edit, not a tear: it stays for verification to report.
   */
  #recoverTail(): { seq: number; hash: string } | undefined {
    // The last good line is nearly always within the last few hundred bytes; a window that holds none is widened.
    for (let window = TAIL_WINDOW; ; window *= 4) {
      const length = Math.min(this.#size, window);
      const start = this.#size - length;
      const buffer = Buffer.alloc(length);
      readSync(this.#fd, buffer, 0, length, start);
      const found = lastEntryIn(buffer, start === 0);
      if (found === 'undecided') continue;
      if (found.end < length) this.#moveAside(buffer.subarray(found.end), start + found.end);
      return found.last;
    }
  }

  #moveAside(torn: Buffer, keep: number): void {
    let file: string;
    try {
      file = this.#writeAside(torn, 'torn');
    } catch (error) {
      // Never cut what could not be kept: the host does not start, and the log is as it was.
      const problem = fileProblem(this.path, error);
      throw new DataFileError(`${this.path} ends in ${torn.length} bytes of a torn write, to be moved aside before the log is used: ${problem.message}`, problem.code);
    }
    // Copied first, cut second: a crash in between leaves the tail in both places, never in neither.
    ftruncateSync(this.#fd, keep);
    this.#size = keep;
    const lines = torn.toString('utf8').split('\n').filter((line) => line !== '').length;
    this.repairs.push({
      kind: 'audit.torn-tail',
      message: `the log ended in ${torn.length} bytes (${lines} line${lines === 1 ? '' : 's'}) that are not a complete entry (a write cut short by a crash or a full disk); moved aside to ${basename(file)}`,
    });
  }

  /** Writes `bytes` to a new `<log>.<what>-<time>[-n]` (all of it, or nothing is left); returns its name. */
  #writeAside(bytes: Buffer, what: string): string {
    const stem = `${this.path}.${what}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    for (let n = 1; ; n += 1) {
      const file = n === 1 ? stem : `${stem}-${n}`;
      try {
        writeNewFileSync(file, bytes);
        return file;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
  }

  /** Compares the head with the log as recovered; any disagreement is recorded as a repair, never papered over. */
  #checkHead(): void {
    const file = headPath(this.path);
    let text: string | undefined;
    try {
      text = readRegularFileSync(file, MAX_HEAD_BYTES)?.toString('utf8');
    } catch (error) {
      if (!(error instanceof DataFileError) || !UNUSABLE_HEAD.has(error.code)) throw error;
      // A link, a FIFO, a folder, a huge or unreadable file where the head should be: kept for whoever looks, under
      // another name, so a fresh head can be created (never written through a link).
      try {
        moveAsideSync(file, 'unusable');
      } catch (failed) {
        throw fileProblem(file, failed);
      }
      this.repairs.push({ kind: 'audit.head-mismatch', message: `the head record could not be used (${error.message}); moved aside` });
      return;
    }
    // An empty head is one whose first write failed (a full disk): no head was ever recorded.
    if (text === undefined || text === '') {
      if (this.#size > 0) {
        this.repairs.push({
          kind: 'audit.head-missing',
          message: `the head record ${basename(file)} was missing for a log of ${this.#size} bytes (deleted?): whole entries cut from the end before this one would not have been detected`,
        });
      }
      return;
    }
    const head = decodeHead(text);
    const problem = typeof head === 'string' ? `the head record was damaged (${head})` : headProblem(head, this.#head, (size) => this.#entryEndingAt(size));
    if (problem) this.repairs.push({ kind: 'audit.head-mismatch', message: problem });
  }

  /** The seq and hash of the complete line that ends exactly at byte `size` (a head's position), if there is one. */
  #entryEndingAt(size: number): { seq: number; hash: string } | undefined {
    for (let window = TAIL_WINDOW; ; window *= 4) {
      const length = Math.min(size, window);
      const buffer = Buffer.alloc(length);
      readSync(this.#fd, buffer, 0, length, size - length);
      if (buffer.at(-1) !== 0x0a) return undefined;
      const lineStart = length >= 2 ? buffer.lastIndexOf(0x0a, length - 2) + 1 : 0;
      if (lineStart === 0 && length < size) continue; // the line began before this window
      const checked = checkLine(buffer.toString('utf8', lineStart, length - 1));
      return isChecked(checked) ? { seq: checked.seq, hash: checked.hash } : undefined;
    }
  }

  // The sidecar is rewritten at most every HEAD_INTERVAL_MS, not per entry. A head that lags the log (host
  // killed in between) still verifies; a head ahead of it does not, and none is: it records only entries whose
  // write has returned.
  #scheduleHead(): void {
    if (this.#headDirty) return;
    this.#headDirty = true;
    setTimeout(() => {
      if (this.#headDirty && this.#fd >= 0) this.#writeHeadQuietly();
    }, HEAD_INTERVAL_MS).unref();
  }

  // One write of HEAD_BYTES at offset 0 into a file kept open: a few microseconds on the event loop. It replaced a
  // write-to-temporary and rename (four thread-pool round trips, ~190 µs of a core every 100 ms under load, which in
  // bench/host.js visibly stretched the audited calls' p99). No fsync, as for the log itself: the guarantee is
  // against a killed host, not a power cut. A failed rewrite (no space to create the file) is tried again with the
  // next entry: the head may lag the log, never run ahead of it.
  #writeHeadQuietly(): void {
    this.#headDirty = false;
    try {
      const fresh = this.#headFd < 0;
      // Never through a link, only into a regular file: one planted since open is refused (the head then lags).
      if (fresh) this.#headFd = openRegularFileSync(headPath(this.path), { create: true, mode: 0o666 })!.fd;
      writeSync(this.#headFd, encodeHead(this.#head), 0);
      // A head file from before fixed-size records (or an edited one) may be longer: cut what the record did not overwrite.
      if (fresh && fstatSync(this.#headFd).size > HEAD_BYTES) ftruncateSync(this.#headFd, HEAD_BYTES);
    } catch {
      this.#headDirty = true;
    }
  }
}

/** Why a head cannot be read as a file (safe-files.ts codes): moved aside and recorded, not fatal. */
const UNUSABLE_HEAD = new Set<string | undefined>(['ELOOP', 'EFTYPE', 'EFBIG', 'EACCES', 'EPERM']);

/**
 * The last entry in `buffer` (a log's tail; `whole` when it starts at the log's first byte) and the end of its
 * line: what follows is torn. 'undecided' when the buffer holds no entry whose line starts inside it.
 */
function lastEntryIn(buffer: Buffer, whole: boolean): { last: { seq: number; hash: string } | undefined; end: number } | 'undecided' {
  let end = buffer.lastIndexOf(0x0a) + 1; // after the last terminated line: anything beyond is unterminated
  while (end > 0) {
    const lineStart = end >= 2 ? buffer.lastIndexOf(0x0a, end - 2) + 1 : 0;
    if (lineStart === 0 && !whole) return 'undecided'; // the line may begin before the buffer: not judged from a fragment
    const checked = checkLine(buffer.toString('utf8', lineStart, end - 1));
    if (isChecked(checked)) return { last: { seq: checked.seq, hash: checked.hash }, end };
    if (checked.claimed) return { last: checked.claimed, end };
    end = lineStart;
  }
  return whole ? { last: undefined, end: 0 } : 'undecided';
}

/** Why a head does not describe a log whose last entry is `last` (ending at `last.size`); undefined when it does. */
function headProblem(head: Head, last: Head & { size: number }, entryEndingAt: (size: number) => { seq: number; hash: string } | undefined): string | undefined {
  if (head.seq > last.seq || (head.size ?? 0) > last.size) {
    return `the head recorded seq ${head.seq}${head.size === undefined ? '' : ` at byte ${head.size}`} but the log ended at seq ${last.seq} (byte ${last.size}): entries were cut from its end`;
  }
  const recorded = head.seq === 0 ? { seq: 0, hash: GENESIS } : head.size === undefined ? (head.seq === last.seq ? last : undefined) : entryEndingAt(head.size);
  if (recorded && (recorded.seq !== head.seq || recorded.hash !== head.hash)) {
    return `the entry the head recorded (seq ${head.seq}) is not in the log as it was written: the log was rewritten`;
  }
  if (!recorded && head.size !== undefined) return `no entry ends at byte ${head.size}, where the head recorded seq ${head.seq}: the log was rewritten`;
  return undefined;
}
