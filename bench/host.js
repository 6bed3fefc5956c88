/**
 * The host against the floor it is built on, in one run (`node bench/host.js`, after `npm run build`):
 *  1. a command call host → plugin → host through the whole stack (broker, grant check, audit, supervisor)
 *     against a raw vscode-jsonrpc echo over a forked child's IPC: p50, p99, pipelined calls/s (target ≤ 1.25×);
 *  2. plugin cold activation (hash re-check, sandboxed spawn, bootstrap, activate) against a bare `node -e 0` (≤ 1.5×);
 *  3. the RSS of an idle plugin process against an idle bare Node child (≤ 1.2×);
 *  4. host start with 100 plugins present, lazily activated, warm analysis cache (< 1 s).
 */
import { fork, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);

if (process.argv[2] === '--raw-echo-child') {
  const { createMessageConnection, IPCMessageReader, IPCMessageWriter } = await import('vscode-jsonrpc/node');
  const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
  connection.onRequest('echo', (params) => params);
  connection.listen();
} else if (process.argv[2] === '--idle-child') {
  setInterval(() => undefined, 60_000);
} else {
  await main();
}

async function main() {
  const { createHost } = await import('../dist/host/index.js');
  const { createMessageConnection, IPCMessageReader, IPCMessageWriter } = await import('vscode-jsonrpc/node');
  const work = mkdtempSync(join(tmpdir(), 'warden-bench-host-'));
  const SEQUENTIAL = 5000;
  const PIPELINED = 20000;
  const WINDOW = 64;
  const COLD_RUNS = 10;
  const rows = [];
  const ratio = (ours, floor, target, lowerIsBetter = true) => {
    const r = ours / floor;
    return `${r.toFixed(2)}× ${(lowerIsBetter ? r <= target : r >= target) ? 'ok' : 'MISSED'} (target ${lowerIsBetter ? '≤' : '≥'} ${target}×)`;
  };

  try {
    // --- plugins: one echo plugin, COLD_RUNS copies for cold starts, 100 for host start
    const plugins = join(work, 'plugins');
    const writePlugin = (name) => {
      const root = join(plugins, name);
      mkdirSync(root, { recursive: true });
      writeFileSync(join(root, 'package.json'), JSON.stringify({
        name, publisher: 'bench', version: '1.0.0', main: 'index.js', engines: { warden: '*' },
        contributes: { commands: [{ command: `${name}.echo`, title: 'Echo' }] },
      }));
      writeFileSync(join(root, 'index.js'), `exports.activate = (ctx) => { ctx.commands.register('${name}.echo', (x) => x); };\n`);
    };
    for (let i = 0; i < COLD_RUNS; i++) writePlugin(`echo${i}`);
    // Default limits: the flood guard counts a plugin's requests, not its answers to the host's calls.
    const host = createHost({ pluginsDir: plugins, dataDir: join(work, 'data') });
    await host.start();

    // --- 2. cold activation vs node -e 0
    const cold = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const started = performance.now();
      await host.activate(`bench.echo${i}`);
      cold.push(performance.now() - started);
    }
    const bare = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const started = performance.now();
      await new Promise((resolve) => spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }).once('exit', resolve));
      bare.push(performance.now() - started);
    }

    // --- 1. round trips: Warden's full stack against a raw vscode-jsonrpc echo over fork IPC
    const child = fork(SELF, ['--raw-echo-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
    const raw = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    raw.listen();
    const [ours, floor] = await compareRoundTrips(
      [(i) => host.executeCommand('echo0.echo', i), (i) => raw.sendRequest('echo', [i])],
      SEQUENTIAL, PIPELINED, WINDOW,
    );
    raw.dispose();
    child.kill();

    // --- 3. idle RSS
    await sleep(1500);
    const pluginRss = rssOf(host.plugins().find((p) => p.id === 'bench.echo1').pid);
    const idle = fork(SELF, ['--idle-child'], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
    await sleep(1500);
    const bareRss = rssOf(idle.pid);
    idle.kill();
    await host.stop();

    // --- 4. host start, 100 plugins, warm cache
    rmSync(plugins, { recursive: true });
    for (let i = 0; i < 100; i++) writePlugin(`p${i}`);
    const warmUp = createHost({ pluginsDir: plugins, dataDir: join(work, 'data') });
    await warmUp.start();
    await warmUp.stop();
    const starts = [];
    for (let run = 0; run < 3; run++) {
      const started = performance.now();
      const h = createHost({ pluginsDir: plugins, dataDir: join(work, 'data') });
      await h.start();
      starts.push(performance.now() - started);
      if (h.plugins().some((p) => p.state !== 'inactive')) throw new Error('a plugin was activated eagerly');
      await h.stop();
    }

    rows.push(['command round trip p50', `${us(ours.p50)} vs raw ${us(floor.p50)}`, ratio(ours.p50, floor.p50, 1.25)]);
    rows.push(['command round trip p99', `${us(ours.p99)} vs raw ${us(floor.p99)}`, ratio(ours.p99, floor.p99, 1.25)]);
    rows.push([`pipelined calls/s (${WINDOW} in flight)`, `${Math.round(ours.perSecond)} vs raw ${Math.round(floor.perSecond)}`, ratio(floor.perSecond, ours.perSecond, 1.25)]);
    rows.push(['cold activation (median)', `${ms(median(cold))} vs node -e 0 ${ms(median(bare))}`, ratio(median(cold), median(bare), 1.5)]);
    rows.push(['idle RSS', `${mb(pluginRss)} vs bare child ${mb(bareRss)}`, ratio(pluginRss, bareRss, 1.2)]);
    rows.push(['host start, 100 plugins, warm cache (best of 3)', ms(Math.min(...starts)), Math.min(...starts) < 1000 ? 'ok (target < 1000 ms)' : 'MISSED (target < 1000 ms)']);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  console.log('\nWarden host');
  const width = Math.max(...rows.map((r) => r[0].length));
  const width2 = Math.max(...rows.map((r) => r[1].length));
  for (const [what, figures, verdict] of rows) console.log(`  ${what.padEnd(width)}  ${figures.padEnd(width2)}  ${verdict}`);
}

/**
 * Sequential latency and pipelined throughput for each caller, measured in interleaved blocks so that load
 * from elsewhere on the machine falls on all of them alike.
 */
async function compareRoundTrips(callers, sequential, pipelined, window, rounds = 5) {
  const results = callers.map(() => ({ times: [], calls: 0, seconds: 0 }));
  for (const call of callers) for (let i = 0; i < 500; i++) await call(i); // warm-up: JIT on both sides
  for (let round = 0; round < rounds; round++) {
    for (const [index, call] of callers.entries()) {
      const result = results[index];
      for (let i = 0; i < sequential / rounds; i++) {
        const started = process.hrtime.bigint();
        await call(i);
        result.times.push(Number(process.hrtime.bigint() - started) / 1000);
      }
      let next = 0;
      const count = pipelined / rounds;
      const started = performance.now();
      await Promise.all(Array.from({ length: window }, async () => {
        while (next < count) await call(next++);
      }));
      result.seconds += (performance.now() - started) / 1000;
      result.calls += count;
    }
  }
  return results.map(({ times, calls, seconds }) => {
    times.sort((a, b) => a - b);
    return { p50: times[Math.floor(times.length * 0.5)], p99: times[Math.floor(times.length * 0.99)], perSecond: calls / seconds };
  });
}

function rssOf(pid) {
  const kb = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1];
  return Number(kb) * 1024;
}

function sleep(milliseconds) {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}
function us(value) {
  return `${value.toFixed(0)} µs`;
}
function ms(value) {
  return `${value.toFixed(0)} ms`;
}
function mb(value) {
  return `${(value / 1048576).toFixed(1)} MB`;
}

