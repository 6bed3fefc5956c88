/**
 * A plugin's persistent key-value store: one JSON file in its data folder,
 * replaced atomically on every change so a crash never leaves half a store,
 * and capped in size so one plugin cannot fill the disk through the broker.
 * The plugin can write that folder too, so the file is read and replaced
 * without following links (safe-files.ts).
 */
import { join } from 'node:path';
import { readRegularFile, replaceFile } from './safe-files.js';

export const STORAGE_FILE = 'storage.json';
const MAX_KEY_LENGTH = 256;

export class PluginStorage {
  readonly #file: string;
  readonly #quotaBytes: number;
  #values: Map<string, unknown> | undefined;
  /** Calls happen one after another, in call order, so a read sees every write the plugin made before it. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Calls queued and not yet settled. */
  #queued = 0;

  constructor(dataDir: string, quotaBytes: number) {
    this.#file = join(dataDir, STORAGE_FILE);
    this.#quotaBytes = quotaBytes;
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
    // The plugin can write its own data folder, so the file may be anything: a damaged store reads as empty.
    let parsed: unknown = {};
    try {
      parsed = text === undefined ? {} : JSON.parse(text);
    } catch {
      parsed = {};
    }
    const record = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    this.#values = new Map(Object.entries(record));
    return this.#values;
  }

  async #save(next: Map<string, unknown>): Promise<void> {
    const text = JSON.stringify(Object.fromEntries(next));
    const bytes = Buffer.byteLength(text);
    if (bytes > this.#quotaBytes) {
      throw new Error(`storage quota exceeded: the store would hold ${bytes} bytes, the limit is ${this.#quotaBytes}`);
    }
    await replaceFile(this.#file, text);
    this.#values = next;
  }
}

function checkKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new Error(`storage key must be a non-empty string of at most ${MAX_KEY_LENGTH} characters`);
  }
  return key;
}
