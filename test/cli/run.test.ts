/**
 * `warden run` spawned for real on copies of the sample plugins.
 * Needs `npx tsc -p tsconfig.json` first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/bin/warden.js');

let work: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'warden-run-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function plugins(...names: string[]): string {
  for (const name of names) cpSync(join(ROOT, 'sample-plugins', name), join(work, 'plugins', name), { recursive: true });
  return join(work, 'plugins');
}

function warden(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('warden run', () => {
  it('prints what plugins show, refuses the stealer in plain words, and stops with --once', () => {
    const dir = plugins('hello-world', 'notes', 'stealer');
    const run = warden('run', '--plugins-dir', dir, '--exec', 'hello.sayHello', '["Ada"]', '--exec', 'notes.add', '"buy milk"', '--exec', 'notes.list', '--once');
    expect(run.stdout).toContain('[samples.hello-world] Hello, Ada!');
    expect(run.stdout).toContain('[samples.notes] Saved note #1');
    expect(run.stdout).toMatch(/\[samples.notes\] 1\. buy milk/);
    expect(run.stderr).toMatch(/✖ refused totally-legit.stealer: .*critical/);
    expect(run.code).toBe(0);
    expect(existsSync(join(work, '.warden', 'audit.log'))).toBe(true);
  });

  it('--json prints one JSON line per host event, and a failed command exits 1', () => {
    const dir = plugins('hello-world', 'stealer');
    const run = warden('run', '--plugins-dir', dir, '--exec', 'hello.sayHello', '--exec', 'dates.format', '--json', '--once');
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; pluginId?: string; reasons?: string[] });
    const kinds = events.map((e) => e.event);
    expect(kinds).toEqual(expect.arrayContaining(['analyzed', 'blocked', 'activated', 'message', 'result', 'failed', 'deactivated']));
    expect(events.find((e) => e.event === 'blocked')?.pluginId).toBe('totally-legit.stealer');
    expect(run.code).toBe(1);
  });

  it('stops a runaway plugin and keeps serving the others', () => {
    const dir = plugins('hello-world', 'runaway');
    const run = warden('run', '--plugins-dir', dir, '--exec', 'runaway.spin', '--exec', 'hello.sayHello', '--once');
    // Whichever comes first: the heartbeat (a blocked loop) or the CPU budget (a busy one).
    expect(run.stderr).toMatch(/✖ stopped samples.runaway: (unresponsive|cpu: busy)/);
    expect(run.stderr).toMatch(/✖ runaway.spin failed/);
    expect(run.stdout).toContain('[samples.hello-world] Hello, world!');
  });

  it('bad input: one line, exit 2, nothing created', () => {
    const missing = warden('run', '--plugins-dir', join(work, 'nope'), '--once');
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toEqual([`warden: plugins folder not found: ${join(work, 'nope')}`]);
    expect(existsSync(join(work, '.warden'))).toBe(false);

    const args = warden('run', '--plugins-dir', plugins('hello-world'), '--exec', '[1]', '--once');
    expect(args.code).toBe(2);
    expect(args.stderr.trim().split('\n')).toHaveLength(1);
    expect(args.stderr).toMatch(/--exec: \[1\] is not a command id/);

    const nothing = warden('run', '--once');
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/nothing to run/);
  });

  describe('without --once, stays up until signalled', () => {
    /** Starts `warden run --json`, waits for the first event matching `ready`, then checks it is still up a while later. */
    async function upUntilSignalled(dir: string, ready: (event: { event: string }) => boolean) {
      const child = spawn(process.execPath, [CLI, 'run', '--plugins-dir', dir, '--json'], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
      const exit = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      const events: string[] = [];
      await new Promise<void>((done, fail) => {
        void exit.then((code) => fail(new Error(`warden run exited with ${code} before it was ready`)));
        createInterface({ input: child.stdout }).on('line', (line) => {
          const event = JSON.parse(line) as { event: string };
          events.push(event.event);
          if (ready(event)) done();
        });
      });
      await sleep(1500); // it used to end within a second, with status 13
      expect(child.exitCode).toBeNull();
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      return events;
    }

    it('with only lazy plugins (no plugin process at all)', async () => {
      await upUntilSignalled(plugins('hello-world'), (e) => e.event === 'analyzed');
    });

    it('after its last plugin was disabled', async () => {
      const dir = join(work, 'plugins');
      cpSync(join(ROOT, 'test/fixtures/host/throws'), join(dir, 'throws'), { recursive: true });
      const manifest = join(dir, 'throws', 'package.json');
      writeFileSync(manifest, JSON.stringify({ name: 'throws', publisher: 'warden-tests', version: '1.0.0', main: 'main.cjs', engines: { warden: '*' }, activationEvents: ['onStartup'] }));
      const events = await upUntilSignalled(dir, (e) => e.event === 'disabled');
      expect(events.filter((e) => e === 'crashed')).toHaveLength(3);
    });
  });
});
