/**
 * WASM plugins in the real host: the gate, the tier policy, the worker with Extism's runtime, host functions answered
 * by the broker (grant check, audit log), and the supervisor's rules for a module that loops, grows, or traps. The
 * lab module is compiled from AssemblyScript (test/fixtures/wasm/lab). Needs `npm run build` (the worker runs from dist/).
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readAuditLog, verifyAuditLog } from '../../host/audit.js';
import { createHost, type Host, type HostEvents } from '../../host/index.js';
import { LEVELS, NODES, skipped, titled } from '../fixtures/host/matrix.js';
import { labModule, moduleImporting } from '../fixtures/wasm/modules.js';

const SAMPLES = resolve(import.meta.dirname, '../../sample-plugins');
const CLI = resolve(import.meta.dirname, '../../dist/bin/warden.js');
const LIMITS = { restartBaseMs: 50, callTimeoutMs: 10_000, wasmMemoryMb: 8 };
/**
 * For the tests of the heartbeat itself: a spinning module is stopped within 0.6 s instead of 4. Only there, because on
 * a loaded machine a plugin busy answering 60 calls at the lowest priority can miss a 300 ms ping.
 */
const SPIN_LIMITS = { ...LIMITS, heartbeatMs: 300 };
const COMMANDS = ['echo', 'recall', 'setting', 'remember', 'fetch', 'http', 'spin', 'grow', 'flood', 'trap', 'hold', 'held', 'hoard', 'name-var', 'emit', 'run-command'].map((name) => ({ command: `lab.${name}`, title: name }));

let lab: Buffer;
let work: string;
let host: Host | undefined;

beforeAll(async () => {
  lab = await labModule();
});

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'warden-wasm-'));
});

afterEach(async () => {
  await host?.stop();
  host = undefined;
  rmSync(work, { recursive: true, force: true });
});

function labPlugin(folder: string, manifest: object = {}, bytes: Buffer = lab): string {
  const dir = join(work, folder);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'lab.wasm'), bytes);
  const base = { name: 'lab', publisher: 'test', version: '1.0.0', main: 'lab.wasm', engines: { warden: '^0.1.0' }, contributes: { commands: COMMANDS } };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...base, ...manifest }));
  return dir;
}

function samples(...names: string[]): string {
  const dir = join(work, 'plugins');
  for (const name of names) cpSync(join(SAMPLES, name), join(dir, name), { recursive: true });
  return dir;
}

function crashes(h: Host): HostEvents['crashed'][] {
  const seen: HostEvents['crashed'][] = [];
  h.on('crashed', (event) => seen.push(event));
  return seen;
}

/** A local HTTP server that counts the requests it gets, while `body` runs. */
async function withCountingServer(body: (url: string, requests: () => number) => Promise<void>): Promise<void> {
  let requests = 0;
  const server: Server = createServer((_request, response) => {
    requests += 1;
    response.end('secret');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  try {
    await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, () => requests);
  } finally {
    server.close();
  }
}

/**
 * A module that imports nothing undeclared passes the gate; the file is then replaced, after the host checked the
 * files and before the module is read where it runs (configFor is asked in between, so the swap wins the race every
 * time), by one importing net_fetch, which the gate would have blocked for community.
 */
async function expectSwapRefused(hostWith: (options: Pick<Parameters<typeof createHost>[0], 'pluginsDir' | 'dataDir' | 'configFor'>) => Host): Promise<void> {
  const dir = labPlugin('plugins/swap', { name: 'swap', contributes: { commands: [{ command: 'swap.run', title: 'Run' }] } }, moduleImporting([]));
  const swapped = moduleImporting([['extism:host/user', 'net_fetch']]);
  host = hostWith({
    pluginsDir: join(work, 'plugins'),
    dataDir: join(work, 'data'),
    configFor: () => {
      writeFileSync(join(dir, 'lab.wasm'), swapped);
      return {};
    },
  });
  await host.start();
  expect(host.plugins()[0]).toMatchObject({ id: 'test.swap', state: 'inactive' });
  await expect(host.executeCommand('swap.run')).rejects.toThrow(/the WebAssembly module changed since the gate read it/);
}

/** Runs the sample's greet 60 times at once, as an app would: each call shows one message, all 60 are shown. */
async function greetsAnswered(h: Host): Promise<void> {
  const shown: string[] = [];
  h.on('message', (message) => shown.push(message.text));
  await h.start();
  await Promise.all(Array.from({ length: 60 }, (_, i) => h.executeCommand('hello-wasm.greet', `n${i}`)));
  // Past the plugin's own rate (20 a second) but in answer to the app's calls: paced by the app, none dropped.
  expect(shown).toHaveLength(60);
  expect(new Set(shown).size).toBe(60);
}

describe('a WASM plugin in the host', () => {
  it('runs the AssemblyScript sample: a command with storage, a message, the audit log, in a worker', async () => {
    host = createHost({ pluginsDir: samples('hello-wasm'), dataDir: join(work, 'data'), limits: LIMITS });
    const messages: HostEvents['message'][] = [];
    host.on('message', (message) => messages.push(message));
    await host.start();
    expect(host.plugins()).toMatchObject([{ id: 'warden-samples.hello-wasm', state: 'inactive', runsIn: 'worker', tier: 'unregistered' }]);
    expect(await host.executeCommand('hello-wasm.greet', 'Ada')).toBe('Hello from WebAssembly, Ada! (visit 1)');
    expect(await host.executeCommand('hello-wasm.greet', 'Bob')).toBe('Hello from WebAssembly, Bob! (visit 2)');
    expect(await host.executeCommand('hello-wasm.vowels', 'WebAssembly')).toBe(3);
    expect(messages.map((message) => message.text)).toEqual(['Hello from WebAssembly, Ada! (visit 1)', 'Hello from WebAssembly, Bob! (visit 2)']);
    expect(host.plugins()[0]).toMatchObject({ state: 'active', pid: undefined, runsIn: 'worker' });
    await host.stop();
    const entries = readAuditLog(host.auditLogPath).filter((entry) => entry.pluginId === 'warden-samples.hello-wasm');
    expect(entries.filter((entry) => entry.kind === 'call').map((entry) => entry.method)).toEqual(
      expect.arrayContaining(['storage/get', 'storage/set', 'window/showMessage', 'log/write']),
    );
    expect(entries.some((entry) => entry.kind === 'worker.start')).toBe(true);
    expect(verifyAuditLog(host.auditLogPath).ok).toBe(true);
    // Its storage survives a host restart: the same store a JavaScript plugin has.
    host = createHost({ pluginsDir: join(work, 'plugins'), dataDir: join(work, 'data'), limits: LIMITS });
    await host.start();
    expect(await host.executeCommand('hello-wasm.greet', 'Cy')).toBe('Hello from WebAssembly, Cy! (visit 3)');
  });

  it("shows every message a command shows in answer to the app's calls, past the plugin's own rate", async () => {
    host = createHost({ pluginsDir: samples('hello-wasm'), dataDir: join(work, 'data'), limits: LIMITS });
    await greetsAnswered(host);
  });

  it('runs the activate export with the config, and on_event for the events it listens to', async () => {
    labPlugin('lab', { activationEvents: ['onEvent:app.tick'] });
    host = createHost({ devPaths: [join(work, 'lab')], dataDir: join(work, 'data'), configFor: () => ({ greeting: 'hi', limits: { n: 2 } }), limits: LIMITS });
    await host.start();
    await host.emitEvent('app.tick', { n: 1 });
    expect(await host.executeCommand('lab.recall', 'event')).toEqual({ result: { found: true, value: { name: 'app.tick', payload: { n: 1 }, from: 'app' } } });
    expect(await host.executeCommand('lab.recall', 'activated')).toEqual({ result: { found: true, value: { pluginId: 'test.lab', config: { greeting: 'hi', limits: { n: 2 } } } } });
    // The same config through Extism's config_get: text as it is, anything else as JSON text.
    expect(await host.executeCommand('lab.setting', 'greeting')).toBe('hi');
    expect(await host.executeCommand('lab.setting', 'limits')).toBe('{"n":2}');
    expect(await host.executeCommand('lab.setting', 'missing')).toBeNull();
  });

  it('refuses at load a module importing a capability it did not declare, and loads it once declared', async () => {
    labPlugin('plugins/undeclared');
    host = createHost({ pluginsDir: join(work, 'plugins'), dataDir: join(work, 'data'), tierOf: () => 'community', limits: LIMITS });
    const blocked: HostEvents['blocked'][] = [];
    host.on('blocked', (event) => blocked.push(event));
    await host.start();
    expect(host.plugins()[0].state).toBe('blocked');
    expect(blocked[0].reasons.join(' ')).toMatch(/high findings block.*extism:host\/user::net_fetch/);
    await expect(host.executeCommand('lab.echo', 1)).rejects.toThrow(/test\.lab is blocked/);
    await host.stop();

    labPlugin('plugins/undeclared', { capabilities: { network: { hosts: ['api.example.com'] } } });
    host = createHost({ pluginsDir: join(work, 'plugins'), dataDir: join(work, 'data2'), tierOf: () => 'community', limits: LIMITS });
    await host.start();
    expect(await host.executeCommand('lab.echo', { a: [1, 'two'] })).toEqual([{ a: [1, 'two'] }]);
    expect(await host.executeCommand('lab.remember', 'kept text')).toEqual({ result: { found: true, value: 'kept text' } });
  });

  it('denies a fetch outside the grant: the module gets the denial, the audit log records it, nothing is sent', async () => {
    await withCountingServer(async (url, requests) => {
      labPlugin('lab', { capabilities: { network: { hosts: ['api.example.com'] } } });
      host = createHost({ devPaths: [join(work, 'lab')], dataDir: join(work, 'data'), limits: LIMITS });
      const denied: HostEvents['denied'][] = [];
      host.on('denied', (event) => denied.push(event));
      await host.start();
      const answer = (await host.executeCommand('lab.fetch', url)) as { error: string; denied: boolean };
      expect(answer).toMatchObject({ denied: true });
      expect(answer.error).toMatch(/net\.fetch to "127\.0\.0\.1" denied: add it to capabilities\.network\.hosts/);
      expect(requests()).toBe(0);
      expect(denied).toHaveLength(1);
      // The plugin keeps running after a denial: it is an answer, not a crash.
      expect(await host.executeCommand('lab.echo', 'still here')).toEqual(['still here']);
      await host.stop();
      const entries = readAuditLog(host.auditLogPath).filter((entry) => entry.pluginId === 'test.lab');
      expect(entries.some((entry) => entry.kind === 'denied' && entry.capability === 'network')).toBe(true);
    });
  });

  it("makes Extism's own HTTP request through the broker: allowed for a granted host, denied and unsent otherwise", async () => {
    const paths: string[] = [];
    const server: Server = createServer((request, response) => {
      paths.push(request.url ?? '');
      response.statusCode = 201;
      response.end('from the server');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const { port } = server.address() as AddressInfo;
      labPlugin('lab', { capabilities: { network: { hosts: ['127.0.0.1'] } } });
      host = createHost({ devPaths: [join(work, 'lab')], dataDir: join(work, 'data'), limits: LIMITS });
      await host.start();
      expect(await host.executeCommand('lab.http', `http://127.0.0.1:${port}/allowed`)).toEqual({ status: 201, body: 'from the server' });
      await expect(host.executeCommand('lab.http', `http://localhost:${port}/denied`)).rejects.toThrow(/net\.fetch to "localhost" denied/);
      expect(paths).toEqual(['/allowed']);
      // A denial fails the call, not the plugin.
      expect(await host.executeCommand('lab.echo', 'after')).toEqual(['after']);
      await host.stop();
      const calls = readAuditLog(host.auditLogPath).filter((entry) => entry.pluginId === 'test.lab' && entry.method === 'net/fetch');
      expect(calls.map((entry) => entry.kind)).toEqual(['call', 'result', 'call']);
      expect(readAuditLog(host.auditLogPath).some((entry) => entry.kind === 'denied' && entry.pluginId === 'test.lab')).toBe(true);
    } finally {
      server.close();
    }
  });

  it('refuses at load, even in development, a module importing what the host does not provide', async () => {
    labPlugin('odd', { contributes: { commands: [{ command: 'odd.run', title: 'Run' }] } }, moduleImporting([['env', 'system']]));
    host = createHost({ devPaths: [join(work, 'odd')], dataDir: join(work, 'data'), limits: LIMITS });
    await host.start();
    await expect(host.executeCommand('odd.run')).rejects.toThrow(/imports what the host does not provide: env::system/);
  });

  it('links WASI for a module that imports it (it could not be instantiated otherwise), with nothing preopened', async () => {
    const module = moduleImporting([['wasi_snapshot_preview1', 'random_get'], ['wasi_snapshot_preview1', 'environ_get']], { memory: true });
    labPlugin('wasi', { contributes: { commands: [{ command: 'wasi.run', title: 'Run' }] } }, module);
    host = createHost({ devPaths: [join(work, 'wasi')], dataDir: join(work, 'data'), limits: LIMITS });
    await host.start();
    expect(await host.executeCommand('wasi.run')).toBeUndefined();
    await host.stop();
    const start = readAuditLog(host.auditLogPath).find((entry) => entry.pluginId === 'test.lab' && entry.kind === 'worker.start');
    expect(start).toMatchObject({ wasi: true, preopens: [] });
  });

  it('runs a module that reaches files through WASI under a filesystem declaration in a sandboxed process, not a worker', async () => {
    // Node's WASI follows symbolic links out of the folders it opens: in a worker of the host nothing else bounds it.
    const module = moduleImporting([['wasi_snapshot_preview1', 'path_open']], { memory: true });
    const dir = labPlugin('wasi', { contributes: { commands: [{ command: 'wasi.run', title: 'Run' }] }, capabilities: { filesystem: { write: ['box'] } } }, module);
    mkdirSync(join(dir, 'box'));
    host = createHost({ devPaths: [dir], dataDir: join(work, 'data'), limits: LIMITS });
    await host.start();
    expect(host.plugins()[0]).toMatchObject({ runsIn: 'process' });
    expect(await host.executeCommand('wasi.run')).toBeNull();
    expect(host.plugins()[0]).toMatchObject({ state: 'active', runsIn: 'process', pid: expect.any(Number) });
  });

  it('refuses a worker of the host any folder for WASI, even one an app grants without a declaration', async () => {
    const module = moduleImporting([['wasi_snapshot_preview1', 'path_open']], { memory: true });
    const dir = labPlugin('wasi', { contributes: { commands: [{ command: 'wasi.run', title: 'Run' }] } }, module);
    mkdirSync(join(dir, 'box'));
    const grant = { fsRead: [dir], fsWrite: [join(dir, 'box')], networkHosts: [], env: [], childProcess: false, worker: false, nativeAddons: false };
    host = createHost({ devPaths: [dir], dataDir: join(work, 'data'), grantFor: () => grant, limits: LIMITS });
    await host.start();
    expect(host.plugins()[0]).toMatchObject({ runsIn: 'worker' });
    await expect(host.executeCommand('wasi.run')).rejects.toThrow(/with a filesystem grant runs only in a sandboxed plugin process.*requireIsolation/);
  });

  it('stops a module that loops forever; the host and the other plugins keep answering, and it restarts', async () => {
    labPlugin('plugins/lab');
    cpSync(join(SAMPLES, 'hello-wasm'), join(work, 'plugins', 'hello-wasm'), { recursive: true });
    cpSync(join(SAMPLES, 'hello-world'), join(work, 'plugins', 'hello-world'), { recursive: true });
    host = createHost({ pluginsDir: join(work, 'plugins'), devPaths: [], dataDir: join(work, 'data'), tierOf: (id) => (id === 'test.lab' ? 'official' : 'unregistered'), limits: SPIN_LIMITS });
    const seen = crashes(host);
    await host.start();
    await host.executeCommand('lab.echo', 0);
    // Settled into a value at once: it fails while the other calls are awaited.
    const spinning = host.executeCommand('lab.spin').then(() => 'answered', (error: Error) => error.message);
    // While the module spins in its worker, the host thread is free: the other plugins answer at once.
    const answers = await Promise.all([host.executeCommand('hello-wasm.vowels', 'loop'), host.executeCommand('hello.sayHello', 'Ada')]);
    expect(answers).toEqual([2, 'Hello, Ada!']);
    expect(await spinning).toMatch(/unresponsive: no heartbeat answer/);
    expect(seen).toMatchObject([{ pluginId: 'test.lab', crashes: 1 }]);
    // Restarted with backoff by the supervisor, and answering again.
    expect(await host.executeCommand('lab.echo', 'back')).toEqual(['back']);
    expect(host.plugins().find((plugin) => plugin.id === 'test.lab')).toMatchObject({ state: 'active', restarts: 1 });
  });

  it('stops a module whose memory grows without bound at its cap, and one that floods Extism memory', async () => {
    labPlugin('lab');
    host = createHost({ devPaths: [join(work, 'lab')], dataDir: join(work, 'data'), limits: LIMITS });
    const seen = crashes(host);
    await host.start();
    await expect(host.executeCommand('lab.grow')).rejects.toThrow(/memory: trapped: unreachable with [\d.]+ MB of its 8 MB cap in use/);
    // The engine refused to grow it past the cap: what it had when it trapped is within it.
    expect(Number(/with ([\d.]+) MB/.exec(seen[0].reason)?.[1])).toBeLessThanOrEqual(8);
    await expect(host.executeCommand('lab.flood')).rejects.toThrow(/memory: allocated more than 16777216 bytes of Extism memory in one call/);
    expect(seen[1].reason).toMatch(/Extism memory/);
    expect(await host.executeCommand('lab.echo', 'fine')).toEqual(['fine']);
  });

  it("frees a call's Extism memory when it ends, keeping the module's vars; answers of host functions count toward the bound", async () => {
    labPlugin('lab');
    host = createHost({ devPaths: [join(work, 'lab')], dataDir: join(work, 'data'), limits: { ...LIMITS, wasmAllocMbPerCall: 2 } });
    const seen = crashes(host);
    await host.start();
    await host.executeCommand('lab.hold', 'kept across calls');
    // The block the previous call allocated is gone (Extism's JS runtime kept every block of every call: a module
    // allocating under the per-call bound in each call grew its worker without end); its var is not.
    expect(await host.executeCommand('lab.held')).toEqual({ block: 0, note: ['kept across calls'] });
    // One call reading a 256 KB value again and again holds each answer in Extism memory: past 2 MB, it is stopped.
    await expect(host.executeCommand('lab.hoard', '16')).rejects.toThrow(/memory: allocated more than 2097152 bytes of Extism memory in one call/);
    expect(seen).toHaveLength(1);
    expect(await host.executeCommand('lab.hoard', '2')).toBe(2 * 262_180);
  });

  it("earns no answer credit by another plugin's events: messages in answer to them are at the plugin's own rate", async () => {
    // One app call to the emitter; each of its 6 events makes the listener show 10 messages (60 in all). Only an app's
    // calls pace a plugin's answers: events from a plugin would let two plugins buy each other unmetered messages.
    labPlugin('emitter', { name: 'emitter' });
    labPlugin('listener', { name: 'listener', activationEvents: ['onEvent:test.emitter.shout'], contributes: { commands: [] } });
    host = createHost({ devPaths: [join(work, 'emitter'), join(work, 'listener')], dataDir: join(work, 'data'), limits: { ...LIMITS, messagesPerSecond: 20 } });
    const shown: string[] = [];
    host.on('message', (message) => shown.push(`${message.pluginId} ${message.text}`));
    await host.start();
    await host.executeCommand('lab.emit', 'test.emitter.shout', 6);
    expect(shown.filter((line) => line.startsWith('test.listener heard'))).toHaveLength(20);
  });

  it('refuses at once a module running its own command through the host, which would wait on itself', async () => {
    labPlugin('lab');
    host = createHost({ devPaths: [join(work, 'lab')], dataDir: join(work, 'data'), limits: LIMITS });
    await host.start();
    // Before: the inner call waited behind the outer one until the 10 s call timeout, the worker answering pings.
    expect(await host.executeCommand('lab.run-command', 'lab.echo', 1)).toEqual({ error: expect.stringMatching(/cannot run its own command "lab\.echo" through the host/), denied: false });
    expect(await host.executeCommand('lab.echo', 'still')).toEqual(['still']);
  }, 30_000);

  it("earns no answer credit by another plugin's calls of its commands: messages in answer to them are at its own rate", async () => {
    // One app call to the caller; each of its 6 calls of the listener's command shows 10 messages (60 in all).
    labPlugin('caller', { name: 'caller' });
    labPlugin('listener', { name: 'listener', contributes: { commands: [{ command: 'listener.shout', title: 'Shout' }] } });
    host = createHost({ devPaths: [join(work, 'caller'), join(work, 'listener')], dataDir: join(work, 'data'), limits: { ...LIMITS, messagesPerSecond: 20 } });
    const shown: string[] = [];
    host.on('message', (message) => shown.push(`${message.pluginId} ${message.text}`));
    await host.start();
    await host.executeCommand('lab.run-command', 'listener.shout', 6);
    expect(shown.filter((line) => line.startsWith('test.listener heard'))).toHaveLength(20);
  });

  it("counts the names of the module's vars toward their bound, not only their values", async () => {
    labPlugin('lab');
    host = createHost({ devPaths: [join(work, 'lab')], dataDir: join(work, 'data'), limits: { ...LIMITS, wasmAllocMbPerCall: 2, wasmMemoryMb: 64 } });
    const seen = crashes(host);
    await host.start();
    // Each call keeps a one-byte var under a fresh 768 KB name, within the call's own 2 MB: the names are held across
    // calls, so the third takes the vars past 2 MB in all.
    await host.executeCommand('lab.name-var', '768');
    await host.executeCommand('lab.name-var', '768');
    await expect(host.executeCommand('lab.name-var', '768')).rejects.toThrow(/its Extism vars hold more than 2097152 bytes/);
    expect(seen).toHaveLength(1);
  });

  it('counts a trap as a crash: restarted, then disabled after repeated traps, the host unharmed', async () => {
    labPlugin('lab');
    host = createHost({ pluginsDir: samples('hello-wasm'), devPaths: [join(work, 'lab')], dataDir: join(work, 'data'), limits: LIMITS });
    const disabled: HostEvents['disabled'][] = [];
    host.on('disabled', (event) => disabled.push(event));
    const seen = crashes(host);
    await host.start();
    for (let attempt = 1; attempt <= 3; attempt++) await expect(host.executeCommand('lab.trap')).rejects.toThrow(/trapped: unreachable/);
    expect(seen.map((crash) => crash.crashes)).toEqual([1, 2, 3]);
    expect(disabled).toMatchObject([{ pluginId: 'test.lab' }]);
    expect(host.plugins().find((plugin) => plugin.id === 'test.lab')?.state).toBe('disabled');
    await expect(host.executeCommand('lab.echo', 1)).rejects.toThrow(/disabled after 3 crashes/);
    expect(await host.executeCommand('hello-wasm.vowels', 'still fine')).toBe(3);
  });

  it('refuses a module changed after the gate read it, and an installed one changed after install', async () => {
    const plugins = samples('hello-wasm');
    host = createHost({ pluginsDir: plugins, dataDir: join(work, 'data'), limits: LIMITS });
    await host.start();
    appendFileSync(join(plugins, 'hello-wasm/build/plugin.wasm'), Buffer.from([0]));
    await expect(host.executeCommand('hello-wasm.vowels', 'a')).rejects.toThrow(/files changed since the gate read them: build\/plugin\.wasm/);
    await host.stop();
    host = undefined;

    const store = ['--plugins-dir', join(work, 'installed'), '--data-dir', join(work, 'data-installed')];
    const install = spawnSync(process.execPath, [CLI, 'install', join(SAMPLES, 'hello-wasm'), ...store, '--yes'], { encoding: 'utf8' });
    expect(install.status, install.stderr).toBe(0);
    const run = (): ReturnType<typeof spawnSync> => spawnSync(process.execPath, [CLI, 'run', ...store, '--exec', 'hello-wasm.greet', 'Ada', '--once'], { encoding: 'utf8' });
    expect(run().stdout).toContain('Hello from WebAssembly, Ada! (visit 1)');
    const module = readdirSync(join(work, 'installed'), { recursive: true, encoding: 'utf8' }).find((path) => path.endsWith('plugin.wasm'))!;
    chmodSync(join(work, 'installed', module), 0o644);
    appendFileSync(join(work, 'installed', module), Buffer.from([0]));
    const tampered = run();
    expect(String(tampered.stdout) + String(tampered.stderr)).toMatch(/refused warden-samples\.hello-wasm: modified since install: build\/plugin\.wasm/);
  });

  it('ends a module whose start function never returns when its activation times out; it restarts, then is disabled', async () => {
    labPlugin('start', { name: 'start', contributes: { commands: [{ command: 'start.run', title: 'Run' }] } }, moduleImporting([], { spinAtStart: true }));
    host = createHost({ devPaths: [join(work, 'start')], dataDir: join(work, 'data'), limits: { ...LIMITS, activateTimeoutMs: 500, maxCrashes: 2 } });
    const seen = crashes(host);
    const disabled: HostEvents['disabled'][] = [];
    host.on('disabled', (event) => disabled.push(event));
    await host.start();
    await expect(host.executeCommand('start.run')).rejects.toThrow(/activation did not answer within 500 ms/);
    // Its worker ended (the crash is its exit): before, it was unreachable until instantiated, and spun on for good.
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0].reason).toMatch(/activate failed/);
    // Restarted by the same rules, spinning again, ended again: disabled at maxCrashes.
    await expect.poll(() => disabled.length, { timeout: 5000 }).toBe(1);
    expect(host.plugins()[0].state).toBe('disabled');
  });

  it('refuses a module swapped after the host checked its files and before it was read', async () => {
    await expectSwapRefused((options) => createHost({ tierOf: () => 'community', limits: LIMITS, ...options }));
  });

  it('leaves no thread behind: an app that stops the host exits on its own, spare worker and all', () => {
    const script = [
      `const { createHost } = await import(${JSON.stringify(resolve(import.meta.dirname, '../../dist/host/index.js'))});`,
      `const host = createHost({ pluginsDir: ${JSON.stringify(samples('hello-wasm'))}, dataDir: ${JSON.stringify(join(work, 'data'))} });`,
      'await host.start();',
      "console.log(await host.executeCommand('hello-wasm.vowels', 'exit'));",
      'await host.stop();',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.signal, 'the process was still running after 20 s').toBeNull();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('2');
  });

  it('leaves no thread behind when the host stops while a module still compiles: its worker is ended as it boots', () => {
    // configFor is asked just before the module is read and compiled: the stop it queues lands while that runs.
    const script = [
      `const { createHost } = await import(${JSON.stringify(resolve(import.meta.dirname, '../../dist/host/index.js'))});`,
      'let stopped;',
      `const host = createHost({ pluginsDir: ${JSON.stringify(samples('hello-wasm'))}, dataDir: ${JSON.stringify(join(work, 'data'))},`,
      '  configFor: () => { setImmediate(() => { stopped = host.stop(); }); return {}; } });',
      'await host.start();',
      "await host.executeCommand('hello-wasm.vowels', 'exit').catch((error) => console.log(error.message));",
      'await stopped;',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
    expect(run.signal, 'the process was still running after 20 s: a worker outlived the host').toBeNull();
    expect(run.stdout).toMatch(/stopped while starting/);
    expect(run.status, run.stderr).toBe(0);
  });

});

/**
 * When the app requires process isolation, a WASM plugin runs in a sandboxed plugin process, at the host's level, with
 * its module in a worker thread of that process and each host function call passed to the host over JSON-RPC. Run on
 * each Node line: the process's permission flags (worker threads, WASI) differ between them.
 */
describe('a WASM plugin in a sandboxed process, when the app requires process isolation', () => {
  const level = LEVELS.find((target) => !target.skip);
  for (const node of NODES) {
    const target = { ...node, skip: node.skip ?? (level ? undefined : 'no isolation level is available here') };
    const required = level?.value === 'none' ? undefined : level?.value;
    const processHost = (options: Partial<Parameters<typeof createHost>[0]>) =>
      createHost({ dataDir: join(work, 'data'), requireIsolation: required ?? 'namespaces', isolation: level?.value, nodePath: node.value, limits: LIMITS, ...options });

    it.skipIf(skipped(target) || required === undefined)(titled(`${node.name}: runs the sample with storage and a message, in a process of its own`, target), async () => {
      host = processHost({ pluginsDir: samples('hello-wasm') });
      const messages: HostEvents['message'][] = [];
      host.on('message', (message) => messages.push(message));
      await host.start();
      expect(host.plugins()).toMatchObject([{ id: 'warden-samples.hello-wasm', state: 'inactive', runsIn: 'process' }]);
      expect(await host.executeCommand('hello-wasm.greet', 'Ada')).toBe('Hello from WebAssembly, Ada! (visit 1)');
      expect(await host.executeCommand('hello-wasm.vowels', 'WebAssembly')).toBe(3);
      expect(messages.map((message) => message.text)).toEqual(['Hello from WebAssembly, Ada! (visit 1)']);
      const [running] = host.plugins();
      expect(running).toMatchObject({ state: 'active', runsIn: 'process', isolation: level!.value });
      expect(running.pid).toEqual(expect.any(Number));
      await host.stop();
      const entries = readAuditLog(host.auditLogPath).filter((entry) => entry.pluginId === 'warden-samples.hello-wasm');
      expect(entries.some((entry) => entry.kind === 'process.start' && entry.isolation === level!.value)).toBe(true);
      expect(entries.filter((entry) => entry.kind === 'call').map((entry) => entry.method)).toEqual(expect.arrayContaining(['storage/get', 'storage/set', 'window/showMessage']));
      expect(entries.some((entry) => entry.kind === 'worker.start')).toBe(false);
    });

    it.skipIf(skipped(target) || required === undefined)(titled(`${node.name}: shows every message in answer to the app's calls there too`, target), async () => {
      host = processHost({ pluginsDir: samples('hello-wasm') });
      await greetsAnswered(host);
    });

    it.skipIf(skipped(target) || required === undefined)(titled(`${node.name}: denies a fetch outside the grant there too, and links WASI with nothing preopened`, target), async () => {
      await withCountingServer(async (url, requests) => {
        labPlugin('lab', { capabilities: { network: { hosts: ['api.example.com'] } } });
        const wasi = moduleImporting([['wasi_snapshot_preview1', 'random_get'], ['wasi_snapshot_preview1', 'environ_get']], { memory: true });
        labPlugin('wasi', { name: 'wasi', contributes: { commands: [{ command: 'wasi.run', title: 'Run' }] } }, wasi);
        host = processHost({ devPaths: [join(work, 'lab'), join(work, 'wasi')] });
        await host.start();
        const answer = (await host.executeCommand('lab.fetch', url)) as { error: string; denied: boolean };
        expect(answer).toMatchObject({ denied: true });
        expect(answer.error).toMatch(/net\.fetch to "127\.0\.0\.1" denied: add it to capabilities\.network\.hosts/);
        expect(requests()).toBe(0);
        expect(await host.executeCommand('lab.remember', 'kept')).toEqual({ result: { found: true, value: 'kept' } });
        // No output: JSON-RPC carries it as null, as it does a JavaScript command's undefined.
        expect(await host.executeCommand('wasi.run')).toBeNull();
        expect(host.plugins().map((plugin) => plugin.runsIn)).toEqual(['process', 'process']);
      });
    });

    it.skipIf(skipped(target) || required === undefined)(titled(`${node.name}: refuses a module swapped between the host's check and the runtime's read`, target), async () => {
      await expectSwapRefused((options) => processHost({ tierOf: () => 'community', ...options }));
    });

    it.skipIf(skipped(target) || required === undefined)(titled(`${node.name}: stops a module that loops forever by the heartbeat, and a trap is a crash; both restart`, target), async () => {
      labPlugin('lab');
      host = processHost({ devPaths: [join(work, 'lab')], limits: SPIN_LIMITS });
      const seen = crashes(host);
      await host.start();
      await host.executeCommand('lab.echo', 0);
      // The module spins in its worker; the process's own thread is free, so it must ask the worker before answering.
      await expect(host.executeCommand('lab.spin')).rejects.toThrow(/unresponsive: no heartbeat answer/);
      expect(await host.executeCommand('lab.echo', 'back')).toEqual(['back']);
      await expect(host.executeCommand('lab.trap')).rejects.toThrow(/trapped: unreachable/);
      expect(await host.executeCommand('lab.echo', 'again')).toEqual(['again']);
      expect(seen.map((crash) => crash.pluginId)).toEqual(['test.lab', 'test.lab']);
    });
  }
});
