#!/usr/bin/env node
/**
 * Analyzer speed against its peer and its floor, on a real corpus copied
 * from installed packages (eslint's lib/ and typescript-estree's dist/,
 * ~109k lines, wrapped as a plugin in bench/.corpus/). Each measurement runs
 * in a fresh Node process, timed from the call to the result (modules already
 * loaded, as in a long-running host or a watch loop):
 *   Warden cold   analyzePlugin with the cache off
 *   Warden warm   the same with a filled cache
 *   peer          ESLint 10 + eslint-plugin-security's recommended config (Node API)
 *   floor         bare @typescript-eslint/typescript-estree parse of the same files
 * (cold, peer and floor three times each, interleaved; the medians are compared)
 * then the CLI's whole-process wall time (node start-up included) cold and warm,
 * and typescript's ~9 MB lib/typescript.js alone, with its time and peak RSS.
 * Run with `npm run bench` (builds first).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = join(REPO, 'bench/.corpus');
const SOURCES = ['node_modules/eslint/lib', 'node_modules/@typescript-eslint/typescript-estree/dist'];
const CLI = join(REPO, 'dist/cli/main.js');
const TARGETS = { peer: 1.5, floor: 2, warm: 20 };
const ROUNDS = 3;

function jsFiles(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Copies the sources' .js files into a plugin folder; returns it with its file list and line count. */
function buildCorpus() {
  const root = join(CORPUS, 'plugin');
  rmSync(CORPUS, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'corpus', publisher: 'bench', version: '1.0.0', main: 'eslint/lib/api.js', engines: { warden: '*' } }));
  const files = [];
  for (const source of SOURCES) {
    for (const file of jsFiles(join(REPO, source))) {
      const target = join(root, source.replace(/^node_modules\/(@typescript-eslint\/)?/, ''), relative(join(REPO, source), file));
      mkdirSync(dirname(target), { recursive: true });
      cpSync(file, target);
      files.push(target);
    }
  }
  const lines = files.reduce((sum, file) => sum + readFileSync(file, 'utf8').split('\n').length, 0);
  return { root, files, lines };
}

/** Runs `node bench/analyzer.js --measure …` in a fresh process and returns what it printed. */
function measureInChild(...args) {
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--measure', ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (child.status !== 0) throw new Error(`measurement ${args[0]} failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop());
}

function timeNode() {
  const started = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  return performance.now() - started;
}

/** Wall time of a whole CLI run (process start-up included, as a user would see it). */
function timeCli(args) {
  const started = performance.now();
  const child = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (child.status === 2 || child.status === null) throw new Error(`warden analyze failed:\n${child.stderr}`);
  return { ms, report: JSON.parse(child.stdout) };
}

async function measure(what, root, extra) {
  let started = performance.now();
  if (what === 'peer') {
    const { ESLint } = await import('eslint');
    started = performance.now();
    // A config file rather than an inline config: ESLint's worker threads need cloneable options.
    const config = join(CORPUS, 'eslint.config.mjs');
    writeFileSync(config, "import security from 'eslint-plugin-security';\nexport default [security.configs.recommended];\n");
    const eslint = new ESLint({ cwd: root, overrideConfigFile: config, concurrency: process.env.BENCH_CONCURRENCY ?? 'off' });
    const results = await eslint.lintFiles(['**/*.js']);
    console.log(JSON.stringify({ ms: performance.now() - started, files: results.length, problems: results.reduce((n, r) => n + r.messages.length, 0) }));
  } else if (what === 'floor') {
    const { parse } = await import('@typescript-eslint/typescript-estree');
    const texts = JSON.parse(extra).map((file) => readFileSync(file, 'utf8'));
    const parsing = performance.now();
    for (const text of texts) parse(text, { loc: true, range: true, comment: true, tokens: true, jsx: false });
    console.log(JSON.stringify({ ms: performance.now() - parsing, files: texts.length }));
  } else if (what === 'warden') {
    const { analyzePlugin } = await import(join(REPO, 'dist/analyzer/index.js'));
    started = performance.now();
    const options = extra === undefined ? { cache: false } : { cacheDir: extra };
    const analysis = await analyzePlugin(root, options);
    console.log(JSON.stringify({ ms: performance.now() - started, findings: analysis.findings.length, files: analysis.stats.files, cached: analysis.stats.cached }));
  } else if (what === 'single') {
    const { analyzePlugin } = await import(join(REPO, 'dist/analyzer/index.js'));
    const analysis = await analyzePlugin(root, { cache: false });
    console.log(JSON.stringify({ ms: performance.now() - started, maxRssMb: process.resourceUsage().maxRSS / 1024, findings: analysis.findings.length, unanalyzable: analysis.findings.filter((f) => f.category === 'unanalyzable').length }));
  }
}

/** The measurement with the median time. */
function median(results) {
  return [...results].sort((a, b) => a.ms - b.ms)[Math.floor(results.length / 2)];
}

function rate(lines, ms) {
  return `${Math.round(lines / (ms / 1000)).toLocaleString('en-US')} lines/s`;
}

const row = (label, ms, lines, note = '') => console.log(`  ${label.padEnd(34)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${rate(lines, ms).padStart(16)}  ${note}`);

async function main() {
  const { root, files, lines } = buildCorpus();
  console.log(`analyzer bench: ${files.length} files, ${lines.toLocaleString('en-US')} lines (${SOURCES.join(', ')})\n`);
  const cacheDir = join(CORPUS, 'cache');
  // Warden cold, the peer and the floor are measured ROUNDS times each, interleaved, and the
  // median is shown: on a shared machine a single run of any of them can be off by half.
  const colds = [];
  const peers = [];
  const floors = [];
  for (let round = 0; round < ROUNDS; round++) {
    colds.push(measureInChild('warden', root));
    peers.push(measureInChild('peer', root));
    floors.push(measureInChild('floor', root, JSON.stringify(files)));
  }
  const [cold, peer, floor] = [colds, peers, floors].map(median);
  measureInChild('warden', root, cacheDir); // fills the cache
  const warm = median(Array.from({ length: ROUNDS }, () => measureInChild('warden', root, cacheDir)));
  const cliCold = timeCli(['analyze', root, '--no-cache', '--format', 'json']);
  const cliWarm = timeCli(['analyze', root, '--cache-dir', cacheDir, '--format', 'json']);
  const nodeStart = timeNode();
  const peerParallel = (() => {
    process.env.BENCH_CONCURRENCY = 'auto';
    try {
      return measureInChild('peer', root);
    } finally {
      delete process.env.BENCH_CONCURRENCY;
    }
  })();

  const spread = (results) => `runs ${results.map((r) => (r.ms / 1000).toFixed(2)).join(' / ')} s`;
  row('Warden cold (--no-cache)', cold.ms, lines, `${cold.findings} findings, ${cold.files} files; ${spread(colds)}`);
  row('Warden warm (cache)', warm.ms, lines, `${warm.cached} of ${warm.files} files cached`);
  row('ESLint 10 + security (peer)', peer.ms, lines, `${peer.problems} problems; ${spread(peers)}`);
  row('  same, --concurrency auto', peerParallel.ms, lines);
  row('typescript-estree parse (floor)', floor.ms, lines, `one core, parse only; ${spread(floors)}`);
  row('CLI cold, whole process', cliCold.ms, lines, 'node start-up and module loading included');
  row('CLI warm, whole process', cliWarm.ms, lines, `${cliWarm.report.stats.cached} cached; a bare \`node -e 0\` takes ${Math.round(nodeStart)} ms`);

  const vsPeer = peer.ms / cold.ms;
  const vsFloor = cold.ms / floor.ms;
  const warmSpeedup = cold.ms / warm.ms;
  const verdict = (ok) => (ok ? 'met' : 'MISSED');
  console.log('');
  console.log(`  cold throughput vs peer:  ${vsPeer.toFixed(2)}x  (target >= ${TARGETS.peer}x: ${verdict(vsPeer >= TARGETS.peer)}); vs peer with --concurrency auto: ${(peerParallel.ms / cold.ms).toFixed(2)}x`);
  console.log(`  cold time vs parse floor: ${vsFloor.toFixed(2)}x  (target <= ${TARGETS.floor}x: ${verdict(vsFloor <= TARGETS.floor)})`);
  console.log(`  warm speed-up over cold:  ${warmSpeedup.toFixed(1)}x  (target >= ${TARGETS.warm}x: ${verdict(warmSpeedup >= TARGETS.warm)}); whole CLI process: ${(cliCold.ms / cliWarm.ms).toFixed(1)}x`);

  const big = join(CORPUS, 'typescript-plugin');
  mkdirSync(join(big, 'lib'), { recursive: true });
  cpSync(join(REPO, 'node_modules/typescript/lib/typescript.js'), join(big, 'lib/typescript.js'));
  writeFileSync(join(big, 'package.json'), JSON.stringify({ name: 'typescript-bundle', publisher: 'bench', version: '1.0.0', main: 'lib/typescript.js', engines: { warden: '*' } }));
  const single = measureInChild('single', big);
  const size = statSync(join(big, 'lib/typescript.js')).size;
  console.log(`\n  typescript.js alone (${(size / 1e6).toFixed(1)} MB): ${(single.ms / 1000).toFixed(2)} s, peak RSS ${Math.round(single.maxRssMb)} MB, ${single.findings} findings${single.unanalyzable ? ` (${single.unanalyzable} unanalyzable!)` : ''}`);
}

if (process.argv[2] === '--measure') await measure(process.argv[3], process.argv[4], process.argv[5]);
else await main();
