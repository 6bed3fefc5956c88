/**
 * Dependencies npm fetches from somewhere other than a registry. npm installs `dependencies`,
 * `optionalDependencies` and (npm 7+) `peerDependencies` with the plugin, and runs each one's lifecycle scripts;
 * one given as a URL, a git repository, a folder outside the plugin or a tarball it ships is code that no registry published and the
 * gate has not read, chosen by whoever controls that address at install time (PhantomRaven's "remote dynamic
 * dependencies"). npm's own spec parser (npm-package-arg) tells a registry range from the rest.
 */
import { createRequire } from 'node:module';
import { relative, isAbsolute } from 'node:path';
import type npa from 'npm-package-arg';

/** A registry range or tag (`^1.2.0`, `~2`, `>=3 <4`, `*`, `latest`): nothing to ask npm-package-arg, which a warm run would pay to load. */
const REGISTRY_SPEC = /^(?:[\^~<>=*\dxX.\s|-]*|[a-z][\w.-]*)$/;

/** The fields npm installs for whoever installs the plugin (never devDependencies). */
const INSTALLED_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const;

export interface UnreadDependency {
  field: (typeof INSTALLED_FIELDS)[number];
  name: string;
  spec: string;
  /** What npm fetches: a URL, a git repository, a folder or tarball outside the plugin, or a tarball it ships. */
  source: 'url' | 'git' | 'outside' | 'tarball';
}

/** Each dependency of the manifest at `root` that npm would fetch from outside a registry and the plugin. */
export function unreadDependencies(manifest: Record<string, unknown>, root: string): UnreadDependency[] {
  const out: UnreadDependency[] = [];
  for (const field of INSTALLED_FIELDS) {
    const map = manifest[field];
    if (!map || typeof map !== 'object') continue;
    for (const [name, spec] of Object.entries(map)) {
      if (typeof spec !== 'string') continue;
      const source = sourceOf(name, spec, root);
      if (source) out.push({ field, name, spec, source });
    }
  }
  return out;
}

function sourceOf(name: string, spec: string, root: string): UnreadDependency['source'] | undefined {
  if (REGISTRY_SPEC.test(spec) && !spec.includes('/')) return undefined;
  let parsed: npa.Result;
  try {
    parsed = (createRequire(import.meta.url)('npm-package-arg') as typeof npa).resolve(name, spec, root);
  } catch {
    return undefined; // a spec npm refuses (`workspace:`, `link:`): the install fails, nothing is fetched
  }
  const type = parsed.type === 'alias' ? (parsed as npa.AliasResult).subSpec.type : parsed.type;
  if (type === 'remote') return 'url';
  if (type === 'git') return 'git';
  if ((type === 'file' || type === 'directory') && parsed.fetchSpec) {
    const inside = relative(root, parsed.fetchSpec);
    if (inside.startsWith('..') || isAbsolute(inside)) return 'outside';
    // A folder the plugin ships is read as its files; a tarball it ships is unpacked only by npm, scripts and all.
    return type === 'file' ? 'tarball' : undefined;
  }
  return undefined;
}
