/**
 * createHost end to end: the real gate, real sandboxed processes, the
 * sample plugins. Needs `npx tsc -p tsconfig.json` first (the plugin runtime runs from dist/).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAuditLog, verifyAuditLog } from '../../host/audit.js';
import { createHost, type Host, type HostEventName, type HostEvents } from '../../host/index.js';

const SAMPLES = resolve(import.meta.dirname, '../../sample-plugins');

let work: string;
let host: Host | undefined;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'warden-host-'));
});

afterEach(async () => {
  await host?.stop();
  host = undefined;
  rmSync(work, { recursive: true, force: true });
});

function copySamples(...names: string[]): string {
  const dir = join(work, 'plugins');
  for (const name of names) cpSync(join(SAMPLES, name), join(dir, name), { recursive: true });
  return dir;
}

function record(h: Host): { [E in HostEventName]?: HostEvents[E][] } {
  const seen: { [E in HostEventName]?: HostEvents[E][] } = {};
  for (const name of ['analyzed', 'blocked', 'warned', 'activated', 'deactivated', 'crashed', 'denied', 'message'] as const) {
    h.on(name, (payload) => ((seen[name] ??= []) as unknown[]).push(payload));
  }
  return seen;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('createHost', () => {
  it('runs allowed plugins lazily, refuses the stealer with its reasons, and routes commands', async () => {
    host = createHost({ pluginsDir: copySamples('hello-world', 'notes', 'stealer', 'file-indexer'), dataDir: join(work, 'data') });
    const seen = record(host);
    await host.start();

    const byId = Object.fromEntries(host.plugins().map((p) => [p.id, p]));
    expect(byId['totally-legit.stealer']?.state).toBe('blocked');
    const stealerBlock = seen.blocked?.find((b) => b.pluginId === 'totally-legit.stealer');
    expect(stealerBlock?.reasons.join(' ')).toMatch(/critical/);
    expect(seen.analyzed?.find((a) => a.pluginId === 'totally-legit.stealer')?.findings.some((f) => f.severity === 'critical')).toBe(true);
    // Lazy: nothing runs before it is used, except what asks for onStartup.
    expect(byId['samples.hello-world']).toMatchObject({ state: 'inactive', pid: undefined, tier: 'unregistered' });
    expect(byId['samples.file-indexer']?.state).toBe('active');

    expect(await host.executeCommand('hello.sayHello', 'Ada')).toBe('Hello, Ada!');
    expect(seen.message).toContainEqual({ pluginId: 'samples.hello-world', level: 'info', text: 'Hello, Ada!' });
    const hello = host.plugins().find((p) => p.id === 'samples.hello-world')!;
    expect(hello.state).toBe('active');
    expect(alive(hello.pid!)).toBe(true);
    await new Promise((r) => setTimeout(r, 100)); // the first RSS sample is read asynchronously
    expect(host.plugins().find((p) => p.id === 'samples.hello-world')!.memory).toBeGreaterThan(10 * 1024 * 1024);

    expect(await host.executeCommand('notes.add', 'buy milk')).toBe(1);
    expect(await host.executeCommand('notes.list')).toMatchObject([{ text: 'buy milk' }]);
    await expect(host.executeCommand('dates.format', '2020-01-01')).rejects.toThrow(/totally-legit.stealer is blocked: .*critical/);
    await expect(host.executeCommand('no.such.command')).rejects.toThrow(/no plugin provides the command "no.such.command"/);

    const pids = host.plugins().flatMap((p) => (p.pid ? [p.pid] : []));
    await host.stop();
    host = undefined;
    expect(pids.filter(alive)).toEqual([]);
    const log = join(work, 'data', 'audit.log');
    expect(verifyAuditLog(log)).toMatchObject({ ok: true });
    const kinds = new Set(readAuditLog(log).map((e) => e.kind));
    for (const kind of ['analyzed', 'blocked', 'activated', 'deactivated', 'call']) expect(kinds).toContain(kind);
  });

  it('asks tierOf: an "official" stealer loads with warnings, yet the sandbox stops its theft and the supervisor disables it', async () => {
    host = createHost({
      pluginsDir: copySamples('stealer'),
      dataDir: join(work, 'data'),
      tierOf: (id) => (id === 'totally-legit.stealer' ? 'official' : 'unregistered'),
    });
    const seen = record(host);
    const disabled = new Promise<HostEvents['disabled']>((done) => host!.on('disabled', done));
    await host.start();
    expect(seen.blocked).toBeUndefined();
    expect(seen.warned?.[0]?.reasons.join(' ')).toMatch(/critical/);
    expect(host.plugins()[0]?.tier).toBe('official');
    // It ran (onStartup): no network in its namespace, so its upload throws and it crashes, three times.
    expect((await disabled).reason).toMatch(/disabled after 3 crashes .*collector\.example/);
    expect(host.plugins()[0]).toMatchObject({ state: 'disabled', restarts: 2 });
  });

  it('refuses an installed plugin whose files changed after the gate read them', async () => {
    const dir = copySamples('hello-world');
    host = createHost({ pluginsDir: dir, dataDir: join(work, 'data') });
    const seen = record(host);
    await host.start();
    writeFileSync(join(dir, 'hello-world', 'index.js'), `${readFileSync(join(dir, 'hello-world', 'index.js'), 'utf8')}\n// changed\n`);
    await expect(host.executeCommand('hello.sayHello')).rejects.toThrow(/files changed since the gate read them: index.js/);
    expect(seen.blocked?.[0]?.reasons[0]).toMatch(/index.js/);
    expect(host.plugins()[0]).toMatchObject({ state: 'blocked', pid: undefined });
    expect(seen.activated).toBeUndefined();
  });

  it('re-analyzes a development plugin whose files changed, and runs the new code', async () => {
    const root = join(copySamples('hello-world'), 'hello-world');
    host = createHost({ devPaths: [root], dataDir: join(work, 'data') });
    const seen = record(host);
    await host.start();
    const source = readFileSync(join(root, 'index.js'), 'utf8');
    writeFileSync(join(root, 'index.js'), source.replace('Hello, ', 'Howdy, '));
    expect(await host.executeCommand('hello.sayHello', 'Ada')).toBe('Howdy, Ada!');
    expect(seen.analyzed).toHaveLength(2);
  });

  it('shows a development plugin its blocking findings but runs it', async () => {
    const root = join(copySamples('stealer'), 'stealer');
    host = createHost({ devPaths: [root], dataDir: join(work, 'data') });
    const seen = record(host);
    await host.start();
    expect(seen.blocked).toBeUndefined();
    expect(seen.warned?.[0]?.reasons.join(' ')).toMatch(/loaded anyway: development plugin/);
    expect(seen.analyzed?.[0]?.findings.length).toBeGreaterThan(0);
  });

  it('refuses a plugin whose engines.warden does not match the host version', async () => {
    const dir = copySamples('hello-world');
    const manifestPath = join(dir, 'hello-world', 'package.json');
    writeFileSync(manifestPath, JSON.stringify({ ...JSON.parse(readFileSync(manifestPath, 'utf8')), engines: { warden: '^9.0.0' } }));
    host = createHost({ pluginsDir: dir, dataDir: join(work, 'data') });
    const seen = record(host);
    await host.start();
    expect(seen.blocked?.[0]?.reasons).toEqual([
      'the host cannot load it, whatever its tier: It requires Warden ^9.0.0 (engines.warden in package.json) but this is Warden 0.1.0, so the host refuses to load it (manifest at package.json:1:168)',
    ]);
    await expect(host.executeCommand('hello.sayHello')).rejects.toThrow(/requires Warden \^9.0.0/);
  });

  it('refuses a development plugin the host cannot load (wrong engines.warden, no entry module), though its other findings only warn', async () => {
    const root = join(copySamples('hello-world'), 'hello-world');
    const manifestPath = join(root, 'package.json');
    writeFileSync(manifestPath, JSON.stringify({ ...JSON.parse(readFileSync(manifestPath, 'utf8')), engines: { warden: '^9.0.0' }, main: 'gone.js' }));
    host = createHost({ devPaths: [root], dataDir: join(work, 'data') });
    const seen = record(host);
    await host.start();
    expect(seen.blocked?.[0]?.reasons.join(' ')).toMatch(/entry module "gone.js" is not in the package.*requires Warden \^9\.0\.0/);
    await expect(host.executeCommand('hello.sayHello')).rejects.toThrow(/is blocked/);
  });

  it('reports a plugin with a broken manifest as blocked and keeps loading the others', async () => {
    const dir = copySamples('hello-world');
    mkdirSync(join(dir, 'broken'));
    writeFileSync(join(dir, 'broken', 'package.json'), '{ "name": "broken" ');
    host = createHost({ pluginsDir: dir, dataDir: join(work, 'data') });
    const seen = record(host);
    await host.start();
    expect(seen.blocked?.[0]?.reasons[0]).toMatch(/invalid manifest .*not valid JSON/);
    expect(await host.executeCommand('hello.sayHello')).toBe('Hello, world!');
  });

  it('activates on an event, delivers it, and lets plugins call each other through the host', async () => {
    const root = join(work, 'listener');
    mkdirSync(root);
    writeFileSync(join(root, 'package.json'), JSON.stringify({
      name: 'listener', publisher: 'test', version: '1.0.0', main: 'index.js', engines: { warden: '*' },
      activationEvents: ['onEvent:build.done'], contributes: { commands: [{ command: 'listener.greet', title: 'Greet via hello' }] },
    }));
    writeFileSync(join(root, 'index.js'), `exports.activate = (ctx) => {
      ctx.events.on('build.done', (payload) => ctx.window.showMessage('build finished: ' + payload.status));
      ctx.commands.register('listener.greet', () => ctx.commands.execute('hello.sayHello', 'listener'));
    };`);
    host = createHost({ pluginsDir: copySamples('hello-world'), devPaths: [root], dataDir: join(work, 'data') });
    const seen = record(host);
    await host.start();
    expect(host.plugins().find((p) => p.id === 'test.listener')?.state).toBe('inactive');
    await host.emitEvent('build.done', { status: 'green' });
    expect(seen.message).toContainEqual({ pluginId: 'test.listener', level: 'info', text: 'build finished: green' });
    expect(await host.executeCommand('listener.greet')).toBe('Hello, listener!');
  });

  it('the sneaky plugin passes the gate, and the sandbox and broker deny it at run time', async () => {
    host = createHost({ pluginsDir: copySamples('sneaky'), dataDir: join(work, 'data') });
    const seen = record(host);
    await host.start();
    expect(seen.blocked).toBeUndefined();
    const results = await host.executeCommand<string[]>('sneaky.sync');
    expect(results[0]).toMatch(/etc\/passwd: ERR_ACCESS_DENIED/);
    expect(results[1]).toMatch(/net.fetch to "exfil.example" denied: add it to capabilities.network.hosts/);
    expect(seen.denied?.[0]?.message).toMatch(/exfil.example/);
    expect(readAuditLog(join(work, 'data', 'audit.log')).some((e) => e.kind === 'denied' && e.pluginId === 'shady.sneaky')).toBe(true);
  });

  it('leaves no plugin process behind when the host process is SIGKILLed', async () => {
    const script = `
      const { createHost } = await import(${JSON.stringify(pathToFileURL(resolve(import.meta.dirname, '../../dist/host/index.js')).href)});
      const host = createHost({ pluginsDir: ${JSON.stringify(copySamples('hello-world', 'file-indexer'))}, dataDir: ${JSON.stringify(join(work, 'data'))} });
      await host.start();
      await host.executeCommand('hello.sayHello');
      console.log(JSON.stringify(host.plugins().map((p) => p.pid)));
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = await new Promise<string[]>((done) => createInterface({ input: child.stdout }).once('line', (l) => done([l])));
    const pids = JSON.parse(line!) as number[];
    expect(pids).toHaveLength(2);
    expect(pids.every(alive)).toBe(true);
    child.kill('SIGKILL');
    for (let waited = 0; pids.some(alive) && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    expect(pids.filter(alive)).toEqual([]);
  });

  it('a forged "no findings" cache entry does not make the host allow and activate the stealer', async () => {
    const pluginsDir = copySamples('stealer');
    const dataDir = join(work, 'data');
    host = createHost({ pluginsDir, dataDir });
    await host.start();
    expect(host.plugins()[0]?.state).toBe('blocked');
    await host.stop();
    // What the poisoning wrote: well-formed entries of the cache's format saying every file is clean.
    for (const entry of readdirSync(join(dataDir, 'cache'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile())) {
      const key = entry.name.slice(0, -'.json'.length);
      const sets = entry.parentPath.includes('/sets/');
      writeFileSync(join(entry.parentPath, entry.name), JSON.stringify({ key, reports: sets ? { 'index.js': [] } : [] }));
    }
    host = createHost({ pluginsDir, dataDir });
    const seen = record(host);
    await host.start();
    expect(seen.analyzed?.[0]).toMatchObject({ pluginId: 'totally-legit.stealer', cached: 0, decision: { action: 'block' } });
    expect(host.plugins()[0]).toMatchObject({ state: 'blocked', pid: undefined });
    expect(seen.activated).toBeUndefined();
  });
});
