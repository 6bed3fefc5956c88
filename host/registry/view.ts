/**
 * What the registry says, read from verified metadata: the one place that
 * answers "what does the registry say about these bytes?" (tier, identity,
 * blocklist), which install, load and the live blocklist all ask.
 *
 * Lookups walk the delegations the way TUF clients do (pre-order, depth
 * first, a terminating delegation ends the search), following only
 * delegations whose signatures were verified and only for paths the
 * delegation covers, so the role that answers is the role that vouches.
 */
import rcompare from 'semver/functions/rcompare.js';
import satisfies from 'semver/functions/satisfies.js';
import validVersion from 'semver/functions/valid.js';
import type { TargetFile } from '@tufjs/models';
import type { Tier } from '../../analyzer/types.js';
import { type Blocklist, type BlocklistEntry, type BlockSubject, matchBlocklist, normalizeRepository, parseBlocklist } from './blocklist.js';
import { BLOCKLIST_TARGET, publisherOfRole, type TargetCustom, tierOfRole, TOP_LEVEL_TARGETS } from './layout.js';
import type { VerifiedMetadata } from './verified.js';

export interface RegistryTarget {
  /** The target path, `plugins/<publisher>/<name>/<version>.tgz`. */
  path: string;
  id: string;
  publisher: string;
  name: string;
  version: string;
  sha256: string;
  length: number;
  tier: Tier;
  /** The role whose signature vouches for it. */
  role: string;
  /** Repository URL the reviewer recorded, normalised (`host/owner/repo`). */
  repository: string | undefined;
  /** A reviewer admitted it over the tier's policy, and why. */
  forced: TargetCustom['forced'];
  file: TargetFile;
}

const PLUGIN_PATH = /^plugins\/([a-z0-9][a-z0-9-]*)\/([^/]+)\/([^/]+)\.tgz$/;

export class RegistryView {
  readonly blocklist: Blocklist;
  /** Version of the timestamp this view came from: it only goes up. */
  readonly version: number;
  readonly expires: Date;
  readonly verifiedAt: Date;
  /** Delegated roles left out because they failed verification, each with why: their plugins have no tier. */
  readonly ignoredRoles: readonly string[];
  readonly #metadata: VerifiedMetadata;
  readonly #byHash = new Map<string, RegistryTarget[]>();
  readonly #byId = new Map<string, RegistryTarget[]>();

  constructor(metadata: VerifiedMetadata) {
    this.#metadata = metadata;
    this.blocklist = parseBlocklist(metadata.blocklistText);
    this.version = metadata.timestamp.signed.version;
    this.expires = metadata.expires;
    this.verifiedAt = metadata.verifiedAt;
    this.ignoredRoles = metadata.ignoredRoles;
    const seen = new Set<string>();
    for (const role of metadata.roles.values()) {
      for (const path of Object.keys(role.signed.targets)) {
        if (seen.has(path)) continue;
        seen.add(path);
        const target = this.lookup(path);
        if (!target) continue;
        this.#byHash.set(target.sha256, [...(this.#byHash.get(target.sha256) ?? []), target]);
        this.#byId.set(target.id, [...(this.#byId.get(target.id) ?? []), target]);
      }
    }
  }

  /** The plugin target at `path` and the role vouching for it, as a TUF client would resolve it. */
  lookup(path: string): RegistryTarget | undefined {
    const { roles, edges } = this.#metadata;
    const stack: { role: string; top: string }[] = [{ role: TOP_LEVEL_TARGETS, top: TOP_LEVEL_TARGETS }];
    const visited = new Set<string>();
    while (stack.length > 0) {
      const { role, top } = stack.pop()!;
      if (visited.has(role)) continue;
      visited.add(role);
      const metadata = roles.get(role);
      if (!metadata) continue;
      const file = metadata.signed.targets[path];
      if (file) return pluginTarget(file, role, top);
      const children: { role: string; top: string }[] = [];
      for (const { role: child, terminating } of metadata.signed.delegations?.rolesForTarget(path) ?? []) {
        if (edges.has(`${role}>${child}`)) children.push({ role: child, top: role === TOP_LEVEL_TARGETS ? child : top });
        if (terminating) {
          stack.length = 0;
          break;
        }
      }
      stack.push(...children.reverse());
    }
    return undefined;
  }

  /** Registry targets with exactly these bytes. */
  match(sha256: string, length: number): RegistryTarget[] {
    return (this.#byHash.get(sha256) ?? []).filter((target) => target.length === length);
  }

  /** Every registered version of a plugin, newest first. */
  versionsOf(id: string): RegistryTarget[] {
    return [...(this.#byId.get(id) ?? [])].sort((a, b) => rcompare(a.version, b.version));
  }

  /** The newest version satisfying `range` (any when absent). */
  resolve(id: string, range?: string): RegistryTarget | undefined {
    return this.versionsOf(id).find((target) => range === undefined || satisfies(target.version, range, { includePrerelease: true }));
  }

  plugins(): RegistryTarget[] {
    return [...this.#byId.values()].flat();
  }

  /** Blocklist entries that apply to a plugin: its identity and version, and every repository URL known for it. */
  blocked(subject: Omit<BlockSubject, 'repositories'> & { repositories: (string | undefined)[] }): BlocklistEntry[] {
    const registered = this.versionsOf(subject.id).find((target) => target.version === subject.version);
    const repositories = [...subject.repositories.map(normalizeRepository), registered?.repository].filter((url): url is string => url !== undefined);
    return matchBlocklist(this.blocklist, { ...subject, repositories });
  }

  isExpired(now = Date.now()): boolean {
    return now >= this.expires.getTime();
  }
}

/** A target as a plugin, or undefined when the path is not a plugin's or a publisher role strays outside its own folder. */
function pluginTarget(file: TargetFile, role: string, top: string): RegistryTarget | undefined {
  if (file.path === BLOCKLIST_TARGET) return undefined;
  const match = PLUGIN_PATH.exec(file.path);
  const tier = tierOfRole(top);
  if (!match || !tier || !file.hashes.sha256) return undefined;
  const [, publisher, nameSegment, version] = match;
  if (tier === 'trusted' && publisherOfRole(top) !== publisher) return undefined;
  if (!validVersion(version)) return undefined;
  const name = nameSegment.replace('+', '/');
  const custom = (file.custom.warden ?? {}) as Partial<TargetCustom>;
  return {
    path: file.path,
    id: `${publisher}.${name}`,
    publisher,
    name,
    version,
    sha256: file.hashes.sha256,
    length: file.length,
    tier,
    role,
    repository: normalizeRepository(typeof custom.repository === 'string' ? custom.repository : undefined),
    forced: custom.forced,
    file,
  };
}
