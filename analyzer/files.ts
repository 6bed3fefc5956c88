/**
 * Everything in a plugin that can run: JS/TS sources (bundled node_modules
 * included), native binaries (by extension or magic bytes), and the
 * package.json files whose lifecycle scripts npm runs. Symlinks are followed
 * only while they stay inside the plugin root; one that leaves it is recorded,
 * because whatever it points at would run unseen.
 */
import { open, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { SOURCE_EXTENSIONS } from '../rules/extensions.js';
import { isInside } from './package-source.js';

export type SourceType = 'module' | 'commonjs';

export interface SourceFile {
  /** Relative to the plugin root, forward slashes. */
  path: string;
  sourceType: SourceType;
}

export interface PluginFiles {
  sources: SourceFile[];
  /** Shipped native binaries. */
  natives: NativeBinary[];
  /** package.json of the plugin and of every bundled package (npm runs their install scripts). */
  packageManifests: string[];
  /** Bundled packages with a binding.gyp: npm runs `node-gyp rebuild` for them at install. */
  gypPackages: string[];
  /** Symlinks that point outside the plugin root, not followed. */
  escapingLinks: string[];
}

export interface NativeBinary {
  path: string;
  /** `ELF`, `Mach-O`, `PE`, or `Node addon` for a `.node` file of no known format. */
  format: string;
}

export async function listFiles(root: string): Promise<PluginFiles> {
  const found: PluginFiles = { sources: [], natives: [], packageManifests: [], gypPackages: [], escapingLinks: [] };
  await walk(root, await realpath(root), 'commonjs', found, new Set());
  for (const list of [found.packageManifests, found.gypPackages, found.escapingLinks]) list.sort();
  for (const list of [found.sources, found.natives]) list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return found;
}

async function walk(dir: string, root: string, inheritedType: SourceType, found: PluginFiles, visited: Set<string>): Promise<void> {
  const real = await realpath(dir);
  if (visited.has(real)) return;
  visited.add(real);
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  const rel = (name: string) => relative(root, join(dir, name)).split(sep).join('/');
  const names = new Set(entries.map((entry) => entry.name));
  const type = names.has('package.json') ? await packageType(join(dir, 'package.json'), inheritedType) : inheritedType;
  if (names.has('package.json') && isPackageFolder(root, dir)) {
    found.packageManifests.push(rel('package.json'));
    if (names.has('binding.gyp') && dir !== root) found.gypPackages.push(rel('binding.gyp'));
  }
  for (const entry of entries) {
    if (entry.name === '.git') continue;
    const path = join(dir, entry.name);
    let isDirectory = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      const target = await realpath(path).catch(() => undefined);
      if (target === undefined) continue; // dangling: nothing can run from it
      if (!isInside(root, target)) {
        found.escapingLinks.push(rel(entry.name));
        continue;
      }
      isDirectory = (await stat(target)).isDirectory();
    } else if (!entry.isFile() && !isDirectory) {
      continue;
    }
    if (isDirectory) {
      await walk(path, root, type, found, visited);
    } else if (SOURCE_EXTENSIONS.has(extname(entry.name))) {
      found.sources.push({ path: rel(entry.name), sourceType: sourceTypeFor(entry.name, type) });
    } else {
      const format = (await nativeFormat(path)) ?? (extname(entry.name) === '.node' ? 'Node addon' : undefined);
      if (format) found.natives.push({ path: rel(entry.name), format });
    }
  }
}

/** The plugin root and `node_modules/<name>` or `node_modules/@scope/<name>` folders: packages npm installs. */
function isPackageFolder(root: string, dir: string): boolean {
  const parts = relative(root, dir).split(sep);
  if (parts[0] === '') return true;
  const last = parts.length - 1;
  return (parts[last - 1] === 'node_modules' && !parts[last].startsWith('@')) || (parts[last - 2] === 'node_modules' && parts[last - 1].startsWith('@'));
}

async function packageType(manifest: string, inherited: SourceType): Promise<SourceType> {
  try {
    const { type } = JSON.parse(await readFile(manifest, 'utf8')) as { type?: unknown };
    return type === 'module' ? 'module' : 'commonjs';
  } catch {
    return inherited;
  }
}

/** By extension first; `.js`/`.jsx` follow the nearest package.json "type"; TypeScript is written as modules. */
function sourceTypeFor(name: string, packageType: SourceType): SourceType {
  switch (extname(name)) {
    case '.mjs':
    case '.mts':
    case '.ts':
    case '.tsx':
      return 'module';
    case '.cjs':
    case '.cts':
      return 'commonjs';
    default:
      return packageType;
  }
}

const HEAD_BYTES = 4096;

/** ELF, Mach-O (thin and fat), or a PE image (`MZ` with a `PE\0\0` header where e_lfanew says). */
async function nativeFormat(path: string): Promise<string | undefined> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
    return formatOfHead(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

const MACH_O = new Set([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe]);
const FAT_MACH_O = new Set([0xcafebabe, 0xcafebabf]);

export function formatOfHead(head: Buffer): string | undefined {
  if (head.length < 4) return undefined;
  const magic = head.readUInt32BE(0);
  if (magic === 0x7f454c46) return 'ELF'; // \x7fELF
  if (MACH_O.has(magic)) return 'Mach-O';
  // Java class files share 0xcafebabe; a fat Mach-O's next word is a small architecture count.
  if (FAT_MACH_O.has(magic) && head.length >= 8 && head.readUInt32BE(4) > 0 && head.readUInt32BE(4) < 32) return 'Mach-O universal';
  if (head[0] === 0x4d && head[1] === 0x5a && head.length >= 0x40) {
    const peOffset = head.readUInt32LE(0x3c);
    if (peOffset + 4 <= head.length && head.readUInt32BE(peOffset) === 0x50450000) return 'PE';
  }
  return undefined;
}
