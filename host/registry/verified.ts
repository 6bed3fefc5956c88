/**
 * The registry metadata a client keeps, and its verification. After each
 * refresh (tuf-js's full client workflow: root rotation, rollback and freeze
 * protection) the metadata it accepted is stored as one bundle, written
 * atomically, so a refresh that fails half-way never leaves a mix. Every
 * time the bundle is read it is verified again from the pinned root: each
 * root version signed by the one before, every role signed by the keys its
 * delegator lists, every file matching the length, hash and version its
 * parent recorded. Expiry is the one check left out here: it is reported
 * (`expires`), so the host can keep official and trusted plugins running on
 * metadata that has gone stale and refuse the rest (see client.ts).
 */
import { Readable } from 'node:stream';
import { Metadata, MetadataKind, type MetaFile, type Root, type Snapshot, type Targets, type Timestamp } from '@tufjs/models';
import { BLOCKLIST_TARGET, TOP_LEVEL_TARGETS } from './layout.js';

export interface MetadataBundle {
  schemaVersion: 1;
  /** When the refresh that produced this bundle finished (ISO). */
  verifiedAt: string;
  /** Root versions after the pinned one, oldest first. */
  roots: string[];
  timestamp: string;
  snapshot: string;
  /** Every targets role reachable from the top level, by name (top level is `targets`). */
  roles: Record<string, string>;
  blocklist: string;
}

export interface VerifiedMetadata {
  /** The newest root version. */
  root: Metadata<Root>;
  /** Every root version from the pinned one to `root`, oldest first. */
  rootChain: Metadata<Root>[];
  timestamp: Metadata<Timestamp>;
  snapshot: Metadata<Snapshot>;
  roles: Map<string, Metadata<Targets>>;
  /** Delegations whose signature checked out: `parent>child`. Lookups follow only these. */
  edges: Set<string>;
  /** Delegated roles left out because they failed verification, each with why. */
  ignoredRoles: string[];
  blocklistText: string;
  /** The earliest expiry of any role in use. */
  expires: Date;
  verifiedAt: Date;
}

/** Where the bytes of a delegated role come from: the stored bundle, or the registry during a refresh. */
export type RoleSource = (role: string, meta: MetaFile) => Promise<Buffer | undefined>;

function parse<K extends MetadataKind>(kind: K, text: string | Buffer): Metadata<any> {
  return Metadata.fromJSON(kind as MetadataKind.Targets, JSON.parse(text.toString()));
}

/** Checks `bytes` against what the parent recorded (length, hashes, version) and the signature against `signer`'s keys. */
function checkChild<T extends Snapshot | Targets>(
  kind: MetadataKind,
  name: string,
  bytes: Buffer,
  meta: MetaFile,
  signer: Metadata<Root | Targets>,
): Metadata<T> {
  meta.verify(bytes);
  const metadata = parse(kind, bytes) as Metadata<T>;
  if (metadata.signed.type !== kind) throw new Error(`${name}.json is not ${kind} metadata`);
  if (metadata.signed.version !== meta.version) {
    throw new Error(`${name}.json is version ${metadata.signed.version}, but its parent lists version ${meta.version}`);
  }
  signer.verifyDelegate(name, metadata);
  return metadata;
}

/** Verifies the root chain and everything below it; throws on the first thing that does not hold. */
export async function verifyMetadata(pinnedRoot: Metadata<Root>, bundle: Omit<MetadataBundle, 'roles'>, roleSource: RoleSource): Promise<VerifiedMetadata & { roleTexts: Record<string, string> }> {
  let root = pinnedRoot;
  const rootChain = [pinnedRoot];
  const roots = bundle.roots.map((text) => parse(MetadataKind.Root, text) as Metadata<Root>).sort((a, b) => a.signed.version - b.signed.version);
  for (const next of roots) {
    if (next.signed.version <= root.signed.version) continue;
    if (next.signed.version !== root.signed.version + 1) throw new Error(`root version ${next.signed.version} does not follow ${root.signed.version}`);
    root.verifyDelegate(MetadataKind.Root, next);
    next.verifyDelegate(MetadataKind.Root, next);
    root = next;
    rootChain.push(next);
  }
  const timestamp = parse(MetadataKind.Timestamp, bundle.timestamp) as Metadata<Timestamp>;
  root.verifyDelegate(MetadataKind.Timestamp, timestamp);
  const snapshot = checkChild<Snapshot>(MetadataKind.Snapshot, 'snapshot', Buffer.from(bundle.snapshot), timestamp.signed.snapshotMeta, root);

  const roles = new Map<string, Metadata<Targets>>();
  const roleTexts: Record<string, string> = {};
  const edges = new Set<string>();
  const ignoredRoles: string[] = [];
  const topMeta = snapshot.signed.meta[`${TOP_LEVEL_TARGETS}.json`];
  if (!topMeta) throw new Error('the snapshot does not list targets.json');
  const topBytes = await roleSource(TOP_LEVEL_TARGETS, topMeta);
  if (!topBytes) throw new Error('targets.json is missing');
  const top = checkChild<Targets>(MetadataKind.Targets, TOP_LEVEL_TARGETS, topBytes, topMeta, root);
  roles.set(TOP_LEVEL_TARGETS, top);
  roleTexts[TOP_LEVEL_TARGETS] = topBytes.toString('utf8');
  // Warden's roles are one level deep: the registry's top-level targets delegate to community and to each
  // publisher. A delegation inside a delegated role (a publisher's own) is never followed, and a delegated role
  // that fails verification is left out (its plugins get no tier) rather than failing the refresh: one
  // publisher's role can never keep the blocklist from every client.
  for (const child of Object.keys(top.signed.delegations?.roles ?? {})) {
    const meta = snapshot.signed.meta[`${child}.json`];
    if (!meta) continue; // delegated but not published yet (a publisher's role waiting for its signature)
    const bytes = await roleSource(child, meta);
    try {
      if (!bytes) throw new Error(`${child}.json is missing`);
      roles.set(child, checkChild<Targets>(MetadataKind.Targets, child, bytes, meta, top));
      roleTexts[child] = bytes.toString('utf8');
      edges.add(`${TOP_LEVEL_TARGETS}>${child}`);
    } catch (error) {
      ignoredRoles.push(`${child}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const blocklistTarget = top.signed.targets[BLOCKLIST_TARGET];
  if (!blocklistTarget) throw new Error('the top-level targets list no blocklist.json');
  await blocklistTarget.verify(Readable.from([Buffer.from(bundle.blocklist)]));

  const expiries = [root, timestamp, snapshot, ...roles.values()].map((m) => Date.parse(m.signed.expires));
  return {
    root,
    rootChain,
    timestamp,
    snapshot,
    roles,
    edges,
    ignoredRoles,
    blocklistText: bundle.blocklist,
    expires: new Date(Math.min(...expiries)),
    verifiedAt: new Date(bundle.verifiedAt),
    roleTexts,
  };
}

/**
 * Refuses metadata that goes back on what the client accepted before: every
 * root version it holds must be the very root accepted under that number (a
 * root key rotated away cannot sign a second "version 2"), and no version of
 * the timestamp, the snapshot or any targets role may go down. tuf-js checks
 * the top-level roles against its own stored copies; this holds for the
 * whole bundle, delegated roles included, whatever tuf-js's folder holds.
 */
export function assertNoRollback(previous: VerifiedMetadata, next: VerifiedMetadata): void {
  const accepted = new Map(previous.rootChain.map((root) => [root.signed.version, root]));
  const newest = previous.root.signed.version;
  if (next.root.signed.version < newest) throw new Error(`root version ${next.root.signed.version} is older than the accepted version ${newest}`);
  for (const root of next.rootChain) {
    const known = accepted.get(root.signed.version);
    if (known && !sameSigned(known, root)) throw new Error(`root version ${root.signed.version} differs from the root version ${root.signed.version} already accepted`);
  }
  const notBelow = (what: string, had: number, got: number) => {
    if (got < had) throw new Error(`${what} version ${got} is older than the accepted version ${had}`);
  };
  notBelow('timestamp', previous.timestamp.signed.version, next.timestamp.signed.version);
  notBelow('snapshot', previous.snapshot.signed.version, next.snapshot.signed.version);
  for (const [name, role] of next.roles) {
    const had = previous.roles.get(name);
    if (had) notBelow(name, had.signed.version, role.signed.version);
  }
}

function sameSigned(a: Metadata<Root>, b: Metadata<Root>): boolean {
  return JSON.stringify(a.signed.toJSON()) === JSON.stringify(b.signed.toJSON());
}

/** The stored bundle, verified: its roles come from the bundle itself. */
export function verifyBundle(pinnedRoot: Metadata<Root>, bundle: MetadataBundle): Promise<VerifiedMetadata> {
  return verifyMetadata(pinnedRoot, bundle, async (role) => (role in bundle.roles ? Buffer.from(bundle.roles[role]) : undefined));
}

export function parseRoot(text: string): Metadata<Root> {
  const root = parse(MetadataKind.Root, text) as Metadata<Root>;
  if (root.signed.type !== MetadataKind.Root) throw new Error('not root metadata');
  root.verifyDelegate(MetadataKind.Root, root);
  return root;
}
