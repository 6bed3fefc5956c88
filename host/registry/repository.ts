/**
 * Writes a Warden registry: a TUF repository (root, targets, snapshot,
 * timestamp, a `community` delegation and one delegation per trusted
 * publisher), built with `@tufjs/models` and signed with Ed25519 keys from
 * node:crypto. Consistent snapshots: every metadata version gets a file of
 * its own (`3.targets.json`) and every target is stored under its hash
 * (`<sha256>.<name>`), so a client reading while a reviewer publishes never
 * sees a mix; `timestamp.json` is the one file rewritten, atomically and last.
 *
 * Layout of a registry folder:
 *
 *   metadata/   what clients fetch (serve it, with targets/)
 *   targets/    plugin tarballs and the blocklist, under their hashes
 *   keys/       the registry's private keys (never serve this; keep root's offline in production)
 *   staged/     a publisher's role waiting for its publisher's signature
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { type Key, Metadata, MetaFile, MetadataKind, Root, Snapshot, TargetFile, Targets, Timestamp } from '@tufjs/models';
import writeFileAtomic from 'write-file-atomic';
import { UsageError } from '../../cli/errors.js';
import { type Blocklist, type BlocklistEntry, EMPTY_BLOCKLIST, parseBlocklist, validateEntry } from './blocklist.js';
import { generateKeyPair, readPublicKey, readSigningKey, type SigningKey, tufKey } from './keys.js';
import {
  BLOCKLIST_TARGET,
  COMMUNITY_PATHS,
  COMMUNITY_ROLE,
  METADATA_DIR,
  pluginTargetPath,
  publisherPaths,
  publisherRole,
  type TargetCustom,
  TARGETS_DIR,
  TOP_LEVEL_TARGETS,
} from './layout.js';

const DAY = 86_400_000;

/** How long each role's signature holds when it is (re-)signed. */
export interface Expiry {
  root: number;
  targets: number;
  snapshot: number;
  timestamp: number;
}

/** TUF's usual rhythm: a root for a year, reviewed lists for a quarter, snapshot a week, timestamp a day (refresh re-signs it). */
export const DEFAULT_EXPIRY: Expiry = { root: 365 * DAY, targets: 90 * DAY, snapshot: 7 * DAY, timestamp: DAY };

/** Every role signed by this command expires after `ms` (tests use seconds, the demo decades). */
export function uniformExpiry(ms: number): Expiry {
  return { root: ms, targets: ms, snapshot: ms, timestamp: ms };
}

/** The registry's own roles, each with a key in keys/. */
const REGISTRY_KEYS = ['root', 'targets', 'snapshot', 'timestamp', COMMUNITY_ROLE] as const;
type RegistryKeyName = (typeof REGISTRY_KEYS)[number];

export type Placement = { tier: 'official' | 'community' } | { tier: 'trusted'; publisher: string; publisherKey: Key };

export interface AddResult {
  path: string;
  role: string;
  /** A trusted publisher's role waits for `warden registry sign`; nothing is published until then. */
  staged: boolean;
  /** The same bytes were already registered there: nothing changed. */
  unchanged: boolean;
}

/** A publisher's next role version, with the key the registry delegates to it. */
interface StagedRole {
  publisher: string;
  publicKey: string;
  metadata: Record<string, unknown>;
}

function isoIn(ms: number): string {
  // TUF dates have no fractional seconds.
  return new Date(Date.now() + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function encode(metadata: Metadata<Root | Timestamp | Snapshot | Targets>): Buffer {
  return Buffer.from(`${JSON.stringify(metadata.toJSON(), null, 1)}\n`);
}

/** Parsed metadata JSON, handed to `@tufjs/models`' `fromJSON`, which validates it. */
function readJson(path: string): any {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Where a consistent-snapshot client fetches a target: its hash in front of its file name. */
export function storedTargetPath(target: { path: string; hashes: Record<string, string> }): string {
  const { dir, base } = posix.parse(target.path);
  return posix.join(dir, `${target.hashes.sha256}.${base}`);
}

export class RegistryRepository {
  readonly dir: string;
  #root: Metadata<Root>;
  #timestamp: Metadata<Timestamp> | undefined;
  #snapshot: Metadata<Snapshot> | undefined;
  /** Published targets roles (top level and delegated) and their exact bytes, for the snapshot's hashes. */
  readonly #roles = new Map<string, { metadata: Metadata<Targets>; bytes: Buffer }>();

  private constructor(dir: string, root: Metadata<Root>) {
    this.dir = dir;
    this.#root = root;
  }

  /** A new registry with fresh keys, an empty blocklist and an empty community role. */
  static init(dir: string, expiry: Expiry = DEFAULT_EXPIRY): RegistryRepository {
    if (existsSync(join(dir, METADATA_DIR, 'root.json'))) throw new UsageError(`${dir} is already a registry (metadata/root.json exists)`);
    for (const sub of ['keys', METADATA_DIR, TARGETS_DIR]) mkdirSync(join(dir, sub), { recursive: true });
    const keys = Object.fromEntries(
      REGISTRY_KEYS.map((name) => {
        const pair = generateKeyPair();
        writeFileSync(join(dir, 'keys', `${name}.key`), pair.privateKeyPem, { mode: 0o600 });
        return [name, tufKey(pair.publicKeyHex)];
      }),
    ) as Record<RegistryKeyName, Key>;
    const root = new Metadata(new Root({ version: 1, specVersion: '1.0.31', expires: isoIn(expiry.root), consistentSnapshot: true }));
    for (const role of ['root', 'targets', 'snapshot', 'timestamp'] as const) root.signed.addKey(keys[role], role);
    const repository = new RegistryRepository(dir, root);
    repository.#writeRoot(root, [repository.#key('root')]);
    const blocklist = repository.#storeBlocklist(EMPTY_BLOCKLIST);
    const targets = Metadata.fromJSON(MetadataKind.Targets, {
      signatures: [],
      signed: {
        _type: 'targets',
        spec_version: '1.0.31',
        version: 1,
        expires: isoIn(expiry.targets),
        targets: { [BLOCKLIST_TARGET]: blocklist.toJSON() },
        delegations: {
          keys: { [keys.community.keyID]: keys.community.toJSON() },
          roles: [{ name: COMMUNITY_ROLE, keyids: [keys.community.keyID], threshold: 1, terminating: false, paths: COMMUNITY_PATHS }],
        },
      },
    });
    const community = emptyTargets(expiry.targets);
    targets.sign(repository.#key('targets').signer);
    community.sign(repository.#key(COMMUNITY_ROLE).signer);
    repository.#commit([[TOP_LEVEL_TARGETS, targets], [COMMUNITY_ROLE, community]], expiry);
    return repository;
  }

  static open(dir: string): RegistryRepository {
    const metadata = join(dir, METADATA_DIR);
    if (!existsSync(join(metadata, 'root.json')) || !existsSync(join(metadata, 'timestamp.json'))) {
      throw new UsageError(`${dir} is not a Warden registry (no metadata/root.json); create one with: warden registry init ${dir}`);
    }
    const repository = new RegistryRepository(dir, Metadata.fromJSON(MetadataKind.Root, readJson(join(metadata, 'root.json'))));
    const timestamp = Metadata.fromJSON(MetadataKind.Timestamp, readJson(join(metadata, 'timestamp.json')));
    const snapshot = Metadata.fromJSON(MetadataKind.Snapshot, readJson(join(metadata, `${timestamp.signed.snapshotMeta.version}.snapshot.json`)));
    for (const [file, meta] of Object.entries(snapshot.signed.meta)) {
      const role = file.replace(/\.json$/, '');
      const bytes = readFileSync(join(metadata, `${meta.version}.${role}.json`));
      repository.#roles.set(role, { metadata: Metadata.fromJSON(MetadataKind.Targets, JSON.parse(bytes.toString('utf8'))), bytes });
    }
    repository.#timestamp = timestamp;
    repository.#snapshot = snapshot;
    return repository;
  }

  get root(): Metadata<Root> {
    return this.#root;
  }

  /** The current blocklist as published. */
  blocklist(): Blocklist {
    const target = this.#role(TOP_LEVEL_TARGETS).signed.targets[BLOCKLIST_TARGET];
    return parseBlocklist(readFileSync(join(this.dir, TARGETS_DIR, storedTargetPath(target)), 'utf8'));
  }

  /** Every registered plugin target, with the role that lists it. */
  targets(): { role: string; target: TargetFile }[] {
    return [...this.#roles].flatMap(([role, { metadata }]) =>
      Object.values(metadata.signed.targets)
        .filter((target) => target.path !== BLOCKLIST_TARGET)
        .map((target) => ({ role, target })),
    );
  }

  /**
   * Registers a tarball. Official and community plugins are signed with the registry's keys and published at
   * once; a trusted publisher's role is staged for that publisher to sign.
   */
  addPlugin(bytes: Buffer, custom: TargetCustom, placement: Placement, expiry: Expiry = DEFAULT_EXPIRY): AddResult {
    const path = pluginTargetPath(custom);
    const target = new TargetFile({ path, length: bytes.length, hashes: { sha256: sha256(bytes) }, unrecognizedFields: { custom: { warden: { ...custom } } } });
    const role = placement.tier === 'trusted' ? publisherRole(placement.publisher) : placement.tier === 'official' ? TOP_LEVEL_TARGETS : COMMUNITY_ROLE;
    for (const [listedBy, existing] of this.#listings(path)) {
      if (existing.hashes.sha256 !== target.hashes.sha256) {
        throw new UsageError(`${custom.id}@${custom.version} is already registered with different bytes (${listedBy}): publish a new version`);
      }
      if (listedBy !== role) throw new UsageError(`${custom.id}@${custom.version} is already registered by the ${listedBy} role`);
      return { path, role, staged: false, unchanged: true };
    }
    const stored = join(this.dir, TARGETS_DIR, storedTargetPath(target));
    mkdirSync(dirname(stored), { recursive: true });
    // The bytes hashed above, not the file again: what is signed is what is stored.
    writeFileSync(stored, bytes);
    if (placement.tier === 'trusted') {
      this.#stagePublisherTarget(placement.publisher, placement.publisherKey, target, expiry);
      return { path, role, staged: true, unchanged: false };
    }
    const next = nextVersion(this.#role(role), expiry.targets, (json) => {
      (json.targets as Record<string, unknown>)[path] = target.toJSON();
    });
    next.sign(this.#key(placement.tier === 'official' ? 'targets' : COMMUNITY_ROLE).signer);
    this.#commit([[role, next]], expiry);
    return { path, role, staged: false, unchanged: false };
  }

  /**
   * The publisher signs its staged role (the key must be the one the registry delegated to it); then the role,
   * the delegation if it is new, the snapshot and the timestamp are published.
   */
  signStaged(publisher: string, key: SigningKey, expiry: Expiry = DEFAULT_EXPIRY): { role: string; version: number } {
    const stagedFile = join(this.dir, 'staged', `${publisherRole(publisher)}.json`);
    if (!existsSync(stagedFile)) throw new UsageError(`nothing staged for publisher ${publisher} (warden registry add … --tier trusted stages it)`);
    const staged = readJson(stagedFile) as StagedRole;
    const delegated = tufKey(staged.publicKey);
    if (key.key.keyID !== delegated.keyID) {
      throw new UsageError(`that key (id ${key.key.keyID.slice(0, 12)}…) is not the key registered for ${publisher} (id ${delegated.keyID.slice(0, 12)}…)`);
    }
    const role = publisherRole(publisher);
    const metadata = Metadata.fromJSON(MetadataKind.Targets, staged.metadata as never);
    refuseBeyondPublisher(metadata.signed, publisher);
    metadata.sign(key.signer);
    const changes: [string, Metadata<Targets>][] = [];
    const top = this.#role(TOP_LEVEL_TARGETS);
    const current = top.signed.delegations?.roles?.[role];
    if (!current || current.keyIDs.join() !== delegated.keyID) {
      const next = nextVersion(top, expiry.targets, (json) => delegate(json, role, delegated, publisherPaths(publisher)));
      next.sign(this.#key('targets').signer);
      changes.push([TOP_LEVEL_TARGETS, next]);
    }
    changes.push([role, metadata]);
    this.#commit(changes, expiry);
    rmSync(stagedFile);
    if (readdirSync(dirname(stagedFile)).length === 0) rmSync(dirname(stagedFile), { recursive: true });
    return { role, version: metadata.signed.version };
  }

  block(entry: BlocklistEntry, expiry: Expiry = DEFAULT_EXPIRY): void {
    validateEntry(entry);
    const current = this.blocklist();
    this.#publishBlocklist({ entries: [...current.entries.filter((e) => !(e.pattern === entry.pattern && e.range === entry.range)), entry] }, expiry);
  }

  /** Removes every entry with this pattern; returns how many there were. */
  unblock(pattern: string, expiry: Expiry = DEFAULT_EXPIRY): number {
    const current = this.blocklist();
    const kept = current.entries.filter((entry) => entry.pattern !== pattern);
    const removed = current.entries.length - kept.length;
    if (removed === 0) throw new UsageError(`the blocklist has no entry ${JSON.stringify(pattern)}`);
    this.#publishBlocklist({ entries: kept }, expiry);
    return removed;
  }

  /** New snapshot and timestamp versions with fresh expiry: what a registry's cron runs before the timestamp expires. */
  refresh(expiry: Expiry = DEFAULT_EXPIRY): { snapshot: number; timestamp: number } {
    this.#commit([], expiry);
    return { snapshot: this.#snapshot!.signed.version, timestamp: this.#timestamp!.signed.version };
  }

  /**
   * Replaces a role's key (a lost or leaked key). Top-level roles change in a new root version, signed by the
   * old root key (and the new one, when root itself rotates) so clients follow the chain; the community key
   * changes in the top-level targets' delegation. The role is then re-signed with its new key.
   */
  rotateKey(role: RegistryKeyName, expiry: Expiry = DEFAULT_EXPIRY): { keyId: string; rootVersion: number } {
    const oldRootKey = this.#key('root');
    const pair = generateKeyPair();
    const key = tufKey(pair.publicKeyHex);
    writeFileSync(join(this.dir, 'keys', `${role}.key`), pair.privateKeyPem, { mode: 0o600 });
    if (role === COMMUNITY_ROLE) {
      const top = nextVersion(this.#role(TOP_LEVEL_TARGETS), expiry.targets, (json) => delegate(json, COMMUNITY_ROLE, key, COMMUNITY_PATHS));
      top.sign(this.#key('targets').signer);
      const community = nextVersion(this.#role(COMMUNITY_ROLE), expiry.targets, () => undefined);
      community.sign(this.#key(COMMUNITY_ROLE).signer);
      this.#commit([[TOP_LEVEL_TARGETS, top], [COMMUNITY_ROLE, community]], expiry);
      return { keyId: key.keyID, rootVersion: this.#root.signed.version };
    }
    const json = this.#root.signed.toJSON() as Record<string, any>;
    for (const old of json.roles[role].keyids as string[]) {
      const stillUsed = Object.entries(json.roles as Record<string, { keyids: string[] }>).some(([name, r]) => name !== role && r.keyids.includes(old));
      if (!stillUsed) delete json.keys[old];
    }
    json.keys[key.keyID] = key.toJSON();
    json.roles[role].keyids = [key.keyID];
    json.version += 1;
    json.expires = isoIn(expiry.root);
    const root = new Metadata(Root.fromJSON(json));
    this.#writeRoot(root, role === 'root' ? [oldRootKey, this.#key('root')] : [oldRootKey]);
    const changes: [string, Metadata<Targets>][] = [];
    if (role === 'targets') {
      const top = nextVersion(this.#role(TOP_LEVEL_TARGETS), expiry.targets, () => undefined);
      top.sign(this.#key('targets').signer);
      changes.push([TOP_LEVEL_TARGETS, top]);
    }
    this.#commit(changes, expiry);
    return { keyId: key.keyID, rootVersion: root.signed.version };
  }

  #stagePublisherTarget(publisher: string, publicKey: Key, target: TargetFile, expiry: Expiry): void {
    const role = publisherRole(publisher);
    const registered = this.#role(TOP_LEVEL_TARGETS).signed.delegations?.roles?.[role];
    if (registered && registered.keyIDs[0] !== publicKey.keyID) {
      throw new UsageError(`publisher ${publisher} is registered with another key (id ${registered.keyIDs[0].slice(0, 12)}…); a key change is a new delegation the registry must make on purpose`);
    }
    const stagedFile = join(this.dir, 'staged', `${role}.json`);
    const base = existsSync(stagedFile)
      ? Metadata.fromJSON(MetadataKind.Targets, (readJson(stagedFile) as StagedRole).metadata as never)
      : (this.#roles.get(role)?.metadata ?? emptyTargets(expiry.targets, 0));
    // The staged version is the published one plus one, however many plugins are staged before the signature.
    const published = this.#roles.get(role)?.metadata.signed.version ?? 0;
    const json = base.signed.toJSON() as Record<string, any>;
    json.targets[target.path] = target.toJSON();
    json.version = published + 1;
    json.expires = isoIn(expiry.targets);
    const staged: StagedRole = { publisher, publicKey: publicKey.keyVal.public, metadata: { signatures: [], signed: json } };
    mkdirSync(dirname(stagedFile), { recursive: true });
    writeFileAtomic.sync(stagedFile, `${JSON.stringify(staged, null, 1)}\n`);
  }

  #publishBlocklist(blocklist: Blocklist, expiry: Expiry): void {
    const target = this.#storeBlocklist(blocklist);
    const next = nextVersion(this.#role(TOP_LEVEL_TARGETS), expiry.targets, (json) => {
      (json.targets as Record<string, unknown>)[BLOCKLIST_TARGET] = target.toJSON();
    });
    next.sign(this.#key('targets').signer);
    this.#commit([[TOP_LEVEL_TARGETS, next]], expiry);
  }

  #storeBlocklist(blocklist: Blocklist): TargetFile {
    const bytes = Buffer.from(`${JSON.stringify(blocklist, null, 1)}\n`);
    const target = new TargetFile({ path: BLOCKLIST_TARGET, length: bytes.length, hashes: { sha256: sha256(bytes) } });
    writeFileSync(join(this.dir, TARGETS_DIR, storedTargetPath(target)), bytes);
    return target;
  }

  /** Every role that lists `path` (a path should be listed by one role at most). */
  #listings(path: string): [string, TargetFile][] {
    return [...this.#roles].flatMap(([role, { metadata }]) => {
      const target = metadata.signed.targets[path];
      return target ? [[role, target] as [string, TargetFile]] : [];
    });
  }

  #role(name: string): Metadata<Targets> {
    const role = this.#roles.get(name);
    if (!role) throw new UsageError(`the registry has no ${name} role`);
    return role.metadata;
  }

  #key(name: RegistryKeyName): SigningKey {
    const file = join(this.dir, 'keys', `${name}.key`);
    if (!existsSync(file)) throw new UsageError(`the ${name} key is not in ${join(this.dir, 'keys')} (signing needs it)`);
    return readSigningKey(file);
  }

  #writeRoot(root: Metadata<Root>, signers: SigningKey[]): void {
    root.signatures = {};
    for (const key of signers) root.sign(key.signer);
    const bytes = encode(root);
    writeFileSync(join(this.dir, METADATA_DIR, `${root.signed.version}.root.json`), bytes);
    writeFileAtomic.sync(join(this.dir, METADATA_DIR, 'root.json'), bytes);
    this.#root = root;
  }

  /** Writes the changed roles, then a snapshot listing every role, then the timestamp: the moment clients see it all. */
  #commit(changes: [string, Metadata<Targets>][], expiry: Expiry): void {
    const metadataDir = join(this.dir, METADATA_DIR);
    for (const [role, metadata] of changes) {
      const bytes = encode(metadata);
      writeFileSync(join(metadataDir, `${metadata.signed.version}.${role}.json`), bytes);
      this.#roles.set(role, { metadata, bytes });
    }
    const meta = Object.fromEntries(
      [...this.#roles].map(([role, { metadata, bytes }]) => [
        `${role}.json`,
        new MetaFile({ version: metadata.signed.version, length: bytes.length, hashes: { sha256: sha256(bytes) } }),
      ]),
    );
    const snapshot = new Metadata(new Snapshot({ version: (this.#snapshot?.signed.version ?? 0) + 1, specVersion: '1.0.31', expires: isoIn(expiry.snapshot), meta }));
    snapshot.sign(this.#key('snapshot').signer);
    const snapshotBytes = encode(snapshot);
    writeFileSync(join(metadataDir, `${snapshot.signed.version}.snapshot.json`), snapshotBytes);
    const timestamp = new Metadata(
      new Timestamp({
        version: (this.#timestamp?.signed.version ?? 0) + 1,
        specVersion: '1.0.31',
        expires: isoIn(expiry.timestamp),
        snapshotMeta: new MetaFile({ version: snapshot.signed.version, length: snapshotBytes.length, hashes: { sha256: sha256(snapshotBytes) } }),
      }),
    );
    timestamp.sign(this.#key('timestamp').signer);
    writeFileAtomic.sync(join(metadataDir, 'timestamp.json'), encode(timestamp));
    this.#snapshot = snapshot;
    this.#timestamp = timestamp;
  }
}

function emptyTargets(expiresMs: number, version = 1): Metadata<Targets> {
  return new Metadata(new Targets({ version, specVersion: '1.0.31', expires: isoIn(expiresMs) }));
}

/** The role's next version (unsigned): its signed part as JSON, changed, version + 1, a fresh expiry. */
function nextVersion(current: Metadata<Targets>, expiresMs: number, change: (json: Record<string, any>) => void): Metadata<Targets> {
  const json = current.signed.toJSON() as Record<string, any>;
  json.targets ??= {};
  change(json);
  json.version = current.signed.version + 1;
  json.expires = isoIn(expiresMs);
  return new Metadata(Targets.fromJSON(json));
}

/** Sets (or replaces) one delegation; publishers' come before the community's, so their terminating claims are seen first. */
/** A publisher's role lists its own plugins and nothing else: no delegations, no target outside its folder. */
function refuseBeyondPublisher(role: Targets, publisher: string): void {
  const delegated = Object.keys(role.delegations?.roles ?? {});
  if (delegated.length > 0 || Object.keys(role.delegations?.keys ?? {}).length > 0) {
    throw new UsageError(`the staged role for ${publisher} delegates${delegated.length > 0 ? ` to ${delegated.join(', ')}` : ''}: a publisher's role may not delegate; nothing was signed`);
  }
  // The delegation the top level gives this publisher, matched the way clients match it.
  const name = publisherRole(publisher);
  const own = Targets.fromJSON({
    ...role.toJSON(),
    delegations: { keys: {}, roles: [{ name, keyids: [], threshold: 1, terminating: true, paths: publisherPaths(publisher) }] },
  }).delegations!;
  const outside = Object.keys(role.targets).find((path) => ![...own.rolesForTarget(path)].some((r) => r.role === name));
  if (outside !== undefined) throw new UsageError(`the staged role for ${publisher} lists ${outside}, outside ${publisherPaths(publisher).join(', ')}; nothing was signed`);
}

function delegate(json: Record<string, any>, role: string, key: Key, paths: string[]): void {
  const delegations = (json.delegations ??= { keys: {}, roles: [] }) as { keys: Record<string, unknown>; roles: { name: string; keyids: string[] }[] };
  const previous = delegations.roles.find((r) => r.name === role);
  const entry = { name: role, keyids: [key.keyID], threshold: 1, terminating: role !== COMMUNITY_ROLE, paths };
  const roles = delegations.roles.filter((r) => r.name !== role);
  const at = role === COMMUNITY_ROLE ? roles.length : Math.max(0, roles.findIndex((r) => r.name === COMMUNITY_ROLE));
  roles.splice(at === -1 ? roles.length : at, 0, entry);
  delegations.roles = roles;
  delegations.keys[key.keyID] = key.toJSON();
  // A replaced key that no other delegation uses is dropped.
  for (const old of previous?.keyids ?? []) if (!roles.some((r) => r.keyids.includes(old))) delete delegations.keys[old];
}

/** A publisher's key pair for `warden registry keygen`: `<name>.key` (private, 0600) and `<name>.pub` (hex). */
export function writeKeyPair(base: string): { privateFile: string; publicFile: string; keyId: string } {
  const pair = generateKeyPair();
  const privateFile = `${base}.key`;
  const publicFile = `${base}.pub`;
  if (existsSync(privateFile) || existsSync(publicFile)) throw new UsageError(`${privateFile} or ${publicFile} already exists; choose another name`);
  mkdirSync(dirname(privateFile), { recursive: true });
  writeFileSync(privateFile, pair.privateKeyPem, { mode: 0o600 });
  writeFileSync(publicFile, `${pair.publicKeyHex}\n`);
  return { privateFile, publicFile, keyId: readPublicKey(pair.publicKeyHex).keyID };
}
