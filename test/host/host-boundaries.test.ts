/**
 * What the host itself keeps apart between plugins and the app, through
 * createHost with real plugin processes: a plugin cannot take another's
 * command (and its callers' arguments), cannot emit names the app or another
 * plugin owns, and listeners always learn who sent an event. And the
 * isolation requirement: plugins() and the 'activated' event say which level
 * each runs with, and a plugin whose required level is above it is refused.
 * Needs `npx tsc -p tsconfig.json` first.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Host, type HostOptions, createHost } from '../../host/index.js';
import { isolationProblem } from '../../host/isolation-policy.js';
import { machineSupport } from '../../host/platform.js';
import { LEVELS, skipped, titled } from '../fixtures/host/matrix.js';

let work: string;
let host: Host | undefined;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'warden-boundaries-'));
});
afterEach(async () => {
  await host?.stop();
  host = undefined;
  rmSync(work, { recursive: true, force: true });
});

/** A plugin folder under `work/plugins`: its manifest fields and the body of its activate(ctx). */
function plugin(name: string, manifest: Record<string, unknown>, activate: string): string {
  const root = join(work, 'plugins', name);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name, publisher: 'test', version: '1.0.0', main: 'index.js', engines: { warden: '*' }, ...manifest }));
  writeFileSync(join(root, 'index.js'), `exports.activate = async (ctx) => {\n${activate}\n};\n`);
  return root;
}

/** The victim keeps a command its callers pass secrets to, and records every event with its sender. */
function victim(): string {
  return plugin('victim', { activationEvents: ['onStartup'], contributes: { commands: [{ command: 'victim.unlock', title: 'Unlock' }] } }, `
    const heard = [];
    ctx.commands.register('victim.unlock', (password) => 'unlocked with ' + password.length + ' characters');
    ctx.commands.register('test.victim.heard', () => heard);
    for (const name of ['files.changed', 'test.attacker.ready', 'shared.note']) ctx.events.on(name, (payload, event) => heard.push({ name, payload, from: event.from }));
  `);
}

function attacker(): string {
  return plugin('attacker', { activationEvents: ['onStartup'], contributes: { commands: [{ command: 'attacker.go', title: 'Go' }] } }, `
    const attempt = async (f) => { try { await f(); return 'done'; } catch (error) { return error.message; } };
    ctx.commands.register('attacker.go', async () => ({
      takeCommand: await attempt(() => {
        ctx.commands.register('victim.unlock', (password) => { globalThis.stolen = password; return 'stolen'; });
        return new Promise((resolve) => setTimeout(resolve, 200)); // the host answers a registration asynchronously
      }),
      emitAppEvent: await attempt(() => ctx.events.emit('files.changed', { path: '/etc/passwd' })),
      emitVictimEvent: await attempt(() => ctx.events.emit('test.victim.saved', {})),
      emitOwnEvent: await attempt(() => ctx.events.emit('test.attacker.ready', { n: 1 })),
      emitShared: await attempt(() => ctx.events.emit('shared.note', { n: 2 })),
      stolen: globalThis.stolen ?? null,
    }));
    ctx.commands.register('test.attacker.own', () => 'mine');
    ctx.commands.register('nobodys.command', () => 'squatted');
  `);
}

async function start(options: Partial<HostOptions> = {}): Promise<{ host: Host; logs: string[] }> {
  const logs: string[] = [];
  host = createHost({ dataDir: join(work, 'data'), devPaths: [victim(), attacker()], cache: false, ...options });
  host.on('log', ({ pluginId, line }) => logs.push(`${pluginId}: ${line}`));
  await host.start();
  return { host, logs };
}

describe('commands', () => {
  it("a plugin cannot register another plugin's command or an id that is not its own; its own ids work", async () => {
    const { host: h, logs } = await start();
    const result = await h.executeCommand<Record<string, unknown>>('attacker.go');
    expect(await h.executeCommand('victim.unlock', 'correct horse battery staple')).toBe('unlocked with 28 characters');
    expect(result.stolen).toBeNull();
    expect(await h.executeCommand('test.attacker.own')).toBe('mine');
    await expect(h.executeCommand('nobodys.command')).rejects.toThrow('no plugin provides the command "nobodys.command"');
    expect(logs).toContain(`test.attacker: registering victim.unlock failed: the command "victim.unlock" is not test.attacker's to register (it is test.victim's): register the commands package.json contributes (contributes.commands) or ids that start with "test.attacker."`);
    expect(logs.some((line) => line.includes('registering nobodys.command failed'))).toBe(true);
  });
});

describe('who owns a name', () => {
  /** tools (test.tools) and tools.sync (test.tools.sync): the first id prefixes every name of the second. */
  async function prefixed(): Promise<{ host: Host; logs: string[] }> {
    const sync = plugin('tools.sync', { activationEvents: ['onStartup'], contributes: { commands: [{ command: 'sync.start', title: 'Start' }] } }, `
      const heard = [];
      ctx.commands.register('sync.start', () => 'started');
      ctx.commands.register('test.tools.sync.unlock', (password) => 'unlocked by tools.sync');
      ctx.commands.register('test.tools.sync.heard', () => heard);
      ctx.events.on('test.tools.sync.done', (payload, event) => heard.push({ payload, from: event.from }));
    `);
    const tools = plugin('tools', { activationEvents: ['onStartup'], contributes: { commands: [{ command: 'tools.hello', title: 'Hello' }] } }, `
      const attempt = async (f) => { try { await f(); return 'done'; } catch (error) { return error.message; } };
      ctx.commands.register('tools.hello', async () => ({
        emitTheirs: await attempt(() => ctx.events.emit('test.tools.sync.done', { forged: true })),
        emitOwn: await attempt(() => ctx.events.emit('test.tools.ready', {})),
      }));
      ctx.commands.register('test.tools.sync.unlock', (password) => { globalThis.stolen = password; return 'ATTACKER got ' + password; });
      ctx.commands.register('test.tools.own', () => 'mine');
    `);
    const logs: string[] = [];
    // The shorter id loads and starts first: it must still not reach the longer one's names.
    host = createHost({ dataDir: join(work, 'data'), devPaths: [tools, sync], cache: false });
    host.on('log', ({ pluginId, line }) => logs.push(`${pluginId}: ${line}`));
    await host.start();
    return { host, logs };
  }

  it("a name under a longer plugin id is that plugin's: the shorter id cannot register its commands or emit its events", async () => {
    const { host: h, logs } = await prefixed();
    const result = await h.executeCommand<Record<string, string>>('tools.hello');
    expect(await h.executeCommand('test.tools.sync.unlock', 'hunter2')).toBe('unlocked by tools.sync');
    expect(logs.some((line) => line.includes(`test.tools: registering test.tools.sync.unlock failed: the command "test.tools.sync.unlock" is not test.tools's to register (it is test.tools.sync's)`))).toBe(true);
    expect(result.emitTheirs).toBe('the event name "test.tools.sync.done" is test.tools.sync\'s: a plugin emits event names that start with "test.tools."');
    expect(await h.executeCommand('test.tools.sync.heard')).toEqual([]);
    // Its own names, under its own id and no longer one, still work.
    expect(result.emitOwn).toBe('done');
    expect(await h.executeCommand('test.tools.own')).toBe('mine');
  });

  it('a command id two plugins contribute has no contributor: both are refused, and the caller reaches neither', async () => {
    const calls = join(work, 'calls');
    mkdirSync(calls);
    const record = (who: string) => `require('fs').writeFileSync(${JSON.stringify(join(calls, ''))} + '${who}', String(arg)); return '${who}';`;
    const helper = plugin('helper', { activationEvents: ['onStartup'], contributes: { commands: [{ command: 'sync.start', title: 'Start' }] } }, `ctx.commands.register('sync.start', (arg) => { ${record('helper')} });`);
    const sync = plugin('sync', { activationEvents: ['onStartup'], contributes: { commands: [{ command: 'sync.start', title: 'Start' }, { command: 'sync.stop', title: 'Stop' }] } }, `
      ctx.commands.register('sync.start', (arg) => { ${record('sync')} });
      ctx.commands.register('sync.stop', () => 'stopped');`);
    const blocked: string[] = [];
    host = createHost({ dataDir: join(work, 'data'), devPaths: [helper, sync], cache: false, grantFor: ({ root, dataDir }) => ({ fsRead: [root, dataDir], fsWrite: [dataDir, calls], networkHosts: [], env: [], childProcess: false, worker: false, nativeAddons: false }) });
    host.on('blocked', ({ pluginId, reasons }) => blocked.push(`${pluginId}: ${reasons.join('; ')}`));
    await host.start();
    const reason = 'the command "sync.start" is contributed by both test.helper and test.sync: a command has one contributor, so neither runs it';
    expect(blocked).toEqual([`test.helper: ${reason}`, `test.sync: ${reason}`]);
    await expect(host.executeCommand('sync.start', 'secret-arg')).rejects.toThrow(reason);
    expect(readdirSync(calls)).toEqual([]);
    expect(host.plugins().filter((p) => p.state === 'active')).toEqual([]);
  });

  it('distinct contributions stay bound to their contributors; an onCommand: naming another plugin\'s command does not let a plugin register it', async () => {
    const squatter = plugin('squatter', { activationEvents: ['onCommand:victim.unlock', 'onStartup'], contributes: { commands: [{ command: 'squat.go', title: 'Go' }] } }, `
      ctx.commands.register('squat.go', () => 'went');
      ctx.commands.register('victim.unlock', (password) => 'SQUATTER got ' + password);`);
    const logs: string[] = [];
    host = createHost({ dataDir: join(work, 'data'), devPaths: [squatter, victim()], cache: false });
    host.on('log', ({ pluginId, line }) => logs.push(`${pluginId}: ${line}`));
    await host.start();
    expect(await host.executeCommand('victim.unlock', 'pw')).toBe('unlocked with 2 characters');
    expect(await host.executeCommand('squat.go')).toBe('went');
    expect(logs.some((line) => line.startsWith('test.squatter: registering victim.unlock failed: the command "victim.unlock" is not test.squatter\'s to register (it is test.victim\'s)'))).toBe(true);
  });
});

describe('events', () => {
  it('carry their sender, and a plugin cannot emit names the app or another plugin owns', async () => {
    const { host: h } = await start();
    const result = await h.executeCommand<Record<string, string>>('attacker.go');
    expect(result.emitAppEvent).toBe('the event name "files.changed" is reserved by the app: a plugin emits event names that start with "test.attacker."');
    expect(result.emitVictimEvent).toBe('the event name "test.victim.saved" is test.victim\'s: a plugin emits event names that start with "test.attacker."');
    expect(result.emitOwnEvent).toBe('done');
    expect(result.emitShared).toMatch(/reserved by the app/);
    await h.emitEvent('files.changed', { path: '/home/u/notes.txt' });
    expect(await h.executeCommand('test.victim.heard')).toEqual([
      { name: 'test.attacker.ready', payload: { n: 1 }, from: 'test.attacker' },
      { name: 'files.changed', payload: { path: '/home/u/notes.txt' }, from: 'app' },
    ]);
  });

  it('an app can open names to plugins; they still arrive with their sender', async () => {
    const { host: h } = await start({ reservedEvents: ['files.*'] });
    const result = await h.executeCommand<Record<string, string>>('attacker.go');
    expect(result.emitShared).toBe('done');
    expect(result.emitAppEvent).toMatch(/reserved by the app/);
    expect(result.emitVictimEvent).toMatch(/test\.victim's/);
    expect(await h.executeCommand('test.victim.heard')).toEqual(expect.arrayContaining([{ name: 'shared.note', payload: { n: 2 }, from: 'test.attacker' }]));
  });
});

describe('isolation', () => {
  for (const level of LEVELS) {
    it.skipIf(skipped(level))(titled(`plugins() and the activated event say plugins run with isolation ${level.name}`, level), async () => {
      const activated: unknown[] = [];
      host = createHost({ dataDir: join(work, 'data'), devPaths: [victim()], cache: false, isolation: level.value });
      host.on('activated', (event) => activated.push(event.isolation));
      await host.start();
      expect(host.plugins()[0].isolation).toBe(level.value);
      expect(activated).toEqual([level.value]);
    });
  }

  it('installed unregistered and community plugins require namespaces by default; dev, official and trusted ones do not', async () => {
    victim();
    const installed = (tier: string): Promise<string | undefined> => {
      const h = createHost({ dataDir: join(work, `data-${tier}`), pluginsDir: join(work, 'plugins'), cache: false, isolation: 'none', tierOf: () => tier as never });
      return h.start().then(() => {
        const info = h.plugins()[0];
        return h.stop().then(() => (info.state === 'blocked' ? info.lastError : undefined));
      });
    };
    expect(await installed('unregistered')).toBe('it requires isolation "namespaces" but runs with "none" here: the host was told to run plugins with isolation "none"');
    expect(await installed('community')).toMatch(/requires isolation "namespaces"/);
    expect(await installed('trusted')).toBeUndefined();
    expect(await installed('official')).toBeUndefined();
    host = createHost({ dataDir: join(work, 'data-dev'), devPaths: [join(work, 'plugins', 'victim')], cache: false, isolation: 'none' });
    await host.start();
    expect(host.plugins()[0].state).toBe('active');
  });

  it('an isolation level that does not exist is refused when the host is created', () => {
    expect(() => createHost({ dataDir: join(work, 'data'), requireIsolation: 'paranoid' as never })).toThrow('requireIsolation: "paranoid" is not an isolation level (strict, namespaces, none)');
    expect(() => createHost({ dataDir: join(work, 'data'), isolation: 'chroot' as never })).toThrow('isolation: "chroot" is not an isolation level');
  });

  it('requireIsolation refuses any plugin below it, and the refusal says what is missing and how to get it', async () => {
    host = createHost({ dataDir: join(work, 'data'), devPaths: [victim()], cache: false, isolation: 'namespaces', requireIsolation: 'strict' });
    await host.start();
    expect(host.plugins()[0].state).toBe('blocked');
    await expect(host.executeCommand('victim.unlock', 'x')).rejects.toThrow(/blocked: it requires isolation "strict" but runs with "namespaces" here/);
    const noBwrap = { ...machineSupport(), levels: ['namespaces', 'none'] as const, missing: { strict: 'bubblewrap is not installed (apt install bubblewrap, dnf install bubblewrap, pacman -S bubblewrap)' } };
    expect(isolationProblem('strict', 'namespaces', { ...noBwrap, levels: [...noBwrap.levels] })).toBe(
      'it requires isolation "strict" but runs with "namespaces" here: bubblewrap is not installed (apt install bubblewrap, dnf install bubblewrap, pacman -S bubblewrap)',
    );
  });
});
