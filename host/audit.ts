/**
 * The audit log: append-only JSON lines, each entry chained to the one before
 * by hash, so an edited, removed, reordered or inserted line breaks the chain.
 * Cutting whole entries off the end leaves a valid chain, so the last seq and
 * hash are also kept in a small sidecar (`<log>.head`, written atomically):
 * a log that ends before its head was truncated.
 */
import { hash as digest } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

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

interface Head {
  seq: number;
  hash: string;
}

const GENESIS = '0'.repeat(64);
const HEAD_INTERVAL_MS = 100;

function hashOf(entryWithoutHash: Omit<AuditEntry, 'hash'>): string {
  return sha256(JSON.stringify(entryWithoutHash));
}

function sha256(text: string): string {
  // One-shot: no Hash object per entry; less than half the cost of createHash for a line this short (0.33 vs 0.78 µs).
  return digest('sha256', text, 'hex');
}

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

export function headPath(logPath: string): string {
  return `${logPath}.head`;
}

export class AuditLog {
  readonly path: string;
  #fd: number;
  #head: Head;
  readonly #clock = new IsoClock();
  #headDirty = false;
  /** The background head rewrite in flight, if any. */
  #headWriting: Promise<void> | undefined;

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, 'a+');
    this.#head = lastEntry(this.#fd, path) ?? { seq: 0, hash: GENESIS };
  }

  /**
   * Appends one entry now: synchronously, so entries keep the order of the events they record and a
   * call's entry is on file before the call is carried out.
   */
  append(record: AuditRecord): AuditEntry {
    // An entry after close() (a plugin exiting after the host closed its log) reopens the file rather than being lost.
    if (this.#fd < 0) this.#fd = openSync(this.path, 'a');
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
    const text = JSON.stringify(entry);
    const hash = sha256(text);
    entry.hash = hash;
    writeSync(this.#fd, `${text.slice(0, -1)},"hash":"${hash}"}\n`);
    this.#head.seq = entry.seq as number;
    this.#head.hash = hash;
    this.#scheduleHead();
    return entry as AuditEntry;
  }

  /** Writes the head sidecar and releases the file. */
  close(): void {
    if (this.#fd < 0) return;
    closeSync(this.#fd);
    this.#fd = -1;
    // Not dirty and nothing in flight: the head on file is already the last entry's.
    if (!this.#headDirty && !this.#headWriting) return;
    this.#headDirty = false;
    const final = `${JSON.stringify(this.#head)}\n`;
    writeHeadSync(this.path, final);
    // A background rename still in flight may land after this one, putting an older head back: write the final one again.
    void this.#headWriting?.then(() => writeHeadSync(this.path, final)).catch(() => undefined);
  }

  // The sidecar is rewritten at most every HEAD_INTERVAL_MS, so a burst of
  // entries costs one rename, not one per entry. A head that lags the log
  // (host killed in between) still verifies; a head ahead of it does not, and
  // none is: it records only entries whose write has returned.
  #scheduleHead(): void {
    if (this.#headDirty) return;
    this.#headDirty = true;
    setTimeout(() => this.#writeHeadInBackground(), HEAD_INTERVAL_MS).unref();
  }

  // In libuv's thread pool, not on the event loop: done synchronously, its open/write/close/rename took
  // ~190 µs on ext4 and stalled whichever ctx call was in flight (in bench/host.js, 4 of the 20 slowest
  // of each 2000 audited calls overlapped a head rewrite). One write at a time, so renames land in order.
  #writeHeadInBackground(): void {
    if (!this.#headDirty || this.#fd < 0) return;
    if (this.#headWriting) {
      void this.#headWriting.finally(() => this.#writeHeadInBackground());
      return;
    }
    this.#headDirty = false;
    const head = headPath(this.path);
    const temporary = `${head}.${process.pid}.tmp`;
    this.#headWriting = writeFile(temporary, `${JSON.stringify(this.#head)}\n`)
      .then(() => rename(temporary, head))
      .then(
        () => undefined,
        (error: unknown) => {
          // As fatal while the log is open as the synchronous write was; after close() the final head is on file.
          if (this.#fd >= 0) process.nextTick(() => { throw error; });
        },
      )
      .finally(() => {
        this.#headWriting = undefined;
      });
  }
}

/** Atomic by rename; no fsync, which would cost milliseconds for a file the log itself can rebuild. */
function writeHeadSync(logPath: string, text: string): void {
  // Its own temporary name, so it cannot collide with a background write's.
  const temporary = `${headPath(logPath)}.${process.pid}.final.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, headPath(logPath));
}

/** The seq and hash of the last complete line, read from the tail only. */
function lastEntry(fd: number, path: string): Head | undefined {
  const size = fstatSync(fd).size;
  if (size === 0) return undefined;
  const length = Math.min(size, 1 << 20);
  const buffer = Buffer.alloc(length);
  readSync(fd, buffer, 0, length, size - length);
  const lines = buffer.toString('utf8').split('\n').filter((line) => line.trim() !== '');
  const last = lines.at(-1);
  if (last === undefined) return undefined;
  try {
    const entry = JSON.parse(last) as AuditEntry;
    return { seq: entry.seq, hash: entry.hash };
  } catch {
    // Appending after a torn line would hide the damage behind a fresh chain: refuse.
    throw new Error(`audit log ${path} ends with a damaged line; run \`warden audit --verify\``);
  }
}

export type Verification = { ok: true; entries: number } | { ok: false; line: number; reason: string };

/** Walks the chain from the first line; the first broken link is reported with its line number. */
export function verifyAuditLog(path: string): Verification {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  let previous: Head = { seq: 0, hash: GENESIS };
  for (const [index, line] of lines.entries()) {
    const lineNo = index + 1;
    let entry: AuditEntry;
    try {
      entry = JSON.parse(line) as AuditEntry;
    } catch {
      return { ok: false, line: lineNo, reason: 'not a JSON entry (edited, or a torn write at the end)' };
    }
    const { hash, ...unhashed } = entry;
    if (typeof hash !== 'string' || hashOf(unhashed) !== hash) {
      return { ok: false, line: lineNo, reason: 'hash does not match the entry (edited)' };
    }
    if (entry.prevHash !== previous.hash || entry.seq !== previous.seq + 1) {
      return {
        ok: false,
        line: lineNo,
        reason: `seq ${entry.seq} does not follow seq ${previous.seq} (a line was removed, inserted or reordered before it)`,
      };
    }
    previous = { seq: entry.seq, hash };
  }
  const headFile = headPath(path);
  if (existsSync(headFile)) {
    let head: Head;
    try {
      head = JSON.parse(readFileSync(headFile, 'utf8')) as Head;
    } catch {
      return { ok: false, line: 0, reason: `${headFile} is damaged` };
    }
    if (head.seq > previous.seq) {
      return { ok: false, line: lines.length + 1, reason: `log ends at seq ${previous.seq} but its head records seq ${head.seq} (truncated)` };
    }
    const atHead = head.seq === 0 ? GENESIS : (JSON.parse(lines[head.seq - 1]) as AuditEntry).hash;
    if (atHead !== head.hash) {
      return { ok: false, line: head.seq, reason: 'entry differs from the one the head recorded (the log was rewritten)' };
    }
  }
  return { ok: true, entries: lines.length };
}

/** Every entry of a log, for printing; damaged lines are skipped (verify reports them). */
export function readAuditLog(path: string): AuditEntry[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return line.trim() === '' ? [] : [JSON.parse(line) as AuditEntry];
      } catch {
        return [];
      }
    });
}
