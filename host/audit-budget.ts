/**
 * The audit log as one plugin's process writes to it: every text field cut to
 * a length (a refused call with a 4 MiB key must not put 4 MiB on disk), and
 * the bytes the plugin makes the log grow held to a budget per minute, so a
 * plugin that floods calls is stopped long before it fills the disk. Entries
 * are still written in full order to the one shared log. Entries of calls the
 * plugin made in answer to the app's requests are metered too: a plugin must not
 * be able to make its calls look like answers and write the disk full.
 */
import type { AuditLog, AuditRecord } from './audit.js';

/** What the broker and the permission check write through. */
export interface AuditSink {
  append(record: AuditRecord): unknown;
  tryAppend(record: AuditRecord): unknown;
}

/**
 * What one plugin's entries have added to the log over the host's life, across all its processes (restarts do not
 * reset it), and the most they may: a plugin within its per-minute budget could otherwise still grow the log forever.
 */
export class AuditAllowance {
  spent = 0;
  constructor(readonly totalBytes: number) {}

  get exhausted(): boolean {
    return this.spent > this.totalBytes;
  }

  /** Why the plugin may write no more, in one line. */
  get reason(): string {
    return `audit log: its entries added more than ${Math.round(this.totalBytes / 1048576)} MiB over this host's life (auditBytesTotal)`;
  }
}

/** Text kept per field (messages, keys, URLs, errors). */
export const AUDIT_TEXT = 200;
/** An entry's fixed part: seq, time, ids, kind, the two hashes and the JSON around them. */
const ENTRY_OVERHEAD = 230;

export class PluginAuditTrail implements AuditSink {
  #tokens: number;
  #refilled = performance.now();
  #exceeded = false;

  constructor(
    private readonly audit: AuditLog,
    private readonly bytesPerMinute: number,
    private readonly onExceeded: (reason: string) => void,
    private readonly lifetime = new AuditAllowance(Number.POSITIVE_INFINITY),
  ) {
    this.#tokens = bytesPerMinute;
  }

  append(record: AuditRecord): unknown {
    const { clipped, size } = clipRecord(record);
    const entry = this.audit.append(clipped);
    this.#spend(size);
    return entry;
  }

  /** As `append`, for entries whose loss must not fail what they record (the log counts what it could not write). */
  tryAppend(record: AuditRecord): unknown {
    const { clipped, size } = clipRecord(record);
    const entry = this.audit.tryAppend(clipped);
    this.#spend(size);
    return entry;
  }

  /** A token bucket holding one minute's budget, refilled continuously; and the lifetime total. */
  #spend(bytes: number): void {
    this.lifetime.spent += bytes;
    if (this.lifetime.exhausted && !this.#exceeded) {
      this.#exceeded = true;
      this.onExceeded(this.lifetime.reason);
    }
    if (!Number.isFinite(this.bytesPerMinute)) return;
    const now = performance.now();
    this.#tokens = Math.min(this.bytesPerMinute, this.#tokens + ((now - this.#refilled) * this.bytesPerMinute) / 60_000);
    this.#refilled = now;
    this.#tokens -= bytes;
    if (this.#tokens < 0 && !this.#exceeded) {
      this.#exceeded = true;
      this.onExceeded(`audit log: its calls wrote more than ${Math.round(this.bytesPerMinute / 1024)} KiB of audit entries within a minute`);
    }
  }
}

/** The record with every field clipped, and about how many bytes its entry takes in the log. */
function clipRecord(record: AuditRecord): { clipped: AuditRecord; size: number } {
  let size = ENTRY_OVERHEAD;
  const clipped: AuditRecord = { pluginId: record.pluginId, kind: record.kind };
  for (const key in record) {
    const value = clip(record[key], 0);
    clipped[key] = value;
    size += key.length + (typeof value === 'string' ? value.length : typeof value === 'object' && value !== null ? JSON.stringify(value).length : 16);
  }
  return { clipped, size };
}

/** Strings cut to AUDIT_TEXT characters, also inside objects and arrays (three levels deep, then summarized). */
function clip(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.length > AUDIT_TEXT ? `${value.slice(0, AUDIT_TEXT)}…` : value;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= 3) return '…';
  if (Array.isArray(value)) return value.slice(0, 20).map((item) => clip(item, depth + 1));
  const out: Record<string, unknown> = {};
  let keys = 0;
  for (const key in value) {
    if (++keys > 20) break;
    out[clip(key, depth + 1) as string] = clip((value as Record<string, unknown>)[key], depth + 1);
  }
  return out;
}
