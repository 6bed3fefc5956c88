/**
 * What a plugin's manifest declares, and whether a declaration covers a use.
 * The gate calls `capabilityCovers` with the manifest it validated; in an
 * author's editor the rules find the nearest package.json themselves.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Capability, FindingKind } from '../meta.js';

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
 * (env) and `data.host` (network) narrow the check when the rule knows them.
 */
export function capabilityCovers(declared: DeclaredCapabilities | undefined, capability: Capability, data: Record<string, string> = {}): boolean {
  if (!declared) return false;
  switch (capability) {
    case 'network': {
      const hosts = declared.network?.hosts ?? [];
      if (hosts.length === 0) return false;
      return data.host === undefined || hosts.some((pattern) => hostMatches(pattern, data.host));
    }
    case 'filesystem':
      return (declared.filesystem?.read?.length ?? 0) + (declared.filesystem?.write?.length ?? 0) > 0;
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
