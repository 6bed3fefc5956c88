/**
 * The trust layer's targets (`node bench/trust.js`, after `npm run build`):
 *  1. `warden install` of a 1 MB plugin from a local registry, end to end without the prompt (`--yes`), cold: a
 *     fresh plugins folder and data folder each run (no analysis cache, no registry state), the whole CLI
 *     process timed — start-up, TUF refresh, download and hash check, extraction, the gate, copy with fsync,
 *     record (target < 2 s). Two shapes of 1 MB: mostly code (768 KB of JS, which the gate reads cold) and mostly
 *     data (64 KB of JS); beside them, the gate alone on the first, so what install adds beyond the gate shows;
 *  2. host start with 100 installed plugins, lazy, integrity checks included: every plugin installed from a
 *     local registry, then `createHost({ registry }).start()` — stored metadata verified, a refresh, every
 *     installed folder re-hashed against its record, the gate from its warm cache, nothing spawned (< 1 s);
 *  3. a blocklist update reaching a running plugin: from publishing it to the plugin's process being stopped,
 *     split at the refresh (the bound is "within a second of the refresh").
 * Medians of several runs; the machine's load average is printed, since these are wall-clock figures.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { create } from 'tar';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/bin/warden.js');
const { RegistryRepository } = await import('../dist/host/registry/repository.js');
const { RegistryClient } = await import('../dist/host/registry/client.js');
const { InstalledPlugins } = await import('../dist/host/install/records.js');
const { planInstall, commitInstall } = await import('../dist/host/install/installer.js');
const { createHost } = await import('../dist/host/index.js');

const work = mkdtempSync(join(tmpdir(), 'warden-bench-trust-'));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value) => `${Math.round(value)} ms`;
const rows = [];
const verdict = (value, target) => `${(value / target).toFixed(2)}× of the target ${value < target ? 'ok' : 'MISSED'} (< ${target} ms)`;

/** A plugin folder: an entry module, `codeBytes` of bundled library code (which the gate reads), `assetBytes` of data. */
function writePlugin(dir, name, { codeBytes = 0, assetBytes = 0 } = {}) {
  mkdirSync(join(dir, 'lib'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({
    name, publisher: 'bench', version: '1.0.0', main: 'index.js', type: 'commonjs', engines: { warden: '*' },
    contributes: { commands: [{ command: `${name}.run`, title: 'Run' }] },
  }));
  writeFileSync(join(dir, 'index.js'), `const lib = require('./lib/bundle.js');\nexports.activate = (ctx) => ctx.commands.register('${name}.run', (x) => lib.f0(x));\n`);
  const functions = [];
  for (let i = 0, size = 0; size < codeBytes || i === 0; i++) {
    const fn = `function f${i}(value) {\n  const parts = [];\n  for (let n = 0; n < ${i % 17 + 3}; n++) parts.push(String(value) + '-${i}-' + n);\n  return parts.join(',').length + ${i};\n}\nexports.f${i} = f${i};\n`;
    functions.push(fn);
    size += fn.length;
  }
  writeFileSync(join(dir, 'lib', 'bundle.js'), functions.join(''));
  if (assetBytes > 0) writeFileSync(join(dir, 'lib', 'table.json'), JSON.stringify({ rows: 'x'.repeat(assetBytes - 12) }));
}

async function pack(dir, file) {
  const staging = mkdtempSync(join(tmpdir(), 'warden-bench-pack-'));
  cpSync(dir, join(staging, 'package'), { recursive: true });
  await create({ gzip: true, file, cwd: staging, portable: true }, ['package']);
  rmSync(staging, { recursive: true, force: true });
  return file;
}

const custom = (name) => ({ id: `bench.${name}`, publisher: 'bench', name, version: '1.0.0' });

try {
  // --- 1. install of a 1 MB plugin, cold, the whole CLI process
  const registryDir = join(work, 'registry');
  const repository = RegistryRepository.init(registryDir);
  writePlugin(join(work, 'src', 'big'), 'big', { codeBytes: 768 * 1024, assetBytes: 256 * 1024 });
  repository.addPlugin(readFileSync(await pack(join(work, 'src', 'big'), join(work, 'big.tgz'))), custom('big'), { tier: 'official' });
  writePlugin(join(work, 'src', 'light'), 'light', { codeBytes: 64 * 1024, assetBytes: 960 * 1024 });
  repository.addPlugin(readFileSync(await pack(join(work, 'src', 'light'), join(work, 'light.tgz'))), custom('light'), { tier: 'official' });
  const cli = (...args) => {
    const started = performance.now();
    const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`warden ${args.join(' ')} failed: ${result.stderr}`);
    return performance.now() - started;
  };
  const timings = { big: [], light: [], gate: [] };
  // Interleaved, so load from elsewhere falls on all three alike.
  for (let run = 0; run < 5; run++) {
    for (const name of ['big', 'light']) {
      const client = join(work, `client-${name}-${run}`);
      timings[name].push(cli('install', `bench.${name}`, '--registry', registryDir, '--trusted-root', join(registryDir, 'metadata', '1.root.json'),
        '--plugins-dir', join(client, 'plugins'), '--data-dir', join(client, 'data'), '--yes'));
    }
    timings.gate.push(cli('analyze', join(work, 'big.tgz'), '--no-cache', '--tier', 'official', '--format', 'json', '--output', join(work, 'report.json')));
  }
  const big = median(timings.big);
  rows.push(['warden install, 1 MB plugin of which 768 KB JS the gate reads, local registry, cold (median of 5)', ms(big), verdict(big, 2000)]);
  rows.push(['  the gate alone on that tarball (warden analyze --no-cache, whole process)', ms(median(timings.gate)), `install adds ${ms(big - median(timings.gate))} beyond it`]);
  rows.push(['warden install, 1 MB plugin of which 64 KB JS (the rest data), local registry, cold (median of 5)', ms(median(timings.light)), verdict(median(timings.light), 2000)]);

  // --- 2. host start with 100 installed plugins
  const many = join(work, 'many');
  for (let i = 0; i < 100; i++) {
    const name = `p${i}`;
    writePlugin(join(work, 'src', name), name, { codeBytes: 2048 });
    repository.addPlugin(readFileSync(await pack(join(work, 'src', name), join(work, `${name}.tgz`))), custom(name), { tier: 'community' });
  }
  const registry = { url: registryDir, trustedRoot: join(registryDir, 'metadata', '1.root.json') };
  const data = join(many, 'data');
  const client = await RegistryClient.open(registry, join(data, 'registry'));
  await client.refresh();
  const store = new InstalledPlugins(join(many, 'plugins'));
  for (let i = 0; i < 100; i++) {
    const plan = await planInstall({ kind: 'registry', id: `bench.p${i}` }, { store, dataDir: data, registry: client });
    commitInstall(plan, { granted: [], how: 'yes', keepDespiteBlocks: false }, store);
    await plan.close();
  }
  await client.close();
  const starts = [];
  for (let run = 0; run < 5; run++) {
    const host = createHost({ pluginsDir: join(many, 'plugins'), dataDir: data, registry });
    const started = performance.now();
    await host.start();
    starts.push(performance.now() - started);
    const states = new Set(host.plugins().map((p) => p.state));
    await host.stop();
    if (host.plugins().length !== 100 || states.size !== 1 || !states.has('inactive')) throw new Error(`unexpected plugin states: ${[...states]}`);
  }
  rows.push(['host start, 100 installed plugins, lazy, integrity + registry refresh (median of 5)', ms(median(starts)), verdict(median(starts), 1000)]);

  // --- 3. a blocklist update reaching a running plugin
  const live = createHost({ pluginsDir: join(many, 'plugins'), dataDir: data, registry });
  await live.start();
  const latencies = [];
  for (let round = 0; round < 3; round++) {
    const id = `bench.p${round}`;
    await live.activate(id);
    let refreshedAt = 0;
    const offRegistry = live.on('registry', () => (refreshedAt ||= performance.now()));
    const stopped = new Promise((done) => {
      const off = live.on('deactivated', ({ pluginId }) => pluginId === id && (off(), done(performance.now())));
    });
    const published = performance.now();
    RegistryRepository.open(registryDir).block({ pattern: id, reason: 'bench' });
    const stoppedAt = await stopped;
    offRegistry();
    latencies.push({ toRefresh: refreshedAt - published, toStop: stoppedAt - refreshedAt });
  }
  await live.stop();
  rows.push(['blocklist published → registry refreshed (folder watch; median of 3)', ms(median(latencies.map((l) => l.toRefresh))), '']);
  rows.push(['registry refreshed → running plugin stopped (median of 3)', ms(median(latencies.map((l) => l.toStop))), verdict(median(latencies.map((l) => l.toStop)), 1000)]);
} finally {
  rmSync(work, { recursive: true, force: true });
}

process.stdout.write(`\nTrust (Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})\n`);
for (const [label, value, note] of rows) process.stdout.write(`  ${label.padEnd(100)} ${value.padStart(8)}  ${note}\n`);
