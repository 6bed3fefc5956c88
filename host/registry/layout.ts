/**
 * How Warden lays plugins out in a TUF repository, shared by the tooling
 * that writes it and the client that reads it. A tier is the name of the
 * role whose signature vouches for a plugin's tarball:
 *
 *   targets (top level, the registry's reviewed list)  → official
 *   publisher.<id> (delegated, key of that publisher)   → trusted
 *   community (delegated, signed after the gate)        → community
 *
 * Targets are `plugins/<publisher>/<name>/<version>.tgz`, and `blocklist.json`
 * at the top level. Each publisher's delegation covers only its own folder
 * and is terminating, so neither the community role nor another publisher can
 * vouch for (or shadow) that publisher's plugins; the community delegation
 * covers every plugin folder, after the publishers'.
 */
import type { Tier } from '../../analyzer/types.js';

export const METADATA_DIR = 'metadata';
export const TARGETS_DIR = 'targets';
export const BLOCKLIST_TARGET = 'blocklist.json';
export const TOP_LEVEL_TARGETS = 'targets';
export const COMMUNITY_ROLE = 'community';
const PUBLISHER_PREFIX = 'publisher.';

/** Publisher ids are the manifest's `^[a-z0-9][a-z0-9-]*$`: no dots, slashes or glob characters in a path pattern. */
const PUBLISHER_ID = /^[a-z0-9][a-z0-9-]*$/;

export function isPublisherId(value: string): boolean {
  return PUBLISHER_ID.test(value) && value.length <= 64;
}

export function publisherRole(publisher: string): string {
  return `${PUBLISHER_PREFIX}${publisher}`;
}

/** The publisher a delegated role speaks for, or undefined when it is not a publisher's role. */
export function publisherOfRole(role: string): string | undefined {
  if (!role.startsWith(PUBLISHER_PREFIX)) return undefined;
  const publisher = role.slice(PUBLISHER_PREFIX.length);
  return isPublisherId(publisher) ? publisher : undefined;
}

export function publisherPaths(publisher: string): string[] {
  return [`plugins/${publisher}/*/*`];
}

export const COMMUNITY_PATHS = ['plugins/*/*/*'];

/** The tier a chain of delegations confers: decided by the role the top-level targets delegated to. */
export function tierOfRole(topRole: string): Tier | undefined {
  if (topRole === TOP_LEVEL_TARGETS) return 'official';
  if (topRole === COMMUNITY_ROLE) return 'community';
  return publisherOfRole(topRole) === undefined ? undefined : 'trusted';
}

/** A scoped npm name `@scope/name` keeps one path segment: `+` is not allowed in npm names, so it cannot collide. */
function nameSegment(name: string): string {
  return name.replace('/', '+');
}

export function pluginTargetPath(plugin: { publisher: string; name: string; version: string }): string {
  return `plugins/${plugin.publisher}/${nameSegment(plugin.name)}/${plugin.version}.tgz`;
}

/** What a target's `custom.warden` records, written at `registry add` from the reviewed manifest. */
export interface TargetCustom {
  id: string;
  publisher: string;
  name: string;
  version: string;
  repository?: string;
  /** Set when a reviewer admitted the plugin over the tier's policy (`--force --reason`). */
  forced?: { reason: string; decision: string };
}
