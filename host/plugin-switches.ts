/**
 * Plugins the user turned off by hand (`warden disable ID`, `host.disable(id)`):
 * one small file in the data folder, `plugin-switches.json`, so a plugin stays
 * off across host restarts until it is enabled again. Kept apart from install
 * records on purpose: it says only "off, since when, why", for any plugin.
 * Written durably (durable-file.ts); a damaged file is moved aside and read as
 * "none disabled", and the caller is told.
 */
import { join } from 'node:path';
import { replaceFileDurably } from './durable-file.js';
import { moveAsideSync, readRegularFileSync } from './safe-files.js';

export const SWITCHES_FILE = 'plugin-switches.json';
/** A switch is a plugin id, a time and a reason: a megabyte is tens of thousands of them. */
const MAX_SWITCHES_BYTES = 1024 * 1024;
/** The reason recorded for a plugin turned off by `warden disable` / `host.disable()`. */
export const DISABLED_BY_HAND = 'disabled by hand';

export interface DisabledByHand {
  /** ISO 8601 */
  since: string;
  reason: string;
}

export class PluginSwitches {
  readonly #file: string;
  readonly #disabled: Map<string, DisabledByHand>;
  /** Set when the file was damaged: where it was moved and why. */
  readonly damaged: { file: string; reason: string } | undefined;

  private constructor(file: string, disabled: Map<string, DisabledByHand>, damaged?: { file: string; reason: string }) {
    this.#file = file;
    this.#disabled = disabled;
    this.damaged = damaged;
  }

  static read(dataDir: string): PluginSwitches {
    const file = join(dataDir, SWITCHES_FILE);
    // Never through a link or from a FIFO, never more than a list of switches can be; one that cannot be read is a
    // DataFileError naming it (an unreadable file: its owner and mode), for the user to fix.
    const bytes = readRegularFileSync(file, MAX_SWITCHES_BYTES);
    if (bytes === undefined) return new PluginSwitches(file, new Map());
    const disabled = parse(bytes.toString('utf8'));
    if (disabled) return new PluginSwitches(file, disabled);
    const aside = moveAsideSync(file, 'corrupt');
    return new PluginSwitches(file, new Map(), { file: aside, reason: `${SWITCHES_FILE} is not a record of disabled plugins` });
  }

  disabled(pluginId: string): DisabledByHand | undefined {
    return this.#disabled.get(pluginId);
  }

  /** Records the plugin as off; false if it already was. */
  async disable(pluginId: string, reason: string): Promise<boolean> {
    if (this.#disabled.has(pluginId)) return false;
    const next = new Map(this.#disabled).set(pluginId, { since: new Date().toISOString(), reason });
    await this.#save(next);
    return true;
  }

  /** Clears the plugin's switch; false if it was not off. */
  async enable(pluginId: string): Promise<boolean> {
    if (!this.#disabled.has(pluginId)) return false;
    const next = new Map(this.#disabled);
    next.delete(pluginId);
    await this.#save(next);
    return true;
  }

  async #save(next: Map<string, DisabledByHand>): Promise<void> {
    await replaceFileDurably(this.#file, `${JSON.stringify({ disabled: Object.fromEntries(next) }, null, 2)}\n`);
    this.#disabled.clear();
    for (const [id, value] of next) this.#disabled.set(id, value);
  }
}

function parse(text: string): Map<string, DisabledByHand> | undefined {
  try {
    const value = JSON.parse(text) as { disabled?: unknown } | null;
    const disabled = value?.disabled;
    if (disabled === null || typeof disabled !== 'object' || Array.isArray(disabled)) return undefined;
    const entries = Object.entries(disabled as Record<string, Partial<DisabledByHand>>);
    if (!entries.every(([, d]) => typeof d?.since === 'string' && typeof d.reason === 'string')) return undefined;
    return new Map(entries as [string, DisabledByHand][]);
  } catch {
    return undefined;
  }
}
