/**
 * The host's trust decisions in one place: which tier a plugin has (the
 * registry's answer for its exact bytes, never its manifest's), what it was
 * granted (the install record's consent, not its declaration), and what
 * keeps it from starting (the blocklist, stale registry metadata, files
 * changed since install, an update waiting for approval). It also watches
 * for the two things that change those answers while the host runs: a
 * registry refresh and an install record rewritten by `warden grant`,
 * `revoke`, `update` or `uninstall` in another process.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FSWatcher } from 'chokidar';
import type { Manifest, Tier } from '../analyzer/types.js';
import type { DeclaredCapabilities } from '../rules/utils/manifest.js';
import type { AuditLog } from './audit.js';
import type { PluginLocation } from './discovery.js';
import { describeAtom } from './install/capabilities.js';
import { modifiedFiles } from './install/integrity.js';
import { type InstallRecord, InstalledPlugins } from './install/records.js';
import { describeEntry, isKept, manifestRepository } from './registry/blocklist.js';
import type { RegistryClient, RegistryOptions, RegistryStatus } from './registry/client.js';

/** An installed plugin's location carries its record. */
export interface TrustedLocation extends PluginLocation {
  record?: InstallRecord;
}

export interface TrustOptions {
  pluginsDir: string | undefined;
  dataDir: string;
  registry: RegistryOptions | undefined;
  audit: AuditLog;
  /** How long start() waits for the first refresh before going on with the stored metadata. */
  startupRefreshMs?: number;
}

/** What the trust layer needs to know about a loaded plugin. */
export interface TrustSubject {
  id: string;
  version: string;
  publisher: string;
  manifest: Manifest;
  tier: Tier;
  location: TrustedLocation;
}

interface TrustEvents {
  /** The registry view changed, or a refresh failed: refusals may have changed. */
  registry: [status: RegistryStatus];
  /** Install records were added, changed or removed by another process. */
  records: [];
}

const RECORD_SETTLE_MS = 50;
const AUDIT_ID = 'warden.registry';

export class PluginTrust extends EventEmitter<TrustEvents> {
  readonly registry: RegistryClient | undefined;
  readonly store: InstalledPlugins | undefined;
  readonly #audit: AuditLog;
  #watcher: FSWatcher | undefined;
  #settle: NodeJS.Timeout | undefined;

  private constructor(registry: RegistryClient | undefined, store: InstalledPlugins | undefined, audit: AuditLog) {
    super();
    this.registry = registry;
    this.store = store;
    this.#audit = audit;
  }

  /** Opens the registry (stored metadata first, then a refresh bounded by `startupRefreshMs`) and starts watching. */
  static async open(options: TrustOptions): Promise<PluginTrust> {
    // The registry client (tuf-js) and the watcher are loaded only when there is a registry, or records, to follow.
    const registry = options.registry ? await (await import('./registry/client.js')).RegistryClient.open(options.registry, join(options.dataDir, 'registry')) : undefined;
    const store = options.pluginsDir !== undefined ? new InstalledPlugins(resolve(options.pluginsDir)) : undefined;
    const trust = new PluginTrust(registry, store, options.audit);
    if (registry) {
      registry.on('updated', (view) => {
        trust.#audit.append({ pluginId: AUDIT_ID, kind: 'registry.updated', url: registry.options.url, version: view.version, blocklist: view.blocklist.entries.length });
        trust.emit('registry', registry.status());
      });
      registry.on('failed', (outcome) => {
        trust.#audit.append({ pluginId: AUDIT_ID, kind: 'registry.failed', url: registry.options.url, reason: outcome.reason });
        trust.emit('registry', registry.status());
      });
      const first = registry.refresh();
      await Promise.race([first, new Promise((resolve) => setTimeout(resolve, options.startupRefreshMs ?? 3000).unref())]);
      await registry.startWatching();
    }
    if (store) await trust.#watchRecords(store);
    return trust;
  }

  /** Installed plugins (from their records), with the folder each record names. */
  installedLocations(): TrustedLocation[] {
    return (this.store?.list().records ?? []).map((record) => ({ root: this.store!.folderOf(record), dev: false, record }));
  }

  /** The tier the registry gives these exact bytes; a plugin not installed from bytes the registry lists is unregistered. */
  tierFor(location: TrustedLocation, id: string, version: string): Tier | undefined {
    const source = location.record?.source;
    const view = this.registry?.view;
    if (!view || !source || source.kind === 'folder') return undefined;
    return view.match(source.sha256, source.length).find((target) => target.id === id && target.version === version)?.tier;
  }

  /** What the user consented to, for an installed plugin. */
  grantFor(location: TrustedLocation): DeclaredCapabilities | undefined {
    return location.record?.grant;
  }

  /**
   * Why it may not start, in words; empty when it may. `integrity` is skipped when the caller just checked;
   * `stale` is left out for plugins already running (stale metadata refuses starts, it does not stop a plugin).
   */
  refusals(subject: TrustSubject, options: { integrity?: boolean; stale?: boolean } = {}): string[] {
    const reasons: string[] = [];
    const { record } = subject.location;
    const view = this.registry?.view;
    if (view) {
      const entries = view.blocked({ id: subject.id, publisher: subject.publisher, version: subject.version, repositories: [manifestRepository(subject.manifest)] });
      for (const entry of entries) {
        if (!entry.soft) reasons.push(describeEntry(entry));
        else if (!isKept(record?.keptDespite, entry)) {
          reasons.push(`${describeEntry(entry)} (you may keep it: warden grant ${subject.id} --keep-blocked)`);
        }
      }
    }
    if (options.stale !== false) reasons.push(...this.staleProblems(subject.tier));
    if (record?.awaitingApproval) {
      const asks = record.awaitingApproval.atoms.map(describeAtom).join('; ');
      reasons.push(`version ${record.version} asks for more than you granted (${asks}): approve with warden grant ${subject.id} --all`);
    }
    if (record && options.integrity !== false) reasons.push(...this.integrityProblems(subject.location));
    return reasons;
  }

  /** Community and unregistered plugins do not start on expired registry metadata (outside the grace period). */
  staleProblems(tier: Tier): string[] {
    const status = this.registry?.status();
    if (!status || !status.expired || status.inGrace || (tier !== 'community' && tier !== 'unregistered')) return [];
    return [staleReason(status, tier)];
  }

  /** "modified since install: <file>" for each file that differs from the record. */
  integrityProblems(location: TrustedLocation): string[] {
    if (!location.record) return [];
    const modified = modifiedFiles(location.root, location.record.files);
    if (modified.length === 0) return [];
    const shown = modified.slice(0, 5).join(', ');
    return [`modified since install: ${shown}${modified.length > 5 ? `, … (${modified.length} files)` : ''}`];
  }

  async close(): Promise<void> {
    clearTimeout(this.#settle);
    await this.#watcher?.close();
    await this.registry?.close();
  }

  /** A folder with nothing installed has no records to watch (and gets no state folder from being run). */
  async #watchRecords(store: InstalledPlugins): Promise<void> {
    if (!existsSync(store.recordsDir)) return;
    const { watch } = await import('chokidar');
    const watcher = watch(store.recordsDir, { ignoreInitial: true, depth: 0 });
    this.#watcher = watcher;
    watcher.on('all', (_event, path) => {
      if (!path.endsWith('.json')) return;
      clearTimeout(this.#settle);
      this.#settle = setTimeout(() => this.emit('records'), RECORD_SETTLE_MS);
    });
    await new Promise<void>((ready) => watcher.once('ready', () => ready()));
  }
}

function staleReason(status: RegistryStatus, tier: Tier): string {
  const when = status.expires ? `expired at ${status.expires.toISOString()}` : 'has never been verified';
  const verified = status.verifiedAt ? `, last verified ${ago(status.verifiedAt)}` : '';
  return `the registry's metadata ${when}${verified}: ${tier} plugins do not start on stale metadata (refresh the registry, or allow a grace period with --expired-grace)`;
}

export function ago(date: Date, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - date.getTime()) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
}
