/**
 * A plugin's persistent key-value store: one JSON file in its data folder,
 * replaced atomically on every change so a crash never leaves half a store,
 * and capped in size so one plugin cannot fill the disk through the broker.
 * A change resolves only once it is durable: the new file is fsynced before
 * it is renamed over the old one, and the folder after (so the rename itself
 * survives a power cut). A store that cannot be read is moved aside, never
 * overwritten, and reported. The plugin can write that folder too, so the
 * file is read without following links (safe-files.ts) and replaced through
 * a temporary file that must be new (durable-file.ts).
 */
import { type Dirent, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isUnfinishedWrite, replaceFileDurably } from './durable-file.js';
import { moveAsideSync, readRegularFile } from './safe-files.js';

export const STORAGE_FILE = 'storage.json';
const MAX_KEY_LENGTH = 256;

/** Called when the store on disk was damaged and has been moved aside to `file`. */
export type OnCorruptStore = (file: string, reason: string) => void;

/** What `removeInterruptedWrites` found: the temporary files it removed, and entries under such names it left alone. */
export interface InterruptedWrites {
  removed: string[];
  /** A folder, FIFO or other entry under a temporary file's name (the plugin put it there): never a host's write. */
  left: { name: string; reason: string }[];
}

/**
 * Removes the temporary files of replacements of `file` (the store, by default) a killed host never finished (the
 * file itself is intact: they are renamed over it only when complete). Run at host start, before any store in the folder is opened. The plugin can write the
 * folder, so an entry that is not a file or a link (which unlink removes, never following it) is left and named, and
 * one that cannot be removed is too: neither stops the host.
 */
export function removeInterruptedWrites(dataDir: string, file = STORAGE_FILE): InterruptedWrites {
  const found: InterruptedWrites = { removed: [], left: [] };
  let entries: Dirent[];
  try {
    entries = readdirSync(dataDir, { withFileTypes: true }).filter((entry) => isUnfinishedWrite(file, entry.name));
  } catch {
    return found; // no data folder yet
  }
  for (const entry of entries) {
    if (!entry.isFile() && !entry.isSymbolicLink()) {
      found.left.push({ name: entry.name, reason: 'not a file the host wrote' });
      continue;
    }
    try {
      unlinkSync(join(dataDir, entry.name));
      found.removed.push(entry.name);
    } catch (error) {
      found.left.push({ name: entry.name, reason: `cannot be removed (${(error as NodeJS.ErrnoException).code ?? String(error)})` });
    }
  }
  return found;
}

export class PluginStorage {
  readonly #file: string;
  readonly #quotaBytes: number;
  readonly #onCorrupt: OnCorruptStore;
  #values: Map<string, unknown> | undefined;
  /** Calls happen one after another, in call order, so a read sees every write the plugin made before it. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Calls queued and not yet settled. */
  #queued = 0;

  constructor(dataDir: string, quotaBytes: number, onCorrupt: OnCorruptStore = () => undefined) {
    this.#file = join(dataDir, STORAGE_FILE);
    this.#quotaBytes = quotaBytes;
    this.#onCorrupt = onCorrupt;
  }

  get(key: string): Promise<{ found: boolean; value?: unknown }> {
    const lookUp = (values: Map<string, unknown>) => (values.has(checkKey(key)) ? { found: true, value: values.get(key) } : { found: false });
    // Loaded and nothing queued ahead: answer from memory, without a turn through the queue (the common case, and
    // every ctx.storage.get pays for the queue's promises otherwise).
    const values = this.#values;
    if (values && this.#queued === 0) {
      try {
        return Promise.resolve(lookUp(values));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.#serial(async () => lookUp(await this.#load()));
  }

  keys(): Promise<string[]> {
    return this.#serial(async () => [...(await this.#load()).keys()]);
  }

  set(key: string, value: unknown): Promise<void> {
    return this.#serial(async () => {
      const values = await this.#load();
      const next = new Map(values).set(checkKey(key), value);
      await this.#save(next);
    });
  }

  delete(key: string): Promise<void> {
    return this.#serial(async () => {
      const values = await this.#load();
      if (!values.has(key)) return;
      const next = new Map(values);
      next.delete(key);
      await this.#save(next);
    });
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    this.#queued += 1;
    const result = this.#queue.then(work).finally(() => {
      this.#queued -= 1;
    });
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #load(): Promise<Map<string, unknown>> {
    if (this.#values) return this.#values;
    // Opened without following a link, only if it is a regular file within the quota (the plugin can write this folder).
    const text = await readRegularFile(this.#file, this.#quotaBytes);
    const record = text === undefined ? {} : asStore(text);
    if (typeof record === 'string') {
      // The plugin can write its own data folder, and disks fail: whatever the bytes are, they are kept, and said.
      const aside = moveAsideSync(this.#file, 'corrupt');
      this.#onCorrupt(aside, `${STORAGE_FILE} ${record}`);
      this.#values = new Map();
      return this.#values;
    }
    this.#values = new Map(Object.entries(record));
    return this.#values;
  }

  async #save(next: Map<string, unknown>): Promise<void> {
    const text = JSON.stringify(Object.fromEntries(next));
    const bytes = Buffer.byteLength(text);
    if (bytes > this.#quotaBytes) {
      throw new Error(`storage quota exceeded: the store would hold ${bytes} bytes, the limit is ${this.#quotaBytes}`);
    }
    await replaceFileDurably(this.#file, text);
    this.#values = next;
  }
}

/** The store in `text`, or what is wrong with it. */
function asStore(text: string): Record<string, unknown> | string {
  if (text.trim() === '') return 'is empty';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `is not JSON (${text.length} characters, damaged or cut short)`;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return `holds ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`}, not a record of keys`;
  }
  return parsed as Record<string, unknown>;
}

function checkKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new Error(`storage key must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`);
  }
  return key;
}
