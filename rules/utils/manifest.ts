/**
 * What a plugin's manifest declares, and whether a declaration covers a use.
 * The gate calls `capabilityCovers` with the manifest it validated; in an
 * author's editor the rules find the nearest package.json themselves.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { posix } from 'node:path';
import type { Capability, FindingKind } from '../meta.js';
import { DATA_ROOT, HOME, PLUGIN_ROOT } from './markers.js';

export interface DeclaredCapabilities {
  network?: { hosts?: string[] };
  filesystem?: { read?: string[]; write?: string[] };
  env?: string[];
  childProcess?: boolean;
  worker?: boolean;
  nativeAddons?: boolean;
}

/**
 * True when `declared` grants the capability a finding uses. `data.variable`
 * (env), `data.host` (network) and `data.folder` (filesystem: where the gate
 * proved a path lies, `''` when it could not) narrow the check when the rule
 * knows them; a path with a segment that may climb out (`data.climbs`) is
 * never covered, and `data.access` says which of read and write must hold it.
 */
export function capabilityCovers(declared: DeclaredCapabilities | undefined, capability: Capability, data: Record<string, string> = {}): boolean {
  if (!declared) return false;
  switch (capability) {
    case 'network': {
      const hosts = declared.network?.hosts ?? [];
      if (hosts.length === 0) return false;
      return data.host === undefined || hosts.some((pattern) => hostMatches(pattern, data.host));
    }
    case 'filesystem': {
      const { read = [], write = [] } = declared.filesystem ?? {};
      if (read.length + write.length === 0) return false;
      // The host grants reads of the read paths and writes of the write paths, each on its own (permissions.ts).
      const roots = data.access === 'write' ? write : read;
      const granted = [...roots.map(expandDeclared), DATA_ROOT, ...(data.access === 'write' ? [] : [PLUGIN_ROOT])];
      return data.folder === undefined || (data.climbs !== 'yes' && folderCovered(granted, data.folder, data.open === 'yes'));
    }
    case 'env':
      return data.variable !== undefined && (declared.env ?? []).includes(data.variable);
    default:
      return declared[capability] === true;
  }
}

/** True when a declaration lowers a finding of `kind`: it uses a capability the manifest declares, and one a declaration can grant. */
export function declarationCovers(declared: DeclaredCapabilities | undefined, kind: FindingKind, data: Record<string, string> = {}): boolean {
  return kind.capability !== undefined && kind.grantable !== false && capabilityCovers(declared, kind.capability, data);
}

/**
 * A proven folder inside a granted one (a declared path, expanded: `$home/Music` → `~/Music`, a relative path in the
 * plugin's own package; the data folder; the package itself, to read). Nothing is covered that the gate could not place, nor an unknown path below the home folder or the
 * root, whose contents hold every secret there is, whatever is declared.
 */
function folderCovered(roots: string[], folder: string, open: boolean): boolean {
  if (folder === '' || (open && isWholeTree(folder))) return false;
  return roots.some((root) => folder === root || folder.startsWith(root === '/' ? '/' : `${root}/`));
}

/** A folder whose unknown contents hold every secret there is. */
export function isWholeTree(folder: string): boolean {
  return folder === HOME || folder === '/' || /^[a-z]:\/?$/i.test(folder);
}

/** A declared path written as proven folders are: `$home` is `~`, a relative path is under the plugin's own folder. */
function expandDeclared(path: string): string {
  const normalized = posix.normalize(path.replace(/\\/g, '/')).replace(/(.)\/$/, '$1');
  if (/^\$home(?=\/|$)/.test(normalized)) return HOME + normalized.slice('$home'.length);
  if (/^\$data(?=\/|$)/.test(normalized) || normalized.startsWith('/') || /^[a-z]:\//i.test(normalized)) return normalized;
  return normalized === '.' ? PLUGIN_ROOT : `${PLUGIN_ROOT}/${normalized}`;
}

/** `*.cdn.example.com` matches any subdomain; anything else matches exactly. */
export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  return p.startsWith('*.') ? h.endsWith(p.slice(1)) : h === p;
}

const byDirectory = new Map<string, DeclaredCapabilities | undefined>();

function nearestDeclaration(directory: string): DeclaredCapabilities | undefined {
  if (byDirectory.has(directory)) return byDirectory.get(directory);
  let result: DeclaredCapabilities | undefined;
  const manifest = join(directory, 'package.json');
  if (existsSync(manifest)) {
    try {
      result = (JSON.parse(readFileSync(manifest, 'utf8')) as { capabilities?: DeclaredCapabilities }).capabilities;
    } catch {
      result = undefined;
    }
  } else if (dirname(directory) !== directory) {
    result = nearestDeclaration(dirname(directory));
  }
  byDirectory.set(directory, result);
  return result;
}

export function declaredCapabilities(filename: string): { covers(kind: FindingKind, data: Record<string, string>): boolean } {
  const declared = nearestDeclaration(dirname(filename));
  return { covers: (kind, data) => declarationCovers(declared, kind, data) };
}
