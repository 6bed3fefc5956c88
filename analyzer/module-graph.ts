/**
 * The plugin's module graph: its entry points (`main`, `exports`, `bin`, and
 * files the lifecycle scripts run with `node`), and where each load a file
 * makes lands — a file of the plugin, a file of an installed production
 * dependency (never a devDependency), a builtin, or nothing. Resolution
 * follows Node's: exact file, added extensions, a folder's package.json
 * `main` and `index`, `exports` and `imports` maps (every condition counts,
 * since `require` and `import` may both be used), node_modules folders from
 * the loading file upward, never above the plugin root. A target reached
 * through a symlink that leaves the root is reported as such, not followed.
 */
import { isBuiltin } from 'node:module';
import { readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { join, posix } from 'node:path';
import type { LoadRecord } from '../rules/utils/load-records.js';
import { PLUGIN_ROOT } from '../rules/utils/markers.js';
import { packageName } from '../rules/utils/specifiers.js';
import { isInside } from './package-source.js';
import type { Manifest } from './types.js';

/** Where a load lands. */
export type Target =
  | { kind: 'files'; paths: string[] }
  | { kind: 'builtin' }
  | { kind: 'missing' }
  /** Only a devDependency of the plugin: npm does not install it with the plugin. */
  | { kind: 'devDependency'; name: string; present: boolean }
  /** A URL or an absolute path: not the plugin's files (the rules judge those). */
  | { kind: 'outside' };

/** Extensions Node's CommonJS loader adds, then the TypeScript sources a `.ts` plugin is analyzed from. */
const ADDED_EXTENSIONS = ['.js', '.json', '.node', '.cjs', '.mjs', '.ts', '.tsx', '.mts', '.cts'];
const INDEX_FILES = ADDED_EXTENSIONS.map((extension) => `index${extension}`);
/** A TypeScript ESM import names the compiled file: `./a.js` is `./a.ts` in the sources. */
const COMPILED_TO_SOURCE: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

type Entry = 'file' | 'directory' | 'escaping' | undefined;

export class ModuleGraph {
  // Resolution is synchronous: it reads small folders and manifests, each once, and a thread-pool round trip per
  // look-up cost more than the look-ups (a warm run over the bench corpus waited ~20 ms on them), while nothing else runs.
  private readonly entries = new Map<string, Entry>();
  private readonly manifests = new Map<string, Record<string, unknown> | undefined>();
  private readonly listings = new Map<string, Map<string, Dirent>>();
  /** Files reached through a symlink that leaves the plugin root. */
  readonly escapingLinks = new Set<string>();

  /** `shipped`: the files the plugin ships, for expanding `exports` patterns. */
  constructor(
    private readonly root: string,
    private readonly manifest: Manifest,
    private readonly shipped: string[],
  ) {}

  /**
   * The files `main`, `exports` and `bin` name, and every file under `directories.bin` (which npm links as
   * commands when there is no `bin`): where the host and a user start the plugin's code.
   */
  runtimeEntries(): string[] {
    const targets = [this.manifest.main, ...leaves(this.manifest.exports), ...leaves(this.manifest.bin)].filter((target): target is string => typeof target === 'string');
    return [...this.filesFor('.', targets), ...this.binFolderFiles()];
  }

  /** The shipped files under `directories.bin`, which npm makes commands of (`tools/git` becomes `git` on the PATH). */
  private binFolderFiles(): string[] {
    const folder = (this.manifest.directories as { bin?: unknown } | undefined)?.bin;
    if (typeof folder !== 'string') return [];
    const prefix = posix.normalize(folder).replace(/\/+$/, '');
    if (prefix === '.' || prefix.startsWith('..') || posix.isAbsolute(prefix)) return prefix === '.' ? this.shipped : [];
    return this.shipped.filter((file) => file.startsWith(`${prefix}/`));
  }

  /** The targets of the manifest's `imports` map: analyzed whatever their extension, reached when a file loads `#…`. */
  importTargets(): string[] {
    return this.filesFor('.', leaves(this.manifest.imports).filter((target) => target.startsWith('./')));
  }

  /** Files `node` runs for a script, resolved from the plugin root. */
  scriptFiles(files: string[]): string[] {
    return this.filesFor('.', files.map((file) => (file.startsWith('.') || file.startsWith('/') ? file : `./${file}`)));
  }

  /**
   * Where `specifier`, loaded from the plugin file `from`, lands. `via` says which loader reads it: `require` reads a
   * path; for `import` (and `export … from`, `import()`) a relative specifier is a URL, whose `?query` and `#hash` Node
   * drops and whose `%xx` escapes it decodes.
   */
  resolve(from: string, rawSpecifier: string, via: LoadRecord['via'] = 'require'): Target {
    const specifier = via === 'require' ? rawSpecifier : relativeUrlPath(rawSpecifier);
    // A path the rules folded from `__dirname` or `import.meta.url` names a file of the plugin itself, from its root.
    const own = pluginRelative(specifier);
    if (own !== undefined) return found(this.file(own));
    if (/^[a-z][a-z0-9+.-]*:/i.test(specifier) && !specifier.startsWith('node:')) return { kind: 'outside' };
    if (specifier.startsWith('node:') || isBuiltin(specifier)) return { kind: 'builtin' };
    if (specifier.startsWith('/') || /^[a-z]:[\\/]/i.test(specifier)) return { kind: 'outside' };
    const dir = posix.dirname(from);
    // `./sub/`, `./sub/.`, `..`: Node reads a folder only; the join would drop the mark, so it is put back.
    if (specifier.startsWith('.')) return found(this.file(posix.join(dir, specifier) + (/(^|\/)\.{0,2}$/.test(specifier) ? '/' : '')));
    if (specifier.startsWith('#')) return this.resolveImport(dir, specifier);
    return this.resolvePackage(from, specifier);
  }

  /**
   * Where a file the plugin starts as a thread or a Node process lands (`new Worker(f)`, `fork(f)`,
   * `spawn(process.execPath, [f])`): a path, not a module name. A relative one (or a bare one, which Node's command
   * line reads as relative) is resolved from the working directory — the plugin root when it is installed or run as
   * a command — and, since that is what its author may mean, from the starting file's folder too.
   */
  resolveStarted(from: string, specifier: string): Target {
    const own = pluginRelative(specifier);
    if (own !== undefined) return found(this.file(own));
    if (/^[a-z][a-z0-9+.-]*:/i.test(specifier) || specifier.startsWith('/') || /^[a-z]:[\\/]/i.test(specifier)) return { kind: 'outside' };
    const relative = specifier.startsWith('.') ? specifier : `./${specifier}`;
    return found([...new Set([...this.file(posix.join('.', relative)), ...this.file(posix.join(posix.dirname(from), relative))])]);
  }

  /** The module names a `#…` alias stands for when they are not files of the package (`"#sys": "child_process"`). */
  aliasedModules(from: string, specifier: string): string[] {
    if (!specifier.startsWith('#')) return [];
    const scope = this.packageScope(posix.dirname(from));
    return this.importTargetsOf(scope, specifier).filter((target) => !target.startsWith('./'));
  }

  /** What the `imports` map of the package at `scope` gives a `#…` specifier. */
  private importTargetsOf(scope: string | undefined, specifier: string): string[] {
    const map = scope === undefined ? undefined : (this.packageJson(scope)?.imports as Record<string, unknown> | undefined);
    return map ? matchMap(map, specifier) : [];
  }

  private resolveImport(dir: string, specifier: string): Target {
    const scope = this.packageScope(dir);
    const targets = this.importTargetsOf(scope, specifier);
    if (!targets.length) return { kind: 'missing' };
    const paths: string[] = [];
    for (const target of targets) {
      if (target.startsWith('./')) paths.push(...this.filesFor(scope!, [target]));
      else {
        const resolved = this.resolve(posix.join(scope!, 'package.json'), target);
        if (resolved.kind !== 'files') return resolved;
        paths.push(...resolved.paths);
      }
    }
    return found(paths);
  }

  private resolvePackage(from: string, specifier: string): Target {
    const name = packageName(specifier);
    if (!from.split('/').includes('node_modules') && this.isDevOnly(name)) {
      return { kind: 'devDependency', name, present: this.entry(posix.join('node_modules', name)) === 'directory' };
    }
    const subpath = specifier.slice(name.length);
    // A package names itself: Node resolves that through the nearest package.json's `exports`, before node_modules.
    const scope = this.packageScope(posix.dirname(from));
    const own = scope === undefined ? undefined : this.packageJson(scope);
    if (own?.name === name && own.exports !== undefined && own.exports !== null) return found(this.packageFiles(scope!, subpath));
    for (let dir = posix.dirname(from); ; dir = posix.dirname(dir)) {
      const base = posix.join(dir, 'node_modules', name);
      if (this.entry(base) === 'directory') return found(this.packageFiles(base, subpath));
      if (dir === '.' || dir === '/' || dir === '') return { kind: 'missing' };
    }
  }

  /** The files a package's `exports` (or, without one, its `main` and folders) give for `./sub` or the package itself. */
  private packageFiles(base: string, subpath: string): string[] {
    const json = this.packageJson(base);
    const exports = json?.exports;
    if (exports !== undefined && exports !== null) {
      const key = `.${subpath}`;
      const map = typeof exports === 'string' || Array.isArray(exports) || !Object.keys(exports).some((k) => k.startsWith('.')) ? { '.': exports } : (exports as Record<string, unknown>);
      const targets = matchMap(map, key);
      if (targets.length) return this.filesFor(base, targets);
    }
    if (subpath) return this.file(posix.join(base, subpath));
    return this.file(base);
  }

  /** Every file a list of targets inside `base` names: patterns (`./lib/*.js`) expanded against the shipped files. */
  private filesFor(base: string, targets: string[]): string[] {
    const out: string[] = [];
    for (const target of targets) {
      const path = posix.normalize(posix.join(base, target));
      if (path.startsWith('..')) continue;
      if (path.includes('*')) {
        const pattern = subpathPattern(path);
        out.push(...this.shipped.filter((file) => pattern.test(file)));
      } else out.push(...this.file(path));
    }
    return [...new Set(out)];
  }

  /**
   * Node's file resolution from a path relative to the root: exact, added extensions, a folder's main or index.
   * A trailing `/` names a folder only (`require('./sub/')` is `sub/index.js` even beside a `sub.js`).
   */
  private file(path: string, depth = 0): string[] {
    const folderOnly = path.endsWith('/');
    const normal = posix.normalize(path).replace(/\/$/, '');
    if (normal.startsWith('..') || depth > 8) return [];
    if (folderOnly) return this.entry(normal) === 'directory' ? this.folder(normal, depth) : [];
    if (this.entry(normal) === 'file') return [normal];
    for (const extension of ADDED_EXTENSIONS) if (this.entry(normal + extension) === 'file') return [normal + extension];
    const compiled = posix.extname(normal);
    for (const source of COMPILED_TO_SOURCE[compiled] ?? []) {
      const candidate = normal.slice(0, -compiled.length) + source;
      if (this.entry(candidate) === 'file') return [candidate];
    }
    return this.entry(normal) === 'directory' ? this.folder(normal, depth) : [];
  }

  /** A folder as a module: its package.json `main`, else an index file. */
  private folder(normal: string, depth: number): string[] {
    const main = this.packageJson(normal)?.main;
    if (typeof main === 'string') {
      const viaMain = this.file(posix.join(normal, main), depth + 1);
      if (viaMain.length) return viaMain;
    }
    for (const index of INDEX_FILES) if (this.entry(posix.join(normal, index)) === 'file') return [posix.join(normal, index)];
    return [];
  }

  private entry(path: string): Entry {
    // Most names tried do not exist: their `undefined` is remembered too.
    if (!this.entries.has(path)) this.entries.set(path, this.lookUp(path));
    return this.entries.get(path);
  }

  /** One directory's entries, read once: resolution tries several names in each folder, and most do not exist. */
  private listing(dir: string): Map<string, Dirent> {
    let listing = this.listings.get(dir);
    if (!listing) {
      let entries: Dirent[] = [];
      try {
        entries = readdirSync(join(this.root, dir), { withFileTypes: true });
      } catch {
        // An unreadable or vanished folder resolves nothing.
      }
      listing = new Map(entries.map((entry) => [entry.name, entry]));
      this.listings.set(dir, listing);
    }
    return listing;
  }

  private lookUp(path: string): Entry {
    const dir = posix.dirname(path);
    // The parent must itself be a real folder inside the root (a symlinked parent is checked the slow way).
    const parent = dir === '.' ? 'directory' : this.entry(dir);
    if (parent === undefined || parent === 'file') return undefined;
    if (parent === 'directory') {
      const entry = this.listing(dir).get(posix.basename(path));
      if (!entry) return undefined;
      if (entry.isFile()) return 'file';
      if (entry.isDirectory()) return 'directory';
    }
    const absolute = join(this.root, path);
    try {
      const info = statSync(absolute);
      if (!isInside(this.root, realpathSync(absolute))) {
        this.escapingLinks.add(path);
        return 'escaping';
      }
      return info.isDirectory() ? 'directory' : info.isFile() ? 'file' : undefined;
    } catch {
      return undefined;
    }
  }

  private packageJson(dir: string): Record<string, unknown> | undefined {
    if (!this.manifests.has(dir)) {
      const path = posix.join(dir, 'package.json');
      // Only a regular file is read: a FIFO would never answer.
      this.manifests.set(dir, this.entry(path) === 'file' ? parseManifest(join(this.root, path)) : undefined);
    }
    return this.manifests.get(dir);
  }

  /** The nearest folder from `dir` upward with a package.json: whose `imports` a `#…` specifier uses. */
  private packageScope(dir: string): string | undefined {
    for (let current = dir; ; current = posix.dirname(current)) {
      if (this.packageJson(current)) return current;
      if (current === '.' || current === '') return undefined;
    }
  }

  /** Listed as a devDependency and nowhere else a user's install would bring it from. */
  private isDevOnly(name: string): boolean {
    const has = (field: string) => {
      const value = this.manifest[field];
      return Array.isArray(value) ? value.includes(name) : Boolean(value && typeof value === 'object' && name in value);
    };
    return has('devDependencies') && !['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies', 'bundledDependencies'].some(has);
  }
}

/** `./x`, `../x`, or a path folded from the plugin's own folder: a file the plugin ships, or means to. */
export function namesOwnFile(specifier: string): boolean {
  return /^\.\.?(\/|$)/.test(specifier) || pluginRelative(specifier) !== undefined;
}

/** `/__plugin__/lib/x.js` or `file:///__plugin__/lib/x.js` as `lib/x.js`, relative to the root; undefined for anything else. */
function pluginRelative(specifier: string): string | undefined {
  const path = specifier.startsWith('file:') && URL.canParse(specifier) ? decodeURIComponent(new URL(specifier).pathname) : specifier;
  return path.startsWith(`${PLUGIN_ROOT}/`) ? posix.normalize(path.slice(PLUGIN_ROOT.length + 1)) : undefined;
}

/** A subpath pattern target as Node reads it: each `*` stands for any string, `/` included. */
function subpathPattern(target: string): RegExp {
  const literal = (part: string) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp('^' + target.split('*').map(literal).join('.*') + '$');
}

/** A relative or plugin-root URL specifier as the path Node's ES loader reads: without `?…`/`#…`, `%xx` decoded. */
function relativeUrlPath(specifier: string): string {
  if (!specifier.startsWith('.') && !specifier.startsWith(`${PLUGIN_ROOT}/`)) return specifier;
  const path = specifier.replace(/[?#].*$/s, '');
  try {
    // Node refuses an escaped `/` or `\` (ERR_INVALID_MODULE_SPECIFIER): left as written, it resolves to nothing.
    return /%2f|%5c/i.test(path) ? path : decodeURIComponent(path);
  } catch {
    return path;
  }
}

function found(paths: string[]): Target {
  return paths.length ? { kind: 'files', paths } : { kind: 'missing' };
}

/** Every string inside a manifest field: a target, or the targets of each condition but `types` (declarations TypeScript reads, never Node). */
export function leaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([condition, target]) => (condition === 'types' ? [] : leaves(target)));
  return [];
}

/** The targets an `exports` or `imports` map gives `key`: an exact key, or the longest pattern with `*` filled in. */
function matchMap(map: Record<string, unknown>, key: string): string[] {
  if (Object.hasOwn(map, key)) return leaves(map[key]);
  let best: { prefix: string; suffix: string; value: unknown } | undefined;
  for (const [pattern, value] of Object.entries(map)) {
    const star = pattern.indexOf('*');
    if (star < 0) continue;
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    if (key.startsWith(prefix) && key.endsWith(suffix) && key.length >= prefix.length + suffix.length && (!best || prefix.length > best.prefix.length)) {
      best = { prefix, suffix, value };
    }
  }
  if (!best) return [];
  const filled = key.slice(best.prefix.length, key.length - best.suffix.length);
  return leaves(best.value).map((target) => target.replaceAll('*', filled));
}

function parseManifest(file: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
