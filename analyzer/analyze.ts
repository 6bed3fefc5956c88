/**
 * The gate's pipeline for one or many plugins: open the package, validate
 * the manifest, list what it ships, read and lint its code (reusing cached
 * results, through one shared worker pool when the work is big enough),
 * follow the module graph from the entry points into whatever else Node
 * could run — a production dependency's files, a file of any extension that
 * is loaded — until nothing new is reached, mark what no entry point reaches,
 * add the analyzer's own checks, assess, decide per tier. Temporary folders
 * are removed whatever happens.
 */
import { createHash } from 'node:crypto';
import satisfies from 'semver/functions/satisfies.js';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { readdir, realpath } from 'node:fs/promises';
import { readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SOURCE_EXTENSIONS } from '../rules/extensions.js';
import type { RawReport } from '../rules/utils/report.js';
import { assess } from './assess.js';
import { currentStamp, defaultCacheDir, PluginCache, pluginLocator, recordListing, statStamp, type FileEntry, type PluginRecord } from './cache.js';
import { prepareCacheDir } from './cache-dir.js';
import { checkReport, keyLocation } from './checks.js';
import { openRegularFile, readFile, readRegularFileSync, stat } from './fast-fs.js';
import { excerptOf, linesAround, linesFromExcerpt, type Excerpt, type SourceLines } from './excerpts.js';
import { isCarriedExecutable, listFiles, PackageTypes, type PluginFiles, type SourceType } from './files.js';
import { installScriptReports, scriptEntries, shipsNodeCommand } from './install-scripts.js';
import { isDangerousCommand } from '../rules/utils/commands.js';
import { pollutingKeyPath, pollutingTextKey } from './polluting-data.js';
import { unreadDependencies } from './dependency-sources.js';
import type { LintResult } from './lint-file.js';
import { DEFAULT_LIMITS, type Limits } from './limits.js';
import { identityOf, loadManifest } from './manifest.js';
import { ModuleGraph, namesOwnFile } from './module-graph.js';
import { packageName } from '../rules/utils/specifiers.js';
import { isStart } from '../rules/utils/start-vias.js';
import type { LoadRecord } from '../rules/utils/load-records.js';
import { isArchivePath, isInside, openPackage, type PackageSource } from './package-source.js';
import { decide, defaultPolicy } from './policy.js';
import { createLinting, preloadLinter, type Linting } from './pool.js';
import type { Finding, Manifest, PluginAnalysis, Policy, Tier } from './types.js';
import { WARDEN_VERSION } from './warden-package.js';
import { isWasmMain, wasmEntryPath } from '../api/wasm-api.js';
import { readWasmModule } from './wasm-imports.js';

export interface AnalyzeOptions {
  tier?: Tier;
  policy?: Policy;
  /** false bypasses the cache entirely (neither read nor written). */
  cache?: boolean;
  cacheDir?: string;
  limits?: Limits;
  /** The Warden version `engines.warden` must include (default: this package's). */
  hostVersion?: string;
  /** ESLint-style patterns (relative to each plugin's root) of files the gate need not read unless an entry point reaches them. */
  ignorePatterns?: string[];
}

export interface Progress {
  filesDone: number;
  filesTotal: number;
  pluginsDone: number;
  pluginsTotal: number;
}

interface PendingLint {
  path: string;
  sourceType: SourceType;
  code: string;
  /** What the cache will hold for the file once linted (its result added then). */
  entry: Omit<FileEntry, 'result'>;
}

/** One plugin between reading and assessing. */
interface Prepared {
  path: string;
  started: number;
  source: PackageSource;
  manifest: Manifest;
  files: PluginFiles;
  graph: ModuleGraph;
  types: PackageTypes;
  hashes: Record<string, string>;
  bytes: number;
  cached: number;
  /** Every file read as code, and what linting it gave. */
  results: Map<string, LintResult>;
  /** Files queued or read as code, so none is read twice. */
  seen: Set<string>;
  /** Reports of the analyzer's own checks, by file. */
  checks: Map<string, RawReport[]>;
  /** Text of files that have reports, for code frames. */
  texts: Map<string, string>;
  /** Lifecycle scripts whose `node -e` code does something high or worse. */
  dangerousInline: Set<string>;
  /** Lifecycle scripts whose inline `node -e` code uses the file system. */
  inlineFileUse: Set<string>;
  /** Files with a load of a file of the plugin's own that resolves to nothing the gate can read. */
  unresolvedLoads: Set<string>;
  /** The cache's excerpts of files served without being read (see linesFor). */
  excerpts: Map<string, Excerpt>;
  pending: PendingLint[];
  /** The plugin's cache record as read; `entries` becomes the new one (files whose results can be cached). */
  record: PluginRecord | undefined;
  entries: Map<string, FileEntry>;
  /** Some entry differs from the record's (a new result, a new stamp), or the listing does. */
  recordChanged: boolean;
  /** Where each file's loads land. */
  edges: Map<string, string[]>;
  /** Files a load names that only a devDependency would provide: they are not installed with the plugin. */
  /** Loads of packages the plugin does not bring: devDependencies (`present` when installed all the same) and packages it does not ship. */
  packageLoads: { file: string; line: number; name: string; kind: 'devDependency' | 'devDependencyPresent' | 'notShipped' }[];
  /** Where the host and a user start the plugin's code: `main`, `exports`, `bin`. */
  runtimeEntries: string[];
  /** The files each lifecycle script runs with `node`. */
  installs: [script: string, files: string[]][];
  /** Code lifecycle scripts hand to `node -e`. */
  inlineScripts: { script: string; code: string }[];
  /** What the entry points reach, once the graph is complete (runChecks works it out). */
  reachable?: Set<string>;
  /** Matches the files `--ignore-pattern` and `warden.ignores` name. */
  ignored: (file: string) => boolean;
  /** The Warden version `engines.warden` must include. */
  hostVersion: string;
  /** Sources the patterns ignore, not read unless the graph reaches them (or reaches something it cannot name). */
  deferred: Map<string, SourceType>;
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
    for (const path of paths) prepared.push(await prepare(path, cache, limits, options.ignorePatterns ?? [], options.hostVersion ?? WARDEN_VERSION));
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
    const tick = (field: 'filesDone' | 'pluginsDone' | 'filesTotal', by = 1) => {
      progress[field] += by;
      onProgress?.({ ...progress });
    };
    return await Promise.all(
      prepared.map(async (plugin) => {
        await explore(plugin, linting!, cache, limits, tick);
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

async function prepare(path: string, cache: PluginCache | undefined, limits: Limits, ignorePatterns: string[], hostVersion: string): Promise<Prepared> {
  const started = performance.now();
  const source = await openPackage(path, limits);
  try {
    const manifest = await loadManifest(source.root, source.display);
    const record = cache && (await cache.read(source.archive ? pluginLocator('archive', await realpath(path)) : pluginLocator('folder', source.root)));
    let listingChanged = false;
    // An archive ships every entry it holds; a folder ships what npm pack would include.
    const files = await listFiles(source.root, { everything: isArchivePath(path), cache: record && recordListing(record, () => (listingChanged = true)) });
    const shipped = shippedPaths(files);
    const plugin: Prepared = {
      path, started, source, manifest, files, graph: new ModuleGraph(source.root, manifest, shipped), types: new PackageTypes(source.root),
      hashes: {}, bytes: 0, cached: 0, results: new Map(), seen: new Set(), checks: new Map(), texts: new Map(), dangerousInline: new Set(), inlineFileUse: new Set(), unresolvedLoads: new Set(), excerpts: new Map(), pending: [], record, entries: new Map(), recordChanged: listingChanged, edges: new Map(), packageLoads: [],
      runtimeEntries: [], installs: [], inlineScripts: [], deferred: new Map(),
      ignored: await ignoreMatcher([...ignorePatterns, ...(manifest.warden?.ignores ?? [])]),
      hostVersion,
    };
    plugin.runtimeEntries = plugin.graph.runtimeEntries();
    plugin.installs = await installEntries(plugin);
    // Every shipped source but the ignored ones, and the entry points and `imports` targets whatever their extension.
    const first = new Map(files.sources.filter((file) => !plugin.ignored(file.path)).map((file) => [file.path, file.sourceType]));
    for (const file of files.sources) if (plugin.ignored(file.path)) plugin.deferred.set(file.path, file.sourceType);
    for (const entry of [...plugin.runtimeEntries, ...plugin.graph.importTargets(), ...allEntries(plugin)]) {
      if (!first.has(entry) && isCode(plugin, entry)) first.set(entry, plugin.types.sourceTypeOf(entry));
    }
    await readSources(plugin, first, limits);
    return plugin;
  } catch (error) {
    await source.close();
    throw error;
  }
}

/** Read as code: anything Node could run, which is everything but JSON, addons and other binaries. */
function isCode(plugin: Prepared, path: string): boolean {
  return !/\.json$/i.test(path) && !/\.node$/i.test(path) && path !== wasmEntry(plugin) && !plugin.files.natives.some((native) => native.path === path);
}

/** The entry module of a WebAssembly plugin (read as a module: its imports, not its bytes, are what it can do); undefined for JavaScript. */
function wasmEntry(plugin: Prepared): string | undefined {
  return isWasmMain(plugin.manifest.main) ? wasmEntryPath(plugin.manifest.main) : undefined;
}

/** The files each lifecycle script of the plugin runs with `node`; code it gives inline is kept for `explore`, which reads it. */
async function installEntries(plugin: Prepared): Promise<[string, string[]][]> {
  const text = await readFile(join(plugin.source.root, 'package.json'), 'utf8');
  const out: [string, string[]][] = [];
  for (const [script, entries] of scriptEntries(text)) {
    out.push([script, plugin.graph.scriptFiles(entries.files)]);
    if (entries.code.length) plugin.inlineScripts.push(...entries.code.map((code) => ({ script, code })));
  }
  return out;
}

/** Inline `node -e` code of a lifecycle script is run from the plugin root: what it loads are install entry points too. */
async function readInlineScripts(plugin: Prepared, linting: Linting): Promise<Map<string, SourceType>> {
  const reached = new Map<string, SourceType>();
  for (const { script, code } of plugin.inlineScripts) {
    const { loads, reports } = await lintInlineScript(plugin, linting, script, code);
    if (reports.some(isHighOrWorse)) plugin.dangerousInline.add(script);
    if (reports.some(usesFilesAtInstall)) plugin.inlineFileUse.add(script);
    const entry = plugin.installs.find(([name]) => name === script)!;
    for (const load of loads) {
      const target = load.specifier === undefined ? undefined : plugin.graph.resolve('package.json', load.specifier, load.via);
      if (target?.kind !== 'files') continue;
      entry[1].push(...target.paths);
      for (const path of target.paths) if (!plugin.seen.has(path) && isCode(plugin, path)) reached.set(path, plugin.types.sourceTypeOf(path));
    }
  }
  return reached;
}

/**
 * The lint result of a `node -e` script's code, from the cache record when it holds one for this exact code: a warm
 * run would otherwise load the parser and the rules for the package.json of every plugin with such a script. The
 * record's key is no path npm can pack (`#` and the code's hash), and the result depends only on the code and the
 * script's name, both in the key.
 */
async function lintInlineScript(plugin: Prepared, linting: Linting, script: string, code: string): Promise<LintResult> {
  const filename = `package.json#${script}`;
  const hash = sha256(code);
  const key = `${filename}@${hash}`;
  const known = plugin.record?.files[key];
  if (!known) plugin.recordChanged = true;
  const result = known?.result ?? (await linting.lint({ code, filename, sourceType: 'commonjs' }));
  plugin.entries.set(key, { sourceType: 'commonjs', hash, result });
  return result;
}

/**
 * A file reachable code hands to a shell is a shell script too, whatever its name: each of its lines is judged as a
 * lifecycle script's command is (a JavaScript file whose first line is `//bin/true; curl … | sh` is a comment to
 * Node and two commands to sh).
 */
async function addShellScripts(plugin: Prepared, reachable: Set<string>): Promise<void> {
  const run = new Map<string, string>();
  const scripts = new Map<string, string>();
  for (const [file, result] of plugin.results) {
    if (!reachable.has(file)) continue;
    for (const load of result.loads) {
      if (load.via === 'shell') for (const target of startedTargets(plugin, file, load)) run.set(target, `${file}:${load.line}`);
      if (load.via === 'script' && load.specifier !== undefined) scripts.set(load.specifier, `${file}:${load.line}`);
    }
  }
  if (scripts.size > 0) await addScriptsRun(plugin, scripts);
  for (const [target, from] of run) {
    const text = plugin.texts.get(target) ?? (await hashAndRead(plugin, target));
    const lines = text.split(/\r?\n/);
    const at = lines.findIndex(isDangerousCommand);
    if (at < 0) continue;
    const report = checkReport('shell-script', 'dangerous', { from, line: lines[at].trim().slice(0, 80) }, { line: at + 1, column: 1, endLine: at + 1, endColumn: lines[at].length + 1 });
    addCheckReports(plugin, target, [report], text);
  }
}

/** `node --run sync`, `npm run sync`: the script runs as a lifecycle script does, in the plugin's process's rights. */
async function addScriptsRun(plugin: Prepared, scripts: Map<string, string>): Promise<void> {
  const text = plugin.texts.get('package.json') ?? (await hashAndRead(plugin, 'package.json'));
  const declared = (JSON.parse(text) as { scripts?: Record<string, unknown> }).scripts ?? {};
  const reports: RawReport[] = [];
  for (const [script, from] of scripts) {
    const command = Object.hasOwn(declared, script) ? declared[script] : undefined;
    if (typeof command !== 'string' || !isDangerousCommand(command)) continue;
    reports.push(checkReport('shell-script', 'dangerousScript', { script, from, command: command.slice(0, 120) }, keyLocation(text, ['scripts', script])));
  }
  addCheckReports(plugin, 'package.json', reports, text);
}

function addUnreadDependencies(plugin: Prepared, text: string): void {
  const reports = unreadDependencies(JSON.parse(text) as Record<string, unknown>, plugin.source.root).map(({ field, name, spec, source }) =>
    checkReport('unread-dependency', source, { field, name, spec }, keyLocation(text, [field, name])),
  );
  addCheckReports(plugin, 'package.json', reports, text);
}

function addPollutingData(plugin: Prepared, path: string, text: string): void {
  const found = pollutingKeyPath(text) ?? pollutingTextKey(path, text);
  if (found !== undefined) addCheckReports(plugin, path, [checkReport('polluting-data', 'pollutingKey', { path: found }, keyLocation(text, found.split('.').at(-1)!))], text);
}

/** True when `node <target>`, run from the plugin root, runs files of the plugin that the gate has read. */
function isReadScriptFile(plugin: Prepared, target: string): boolean {
  const paths = plugin.graph.scriptFiles([target]);
  return paths.length > 0 && paths.every((path) => plugin.seen.has(path));
}

/** A file use that is not confined at install: anything but reading the package's own files by their full path. */
function usesFilesAtInstall(report: RawReport): boolean {
  return report.kind.category === 'filesystem' && !(report.messageId === 'ownFiles' && report.data.relative === 'no');
}

function isHighOrWorse(report: RawReport): boolean {
  return report.kind.severity === 'critical' || report.kind.severity === 'high';
}

function addCheckReports(plugin: Prepared, file: string, reports: RawReport[], text?: string): void {
  if (reports.length === 0) return;
  plugin.checks.set(file, [...(plugin.checks.get(file) ?? []), ...reports]);
  if (text !== undefined) plugin.texts.set(file, text);
}

/**
 * Reads new code files and looks each up in the plugin's cache record. A
 * file whose stat stamp matches its entry is served without being read
 * (only read for its code frames if it has reports); the stamp is only ever
 * recorded for folders, never for an archive's fresh extraction. Any other
 * file is read and hashed: the same hash is served, a new one is queued for
 * linting.
 *
 * Synchronous on purpose: a warm run is hundreds of stats, which cost 5 to
 * 10 times as much through the thread pool (bench corpus: ~1–3 ms in all
 * against ~12–17 ms), and the event loop is held far longer by linting.
 */
async function readSources(plugin: Prepared, files: Map<string, SourceType>, limits: Limits): Promise<void> {
  const { record } = plugin;
  // Without a cache every file is linted: the linter loads while the files are read.
  if (!record) preloadLinter();
  const stamped = !plugin.source.archive;
  for (const [path, sourceType] of files) {
    if (plugin.seen.has(path)) continue;
    plugin.seen.add(path);
    const absolute = join(plugin.source.root, path);
    // Stat before reading: an edit after the stat makes the recorded stamp stale, never the hash.
    const statedAt = Date.now();
    const stats = statSync(absolute, { bigint: true });
    const size = Number(stats.size);
    plugin.bytes += size;
    if (size > limits.maxLintBytes) {
      plugin.hashes[path] = await hashFile(absolute);
      const report = checkReport('unanalyzable', 'tooLarge', { size: String(size), limit: String(limits.maxLintBytes) });
      plugin.results.set(path, { reports: [report], loads: [] });
      continue;
    }
    const known = record?.files[path]?.sourceType === sourceType ? record.files[path] : undefined;
    if (stamped && known?.stamp !== undefined && known.stamp === currentStamp(stats)) {
      serveFromCache(plugin, path, known);
      continue;
    }
    const bytes = readFileSync(absolute);
    const entry = { sourceType, hash: sha256(bytes), ...(stamped ? { stamp: statStamp(stats, statedAt) } : {}) };
    plugin.hashes[path] = entry.hash;
    if (known?.hash === entry.hash) {
      if (entry.stamp !== known.stamp) plugin.recordChanged = true;
      serveFromCache(plugin, path, { ...entry, result: known.result, ...(known.excerpt ? { excerpt: known.excerpt } : {}) });
    } else {
      preloadLinter();
      plugin.pending.push({ path, sourceType, code: bytes.toString('utf8'), entry });
    }
  }
}

function serveFromCache(plugin: Prepared, path: string, entry: FileEntry): void {
  plugin.cached++;
  plugin.hashes[path] = entry.hash;
  plugin.entries.set(path, entry);
  plugin.results.set(path, entry.result);
  if (entry.excerpt) plugin.excerpts.set(path, entry.excerpt);
}

/**
 * Writes the plugin's record when it changed: new or changed files, files
 * gone, stamps gained, a new listing. A file a worker failed on, or one too
 * large to lint, has no entry and is read again next time. A warm run writes
 * nothing.
 */
async function updateRecord(cache: PluginCache, old: PluginRecord, plugin: Prepared): Promise<void> {
  // Every entry served as the record had it, and no file of the record gone: nothing to write.
  if (!plugin.recordChanged && plugin.entries.size === Object.keys(old.files).length) return;
  await cache.write({ ...old, files: Object.fromEntries(plugin.entries) });
}

type Tick = (field: 'filesDone' | 'pluginsDone' | 'filesTotal', by?: number) => void;

/** Lints what is queued, follows every load to the files it reaches, and reads those, until nothing new is reached. */
async function explore(plugin: Prepared, linting: Linting, cache: PluginCache | undefined, limits: Limits, tick: Tick): Promise<void> {
  const inline = await readInlineScripts(plugin, linting);
  if (inline.size) await readSources(plugin, inline, limits);
  for (;;) {
    await lintPending(plugin, linting, () => tick('filesDone'));
    let reached = await followLoads(plugin, linting);
    // Nothing new by name: if reachable code loads what the gate cannot name, every installed file it might load is read too.
    if (reached.size === 0 && loadsUnnamedFrom(plugin, reach(plugin, allEntries(plugin)))) {
      reached = new Map([...(await installedSources(plugin)), ...plugin.deferred]);
      for (const path of plugin.seen) reached.delete(path);
    }
    if (reached.size === 0) break;
    const before = plugin.pending.length;
    await readSources(plugin, reached, limits);
    tick('filesTotal', plugin.pending.length - before);
  }
  if (cache && plugin.record) await updateRecord(cache, plugin.record, plugin);
  await runChecks(plugin);
}

/** Resolves the loads of every file read so far; returns the code files reached that were not read yet. */
async function followLoads(plugin: Prepared, linting: Linting): Promise<Map<string, SourceType>> {
  const reached = new Map<string, SourceType>();
  for (const [file, result] of plugin.results) {
    if (plugin.edges.has(file)) continue;
    const targets: string[] = [];
    for (const load of result.loads) {
      if (isStart(load.via)) targets.push(...startedTargets(plugin, file, load));
      else if (load.specifier !== undefined) {
        const target = plugin.graph.resolve(file, load.specifier, load.via);
        if (target.kind === 'files') targets.push(...target.paths);
        else if (target.kind === 'devDependency') plugin.packageLoads.push({ file, line: load.line, name: target.name, kind: target.present ? 'devDependencyPresent' : 'devDependency' });
        // One loaded inside a `try` is the optional idiom (a local config, an optional package): its absence is expected.
        else if (target.kind === 'missing' && !load.optional) {
          // A file of its own the plugin names but the gate cannot find: Node may find what the gate did not read.
          if (namesOwnFile(load.specifier)) plugin.unresolvedLoads.add(file);
          // A package it neither ships nor declares for development: Node would look above the plugin.
          else if (!load.specifier.startsWith('#')) plugin.packageLoads.push({ file, line: load.line, name: packageName(load.specifier), kind: 'notShipped' });
        }
        // `require('#sys')` with `"imports": { "#sys": "child_process" }`: judged as a load of what it stands for.
        for (const module of plugin.graph.aliasedModules(file, load.specifier)) {
          const { reports } = await linting.lint({ code: `require(${JSON.stringify(module)});`, filename: `${file}#imports`, sourceType: 'commonjs' });
          const at = { line: load.line, column: 1, endLine: load.line, endColumn: 1 };
          addCheckReports(plugin, file, reports.map((report) => ({ ...report, message: `${report.message} (through the "${load.specifier}" alias in package.json imports)`, loc: at })));
        }
      } else if (load.prefix?.startsWith('.')) {
        // `require('./locales/' + path.basename(f))`: any file under that folder; `require('./locales/' + lang)`: any
        // file of the plugin, since the rest can climb (`'../lib/net'`).
        const folder = posix.normalize(posix.join(posix.dirname(file), load.prefix));
        targets.push(...knownFiles(plugin).filter((path) => (!load.oneName || path.startsWith(folder)) && !path.startsWith('..')));
      }
    }
    plugin.edges.set(file, [...new Set(targets)]);
    for (const target of targets) {
      if (plugin.seen.has(target) || reached.has(target)) continue;
      if (/\.node$/i.test(target) && !plugin.files.natives.some((native) => native.path === target)) plugin.files.natives.push({ path: target, format: 'Node addon' });
      if (isCode(plugin, target)) reached.set(target, plugin.types.sourceTypeOf(target));
    }
  }
  return reached;
}

/**
 * The files a thread or Node process started by `file` runs: a started path that resolves to nothing the gate read
 * (or does not fold) is a load it cannot name, as `require(x)` is.
 */
function startedTargets(plugin: Prepared, file: string, load: LoadRecord): string[] {
  // A package.json script run by name starts no file by that name (addShellScripts judges the script).
  if (load.via === 'script') return [];
  if (load.specifier === undefined) {
    if (!load.prefix?.startsWith('.')) return [];
    const folders = new Set([posix.normalize(load.prefix), posix.normalize(posix.join(posix.dirname(file), load.prefix))]);
    return knownFiles(plugin).filter((path) => !path.startsWith('..') && (!load.oneName || [...folders].some((folder) => path.startsWith(folder))));
  }
  const target = plugin.graph.resolveStarted(file, load.specifier);
  if (target.kind === 'files') return target.paths;
  if (target.kind === 'missing') plugin.unresolvedLoads.add(file);
  return [];
}

/** What the plugin ships, as the listing found it (and the addons the graph has added to it since). */
function shippedPaths(files: PluginFiles): string[] {
  return [...files.sources.map((file) => file.path), ...files.natives.map((native) => native.path), ...files.others];
}

/** Every file the gate knows of, the sources the ignore patterns hold back included (a load reaches those too). */
function knownFiles(plugin: Prepared): string[] {
  return [...plugin.seen, ...plugin.deferred.keys(), ...plugin.files.others, ...plugin.files.natives.map((native) => native.path)];
}

/** Some of these files loads what the gate cannot name (`require(x)`, `require` handed on): then anything installed may run. */
function loadsUnnamedFrom(plugin: Prepared, files: Iterable<string>): boolean {
  for (const file of files) if (plugin.unresolvedLoads.has(file) || loadsUnnamed(plugin.results.get(file))) return true;
  return false;
}

function loadsUnnamed(result: LintResult | undefined): boolean {
  if (!result) return false;
  // A file the gate could not read may load anything.
  if (result.reports.some((report) => report.ruleId === 'unanalyzable' && report.messageId !== 'notJavaScript')) return true;
  if (result.loads.some((load) => load.specifier === undefined && !load.prefix?.startsWith('./'))) return true;
  // `require` or the module loader handed on may load anything; a builtin module's object handed on (`crypto`) loads nothing.
  return result.reports.some((report) => report.ruleId === 'no-capability-escape' && (report.messageId === 'escapeModule' || report.messageId === 'escapeLoader'));
}

function allEntries(plugin: Prepared): string[] {
  return [...plugin.runtimeEntries, ...plugin.installs.flatMap(([, files]) => files)];
}

/** Without an entry point the graph proves nothing about what runs, so nothing counts as unreachable. */
function graphUnknown(plugin: Prepared): boolean {
  return plugin.runtimeEntries.length === 0;
}

/** Every file from the given entries on, following the graph's edges. */
function reach(plugin: Prepared, entries: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...(plugin.edges.get(file) ?? []));
  }
  return seen;
}

/** Source files of every installed package the graph has reached, when an unnamed load could load any of them. */
async function installedSources(plugin: Prepared): Promise<Map<string, SourceType>> {
  const packages = new Set<string>();
  for (const file of plugin.seen) {
    const parts = file.split('/');
    const at = parts.lastIndexOf('node_modules');
    if (at >= 0) packages.add(parts.slice(0, at + (parts[at + 1]?.startsWith('@') ? 3 : 2)).join('/'));
  }
  const out = new Map<string, SourceType>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(join(plugin.source.root, dir), { withFileTypes: true }).catch(() => [])) {
      const path = posix.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules') await walk(path);
      else if (entry.isFile() && SOURCE_EXTENSIONS.has(posix.extname(entry.name).toLowerCase())) out.set(path, plugin.types.sourceTypeOf(path));
    }
  };
  for (const dir of packages) await walk(dir);
  return out;
}

/** The analyzer's own checks: lifecycle scripts, native binaries, escaping symlinks, the entry module, the Warden version, devDependency loads. */
async function runChecks(plugin: Prepared): Promise<void> {
  const { root } = plugin.source;
  const reachable = reachableFiles(plugin);
  // An ignored source never read is still hashed: the host can then tell it from a file added after the analysis.
  for (const path of plugin.deferred.keys()) if (!plugin.seen.has(path)) plugin.hashes[path] = await hashFile(join(root, path));
  // A script's file that does anything high or worse does it at install, before any sandbox exists. One that uses
  // the file system at all does it with the user's rights and npm's working directory, the package folder, where a
  // relative path the rules place in the data folder really lands.
  const dangerous = new Map<string, string>();
  const usesFiles = new Map<string, string>();
  for (const [script, entries] of plugin.installs) {
    const files = [...reach(plugin, entries)];
    const bad = files.find((file) => plugin.results.get(file)?.reports.some(isHighOrWorse));
    if (bad) dangerous.set(script, bad);
    else if (plugin.dangerousInline.has(script)) dangerous.set(script, 'the code it gives node -e');
    const user = files.find((file) => plugin.results.get(file)?.reports.some(usesFilesAtInstall));
    if (user) usesFiles.set(script, user);
    else if (plugin.inlineFileUse.has(script)) usesFiles.set(script, 'the code it gives node -e');
  }
  await addShellScripts(plugin, reachable);
  const manifests = new Map<string, string>();
  for (const manifestPath of plugin.files.packageManifests) manifests.set(manifestPath, await hashAndRead(plugin, manifestPath));
  // A shipped command named `node` is what `node setup.js` runs: then no script runs only code the gate read.
  const nodeIsNode = !shipsNodeCommand(manifests, shippedPaths(plugin.files));
  for (const [manifestPath, text] of manifests) {
    const root = manifestPath === 'package.json';
    const isReadFile = nodeIsNode ? (target: string) => isReadScriptFile(plugin, target) : undefined;
    const facts = root ? { bundled: false, dangerousEntries: dangerous, fileUsingEntries: usesFiles, inlineCodeLinted: true, isReadFile } : { bundled: true };
    addCheckReports(plugin, manifestPath, installScriptReports(text, facts), text);
    addPollutingData(plugin, manifestPath, text);
    if (root) addUnreadDependencies(plugin, text);
  }
  // Shipped data (whatever its extension: code reads it with JSON.parse as readily as require reads a .json) and
  // JSON a load reaches (a bundled dependency's data too): read as data that could pollute prototypes.
  const jsonFiles = new Set([...plugin.files.others, ...[...plugin.edges.values()].flat().filter((path) => /\.json$/i.test(path))].filter((path) => !manifests.has(path)));
  for (const path of jsonFiles) addPollutingData(plugin, path, await hashAndRead(plugin, path));
  for (const gyp of plugin.files.gypPackages) {
    addCheckReports(plugin, gyp, [checkReport('install-script', 'nodeGyp', {})], await hashAndRead(plugin, gyp));
  }
  const wasm = wasmEntry(plugin);
  for (const native of plugin.files.natives) {
    if (native.path === wasm) continue;
    plugin.hashes[native.path] = await hashFile(join(root, native.path));
    plugin.bytes += (await stat(join(root, native.path))).size;
    addCheckReports(plugin, native.path, [checkReport('native-binary', 'binary', { format: native.format })]);
  }
  for (const link of [...plugin.files.escapingLinks, ...plugin.graph.escapingLinks]) {
    addCheckReports(plugin, link, [checkReport('unanalyzable', 'escapingLink', { target: await readlink(join(root, link)).catch(() => 'outside the plugin') })]);
  }
  const manifestText = () => readFile(join(root, 'package.json'), 'utf8');
  const main = join(root, plugin.manifest.main);
  // A FIFO or a device is not an entry module: what the host would load from it is whatever is written there then.
  const mainIsFile = isInside(root, main) && statSync(main, { throwIfNoEntry: false })?.isFile() === true;
  if (wasm !== undefined && mainIsFile) {
    const bytes = await readFile(main);
    plugin.hashes[wasm] = sha256(bytes);
    plugin.bytes += bytes.length;
    addCheckReports(plugin, wasm, readWasmModule(bytes, plugin.manifest).reports);
  }
  if (!mainIsFile) {
    const text = await manifestText();
    addCheckReports(plugin, 'package.json', [checkReport('manifest', 'mainMissing', { main: plugin.manifest.main }, keyLocation(text, 'main'))], text);
  }
  const range = plugin.manifest.engines.warden;
  if (!satisfies(plugin.hostVersion, range, { includePrerelease: true })) {
    const text = await manifestText();
    addCheckReports(plugin, 'package.json', [checkReport('manifest', 'enginesMismatch', { range, version: plugin.hostVersion }, keyLocation(text, ['engines', 'warden']))], text);
  }
  for (const load of plugin.packageLoads) {
    if (!reachable.has(load.file)) continue;
    const at = { line: load.line, column: 1, endLine: load.line, endColumn: 1 };
    addCheckReports(plugin, load.file, [checkReport(load.kind === 'notShipped' ? 'unread-dependency' : 'dev-dependency', load.kind, { name: load.name }, at)]);
  }
}

/** Files some entry point reaches; all of them when reached code loads what the gate cannot name. */
function reachableFiles(plugin: Prepared): Set<string> {
  if (plugin.reachable) return plugin.reachable;
  plugin.reachable = computeReachable(plugin);
  return plugin.reachable;
}

function computeReachable(plugin: Prepared): Set<string> {
  const reachable = reach(plugin, allEntries(plugin));
  if (graphUnknown(plugin) || loadsUnnamedFrom(plugin, reachable)) return new Set([...plugin.results.keys(), ...plugin.files.escapingLinks, ...knownFiles(plugin)]);
  return reachable;
}

async function hashAndRead(plugin: Prepared, relative: string): Promise<string> {
  const bytes = await readFile(join(plugin.source.root, relative));
  plugin.hashes[relative] = sha256(bytes);
  plugin.bytes += bytes.length;
  return bytes.toString('utf8');
}

/** Lints what is queued. */
async function lintPending(plugin: Prepared, linting: Linting, fileDone: () => void): Promise<void> {
  // Largest first, so one big file does not start last and leave the other cores idle.
  const tasks = plugin.pending.sort((a, b) => b.code.length - a.code.length);
  plugin.pending = [];
  await Promise.all(
    tasks.map(async ({ path, code, entry, sourceType }) => {
      const result = await linting.lint({ code, filename: path, sourceType }).then(
        (result) => {
          plugin.entries.set(path, { ...entry, result, ...(result.reports.length ? { excerpt: excerptOf(code, result.reports.map((report) => report.loc)) } : {}) });
          plugin.recordChanged = true;
          return result;
        },
        // A worker that dies on a file (out of memory, a crash) makes that file unanalyzable, not the run; not cached.
        (error: Error) => ({ reports: [checkReport('unanalyzable', 'failed', { reason: error.message.split('\n')[0] })], loads: [] }),
      );
      plugin.results.set(path, result);
      if (result.reports.length) plugin.texts.set(path, code);
      fileDone();
    }),
  );
}

/**
 * An unplaced path that another module of the plugin gives (`fs.readFileSync(logFile(ctx))`, `paths(ctx).state`),
 * whose export that module proves in the data folder for host-object arguments: placed there after all. The rules
 * read one file at a time; this join is the analyzer's, over both files' results.
 */
function placedByExport(plugin: Prepared, file: string, report: RawReport): boolean {
  const from = report.ruleId === 'no-filesystem' && report.messageId === 'unprovenPath' ? report.data?.from : undefined;
  if (!from) return false;
  const at = from.lastIndexOf('#');
  const [specifier, key] = [from.slice(0, at), from.slice(at + 1)];
  const targets = importedResults(plugin, file, specifier, 'require');
  return targets.length > 0 && targets.every((result) => result?.dataExports?.includes(key) ?? false);
}

/**
 * The writes a file makes on what it imports from another file of the plugin (`base.shell = …`), kept where
 * that file exports a shared built-in under the key read (`export const base = Object.getPrototypeOf({})`).
 */
function writesOnSharedImports(plugin: Prepared, file: string, result: LintResult): RawReport[] {
  return (result.importedWrites ?? []).filter((write) => exportsShared(plugin, file, write.specifier, write.via, write.key)).map((write) => write.report);
}

/** How many barrels a re-export is followed through: a padded chain of barrels costs an attacker nothing. */
const MAX_REEXPORT_HOPS = 8;

/**
 * True when what `specifier` (from `file`) exports as `key` is a shared built-in there, or a re-export of one from a
 * further file (`export { list } from './protos.js'`, `export * from …`, `module.exports = require(…)`).
 */
function exportsShared(plugin: Prepared, file: string, specifier: string, via: LoadRecord['via'], key: string, hops = 0): boolean {
  return importedFiles(plugin, file, specifier, via).some((path) => {
    const target = plugin.results.get(path);
    if (target?.sharedExports?.includes(key)) return true;
    if (hops >= MAX_REEXPORT_HOPS) return false;
    return (target?.reExports ?? []).some(({ name, specifier: from, via: how, imported }) => {
      if (name === '*') return key !== '' && exportsShared(plugin, path, from, how, key, hops + 1);
      // `list` re-exported, and through it `list()` (an exported function called) and `list.str` (a member of it).
      const rest = key === name ? '' : key.startsWith(name) && /^[.(]/.test(key.slice(name.length)) ? key.slice(name.length) : undefined;
      // The module itself re-exported (`''`): its members are the other file's exports by their own names.
      const there = imported === '' ? rest?.replace(/^\./, '') : rest === undefined ? undefined : `${imported}${rest}`;
      return there !== undefined && exportsShared(plugin, path, from, how, there, hops + 1);
    });
  });
}

/** The plugin's files `specifier` resolves to from `file` (none when it names no file of the plugin). */
function importedFiles(plugin: Prepared, file: string, specifier: string, via: LoadRecord['via']): string[] {
  const target = plugin.graph.resolve(file, specifier, via);
  return target.kind === 'files' ? target.paths : [];
}

/** The lint results of the plugin's files `specifier` resolves to from `file`. */
function importedResults(plugin: Prepared, file: string, specifier: string, via: LoadRecord['via']): (LintResult | undefined)[] {
  return importedFiles(plugin, file, specifier, via).map((path) => plugin.results.get(path));
}

function conclude(plugin: Prepared, tier: Tier, policy: Policy): PluginAnalysis {
  const reachable = reachableFiles(plugin);
  const atInstall = reach(plugin, plugin.installs.flatMap(([, files]) => files));
  const files = new Map<string, RawReport[]>();
  for (const [file, result] of plugin.results) files.set(file, [...result.reports.filter((report) => !placedByExport(plugin, file, report)), ...writesOnSharedImports(plugin, file, result)]);
  for (const [file, reports] of plugin.checks) files.set(file, [...(files.get(file) ?? []), ...reports]);
  // What the patterns ignore and no entry point reaches (a generated binary, a source never read) is not reported.
  const dropped = new Set([...files.keys()].filter((file) => !reachable.has(file) && plugin.ignored(file)));
  const findings = assess(
    [...files].filter(([file]) => !dropped.has(file)).map(([file, reports]) => ({ file, reports, reachable: reachable.has(file) || isAlwaysRun(plugin, file), atInstall: atInstall.has(file) })),
    plugin.manifest.capabilities,
  );
  const hashes = plugin.hashes;
  const sourceLines: PluginAnalysis['sourceLines'] = {};
  for (const file of new Set(findings.map((finding) => finding.file))) {
    const lines = linesFor(plugin, file, findings.filter((finding) => finding.file === file));
    if (lines) sourceLines[file] = lines;
  }
  return {
    schemaVersion: 1,
    plugin: identityOf(plugin.manifest),
    tier,
    decision: decide(findings, tier, policy),
    findings,
    stats: { files: Object.keys(hashes).length, bytes: plugin.bytes, durationMs: Math.round(performance.now() - plugin.started), cached: plugin.cached },
    manifest: plugin.manifest,
    hashes,
    source: plugin.path,
    ...(plugin.source.digest ? { archive: plugin.source.digest } : {}),
    sourceLines,
  };
}

/**
 * The lines a report shows around a file's findings: from its text when the run read it, else from the excerpt the
 * cache kept; a finding the excerpt does not cover (one of the analyzer's own checks) has the file read for it.
 */
function linesFor(plugin: Prepared, file: string, findings: Finding[]): SourceLines | undefined {
  const text = plugin.texts.get(file);
  if (text !== undefined) return linesAround(text, findings);
  const excerpt = plugin.excerpts.get(file);
  if (excerpt === undefined) return undefined;
  return linesFromExcerpt(excerpt, findings) ?? linesAround(readRegularFileSync(join(plugin.source.root, file)).toString('utf8'), findings);
}

/**
 * Manifests and build files act at install whatever the graph says; a load that leads out of the plugin was made;
 * shipped data, and an executable inside an image, a payload, are read by paths the graph does not follow (fs,
 * import attributes, a fetch of its URL).
 */
function isAlwaysRun(plugin: Prepared, file: string): boolean {
  if (plugin.files.others.includes(file)) return true;
  if (plugin.files.natives.some((native) => native.path === file && isCarriedExecutable(native.format))) return true;
  return plugin.files.packageManifests.includes(file) || plugin.files.gypPackages.includes(file) || plugin.graph.escapingLinks.has(file);
}

/** ESLint's pattern rules: relative to the root, `**` for any depth, a trailing `/` for a folder and all it holds. */
async function ignoreMatcher(patterns: string[]): Promise<(file: string) => boolean> {
  if (patterns.length === 0) return () => false;
  // Loaded only for patterns: most plugins have none, and a warm run would pay for compiling it.
  const { default: picomatch } = await import('picomatch');
  const matchers = patterns.map((pattern) => picomatch(pattern.endsWith('/') ? `${pattern}**` : pattern, { dot: true }));
  return (file) => matchers.some((matches) => matches(file));
}

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Streamed (a file too large to lint is hashed too); only a regular file, never waiting on a FIFO (see fast-fs.ts). */
async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream('', { fd: openRegularFile(path) })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * sha256 of each file, keyed by its path relative to `root`: what the host compares at load with `hashes`. A file
 * that is no longer a regular one (a FIFO swapped in after the gate read it) has no hash: it has changed.
 */
export async function hashFiles(root: string, relPaths: string[]): Promise<Record<string, string>> {
  const hashes: Record<string, string> = {};
  for (const path of relPaths) {
    try {
      hashes[path] = await hashFile(join(root, path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EFTYPE') throw error;
    }
  }
  return hashes;
}
