/**
 * Installing a plugin: resolve (registry id, local tarball or folder) →
 * verify (TUF hashes through tuf-js, or the tarball's sha256 and length
 * looked up in the registry) → blocklist → the gate at the tier the registry
 * gives → a plan the user consents to → an atomic copy with an install
 * record. `planInstall` decides everything and writes nothing; only
 * `commitInstall` touches the plugins folder.
 */
import { closeSync, existsSync, fsyncSync, openSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import validRange from 'semver/ranges/valid.js';
import { analyzePlugin } from '../../analyzer/analyze.js';
import { loadManifest, identityOf } from '../../analyzer/manifest.js';
import { openPackage, isArchivePath, type PackageSource } from '../../analyzer/package-source.js';
import { defaultPolicy, visibleFindings } from '../../analyzer/policy.js';
import { makeTempDirSync, removeTempDir } from '../../analyzer/temp-dirs.js';
import type { Finding, PluginAnalysis, Policy, Tier } from '../../analyzer/types.js';
import { RefusedError, UsageError } from '../../cli/errors.js';
import { type BlocklistEntry, describeEntry, keptEntry, manifestRepository } from '../registry/blocklist.js';
import type { RegistryClient } from '../registry/client.js';
import type { RegistryTarget } from '../registry/view.js';
import { type Atom, atomsOf, beyond, capabilitiesOf, dangers, stillGranted } from './capabilities.js';
import { copyableFiles, copyPlugin, modifiedFiles } from './integrity.js';
import type { InstalledPlugins, InstallRecord, InstallSource } from './records.js';

export type InstallSpec = { kind: 'registry'; id: string; range?: string } | { kind: 'file'; path: string } | { kind: 'folder'; path: string };

/** `<id>[@range]`, a `.tgz`, or a folder: a path that exists is a path. */
export function parseSpec(spec: string): InstallSpec {
  if (existsSync(spec)) {
    if (statSync(spec).isDirectory()) return { kind: 'folder', path: resolve(spec) };
    if (isArchivePath(spec)) return { kind: 'file', path: resolve(spec) };
    throw new UsageError(`cannot install ${spec}: expected a plugin id, an npm pack .tgz, or a plugin folder`);
  }
  if (isArchivePath(spec) || (spec.includes('/') && !spec.includes('@'))) throw new UsageError(`cannot install ${spec}: no such file or folder`);
  // publisher.name, where the name may be scoped (`publisher.@scope/name`): the range's `@` comes after the name.
  const parts = /^([a-z0-9][a-z0-9-]*\.(?:@[^@/\s]+\/)?[^@/\s]+)(?:@(.*))?$/.exec(spec);
  if (!parts) throw new UsageError(`cannot install ${spec}: a plugin id is publisher.name (e.g. samples.hello-world)`);
  const [, id, range] = parts;
  if (range !== undefined && !validRange(range)) throw new UsageError(`cannot install ${spec}: "${range}" is not a semver range`);
  return { kind: 'registry', id, ...(range !== undefined ? { range } : {}) };
}

export interface InstallContext {
  store: InstalledPlugins;
  dataDir: string;
  registry?: RegistryClient;
  policy?: Policy;
}

export interface InstallPlan {
  id: string;
  version: string;
  publisher: string;
  tier: Tier;
  source: InstallSource;
  /** The plugin's files as read (the folder, or the extracted tarball). */
  root: string;
  /** The registry target that vouches for it, when one does. */
  target: RegistryTarget | undefined;
  analysis: PluginAnalysis;
  /** The findings the policy shows for this tier. */
  findings: Finding[];
  /** Capability atoms the plugin asks for, each shown as a sentence. */
  requested: Atom[];
  /** Of those, what the installed version already has granted (an update): these need no new consent. */
  alreadyGranted: Atom[];
  dangers: string[];
  /** Soft blocklist entries: installable with explicit consent. */
  softBlocks: BlocklistEntry[];
  /** Why it cannot be installed at all; empty when it can. */
  refusals: string[];
  /** The gate's warnings (consent covers them too). */
  warnings: string[];
  previous: InstallRecord | undefined;
  /** Same id, version and files as installed: nothing to do. */
  unchanged: boolean;
  /** Removes the download and the extraction. */
  close(): Promise<void>;
}

/** Everything the consent screen shows, and whether installing is possible at all. Writes nothing in the plugins folder. */
export async function planInstall(spec: InstallSpec, context: InstallContext): Promise<InstallPlan> {
  const view = context.registry?.view;
  // Whatever a killed install left in the store goes first, whether or not this one ends up copying anything.
  context.store.collectGarbage();
  const temp = makeTempDirSync('warden-install-');
  let opened: PackageSource | undefined;
  const close = async () => {
    await opened?.close();
    await removeTempDir(temp);
  };
  try {
    let source: InstallSource;
    let target: RegistryTarget | undefined;
    if (spec.kind === 'registry') {
      if (!context.registry) throw new UsageError(`cannot install ${spec.id}: no registry (give --registry URL|DIR, or a .tgz or folder)`);
      if (!view) throw new RefusedError(`cannot install ${spec.id}: no verified metadata from ${context.registry.options.url} (${context.registry.status().lastError ?? 'never refreshed'})`);
      target = view.resolve(spec.id, spec.range);
      if (!target) {
        const versions = view.versionsOf(spec.id).map((t) => t.version);
        throw new UsageError(`${spec.id}${spec.range ? `@${spec.range}` : ''} is not in the registry ${context.registry.options.url}${versions.length > 0 ? ` (versions: ${versions.join(', ')})` : ''}`);
      }
      const archive = join(temp, 'plugin.tgz');
      await context.registry.downloadTarget(target, archive);
      source = { kind: 'registry', registry: context.registry.options.url, target: target.path, sha256: target.sha256, length: target.length };
      opened = await openPackage(archive);
    } else if (spec.kind === 'file') {
      opened = await openPackage(spec.path);
      // The hash is of the one copy that was checked and extracted, never of a second read of the user's file.
      source = { kind: 'file', path: spec.path, ...opened.digest! };
    } else {
      opened = await openPackage(spec.path);
      source = { kind: 'folder', path: spec.path };
    }
    copyableFiles(opened.root); // what could not be copied is refused now, before the store is touched
    const manifest = await loadManifest(opened.root, spec.kind === 'registry' ? `${spec.id} (from the registry)` : opened.display);
    const identity = identityOf(manifest);
    if (target && (target.id !== identity.id || target.version !== identity.version)) {
      throw new RefusedError(`the registry's ${target.path} holds ${identity.id}@${identity.version}, not ${target.id}@${target.version}: refusing it`);
    }
    // A local tarball gets a registry tier only when its exact bytes are that target's (a manifest cannot claim one).
    if (!target && source.kind === 'file' && view) {
      target = view.match(source.sha256, source.length).find((t) => t.id === identity.id && t.version === identity.version);
    }
    const tier: Tier = target?.tier ?? 'unregistered';
    const refusals: string[] = [];
    const softBlocks: BlocklistEntry[] = [];
    if (view) {
      for (const entry of view.blocked({ id: identity.id, publisher: identity.publisher, version: identity.version, repositories: [manifestRepository(manifest)] })) {
        if (entry.soft) softBlocks.push(entry);
        else refusals.push(describeEntry(entry));
      }
    }
    const status = context.registry?.status();
    if (status?.expired && !status.inGrace && (tier === 'community' || tier === 'unregistered')) {
      refusals.push(`the registry's metadata ${status.expires ? `expired at ${status.expires.toISOString()}` : 'could not be verified'}: ${tier} plugins are not installed until it is refreshed (or a grace period is allowed)`);
    }
    const policy = context.policy ?? defaultPolicy;
    const analysis = await analyzePlugin(opened.root, { tier, policy, cache: true, cacheDir: join(context.dataDir, 'cache') });
    if (analysis.decision.action === 'block') refusals.push(...analysis.decision.reasons);
    const previous = context.store.get(identity.id);
    const requested = atomsOf(manifest.capabilities);
    const previousAtoms = previous ? atomsOf(previous.grant) : [];
    return {
      id: identity.id,
      version: identity.version,
      publisher: identity.publisher,
      tier,
      source,
      root: opened.root,
      target,
      analysis,
      findings: visibleFindings(analysis.findings, tier, policy),
      requested,
      alreadyGranted: previous ? stillGranted(requested, previousAtoms) : [],
      dangers: dangers(requested),
      softBlocks,
      refusals,
      warnings: analysis.decision.action === 'warn' ? analysis.decision.reasons : [],
      previous,
      unchanged:
        previous !== undefined && previous.version === identity.version && sameFiles(previous.files, analysis) && modifiedFiles(context.store.folderOf(previous), previous.files).length === 0,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The gate's hashes cover every file it reads; the record's every file. Same version and same bytes, still intact on disk, is "unchanged". */
function sameFiles(recorded: Record<string, string>, analysis: PluginAnalysis): boolean {
  return Object.entries(analysis.hashes).every(([file, hash]) => recorded[file] === hash);
}

export interface Consent {
  /** Atoms the user granted (from the prompt, `--yes` or `--grant`). */
  granted: Atom[];
  how: InstallRecord['consent']['how'];
  /** The user accepted the soft blocklist entries shown. */
  keepDespiteBlocks: boolean;
  /** An update: what it asks beyond the old grant is not granted now; it waits, not started, for approval. */
  awaitApproval?: boolean;
}

/** Copies the plugin into a fresh store folder and commits the record; the old version stays until that moment. */
export function commitInstall(plan: InstallPlan, consent: Consent, store: InstalledPlugins): InstallRecord {
  if (plan.refusals.length > 0) throw new RefusedError(`${plan.id}: ${plan.refusals[0]}`);
  if (plan.softBlocks.length > 0 && !consent.keepDespiteBlocks) throw new RefusedError(`${plan.id}: ${describeEntry(plan.softBlocks[0])} (install anyway with --accept-blocked)`);
  const folder = store.newFolder(plan.id, plan.version);
  const dir = store.folderOf({ folder });
  let files: Record<string, string>;
  try {
    files = copyPlugin(plan.root, dir);
    // What the gate read is what was copied (a folder could change between the two).
    const changed = Object.entries(plan.analysis.hashes).filter(([file, hash]) => files[file] !== hash).map(([file]) => file);
    if (changed.length > 0) throw new RefusedError(`${plan.id}: ${changed[0]} changed while it was being installed; nothing was installed`);
    fsyncDirectory(dir);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const now = new Date().toISOString();
  const pending = consent.awaitApproval ? beyond(plan.requested, plan.alreadyGranted) : [];
  const granted = consent.awaitApproval ? plan.alreadyGranted : consent.granted;
  const record: InstallRecord = {
    schemaVersion: 1,
    id: plan.id,
    version: plan.version,
    folder,
    source: plan.source,
    tier: plan.tier,
    installedAt: now,
    files,
    grant: capabilitiesOf(granted),
    consent: { at: now, how: consent.how },
    ...(pending.length > 0 ? { awaitingApproval: { atoms: pending, since: now } } : {}),
    ...(plan.softBlocks.length > 0 ? { keptDespite: plan.softBlocks.map((entry) => keptEntry(entry, now)) } : {}),
  };
  store.commit(record);
  return record;
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
