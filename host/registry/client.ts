/**
 * The registry client: keeps a verified view of one registry up to date.
 *
 * A refresh is tuf-js's client workflow (from the newest root this client
 * accepted, the pinned one at first: every newer root
 * version, timestamp, snapshot, top-level targets: signatures, rollback and
 * freeze protection) followed by the delegated roles and the blocklist,
 * checked the same way (verified.ts). What it accepted is stored as one
 * bundle; a refresh that fails for any reason (unreachable, a bad signature,
 * an older version than we hold, expired metadata) leaves the previous view
 * in place and says why. Offline, the last verified view is used and its age
 * reported.
 *
 * Refreshes run on start, every `refreshIntervalMs`, and, for a registry in
 * a local folder, as soon as its timestamp file changes (chokidar).
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { watch, type FSWatcher } from 'chokidar';
import type { Metadata, Root } from '@tufjs/models';
import { Updater } from 'tuf-js';
import writeFileAtomic from 'write-file-atomic';
import { notRegular, readRegularFileSync } from '../../analyzer/fast-fs.js';
import { RefusedError, UsageError } from '../../cli/errors.js';
import { RegistryFetcher } from './fetcher.js';
import { BLOCKLIST_TARGET, METADATA_DIR, TARGETS_DIR, TOP_LEVEL_TARGETS } from './layout.js';
import { assertNoRollback, type MetadataBundle, parseRoot, verifyBundle, verifyMetadata, type VerifiedMetadata } from './verified.js';
import { type RegistryTarget, RegistryView } from './view.js';

export interface RegistryOptions {
  /** An http(s) URL, or a folder holding `metadata/` and `targets/`. */
  url: string;
  /** The root metadata the client trusts first: a path to a root.json, or its JSON. Obtained out of band. */
  trustedRoot: string | Record<string, unknown>;
  /** Default 5 minutes. */
  refreshIntervalMs?: number;
  /** How long after the metadata expired community and unregistered plugins may still start (default 0: not at all). */
  expiryGraceMs?: number;
  /** Refresh when a local registry's files change (default true). */
  watch?: boolean;
  /** Per download (default 10 s). */
  timeoutMs?: number;
}

export interface RegistryStatus {
  url: string;
  /** When the metadata in use was last verified; undefined before the first successful refresh. */
  verifiedAt: Date | undefined;
  expires: Date | undefined;
  expired: boolean;
  /** Expired, but within the grace period the user allowed. */
  inGrace: boolean;
  /** Why the last refresh failed, if it did. */
  lastError: string | undefined;
  /** The last refresh could not reach the registry. */
  offline: boolean;
  /** Delegated roles the view in use leaves out because they failed verification, each with why. */
  ignoredRoles: readonly string[];
}

export type RefreshOutcome = { ok: true; changed: boolean } | { ok: false; offline: boolean; reason: string };

interface ClientEvents {
  /** A refresh produced a newer view. */
  updated: [view: RegistryView, previous: RegistryView | undefined];
  /** A refresh failed; the previous view (if any) stays. */
  failed: [outcome: Extract<RefreshOutcome, { ok: false }>];
}

const DEFAULT_REFRESH_MS = 5 * 60_000;
const DEFAULT_TIMEOUT_MS = 10_000;
/** A reviewer's publish writes several files; one refresh per burst. */
const SETTLE_MS = 50;

/** A folder path or file: URL as a folder path; http(s) as is. */
function location(url: string): { base: string; folder: string | undefined } {
  if (/^https?:\/\//.test(url)) return { base: url.replace(/\/+$/, ''), folder: undefined };
  const folder = url.startsWith('file:') ? new URL(url).pathname : resolve(url);
  return { base: pathToFileURL(folder).href, folder };
}

function readTrustedRoot(trustedRoot: RegistryOptions['trustedRoot']): string {
  if (typeof trustedRoot !== 'string') return JSON.stringify(trustedRoot);
  try {
    return readRegularFileSync(trustedRoot).toString('utf8');
  } catch (error) {
    throw new UsageError(`cannot read the registry's trusted root ${trustedRoot}${notRegular(error)}`);
  }
}

export class RegistryClient extends EventEmitter<ClientEvents> {
  readonly options: RegistryOptions;
  readonly #pinnedText: string;
  readonly #pinned: Metadata<Root>;
  readonly #stateDir: string;
  readonly #base: string;
  readonly #folder: string | undefined;
  #view: RegistryView | undefined;
  #bundle: MetadataBundle | undefined;
  #verified: VerifiedMetadata | undefined;
  #lastError: string | undefined;
  /** Why the stored metadata was not usable, said with every failed refresh until one succeeds. */
  #storedProblem: string | undefined;
  #offline = false;
  #running: Promise<RefreshOutcome> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #watcher: FSWatcher | undefined;
  #settle: NodeJS.Timeout | undefined;

  private constructor(options: RegistryOptions, stateRoot: string) {
    super();
    this.options = options;
    this.#pinnedText = readTrustedRoot(options.trustedRoot);
    try {
      this.#pinned = parseRoot(this.#pinnedText);
    } catch (error) {
      throw new UsageError(`the registry's trusted root is not valid root metadata: ${messageOf(error)}`);
    }
    // A folder that is gone (an unmounted share) is an unreachable registry, as a server that is down would be.
    ({ base: this.#base, folder: this.#folder } = location(options.url));
    // One state folder per registry and pinned root: two registries never share rollback state.
    const key = createHash('sha256').update(this.#base).update(this.#pinnedText).digest('hex').slice(0, 16);
    this.#stateDir = join(stateRoot, key);
  }

  /** Opens the client on its stored state (verified again, no network); call refresh() to update. */
  static async open(options: RegistryOptions, stateRoot: string): Promise<RegistryClient> {
    const client = new RegistryClient(options, stateRoot);
    await client.#loadStored();
    return client;
  }

  get view(): RegistryView | undefined {
    return this.#view;
  }

  status(now = Date.now()): RegistryStatus {
    const view = this.#view;
    const expired = view === undefined || view.isExpired(now);
    return {
      url: this.options.url,
      verifiedAt: view?.verifiedAt,
      expires: view?.expires,
      expired,
      inGrace: view !== undefined && expired && now - view.expires.getTime() <= (this.options.expiryGraceMs ?? 0),
      lastError: this.#lastError,
      offline: this.#offline,
      ignoredRoles: view?.ignoredRoles ?? [],
    };
  }

  /** One refresh at a time; a request during one runs once more after it. */
  refresh(): Promise<RefreshOutcome> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#refresh().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        void this.refresh();
      }
    });
    return this.#running;
  }

  /** Periodic refreshes, and (for a folder) a refresh when its timestamp changes; resolves once the watcher sees changes. */
  async startWatching(): Promise<void> {
    const interval = this.options.refreshIntervalMs ?? DEFAULT_REFRESH_MS;
    this.#timer = setInterval(() => void this.refresh(), interval);
    this.#timer.unref();
    if (this.#folder === undefined || this.options.watch === false) return;
    const watcher = watch(join(this.#folder, METADATA_DIR), { ignoreInitial: true, depth: 0 });
    this.#watcher = watcher;
    watcher.on('all', (_event, path) => {
      if (!path.endsWith('timestamp.json')) return;
      clearTimeout(this.#settle);
      this.#settle = setTimeout(() => void this.refresh(), SETTLE_MS);
    });
    await new Promise<void>((ready) => watcher.once('ready', () => ready()));
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    clearTimeout(this.#settle);
    await this.#watcher?.close();
    await this.#running?.catch(() => undefined);
  }

  /** Downloads a target through tuf-js, which checks its length and hashes; `dest` is written only when they match. */
  async downloadTarget(target: RegistryTarget, dest: string): Promise<void> {
    const updater = this.#updater(new RegistryFetcher(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS));
    try {
      await updater.downloadTarget(target.file, dest, `${this.#base}/${TARGETS_DIR}/`);
    } catch (error) {
      const why = messageOf(error);
      if (isUnreachable(error)) throw new UsageError(`cannot download ${target.path} from ${this.options.url}: ${why}`);
      // Bytes other than the signed ones (another length, another hash): the registry's mirror is not to be believed.
      throw new RefusedError(`the registry's ${target.path} does not match its signed metadata (${why}): refusing it`);
    }
  }

  #updater(fetcher: RegistryFetcher): Updater {
    const tufDir = join(this.#stateDir, 'tuf');
    mkdirSync(join(tufDir, 'targets'), { recursive: true });
    // Seeded from the newest root this client accepted (the pinned one only before its first refresh), so a root
    // key rotated away can never start a chain again, and a withheld new root cannot bring back the old keys.
    const accepted = this.#bundle?.roots.at(-1) ?? this.#pinnedText;
    writeFileAtomic.sync(join(tufDir, 'root.json'), accepted);
    return new Updater({
      metadataDir: tufDir,
      metadataBaseUrl: `${this.#base}/${METADATA_DIR}/`,
      targetDir: join(tufDir, 'targets'),
      targetBaseUrl: `${this.#base}/${TARGETS_DIR}/`,
      fetcher,
    });
  }

  async #loadStored(): Promise<void> {
    const file = join(this.#stateDir, 'verified.json');
    if (!existsSync(file)) return;
    try {
      const bundle = JSON.parse(readFileSync(file, 'utf8')) as MetadataBundle;
      this.#verified = await verifyBundle(this.#pinned, bundle);
      this.#view = new RegistryView(this.#verified);
      this.#bundle = bundle;
    } catch (error) {
      this.#storedProblem = `the stored registry metadata failed verification and is ignored (${messageOf(error)})`;
      this.#lastError = this.#storedProblem;
    }
  }

  async #refresh(): Promise<RefreshOutcome> {
    const fetcher = new RegistryFetcher(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    try {
      const updater = this.#updater(fetcher);
      await updater.refresh();
      const { bundle, verified } = await this.#collect(updater, fetcher);
      if (this.#verified) assertNoRollback(this.#verified, verified);
      const previous = this.#view;
      const changed = previous === undefined || previous.version !== verified.timestamp.signed.version;
      if (verified.expires.getTime() <= Date.now()) throw new Error(`registry metadata expired at ${verified.expires.toISOString()}`);
      writeFileAtomic.sync(join(this.#stateDir, 'verified.json'), JSON.stringify(bundle));
      this.#bundle = bundle;
      this.#verified = verified;
      this.#view = new RegistryView(verified);
      this.#lastError = undefined;
      this.#storedProblem = undefined;
      this.#offline = false;
      if (changed) this.emit('updated', this.#view, previous);
      return { ok: true, changed };
    } catch (error) {
      const offline = isUnreachable(error);
      const why = offline ? `registry unreachable (${messageOf(error)})` : `registry update refused: ${messageOf(error)}`;
      const outcome = { ok: false as const, offline, reason: this.#storedProblem ? `${why}; ${this.#storedProblem}` : why };
      this.#lastError = outcome.reason;
      this.#offline = offline;
      this.emit('failed', outcome);
      return outcome;
    }
  }

  /** What tuf-js accepted, plus the delegated roles and the blocklist, as one bundle (reusing unchanged files). */
  async #collect(updater: Updater, fetcher: RegistryFetcher): Promise<{ bundle: MetadataBundle; verified: VerifiedMetadata }> {
    const tufDir = join(this.#stateDir, 'tuf');
    const read = (name: string) => readFileSync(join(tufDir, `${name}.json`), 'utf8');
    const previous = this.#bundle;
    // The chain accepted before, extended by what this refresh fetched (a fetched version that differs replaces its
    // namesake here, so assertNoRollback refuses it).
    const chain = new Map<number, string>((previous?.roots ?? []).map((text) => [rootVersion(text), text]));
    for (const [version, bytes] of fetcher.roots) chain.set(version, bytes.toString('utf8'));
    const roots = [...chain].sort(([a], [b]) => a - b).map(([, text]) => text);
    const partial = { schemaVersion: 1 as const, verifiedAt: new Date().toISOString(), roots, timestamp: read('timestamp'), snapshot: read('snapshot'), blocklist: '' };
    const topText = read(TOP_LEVEL_TARGETS);
    const roleSource = async (role: string, meta: { version: number; length?: number }): Promise<Buffer> => {
      if (role === TOP_LEVEL_TARGETS) return Buffer.from(topText);
      const cached = previous?.roles[role];
      if (cached !== undefined && (JSON.parse(cached) as { signed: { version: number } }).signed.version === meta.version) return Buffer.from(cached);
      return fetcher.downloadBytes(`${this.#base}/${METADATA_DIR}/${meta.version}.${encodeURIComponent(role)}.json`, meta.length ?? 5_000_000);
    };
    // The blocklist bytes are checked against their target inside verifyMetadata; ours is reused while its hash is current.
    const top = JSON.parse(topText) as { signed: { targets: Record<string, { hashes: { sha256: string } }> } };
    const wanted = top.signed.targets[BLOCKLIST_TARGET]?.hashes.sha256;
    partial.blocklist = previous && sha256(previous.blocklist) === wanted ? previous.blocklist : await this.#downloadBlocklist(updater);
    const verified = await verifyMetadata(this.#pinned, partial, roleSource);
    return { bundle: { ...partial, roles: verified.roleTexts }, verified };
  }

  async #downloadBlocklist(updater: Updater): Promise<string> {
    const info = await updater.getTargetInfo(BLOCKLIST_TARGET);
    if (!info) throw new Error('the registry publishes no blocklist.json');
    const dest = join(this.#stateDir, 'tuf', 'targets', BLOCKLIST_TARGET);
    await updater.downloadTarget(info, dest);
    return readFileSync(dest, 'utf8');
  }
}

function rootVersion(text: string): number {
  return (JSON.parse(text) as { signed: { version: number } }).signed.version;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Network trouble (no route, refused, timeout, HTTP 5xx, a folder that went away), as opposed to metadata we refuse. */
function isUnreachable(error: unknown): boolean {
  const text = `${messageOf(error)} ${error instanceof Error && error.cause ? messageOf(error.cause) : ''}`;
  if (error instanceof Error && error.name === 'TimeoutError') return true;
  return /fetch failed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ENETUNREACH|ETIMEDOUT|ECONNRESET|HTTP 5\d\d|not found: /.test(text);
}
