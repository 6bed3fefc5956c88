/**
 * What a plugin ships, as the gate reads it. For a folder that is what
 * `npm pack` would include — npm's own npm-packlist decides, so `files`,
 * `.npmignore` and npm's always-included and never-included names mean here
 * what they mean to npm — and for an archive it is every entry in it. Each
 * file is classified: JavaScript and TypeScript sources (by extension, in
 * any case), native binaries (ELF, Mach-O, PE, `.node`) and any other binary
 * that is not a known image or font, and the manifests whose lifecycle
 * scripts npm runs. The production dependencies a plugin's code reaches are
 * added by the module graph (module-graph.ts), whatever their extension.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { closeSync, fstatSync, readdirSync, readSync, realpathSync, statSync } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { openRegularFile, readFile, readRegularFileSync } from './fast-fs.js';
import { dirname, extname, join, posix, relative, sep } from 'node:path';
import { SOURCE_EXTENSIONS } from '../rules/extensions.js';
import { UsageError } from '../cli/errors.js';
import { isInside } from './package-source.js';

export type SourceType = 'module' | 'commonjs';

/** npm-packlist's version: part of the listing key, so an upgrade that changes npm's rules is not served stale answers. */
const PACKLIST_VERSION = (createRequire(import.meta.url)('npm-packlist/package.json') as { version: string }).version;

export interface SourceFile {
  /** Relative to the plugin root, forward slashes. */
  path: string;
  sourceType: SourceType;
}

export interface PluginFiles {
  sources: SourceFile[];
  /** Shipped native binaries, and binaries of no known image or font format. */
  natives: NativeBinary[];
  /** package.json of the plugin and of every production dependency npm installs with it (npm runs their lifecycle scripts). */
  packageManifests: string[];
  /** binding.gyp files, of the plugin or such a dependency: npm runs `node-gyp rebuild` for them at install. */
  gypPackages: string[];
  /** Symlinks that point outside the plugin root, not followed. */
  escapingLinks: string[];
  /** Every other shipped file, by path (data the graph may still find loaded as code). */
  others: string[];
}

export interface NativeBinary {
  path: string;
  /** `ELF`, `Mach-O`, `PE`, `Node addon` for a `.node` file, `WebAssembly`, or `binary data`. */
  format: string;
}

export interface ListOptions {
  /** Every file under the root (an archive's entries), rather than what npm pack would include. */
  everything?: boolean;
  /** Where npm-packlist's answer for a folder is kept, under a key of everything that answer depends on. */
  cache?: ListingCache;
}

export interface ListingCache {
  get(key: string): Promise<string[] | undefined>;
  set(key: string, files: string[]): Promise<void>;
}

/** The files a plugin ships, classified. */
export async function listFiles(root: string, options: ListOptions = {}): Promise<PluginFiles> {
  const realRoot = await realpath(root);
  const found: PluginFiles = { sources: [], natives: [], packageManifests: [], gypPackages: [], escapingLinks: [], others: [] };
  const shipped = options.everything ? await everyFile(realRoot, found.escapingLinks) : await packedFiles(realRoot, found.escapingLinks, options.cache);
  const types = new PackageTypes(realRoot);
  for (const path of shipped.sort()) await classify(realRoot, path, types, found);
  for (const file of await installedManifests(realRoot)) {
    const list = file.endsWith('binding.gyp') ? found.gypPackages : found.packageManifests;
    if (!list.includes(file)) list.push(file);
  }
  for (const list of [found.packageManifests, found.gypPackages, found.escapingLinks, found.others]) list.sort();
  return found;
}

/** Adds one shipped file to the list it belongs in. */
async function classify(root: string, path: string, types: PackageTypes, found: PluginFiles): Promise<void> {
  const name = path.split('/').pop()!;
  // Type declarations hold no code; one that a load names is read all the same (the graph reaches it).
  if (SOURCE_EXTENSIONS.has(extname(name).toLowerCase()) && !/\.d\.[cm]?ts$/i.test(name)) {
    found.sources.push({ path, sourceType: await types.sourceTypeOf(path) });
  } else if (name === 'package.json') {
    found.packageManifests.push(path);
  } else if (name === 'binding.gyp') {
    found.gypPackages.push(path);
  } else {
    const start = await head(join(root, path));
    const format = binaryFormat(start) ?? (extname(name).toLowerCase() === '.node' ? 'Node addon' : undefined) ?? (isMedia(start) ? executableInside(join(root, path)) : undefined);
    if (format) found.natives.push({ path, format });
    else found.others.push(path);
  }
}

/** What `npm pack` would include (npm-packlist), plus symlinks that leave the folder (npm skips them; Node would follow them). */
async function packedFiles(root: string, escapingLinks: string[], cache: ListingCache | undefined): Promise<string[]> {
  const text = await readFile(join(root, 'package.json'), 'utf8');
  const tree = treeSignature(root, text, escapingLinks);
  const known = listings.get(tree) ?? (await cache?.get(tree));
  if (known) {
    listings.set(tree, known);
    return known;
  }
  // npm-packlist reads an Arborist tree; its root node is all a plugin needs (bundled dependencies come from the module graph).
  // Loaded only now: a listing served from the cache never loads it and its glob matcher.
  const { default: packlist } = await import('npm-packlist');
  const files = (await packlist({ path: root, package: JSON.parse(text) as Record<string, unknown>, isProjectRoot: true, edgesOut: new Map() })).map((file) => file.split(sep).join('/'));
  listings.set(tree, files);
  await cache?.set(tree, files);
  return files;
}

/** npm-packlist's answers in this process, by tree signature: a long-running host lists a plugin at every start. */
const listings = new Map<string, string[]>();

/**
 * A key of everything npm-packlist's answer depends on: every path under the
 * root (but node_modules and .git, which it never ships), the kind of each
 * entry, the manifest, and the text of every ignore file. Walking the tree is
 * cheap; matching every path against npm's ignore rules is what costs. The
 * walk also records symlinks that leave the root.
 */
function treeSignature(root: string, manifest: string, escapingLinks: string[]): string {
  const hash = createHash('sha256').update(PACKLIST_VERSION).update('\0').update(manifest);
  // Synchronous: a plugin's tree is dozens of small folders, and a thread-pool round trip for each was most of a
  // warm run's idle time (bench corpus: 20–35 ms of waiting), while nothing else runs.
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      if (entry.name === 'node_modules' || entry.name === '.git') continue;
      const path = join(dir, entry.name);
      const rel = relative(root, path).split(sep).join('/');
      hash.update(`\0${entry.isDirectory() ? 'd' : entry.isSymbolicLink() ? 'l' : 'f'}:${rel}`);
      if (entry.name === '.npmignore' || entry.name === '.gitignore') hash.update(ignoreFileText(path, rel));
      if (entry.isSymbolicLink()) {
        const target = tryRealpath(path);
        if (target !== undefined && !isInside(root, target)) escapingLinks.push(rel);
      } else if (entry.isDirectory()) {
        walk(path);
      }
    }
  };
  walk(root);
  return hash.digest('hex');
}

function tryRealpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * An ignore file's text (through a link too): npm-packlist reads each one, and would wait forever on a FIFO or a
 * device under that name, so such a plugin is refused. Anything else that is not a file (a folder) has no rules.
 */
function ignoreFileText(path: string, rel: string): Buffer {
  const info = statSync(path, { throwIfNoEntry: false });
  if (info === undefined || info.isDirectory()) return Buffer.alloc(0);
  if (!info.isFile()) throw new UsageError(`cannot list the files of the plugin: ${rel} is not a regular file (npm would wait on it forever)`);
  return readRegularFileSync(path);
}

/** Every file under the root, `.git` and `node_modules` included; symlinks followed while they stay inside. */
async function everyFile(root: string, escapingLinks: string[]): Promise<string[]> {
  const out: string[] = [];
  const visited = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    const real = await realpath(dir);
    if (visited.has(real)) return;
    visited.add(real);
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(root, path).split(sep).join('/');
      if (entry.isSymbolicLink()) {
        const target = await realpath(path).catch(() => undefined);
        if (target === undefined) continue; // dangling: nothing can run from it
        if (!isInside(root, target)) escapingLinks.push(rel);
        else if ((await stat(target)).isDirectory()) await walk(path);
        else out.push(rel);
      } else if (entry.isDirectory()) {
        await walk(path);
      } else if (entry.isFile()) {
        out.push(rel);
      }
    }
  };
  await walk(root);
  return out;
}

/** The fields naming packages npm installs with a package: never devDependencies (npm 7+ installs peers too). */
const INSTALLED_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies', 'bundledDependencies'];

/**
 * package.json and binding.gyp of every production dependency npm installs
 * with the plugin, transitively, found as Node would find it (the package's
 * own node_modules, then each folder's above it): npm runs their lifecycle
 * scripts and builds at install, whether or not the plugin's code loads them.
 * A devDependency, or anything else that merely sits in node_modules, npm
 * does not install with the plugin: nothing of it is read.
 */
async function installedManifests(root: string): Promise<string[]> {
  const out: string[] = [];
  const visited = new Set<string>();
  const visit = async (dir: string, manifest: Record<string, unknown> | undefined): Promise<void> => {
    for (const name of dependencyNames(manifest)) {
      const found = await locatePackage(root, dir, name);
      if (!found || visited.has(found.dir)) continue;
      visited.add(found.dir);
      out.push(posix.join(found.dir, 'package.json'));
      if (await readFile(join(root, found.dir, 'binding.gyp')).then(() => true, () => false)) out.push(posix.join(found.dir, 'binding.gyp'));
      await visit(found.dir, found.manifest);
    }
  };
  await visit('.', await readManifest(root, '.'));
  return out;
}

/** Every package name a manifest's installed fields list (`bundleDependencies: true` bundles every dependency). */
function dependencyNames(manifest: Record<string, unknown> | undefined): string[] {
  const names = new Set<string>();
  for (const field of INSTALLED_FIELDS) {
    const value = manifest?.[field];
    if (Array.isArray(value)) for (const name of value) if (typeof name === 'string') names.add(name);
    if (value && typeof value === 'object' && !Array.isArray(value)) for (const name of Object.keys(value)) names.add(name);
  }
  return [...names].filter((name) => /^(?:@[^/\\.][^/\\]*\/)?[^/\\.][^/\\]*$/.test(name));
}

/** Where Node would find package `name` from the package folder `dir` (relative to the root), never above the root. */
async function locatePackage(root: string, dir: string, name: string): Promise<{ dir: string; manifest: Record<string, unknown> } | undefined> {
  for (let current = dir; ; current = posix.dirname(current)) {
    if (posix.basename(current) !== 'node_modules') {
      const candidate = posix.join(current, 'node_modules', name);
      const manifest = await readManifest(root, candidate);
      if (manifest) return { dir: candidate, manifest };
    }
    if (current === '.' || current === '/' || current === '') return undefined;
  }
}

async function readManifest(root: string, dir: string): Promise<Record<string, unknown> | undefined> {
  try {
    const value: unknown = JSON.parse(await readFile(join(root, dir, 'package.json'), 'utf8'));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The nearest package.json "type" decides `.js`; TypeScript is written as modules. */
export class PackageTypes {
  private readonly byDirectory = new Map<string, SourceType>();

  constructor(private readonly root: string) {}

  sourceTypeOf(path: string): SourceType {
    switch (extname(path).toLowerCase()) {
      case '.mjs':
      case '.mts':
      case '.ts':
      case '.tsx':
        return 'module';
      case '.cjs':
      case '.cts':
        return 'commonjs';
      default:
        return this.typeOfDirectory(dirname(path));
    }
  }

  /** The `type` of the nearest package.json from `dir` up; read synchronously, each once, like the module graph's. */
  private typeOfDirectory(dir: string): SourceType {
    let type = this.byDirectory.get(dir);
    if (type === undefined) {
      const text = readManifestText(join(this.root, dir, 'package.json'));
      if (text === undefined) type = dir === '.' || dir === '' ? 'commonjs' : this.typeOfDirectory(dirname(dir));
      else type = manifestType(text);
      this.byDirectory.set(dir, type);
    }
    return type;
  }
}

function readManifestText(path: string): string | undefined {
  try {
    return readRegularFileSync(path).toString('utf8');
  } catch {
    return undefined;
  }
}

function manifestType(text: string): SourceType {
  try {
    return (JSON.parse(text) as { type?: unknown }).type === 'module' ? 'module' : 'commonjs';
  } catch {
    return 'commonjs';
  }
}

const HEAD_BYTES = 4096;

/**
 * A file's first bytes; none for what is not a regular file (a FIFO swapped in under a name a listing kept would
 * make the open wait for a writer): the host's hash check then finds it changed.
 */
async function head(path: string): Promise<Buffer> {
  let fd: number;
  try {
    fd = openRegularFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EFTYPE') return Buffer.alloc(0);
    throw error;
  }
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    return buffer.subarray(0, readSync(fd, buffer, 0, HEAD_BYTES, 0));
  } finally {
    closeSync(fd);
  }
}

const MACH_O = new Set([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe]);
const FAT_MACH_O = new Set([0xcafebabe, 0xcafebabf]);

/** ELF, Mach-O (thin and fat), or a PE image (`MZ` with a `PE\0\0` header where e_lfanew says). */
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

/** Signatures of image and font formats: binary data a plugin ships for display, never runs. */
const MEDIA_SIGNATURES: [offset: number, bytes: string][] = [
  [0, '89504e47'], // PNG
  [0, 'ffd8ff'], // JPEG
  [0, '47494638'], // GIF
  [0, '424d'], // BMP
  [0, '00000100'], // ICO
  [0, '00000200'], // CUR
  [0, '49492a00'], // TIFF, little-endian
  [0, '4d4d002a'], // TIFF, big-endian
  [8, '57454250'], // WebP (after RIFF....)
  [4, '66747970'], // ISO media: AVIF, HEIC
  [0, '774f4646'], // WOFF
  [0, '774f4632'], // WOFF2
  [0, '00010000'], // TrueType
  [0, '4f54544f'], // OpenType
  [0, '74746366'], // TrueType collection
  [34, '4c50'], // Embedded OpenType
];

/** The native format of a file's first bytes, `WebAssembly`, or `binary data` for any other binary but an image or a font. */
export function binaryFormat(head: Buffer): string | undefined {
  const native = formatOfHead(head);
  if (native) return native;
  if (!head.includes(0)) return undefined; // text
  if (head.subarray(0, 4).toString('hex') === '0061736d') return 'WebAssembly';
  return isMedia(head) ? undefined : 'binary data';
}

function isMedia(head: Buffer): boolean {
  return MEDIA_SIGNATURES.some(([offset, bytes]) => head.subarray(offset, offset + bytes.length / 2).toString('hex') === bytes);
}

/** Images and fonts larger than this are not searched for an executable inside them (a plugin's icons are kilobytes). */
const MAX_MEDIA_SEARCH_BYTES = 16 * 1024 * 1024;
/** Mach-O CPU types (x86, x86-64, ARM, ARM64): a 4-byte magic alone turns up by chance in megabytes of image data. */
const MACH_O_CPUS = new Set([7, 0x01000007, 12, 0x0100000c]);

/**
 * An executable (ELF, Mach-O, PE) inside an image or a font after its start, as `ELF inside an image`: the image is
 * only its carrier, and code that cuts it out (`png.subarray(end)`) writes a program the gate never saw as one.
 * Each candidate's header is checked field by field, so compressed pixels do not match by chance.
 */
export function executableInside(path: string): string | undefined {
  const fd = openRegularFile(path);
  let bytes: Buffer;
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_MEDIA_SEARCH_BYTES) return undefined;
    bytes = Buffer.alloc(size);
    readSync(fd, bytes, 0, size, 0);
  } finally {
    closeSync(fd);
  }
  const found = embeddedExecutable(bytes);
  return found && `${found}${INSIDE_MEDIA}`;
}

const INSIDE_MEDIA = ' inside an image';

/** An executable an image carries has no use but being cut out and run: the module graph cannot tell where it is read. */
export function isCarriedExecutable(format: string): boolean {
  return format.endsWith(INSIDE_MEDIA);
}

export function embeddedExecutable(bytes: Buffer): string | undefined {
  const candidates: [magic: Buffer, valid: (at: number) => boolean, name: string][] = [
    [Buffer.from('7f454c46', 'hex'), (at) => [1, 2].includes(bytes[at + 4]) && [1, 2].includes(bytes[at + 5]) && bytes[at + 6] === 1, 'ELF'],
    ...[...MACH_O].map((magic): [Buffer, (at: number) => boolean, string] => {
      const word = Buffer.alloc(4);
      word.writeUInt32BE(magic);
      const little = magic === 0xcefaedfe || magic === 0xcffaedfe;
      return [word, (at) => at + 16 <= bytes.length && MACH_O_CPUS.has(little ? bytes.readUInt32LE(at + 4) : bytes.readUInt32BE(at + 4)) && (little ? bytes.readUInt32LE(at + 12) : bytes.readUInt32BE(at + 12)) <= 12, 'Mach-O'];
    }),
    [Buffer.from('4d5a', 'hex'), (at) => formatOfHead(bytes.subarray(at, at + HEAD_BYTES)) === 'PE', 'PE'],
  ];
  for (const [magic, valid, name] of candidates) {
    for (let at = bytes.indexOf(magic, 1); at > 0; at = bytes.indexOf(magic, at + 1)) if (valid(at)) return name;
  }
  return undefined;
}
