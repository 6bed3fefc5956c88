/**
 * WebAssembly plugins against JavaScript plugins, in one run (`node bench/wasm.js`, after `npm run build`), both in
 * the same host, interleaved so load from elsewhere on the machine falls on both alike:
 *  1. cold activation (hash re-check, then a worker with the module instantiated / a sandboxed process with the
 *     runtime and activate()): WASM at most 0.5× JavaScript;
 *  2. a command round trip through the whole stack (routing, supervisor, the worker or the JSON-RPC channel), the same
 *     work on both sides (count the vowels of the argument): WASM within 1.5× JavaScript, p50 and p99;
 *  3. idle memory: what each further activated WASM plugin adds to the host process's RSS (10 plugins, after a
 *     full GC, divided by 10) against the RSS of one JavaScript plugin's process: at most 0.25×.
 * The WASM plugins are copies of the AssemblyScript sample (sample-plugins/hello-wasm, built by npm run build).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
const SAMPLE = join(SELF, '../../sample-plugins/hello-wasm');

// The memory figure needs a full GC before each reading: run again with it exposed.
if (typeof globalThis.gc !== 'function') {
  const { status } = spawnSync(process.execPath, ['--expose-gc', SELF], { stdio: 'inherit' });
  process.exit(status ?? 1);
}

const COLD_RUNS = 7;
const BLOCKS = 30;
const BLOCK = 200;
const MEMORY_PLUGINS = 10;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
const ms = (value) => `${value.toFixed(1)} ms`;
const us = (value) => `${Math.round(value * 1000)} µs`;
const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
const verdict = (ratio, target) => `${ratio.toFixed(2)}× ${ratio <= target ? 'ok' : 'MISSED'} (target ≤ ${target}×)`;

function rssOf(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match[1]) * 1024;
}

function selfRss() {
  globalThis.gc();
  globalThis.gc();
  return rssOf(process.pid);
}

function writeWasmPlugin(plugins, name) {
  const root = join(plugins, name);
  mkdirSync(join(root, 'build'), { recursive: true });
  cpSync(join(SAMPLE, 'build/plugin.wasm'), join(root, 'build/plugin.wasm'));
  const manifest = JSON.parse(readFileSync(join(SAMPLE, 'package.json'), 'utf8'));
  manifest.name = name;
  manifest.contributes.commands = [{ command: `${name}.vowels`, title: 'Count vowels' }];
  writeFileSync(join(root, 'package.json'), JSON.stringify(manifest));
}

function writeJsPlugin(plugins, name) {
  const root = join(plugins, name);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({
    name, publisher: 'bench', version: '1.0.0', main: 'index.js', engines: { warden: '*' },
    contributes: { commands: [{ command: `${name}.vowels`, title: 'Count vowels' }] },
  }));
  writeFileSync(join(root, 'index.js'), [
    'exports.activate = (ctx) => {',
    `  ctx.commands.register('${name}.vowels', (text) => { let count = 0; for (const c of String(text)) if ('aeiouAEIOU'.includes(c)) count++; return count; });`,
    '};',
    '',
  ].join('\n'));
}

async function main() {
  const { createHost } = await import('../dist/host/index.js');
  const work = mkdtempSync(join(tmpdir(), 'warden-bench-wasm-'));
  const rows = [];
  try {
    const plugins = join(work, 'plugins');
    for (let i = 0; i < COLD_RUNS; i++) {
      writeWasmPlugin(plugins, `wasm${i}`);
      writeJsPlugin(plugins, `js${i}`);
    }
    // Limits that would stop a plugin kept this busy (CPU, messages, audit growth) are lifted for the round trips.
    const host = createHost({ pluginsDir: plugins, dataDir: join(work, 'data'), limits: { cpuPercent: Infinity, maxMessagesPerSecond: 1_000_000, auditBytesPerMinute: Infinity } });
    await host.start();
    const ids = Object.fromEntries(host.plugins().map((plugin) => [plugin.id.split('.').pop(), plugin.id]));

    // --- 1. cold activation, alternating
    const cold = { wasm: [], js: [] };
    for (let i = 0; i < COLD_RUNS; i++) {
      for (const kind of i % 2 === 0 ? ['wasm', 'js'] : ['js', 'wasm']) {
        const started = performance.now();
        await host.activate(ids[`${kind}${i}`]);
        cold[kind].push(performance.now() - started);
      }
    }
    rows.push([`cold activation (median of ${COLD_RUNS})`, `WASM ${ms(median(cold.wasm))} vs JavaScript ${ms(median(cold.js))}`, verdict(median(cold.wasm) / median(cold.js), 0.5)]);

    // --- 2. round trips, interleaved blocks
    const text = 'Plugins are third-party code; WebAssembly starts with no authority at all.';
    const samples = { wasm: [], js: [] };
    for (const kind of ['wasm', 'js']) for (let i = 0; i < 200; i++) await host.executeCommand(`${kind}0.vowels`, text); // warm-up
    for (let block = 0; block < BLOCKS; block++) {
      for (const kind of block % 2 === 0 ? ['wasm', 'js'] : ['js', 'wasm']) {
        for (let i = 0; i < BLOCK; i++) {
          const started = performance.now();
          await host.executeCommand(`${kind}0.vowels`, text);
          samples[kind].push(performance.now() - started);
        }
      }
    }
    for (const [label, p] of [['p50', 0.5], ['p99', 0.99]]) {
      const wasm = percentile(samples.wasm, p);
      const js = percentile(samples.js, p);
      rows.push([`command round trip: ${label} (${BLOCKS * BLOCK} calls each)`, `WASM ${us(wasm)} vs JavaScript ${us(js)}`, verdict(wasm / js, 1.5)]);
    }
    const jsRss = median(host.plugins().filter((plugin) => plugin.runsIn === 'process').map((plugin) => rssOf(plugin.pid)));
    await host.stop();

    // --- 3. idle memory: a host with only WASM plugins, RSS before and after activating them all
    rmSync(plugins, { recursive: true, force: true });
    for (let i = 0; i < MEMORY_PLUGINS; i++) writeWasmPlugin(plugins, `idle${i}`);
    const idleHost = createHost({ pluginsDir: plugins, dataDir: join(work, 'data-idle') });
    await idleHost.start();
    // One plugin first, so the host's own one-time costs (loading the worker's code, Extism) are not counted per plugin.
    await idleHost.activate(idleHost.plugins()[0].id);
    await sleep(500);
    const before = selfRss();
    for (const plugin of idleHost.plugins().slice(1)) await idleHost.activate(plugin.id);
    for (const plugin of idleHost.plugins()) await idleHost.executeCommand(`${plugin.id.split('.').pop()}.vowels`, text);
    await sleep(1000);
    const perPlugin = (selfRss() - before) / (MEMORY_PLUGINS - 1);
    await idleHost.stop();
    rows.push([`idle memory per plugin (${MEMORY_PLUGINS - 1} WASM workers; JavaScript: median of ${COLD_RUNS} processes)`, `WASM +${mb(perPlugin)} of host RSS vs JavaScript process ${mb(jsRss)}`, verdict(perPlugin / jsRss, 0.25)]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  console.log('\nWebAssembly plugins vs JavaScript plugins (same host, same run)');
  const width = Math.max(...rows.map((row) => row[0].length));
  const second = Math.max(...rows.map((row) => row[1].length));
  for (const [label, value, result] of rows) console.log(`  ${label.padEnd(width)}  ${value.padEnd(second)}  ${result}`);
  if (rows.some((row) => row[2].includes('MISSED'))) process.exitCode = 1;
}

await main();
