#!/usr/bin/env node
/**
 * The gate and the CLI against their peers, on a real corpus copied from
 * installed packages (eslint's lib/ and typescript-estree's dist/, wrapped as
 * a plugin in the OS temporary folder, outside any git work tree: oxlint
 * skips what a .gitignore names). Two views, in one run:
 *
 * Whole processes (what a user feels: `node dist/bin/warden.js …` spawned,
 * node start-up and module loading included), interleaved rounds with the
 * order rotated each round, medians compared:
 *   Warden cold    `warden analyze` with an empty cache folder (the cache write included)
 *   Warden --no-cache, Warden warm (every file cached)
 *   peer           ESLint 10 + eslint-plugin-security's recommended config (its CLI)
 *   reference      oxlint (Rust, its default rule set), the state of the art
 * and start-up: `node -e 0`, `warden --version`, `warden run --dev <plugin>
 * --exec <command> --once` (a warm analysis cache, as an author's second run).
 *
 * In process (modules already loaded, as in a long-running host or a watch
 * loop), each in a fresh Node process: Warden cold and warm, ESLint's Node
 * API, and the parser the gate really uses (espree, with the gate's options).
 *
 * Then typescript's ~9 MB lib/typescript.js alone, as a whole process, with
 * its peak RSS. Every ratio is printed next to its target; the bench exits 1
 * when one is missed, or when the findings of the runs differ.
 *
 * On a shared machine wall time is noisy: each row shows its spread and the
 * load average, and CPU time (user + system, from GNU time when installed)
 * next to the wall time. BENCH_ROUNDS and BENCH_STARTUP_ROUNDS change the
 * number of rounds. Run with `npm run bench` (builds first).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const SELF = fileURLToPath(import.meta.url);
const REPO = join(dirname(SELF), '..');
const CORPUS = join(tmpdir(), 'warden-bench-corpus');
const SOURCES = ['node_modules/eslint/lib', 'node_modules/@typescript-eslint/typescript-estree/dist'];
const CLI = join(REPO, 'dist/bin/warden.js');
const ESLINT_CLI = join(REPO, 'node_modules/eslint/bin/eslint.js');
const OXLINT_CLI = join(REPO, 'node_modules/oxlint/bin/oxlint');
const GNU_TIME = ['/usr/bin/time', '/bin/time'].find((path) => existsSync(path));
const PEAK_RSS = join(REPO, 'bench/peak-rss.js');
const DEV_PLUGIN = join(REPO, 'sample-plugins/hello-world');
const DEV_COMMAND = 'hello.sayHello';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const STARTUP_ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? 15);
const IN_PROCESS_ROUNDS = 3;
const TARGETS = { peer: 2, warm: 20, version: 2, runOnce: 3, rssMb: 600 };

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
  // A config file for the peer (beside the plugin, not in it, so the gate does not read it).
  const security = pathToFileURL(createRequire(join(REPO, 'package.json')).resolve('eslint-plugin-security'));
  writeFileSync(join(CORPUS, 'eslint.config.mjs'), `import security from '${security}';\nexport default [security.configs.recommended];\n`);
  const lines = files.reduce((sum, file) => sum + readFileSync(file, 'utf8').split('\n').length, 0);
  return { root, files, lines };
}

/** Warden's per-user state (the cache's HMAC key, the default cache) kept inside the bench folder. */
const BENCH_ENV = { ...process.env, XDG_CONFIG_HOME: join(CORPUS, 'home/config'), XDG_CACHE_HOME: join(CORPUS, 'home/cache'), XDG_STATE_HOME: join(CORPUS, 'home/state'), NO_COLOR: '1' };

/**
 * One whole process, timed from spawn to exit: wall ms, and with GNU time
 * its CPU ms (user + system) and peak RSS. `ok` says which exit codes are results.
 */
function runProcess(command, args, { cwd = REPO, ok = [0, 1] } = {}) {
  const usageFile = join(CORPUS, 'usage.txt');
  const [file, argv] = GNU_TIME ? [GNU_TIME, ['-f', '%U %S %M', '-o', usageFile, command, ...args]] : [command, args];
  const started = performance.now();
  const child = spawnSync(file, argv, { cwd, env: BENCH_ENV, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (!ok.includes(child.status)) throw new Error(`${[command, ...args].join(' ')} exited ${child.status}:\n${child.stderr}`);
  let cpuMs;
  let rssMb;
  if (GNU_TIME) {
    // GNU time's last line; a line before it says when the command was signalled or exited non-zero.
    const [user, system, rssKb] = readFileSync(usageFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    cpuMs = (user + system) * 1000;
    rssMb = rssKb / 1024;
  }
  return { ms, cpuMs, rssMb, stdout: child.stdout };
}

const node = (...args) => runProcess(process.execPath, args);
const warden = (...args) => runProcess(process.execPath, [CLI, ...args]);

/** Each finding as one comparable line: a change that loses or moves one shows up as a difference. */
function findingsOf(reportJson) {
  // One plugin's report is an object, several plugins' an array.
  return [JSON.parse(reportJson)].flat().flatMap((plugin) => plugin.findings.map((f) => `${f.file}:${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.ruleId} ${f.severity} ${f.message}`)).sort();
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs each contender once per round, the order rotated every round; returns every contender's runs. */
function interleave(rounds, contenders) {
  const names = Object.keys(contenders);
  const runs = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      runs[name].push(contenders[name](round));
    }
  }
  return runs;
}

/** Median wall and CPU time, spread and peak RSS of one contender's runs. */
function summary(runs) {
  return {
    ms: median(runs.map((r) => r.ms)),
    cpuMs: GNU_TIME ? median(runs.map((r) => r.cpuMs)) : undefined,
    rssMb: GNU_TIME ? median(runs.map((r) => r.rssMb)) : undefined,
    min: Math.min(...runs.map((r) => r.ms)),
    max: Math.max(...runs.map((r) => r.ms)),
    runs,
  };
}

const seconds = (ms) => `${(ms / 1000).toFixed(ms < 1000 ? 3 : 2)} s`;
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

function row(label, s, note = '') {
  const cpu = s.cpuMs === undefined ? '' : `cpu ${seconds(s.cpuMs).padStart(8)}`;
  const rss = s.rssMb === undefined ? '' : `${Math.round(s.rssMb)} MB`.padStart(8);
  console.log(`  ${label.padEnd(38)} ${seconds(s.ms).padStart(8)}  (${seconds(s.min)}–${seconds(s.max)})  ${cpu}${rss}  ${note}`);
}

const results = [];
function ratio(label, value, target, meets, unit = '×') {
  const met = meets(value, target);
  results.push(met);
  const shown = unit === '×' ? `${value.toFixed(2)}×` : `${Math.round(value)} ${unit}`;
  console.log(`  ${label.padEnd(58)} ${shown.padStart(9)}  target ${unit === '×' ? '' : '< '}${target}${unit === '×' ? '×' : ` ${unit}`}: ${met ? 'met' : 'MISSED'}`);
}
const atLeast = (value, target) => value >= target;
const atMost = (value, target) => value <= target;

/** In-process measurements, each run in a fresh Node process (`node bench/analyzer.js --measure …`). */
function measureInChild(...args) {
  const child = spawnSync(process.execPath, [SELF, '--measure', ...args], { env: BENCH_ENV, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (child.status !== 0) throw new Error(`measurement ${args[0]} failed:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop());
}

async function measure(what, root, extra) {
  if (what === 'peer') {
    const { ESLint } = await import('eslint');
    const started = performance.now();
    const eslint = new ESLint({ cwd: CORPUS, overrideConfigFile: join(CORPUS, 'eslint.config.mjs') });
    const lintResults = await eslint.lintFiles(['plugin/**/*.js']);
    console.log(JSON.stringify({ ms: performance.now() - started, problems: lintResults.reduce((n, r) => n + r.messages.length, 0) }));
  } else if (what === 'parse') {
    // The parser and options the gate uses for JavaScript (analyzer/rule-runner.ts), on every file, one core.
    const espree = await import('espree');
    const texts = JSON.parse(readFileSync(extra, 'utf8')).map((file) => readFileSync(file, 'utf8'));
    const started = performance.now();
    for (const text of texts) {
      for (const sourceType of ['commonjs', 'module']) {
        try {
          espree.parse(text, { ecmaVersion: 2026, sourceType, ecmaFeatures: { jsx: true }, range: true, comment: true });
          break;
        } catch {
          // tried as the other source type, as the gate does
        }
      }
    }
    console.log(JSON.stringify({ ms: performance.now() - started }));
  } else if (what === 'warden') {
    const { analyzePlugin } = await import(join(REPO, 'dist/analyzer/index.js'));
    const started = performance.now();
    const analysis = await analyzePlugin(root, extra === undefined ? { cache: false } : { cacheDir: extra });
    console.log(JSON.stringify({ ms: performance.now() - started, findings: analysis.findings.length, cached: analysis.stats.cached }));
  }
}

async function main() {
  const { root, files, lines } = buildCorpus();
  const fileList = join(CORPUS, 'files.json');
  writeFileSync(fileList, JSON.stringify(files));
  console.log(`analyzer bench: ${files.length} files, ${lines.toLocaleString('en-US')} lines (${SOURCES.join(', ')}); Node ${process.version}`);
  console.log(`load average before: ${load()}${GNU_TIME ? '' : ' (no GNU time: CPU time and RSS columns left out; apt-get install time)'}\n`);

  const warmCache = join(CORPUS, 'warm-cache');
  const filled = warden('analyze', root, '--cache-dir', warmCache, '--format', 'json');
  const coldCache = (round) => join(CORPUS, `cold-cache-${round}`);
  const whole = interleave(ROUNDS, {
    cold: (round) => warden('analyze', root, '--cache-dir', coldCache(round), '--format', 'json'),
    noCache: () => warden('analyze', root, '--no-cache', '--format', 'json'),
    warm: () => warden('analyze', root, '--cache-dir', warmCache, '--format', 'json'),
    peer: () => runProcess(process.execPath, [ESLINT_CLI, '--config', join(CORPUS, 'eslint.config.mjs'), '--format', 'json', 'plugin'], { cwd: CORPUS }),
    oxlint: () => runProcess(process.execPath, [OXLINT_CLI, '--format', 'json', 'plugin'], { cwd: CORPUS }),
  });
  const loadWhole = load();

  const devData = mkdtempSync(join(CORPUS, 'dev-data-'));
  const runOnce = () => warden('run', '--dev', DEV_PLUGIN, '--data-dir', devData, '--exec', DEV_COMMAND, '--once');
  const firstRunOnce = runOnce(); // analyzes the plugin and fills its cache: later runs are an author's second run
  const startup = interleave(STARTUP_ROUNDS, {
    node: () => node('-e', '0'),
    version: () => warden('--version'),
    runOnce,
  });
  const loadStartup = load();

  const inProcess = interleave(IN_PROCESS_ROUNDS, {
    cold: () => measureInChild('warden', root),
    warm: () => measureInChild('warden', root, warmCache),
    peer: () => measureInChild('peer', root),
    parse: () => measureInChild('parse', root, fileList),
  });

  const big = join(CORPUS, 'typescript-plugin');
  mkdirSync(join(big, 'lib'), { recursive: true });
  cpSync(join(REPO, 'node_modules/typescript/lib/typescript.js'), join(big, 'lib/typescript.js'));
  writeFileSync(join(big, 'package.json'), JSON.stringify({ name: 'typescript-bundle', publisher: 'bench', version: '1.0.0', main: 'lib/typescript.js', engines: { warden: '*' } }));
  const rssFile = join(CORPUS, 'peak-rss.json');
  BENCH_ENV.BENCH_PEAK_RSS_FILE = rssFile;
  const single = runProcess(process.execPath, ['--import', PEAK_RSS, CLI, 'analyze', big, '--no-cache', '--format', 'json'], { cwd: REPO });
  const singlePeak = JSON.parse(readFileSync(rssFile, 'utf8'));

  // Every Warden run must find the same things, whatever the cache did.
  const expected = findingsOf(filled.stdout);
  const differing = [...whole.cold, ...whole.noCache, ...whole.warm].filter((run) => findingsOf(run.stdout).join('\n') !== expected.join('\n')).length;
  const inProcessDiffering = inProcess.cold.concat(inProcess.warm).filter((run) => run.findings !== expected.length).length;
  const peerProblems = JSON.parse(whole.peer[0].stdout).reduce((n, r) => n + r.messages.length, 0);
  const oxlintProblems = JSON.parse(whole.oxlint[0].stdout).diagnostics?.length;
  const cachedFiles = JSON.parse(whole.warm[0].stdout).stats.cached;

  const [cold, noCache, warm, peer, oxlint] = ['cold', 'noCache', 'warm', 'peer', 'oxlint'].map((name) => summary(whole[name]));
  console.log(`Whole processes, median of ${ROUNDS} interleaved rounds (load average after: ${loadWhole}):`);
  row('Warden cold (empty --cache-dir)', cold, `${expected.length} findings, cache written`);
  row('Warden --no-cache', noCache);
  row('Warden warm (cache)', warm, `${cachedFiles} files served from the cache`);
  row('ESLint 10 + security (peer)', peer, `${peerProblems} problems`);
  row('oxlint (reference)', oxlint, `${oxlintProblems ?? '?'} diagnostics, its default rules`);

  const [nodeStart, version, runs] = ['node', 'version', 'runOnce'].map((name) => summary(startup[name]));
  console.log(`\nStart-up, median of ${STARTUP_ROUNDS} interleaved rounds (load average after: ${loadStartup}):`);
  row('node -e 0', nodeStart);
  row('warden --version', version);
  row(`warden run --dev hello-world --once`, runs, `--exec ${DEV_COMMAND}; the first run (analysis not cached yet): ${seconds(firstRunOnce.ms)}`);

  const [ipCold, ipWarm, ipPeer, ipParse] = ['cold', 'warm', 'peer', 'parse'].map((name) => summary(inProcess[name]));
  const rate = (s) => `${Math.round(lines / (s.ms / 1000)).toLocaleString('en-US')} lines/s`;
  console.log(`\nIn process (modules loaded), median of ${IN_PROCESS_ROUNDS} interleaved rounds:`);
  row('Warden cold (no cache)', ipCold, rate(ipCold));
  row('Warden warm (cache)', ipWarm, rate(ipWarm));
  row('ESLint 10 + security, Node API', ipPeer, rate(ipPeer));
  row('espree parse alone (the gate\'s parser)', ipParse, rate(ipParse));

  const size = statSync(join(big, 'lib/typescript.js')).size;
  console.log(`\n  typescript.js alone (${(size / 1e6).toFixed(1)} MB, whole process): ${seconds(single.ms)}, peak RSS ${Math.round(singlePeak.peakRssMb)} MB, ${findingsOf(single.stdout).length} findings`);

  console.log('\nRatios (whole processes unless said):');
  ratio('peer time / Warden cold, cache written', peer.ms / cold.ms, TARGETS.peer, atLeast);
  ratio('Warden cold / Warden warm', cold.ms / warm.ms, TARGETS.warm, atLeast);
  ratio('warden --version / node -e 0', version.ms / nodeStart.ms, TARGETS.version, atMost);
  ratio('warden run --dev … --once / node -e 0', runs.ms / nodeStart.ms, TARGETS.runOnce, atMost);
  ratio('typescript.js peak RSS', singlePeak.peakRssMb, TARGETS.rssMb, (value, target) => value < target, 'MB');
  results.push(differing === 0 && inProcessDiffering === 0);
  console.log(`  ${'findings identical in every Warden run (cold, --no-cache, warm)'.padEnd(58)} ${differing + inProcessDiffering === 0 ? 'yes' : `NO (${differing + inProcessDiffering} runs differ)`}`);
  console.log('  for reference (no target):');
  console.log(`    peer time / Warden --no-cache ${(peer.ms / noCache.ms).toFixed(2)}×; Warden cold / oxlint ${(cold.ms / oxlint.ms).toFixed(2)}×`);
  console.log(`    in process: peer / Warden cold ${(ipPeer.ms / ipCold.ms).toFixed(2)}×, cold / warm ${(ipCold.ms / ipWarm.ms).toFixed(1)}×, cold / espree parse ${(ipCold.ms / ipParse.ms).toFixed(2)}×`);
  if (GNU_TIME) console.log(`    CPU time: peer / Warden cold ${(peer.cpuMs / cold.cpuMs).toFixed(2)}×, cold / warm ${(cold.cpuMs / warm.cpuMs).toFixed(1)}×, --version / node ${(version.cpuMs / nodeStart.cpuMs).toFixed(2)}×, run --once / node ${(runs.cpuMs / nodeStart.cpuMs).toFixed(2)}×`);
  process.exitCode = results.every(Boolean) ? 0 : 1;
}

if (process.argv[2] === '--measure') await measure(process.argv[3], process.argv[4], process.argv[5]);
else await main();
