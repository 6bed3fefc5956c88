/**
 * `warden enable` / `warden disable`, with and without a host running on the data folder, through real
 * `warden` processes: a plugin the supervisor disabled comes back on a running host; one disabled by hand stays
 * off across host restarts; every switch is in the audit log; bad input is one line, exit 2, nothing changed.
 * Needs `npx tsc -p tsconfig.json` first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAuditLog, verifyAuditLog } from '../../host/audit.js';
import { socketName } from '../../host/data-lock.js';
import { CLI, ROOT, snapshot, warden, wardenRunning, type Finished } from '../fixtures/host/cli.js';

const FRAGILE = 'warden-tests.fragile';
const STEALER = 'mallory.stealer'; // test/fixtures/stealer: blocked by the gate for an unregistered plugin
let work: string;
let plugins: string;
let dataDir: string;
const running: ChildProcess[] = [];

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'warden-switch-'));
  plugins = join(work, 'plugins');
  cpSync(join(ROOT, 'test/fixtures/host/fragile'), join(plugins, 'fragile'), { recursive: true });
  cpSync(join(ROOT, 'sample-plugins/hello-world'), join(plugins, 'hello-world'), { recursive: true });
  dataDir = join(work, 'data');
});
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** `warden …args` run without blocking this process (whose test host must keep reading its events). */
function wardenAsync(cwd: string, ...args: string[]): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function switches() {
  return readAuditLog(join(dataDir, 'audit.log')).filter((e) => (e.kind === 'enabled' || e.kind === 'disabled') && e.by === 'user').map((e) => [e.kind, e.pluginId]);
}

describe('warden enable / disable', () => {
  it('on a running host: re-enables a plugin the supervisor disabled, and disables one by hand at once', async () => {
    mkdirSync(join(dataDir, 'plugins', FRAGILE), { recursive: true });
    writeFileSync(join(dataDir, 'plugins', FRAGILE, 'storage.json'), JSON.stringify({ 'crash-on-start': true }));
    const host = wardenRunning(work, '--plugins-dir', plugins, '--data-dir', dataDir);
    running.push(host.child);
    await host.until((e) => e.event === 'disabled' && e.pluginId === FRAGILE);

    writeFileSync(join(dataDir, 'plugins', FRAGILE, 'storage.json'), '{}');
    const enabled = warden(work, 'enable', FRAGILE, '--data-dir', dataDir);
    expect(enabled.code, enabled.stderr).toBe(0);
    expect(enabled.stdout).toBe(`✔ ${FRAGILE} enabled (by the host running on ${dataDir})\n`);
    expect(await host.until((e) => e.event === 'enabled')).toMatchObject({ pluginId: FRAGILE, was: expect.stringMatching(/^disabled after 3 crashes/) });
    await host.until((e) => e.event === 'activated' && e.pluginId === FRAGILE && e.reason === 'enabled');

    const disabled = warden(work, 'disable', 'samples.hello-world', '--data-dir', dataDir);
    expect(disabled.code, disabled.stderr).toBe(0);
    await host.until((e) => e.event === 'disabled' && e.pluginId === 'samples.hello-world' && e.reason === 'disabled by hand');
    expect(warden(work, 'disable', 'samples.hello-world', '--data-dir', dataDir).stdout).toMatch(/was already disabled/);

    const unknown = warden(work, 'enable', 'nobody.nothing', '--data-dir', dataDir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('warden: no plugin "nobody.nothing"\n');

    host.child.kill('SIGTERM');
    expect(await host.exited).toBe(0);
    expect(switches()).toEqual([['enabled', FRAGILE], ['disabled', 'samples.hello-world']]);

    // Off across a restart: the next host refuses its command and says how to turn it back on.
    const next = warden(work, 'run', '--plugins-dir', plugins, '--data-dir', dataDir, '--exec', 'hello.sayHello', '--exec', 'fragile.ping', '--once');
    expect(next.code).toBe(1);
    expect(next.stderr).toMatch(/✖ hello\.sayHello failed: samples\.hello-world is disabled by hand since \S+ \(`warden enable samples\.hello-world` turns it back on\)/);
    expect(next.stdout).toContain('✔ fragile.ping → "pong"');
    expect(verifyAuditLog(join(dataDir, 'audit.log'))).toMatchObject({ ok: true });
  });

  it('with no host running: records the switch for the next host, in the audit log too', () => {
    expect(warden(work, 'run', '--plugins-dir', plugins, '--data-dir', dataDir, '--once').code).toBe(0);
    const off = warden(work, 'disable', 'samples.hello-world', '--data-dir', dataDir);
    expect(off.code).toBe(0);
    expect(off.stdout).toMatch(/samples\.hello-world disabled: it stays off when a host starts on .*, until `warden enable samples\.hello-world`/);
    const refused = warden(work, 'run', '--plugins-dir', plugins, '--data-dir', dataDir, '--exec', 'hello.sayHello', '--json', '--once');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/"event":"failed".*disabled by hand/);
    const on = warden(work, 'enable', 'samples.hello-world', '--data-dir', dataDir);
    expect(on.code).toBe(0);
    expect(warden(work, 'enable', 'samples.hello-world', '--data-dir', dataDir).stdout).toMatch(/is not disabled by hand/);
    const back = warden(work, 'run', '--plugins-dir', plugins, '--data-dir', dataDir, '--exec', 'hello.sayHello', '--once');
    expect(back.code).toBe(0);
    expect(switches()).toEqual([['disabled', 'samples.hello-world'], ['enabled', 'samples.hello-world']]);
    expect(verifyAuditLog(join(dataDir, 'audit.log'))).toMatchObject({ ok: true });
  });

  it('bad input: one line, exit 2, nothing changed', () => {
    expect(warden(work, 'run', '--plugins-dir', plugins, '--data-dir', dataDir, '--once').code).toBe(0);
    const before = snapshot(dataDir);
    for (const [args, message] of [
      [['enable', 'not-an-id', '--data-dir', dataDir], 'warden: not a plugin id (publisher.name): not-an-id'],
      [['disable', 'a.b', '--data-dir', join(work, 'missing')], `warden: no data folder at ${join(work, 'missing')} (pass --data-dir DIR)`],
      [['enable'], "warden: missing required argument 'id'"],
    ] as const) {
      const result = warden(work, ...args);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`${message}\n`);
    }
    expect(snapshot(dataDir)).toEqual(before);
  });

  it("a control request without the lock record's token is refused, and changes nothing", async () => {
    const host = wardenRunning(work, '--plugins-dir', plugins, '--data-dir', dataDir);
    running.push(host.child);
    await host.until((e) => e.event === 'activated' && e.pluginId === FRAGILE);
    const reply = await new Promise<string>((resolve) => {
      const socket = connect({ path: socketName(dataDir) });
      let text = '';
      socket.on('connect', () => socket.write(`${JSON.stringify({ command: 'disable', pluginId: FRAGILE, token: 'guessed' })}\n`));
      socket.on('data', (chunk) => (text += chunk));
      socket.on('close', () => resolve(text));
    });
    expect(JSON.parse(reply)).toEqual({ ok: false, error: 'not authorised: the token is not the one in the lock record' });
    expect(warden(work, 'enable', FRAGILE, '--data-dir', dataDir).stdout).toMatch(/was already enabled/);
    expect(host.events.some((e) => e.event === 'disabled')).toBe(false);
  });

  it('a blocked plugin: disabling it is refused (exit 2), and a hand switch set while no host ran can be cleared', async () => {
    cpSync(join(ROOT, 'test/fixtures/stealer'), join(plugins, 'stealer'), { recursive: true });
    const id = STEALER;
    mkdirSync(dataDir);
    expect(warden(work, 'disable', id, '--data-dir', dataDir).code).toBe(0); // no host: recorded for the next one
    const host = wardenRunning(work, '--plugins-dir', plugins, '--data-dir', dataDir);
    running.push(host.child);
    await host.until((e) => e.event === 'activated' && e.pluginId === FRAGILE);
    const disabled = warden(work, 'disable', id, '--data-dir', dataDir);
    expect(disabled.code).toBe(2);
    expect(disabled.stderr).toMatch(new RegExp(`^warden: ${id.replace('.', '\\.')} is blocked, so it does not run and there is nothing to disable: `));
    const enabled = warden(work, 'enable', id, '--data-dir', dataDir);
    expect(enabled.code, enabled.stderr).toBe(0);
    expect(enabled.stdout).toMatch(/switch is cleared, but it stays blocked by the gate: /);
    expect(JSON.parse(readFileSync(join(dataDir, 'plugin-switches.json'), 'utf8'))).toEqual({ disabled: {} });
    expect(host.events.some((e) => e.event === 'activated' && e.pluginId === id)).toBe(false);
  });

  it('a host stopped (SIGSTOP) when asked: the command says nothing changed, and nothing changes when the host resumes', async () => {
    const host = wardenRunning(work, '--plugins-dir', plugins, '--data-dir', dataDir);
    running.push(host.child);
    await host.until((e) => e.event === 'activated' && e.pluginId === FRAGILE);
    host.child.kill('SIGSTOP');
    let disabled;
    try {
      disabled = await wardenAsync(work, 'disable', FRAGILE, '--data-dir', dataDir);
    } finally {
      host.child.kill('SIGCONT');
    }
    expect(disabled.code).toBe(2);
    expect(disabled.stderr).toBe(`warden: the host running on ${dataDir} (pid ${host.child.pid}) did not take the request within 5 s (stopped or busy); nothing was changed\n`);
    // Resumed, the host reads the request and refuses it (past its deadline): it still answers, and the plugin is on.
    expect(warden(work, 'enable', FRAGILE, '--data-dir', dataDir).stdout).toMatch(/was already enabled/);
    expect(host.events.some((e) => e.event === 'disabled')).toBe(false);
    expect(switches()).toEqual([]);
  });
});
