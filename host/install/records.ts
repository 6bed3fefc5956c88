/**
 * Installed plugins and their install records, kept in the plugins folder:
 *
 *   <plugins>/.warden/installed/<id>.json    one record per plugin: the commit point
 *   <plugins>/.warden/store/<id>@<v>-<pid>-<n>/  the plugin's files, as installed
 *   <plugins>/.warden/registry.json           the registry this folder installs from
 *
 * An install copies the files into a fresh store folder first, then
 * replaces the record atomically (write-file-atomic: temporary file, fsync,
 * rename). Whatever moment a process dies, the record names either the old
 * folder or the new one, each complete; store folders no record names are
 * removed once the process that made them is gone.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { readRegularFileSync } from '../../analyzer/fast-fs.js';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { Tier } from '../../analyzer/types.js';
import type { DeclaredCapabilities } from '../../rules/utils/manifest.js';
import type { KeptEntry } from '../registry/blocklist.js';

export const STATE_DIR = '.warden';

export type InstallSource =
  | { kind: 'registry'; registry: string; target: string; sha256: string; length: number }
  | { kind: 'file'; path: string; sha256: string; length: number }
  | { kind: 'folder'; path: string };

export interface InstallRecord {
  schemaVersion: 1;
  id: string;
  version: string;
  /** The store folder holding its files (a name inside `.warden/store`). */
  folder: string;
  source: InstallSource;
  /** The tier it had when installed (at load the registry is asked again). */
  tier: Tier;
  installedAt: string;
  /** sha256 of every file, by path relative to the plugin folder. */
  files: Record<string, string>;
  /** What the user consented to; the only grant an installed plugin gets. */
  grant: DeclaredCapabilities;
  consent: { at: string; how: 'prompt' | 'yes' | 'grant' | 'update' | 'revoke' };
  /** An update that asks for more than was granted waits here, not started, until the user approves. */
  awaitingApproval?: { atoms: string[]; since: string };
  /** Soft blocklist entries the user chose to keep it despite. */
  keptDespite?: KeptEntry[];
}

/** The registry a plugins folder installs from, remembered so later commands need not repeat it. */
export interface RememberedRegistry {
  url: string;
  trustedRoot: Record<string, unknown>;
}

/** A plugin id as a file name: scoped names keep one segment (`+` never appears in an npm name). */
function fileName(id: string): string {
  return id.replace('/', '+');
}

function isRecord(value: unknown): value is InstallRecord {
  const r = value as InstallRecord;
  return typeof r === 'object' && r !== null && r.schemaVersion === 1 && typeof r.id === 'string' && typeof r.folder === 'string' && typeof r.files === 'object' && typeof r.grant === 'object';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class InstalledPlugins {
  readonly pluginsDir: string;
  readonly recordsDir: string;
  readonly storeDir: string;

  constructor(pluginsDir: string) {
    this.pluginsDir = pluginsDir;
    this.recordsDir = join(pluginsDir, STATE_DIR, 'installed');
    this.storeDir = join(pluginsDir, STATE_DIR, 'store');
  }

  /** Every readable record; a record that cannot be read is reported, not thrown. */
  list(): { records: InstallRecord[]; unreadable: { file: string; reason: string }[] } {
    const records: InstallRecord[] = [];
    const unreadable: { file: string; reason: string }[] = [];
    if (!existsSync(this.recordsDir)) return { records, unreadable };
    for (const name of readdirSync(this.recordsDir).sort()) {
      if (!name.endsWith('.json')) continue;
      const file = join(this.recordsDir, name);
      try {
        const data: unknown = JSON.parse(readRecord(file));
        if (!isRecord(data)) throw new Error('not an install record');
        records.push(data);
      } catch (error) {
        unreadable.push({ file, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    return { records, unreadable };
  }

  get(id: string): InstallRecord | undefined {
    const file = this.#recordFile(id);
    if (!existsSync(file)) return undefined;
    const data: unknown = JSON.parse(readRecord(file));
    return isRecord(data) ? data : undefined;
  }

  folderOf(record: Pick<InstallRecord, 'folder'>): string {
    return join(this.storeDir, record.folder);
  }

  /** A fresh, empty store folder for a version being installed; named after this process, so a dead one's are found. */
  newFolder(id: string, version: string): string {
    const name = `${fileName(id)}@${version}-${process.pid}-${randomBytes(4).toString('hex')}`;
    mkdirSync(join(this.storeDir, name), { recursive: true });
    return name;
  }

  /** The commit point: the record is replaced in one atomic step; then the folder it no longer names is removed. */
  commit(record: InstallRecord): void {
    const previous = this.get(record.id);
    mkdirSync(this.recordsDir, { recursive: true });
    writeFileAtomic.sync(this.#recordFile(record.id), `${JSON.stringify(record, null, 2)}\n`, { fsync: true });
    if (previous && previous.folder !== record.folder) rmSync(this.folderOf(previous), { recursive: true, force: true });
  }

  /** Removes the record (the plugin is uninstalled from that moment), then its files. */
  remove(id: string): InstallRecord | undefined {
    const record = this.get(id);
    if (!record) return undefined;
    rmSync(this.#recordFile(id));
    rmSync(this.folderOf(record), { recursive: true, force: true });
    return record;
  }

  /** Store folders no record names, left by installs whose process died. A live process's folder is never touched. */
  collectGarbage(): string[] {
    if (!existsSync(this.storeDir)) return [];
    const named = new Set(this.list().records.map((record) => record.folder));
    const removed: string[] = [];
    for (const name of readdirSync(this.storeDir)) {
      if (named.has(name)) continue;
      const pid = Number(/-(\d+)-[0-9a-f]+$/.exec(name)?.[1]);
      if (Number.isInteger(pid) && (pid === process.pid || isAlive(pid))) continue;
      rmSync(join(this.storeDir, name), { recursive: true, force: true });
      removed.push(name);
    }
    return removed;
  }

  rememberRegistry(registry: RememberedRegistry): void {
    mkdirSync(join(this.pluginsDir, STATE_DIR), { recursive: true });
    writeFileAtomic.sync(join(this.pluginsDir, STATE_DIR, 'registry.json'), `${JSON.stringify(registry, null, 2)}\n`);
  }

  rememberedRegistry(): RememberedRegistry | undefined {
    const file = join(this.pluginsDir, STATE_DIR, 'registry.json');
    if (!existsSync(file)) return undefined;
    try {
      const data = JSON.parse(readRecord(file)) as RememberedRegistry;
      return typeof data.url === 'string' && typeof data.trustedRoot === 'object' ? data : undefined;
    } catch {
      return undefined;
    }
  }

  #recordFile(id: string): string {
    return join(this.recordsDir, `${fileName(id)}.json`);
  }
}

/** A record's text, only from a regular file: a FIFO planted in the state folder would hold the host's start for good. */
function readRecord(file: string): string {
  return readRegularFileSync(file).toString('utf8');
}
