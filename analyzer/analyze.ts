/**
 * The gate's pipeline for one or many plugins: open the package, validate
 * the manifest, list what can run, reuse cached reports, lint the rest
 * (through one shared worker pool when the work is big enough), add the
 * analyzer's own checks, assess against the declared capabilities, decide
 * per tier. Temporary folders are removed whatever happens.
 */
import { createHash } from 'node:crypto';
import satisfies from 'semver/functions/satisfies.js';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { readlink, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RawReport } from '../rules/utils/report.js';
import { assess } from './assess.js';
import { currentStamp, defaultCacheDir, PluginCache, pluginLocator, statStamp, type FileEntry, type PluginRecord } from './cache.js';
import { prepareCacheDir } from './cache-dir.js';
import { checkReport, keyLocation } from './checks.js';
import { readFile, stat } from './fast-fs.js';
import { linesAround } from './excerpts.js';
import { listFiles, type PluginFiles, type SourceFile } from './files.js';
import { installScriptReports } from './install-scripts.js';
import { DEFAULT_LIMITS, type Limits } from './limits.js';
import { identityOf, loadManifest } from './manifest.js';
import { isInside, openPackage, type PackageSource } from './package-source.js';
import { decide, defaultPolicy } from './policy.js';
import { createLinting, preloadLinter, type Linting } from './pool.js';
import type { Manifest, PluginAnalysis, Policy, Tier } from './types.js';
import { WARDEN_VERSION } from './warden-package.js';

export interface AnalyzeOptions {
  tier?: Tier;
  policy?: Policy;
  /** false bypasses the cache entirely (neither read nor written). */
  cache?: boolean;
  cacheDir?: string;
  limits?: Limits;
  /** The Warden version `engines.warden` must include (default: this package's). */
  hostVersion?: string;
}

export interface Progress {
  filesDone: number;
  filesTotal: number;
  pluginsDone: number;
  pluginsTotal: number;
}

interface PendingLint {
  file: SourceFile;
  code: string;
  /** What the cache will hold for the file once linted (its reports added then). */
  entry: Omit<FileEntry, 'reports'>;
}

/** One plugin between reading and assessing. */
interface Prepared {
  path: string;
  started: number;
  source: PackageSource;
  manifest: Manifest;
  files: PluginFiles;
  hashes: Record<string, string>;
  bytes: number;
  cached: number;
  reports: Map<string, RawReport[]>;
  /** Text of files that have reports, for code frames. */
  texts: Map<string, string>;
  pending: PendingLint[];
  /** The plugin's cache record as read; `entries` becomes the new one (sources whose reports can be cached). */
  record: PluginRecord | undefined;
  entries: Map<string, FileEntry>;
  /** Some entry differs from the record's (new reports, a new stamp). */
  entriesChanged: boolean;
}

export async function analyzePlugin(path: string, options: AnalyzeOptions = {}): Promise<PluginAnalysis> {
  const [analysis] = await analyzePlugins([path], options);
  return analysis;
}

export async function analyzePlugins(paths: string[], options: AnalyzeOptions = {}, onProgress?: (progress: Progress) => void): Promise<PluginAnalysis[]> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  // A cache that cannot be written only costs speed (the CLI refuses an unusable --cache-dir before this).
  const usable = options.cache !== false && (await prepareCacheDir(cacheDir).then(() => true, () => false));
  const cache = usable ? new PluginCache(cacheDir) : undefined;
  const limits = options.limits ?? DEFAULT_LIMITS;
  const prepared: Prepared[] = [];
  let linting: Linting | undefined;
  try {
    for (const path of paths) prepared.push(await prepare(path, cache, limits, options.hostVersion ?? WARDEN_VERSION));
    const pending = prepared.flatMap((plugin) => plugin.pending);
    linting = await createLinting(
      pending.reduce((sum, task) => sum + task.code.length, 0),
      pending.length,
    );
    const progress: Progress = {
      filesDone: prepared.reduce((sum, plugin) => sum + plugin.cached, 0),
      filesTotal: prepared.reduce((sum, plugin) => sum + plugin.cached + plugin.pending.length, 0),
      pluginsDone: 0,
      pluginsTotal: prepared.length,
    };
    onProgress?.({ ...progress });
    const tick = (field: 'filesDone' | 'pluginsDone') => {
      progress[field]++;
      onProgress?.({ ...progress });
    };
    return await Promise.all(
      prepared.map(async (plugin) => {
        await lintPending(plugin, linting!, cache, () => tick('filesDone'));
        const analysis = conclude(plugin, options.tier ?? 'community', options.policy ?? defaultPolicy);
        tick('pluginsDone');
        return analysis;
      }),
    );
  } finally {
    await linting?.close();
    await Promise.all(prepared.map((plugin) => plugin.source.close()));
  }
}

async function prepare(path: string, cache: PluginCache | undefined, limits: Limits, hostVersion: string): Promise<Prepared> {
  const started = performance.now();
  const source = await openPackage(path, limits);
  try {
    const manifest = await loadManifest(source.root, source.display);
    const files = await listFiles(source.root);
    const record = cache && (await cache.read(source.archive ? pluginLocator('archive', await realpath(path)) : pluginLocator('folder', source.root)));
    const plugin: Prepared = {
      path, started, source, manifest, files, hashes: {}, bytes: 0, cached: 0, reports: new Map(), texts: new Map(), pending: [], record, entries: new Map(), entriesChanged: false,
    };
    await readSources(plugin, limits);
    await runChecks(plugin, hostVersion);
    return plugin;
  } catch (error) {
    await source.close();
    throw error;
  }
}

function addReports(plugin: Prepared, file: string, reports: RawReport[], text?: string): void {
  if (reports.length === 0) return;
  plugin.reports.set(file, [...(plugin.reports.get(file) ?? []), ...reports]);
  if (text !== undefined) plugin.texts.set(file, text);
}

/**
 * Reads, hashes and looks up each source in the plugin's cache record. A
 * file whose stat stamp matches its entry is served without being read
 * (only read for its code frames if it has reports); the stamp is only ever
 * recorded for folders, never for an archive's fresh extraction. Any other
 * file is read and hashed: the same hash is served, a new one is linted.
 *
 * Synchronous on purpose: a warm run is hundreds of stats, which cost 5 to
 * 10 times as much through the thread pool (bench corpus: ~1–3 ms in all
 * against ~12–17 ms), and the event loop is held far longer by linting.
 */
async function readSources(plugin: Prepared, limits: Limits): Promise<void> {
  const { record } = plugin;
  // Without a cache every file is linted: the linter loads while the files are read.
  if (!record) preloadLinter();
  const stamped = !plugin.source.archive;
  for (const file of plugin.files.sources) {
    const absolute = join(plugin.source.root, file.path);
    // Stat before reading: an edit after the stat makes the recorded stamp stale, never the hash.
    const statedAt = Date.now();
    const stats = statSync(absolute, { bigint: true });
    const size = Number(stats.size);
    plugin.bytes += size;
    if (size > limits.maxLintBytes) {
      plugin.hashes[file.path] = await hashFile(absolute);
      addReports(plugin, file.path, [checkReport('unanalyzable', 'tooLarge', { size: String(size), limit: String(limits.maxLintBytes) })]);
      continue;
    }
    const known = record?.files[file.path]?.sourceType === file.sourceType ? record.files[file.path] : undefined;
    if (stamped && known?.stamp !== undefined && known.stamp === currentStamp(stats)) {
      serveFromCache(plugin, file.path, known, known.reports.length > 0 ? readFileSync(absolute, 'utf8') : undefined);
      continue;
    }
    const bytes = readFileSync(absolute);
    const entry = { sourceType: file.sourceType, hash: sha256(bytes), ...(stamped ? { stamp: statStamp(stats, statedAt) } : {}) };
    plugin.hashes[file.path] = entry.hash;
    if (known?.hash === entry.hash) {
      if (entry.stamp !== known.stamp) plugin.entriesChanged = true;
      serveFromCache(plugin, file.path, { ...entry, reports: known.reports }, bytes.toString('utf8'));
    } else {
      preloadLinter();
      plugin.pending.push({ file, code: bytes.toString('utf8'), entry });
    }
  }
}

function serveFromCache(plugin: Prepared, path: string, entry: FileEntry, text: string | undefined): void {
  plugin.cached++;
  plugin.hashes[path] = entry.hash;
  plugin.entries.set(path, entry);
  addReports(plugin, path, entry.reports, text);
}

/** The analyzer's own checks: lifecycle scripts, native binaries, escaping symlinks, the entry module, the Warden version. */
async function runChecks(plugin: Prepared, hostVersion: string): Promise<void> {
  const { root } = plugin.source;
  for (const manifestPath of plugin.files.packageManifests) {
    const text = await hashAndRead(plugin, manifestPath);
    addReports(plugin, manifestPath, installScriptReports(text), text);
  }
  for (const gyp of plugin.files.gypPackages) {
    addReports(plugin, gyp, [checkReport('install-script', 'nodeGyp', {})], await hashAndRead(plugin, gyp));
  }
  for (const native of plugin.files.natives) {
    plugin.hashes[native.path] = await hashFile(join(root, native.path));
    plugin.bytes += (await stat(join(root, native.path))).size;
    addReports(plugin, native.path, [checkReport('native-binary', 'binary', { format: native.format })]);
  }
  for (const link of plugin.files.escapingLinks) {
    addReports(plugin, link, [checkReport('unanalyzable', 'escapingLink', { target: await readlink(join(root, link)) })]);
  }
  const manifestText = () => readFile(join(root, 'package.json'), 'utf8');
  const main = join(root, plugin.manifest.main);
  if (!isInside(root, main) || !existsSync(main)) {
    const text = await manifestText();
    addReports(plugin, 'package.json', [checkReport('manifest', 'mainMissing', { main: plugin.manifest.main }, keyLocation(text, 'main'))], text);
  }
  const range = plugin.manifest.engines.warden;
  if (!satisfies(hostVersion, range, { includePrerelease: true })) {
    const text = await manifestText();
    addReports(plugin, 'package.json', [checkReport('manifest', 'enginesMismatch', { range, version: hostVersion }, keyLocation(text, ['engines', 'warden']))], text);
  }
}

async function hashAndRead(plugin: Prepared, relative: string): Promise<string> {
  const bytes = await readFile(join(plugin.source.root, relative));
  plugin.hashes[relative] = sha256(bytes);
  plugin.bytes += bytes.length;
  return bytes.toString('utf8');
}

async function lintPending(plugin: Prepared, linting: Linting, cache: PluginCache | undefined, fileDone: () => void): Promise<void> {
  // Largest first, so one big file does not start last and leave the other cores idle.
  const tasks = plugin.pending.sort((a, b) => b.code.length - a.code.length);
  plugin.pending = [];
  await Promise.all(
    tasks.map(async ({ file, code, entry }) => {
      const reports = await linting.lint({ code, filename: file.path, sourceType: file.sourceType }).then(
        (reports) => {
          plugin.entries.set(file.path, { ...entry, reports });
          plugin.entriesChanged = true;
          return reports;
        },
        // A worker that dies on a file (out of memory, a crash) makes that file unanalyzable, not the run; not cached.
        (error: Error) => [checkReport('unanalyzable', 'failed', { reason: error.message.split('\n')[0] })],
      );
      addReports(plugin, file.path, reports, code);
      fileDone();
    }),
  );
  if (cache && plugin.record) await updateRecord(cache, plugin.record, plugin);
}

/**
 * Writes the plugin's record when it changed: new or changed files, files
 * gone, stamps gained. A file a worker failed on, or one too large to lint,
 * has no entry and is read again next time. A warm run writes nothing.
 */
async function updateRecord(cache: PluginCache, old: PluginRecord, plugin: Prepared): Promise<void> {
  // Every entry served as the record had it, and no file of the record gone: nothing to write.
  if (!plugin.entriesChanged && plugin.entries.size === Object.keys(old.files).length) return;
  const files: Record<string, FileEntry> = {};
  for (const { path } of plugin.files.sources) {
    const entry = plugin.entries.get(path);
    if (entry) files[path] = entry;
  }
  await cache.write({ ...old, files });
}

function conclude(plugin: Prepared, tier: Tier, policy: Policy): PluginAnalysis {
  const findings = assess(
    [...plugin.reports].map(([file, reports]) => ({ file, reports })),
    plugin.manifest.capabilities,
  );
  const sourceLines: PluginAnalysis['sourceLines'] = {};
  for (const [file, text] of plugin.texts) sourceLines[file] = linesAround(text, findings.filter((finding) => finding.file === file));
  const files = plugin.files.sources.length + plugin.files.natives.length + plugin.files.packageManifests.length + plugin.files.gypPackages.length;
  return {
    schemaVersion: 1,
    plugin: identityOf(plugin.manifest),
    tier,
    decision: decide(findings, tier, policy),
    findings,
    stats: { files, bytes: plugin.bytes, durationMs: Math.round(performance.now() - plugin.started), cached: plugin.cached },
    manifest: plugin.manifest,
    hashes: plugin.hashes,
    source: plugin.path,
    sourceLines,
  };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** sha256 of each file, keyed by its path relative to `root`: what the host compares at load with `hashes`. */
export async function hashFiles(root: string, relPaths: string[]): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const path of relPaths) hashes[path] = await hashFile(join(root, path));
  return hashes;
}
