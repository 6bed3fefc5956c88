/**
 * What anyone meets first on the command line: help on a bare `warden`, a
 * closed pipe ending quietly, `--exec` arguments, full correlation ids,
 * colours by picocolors' rules, and `--inspect-plugin` saying where to attach.
 * Spawns dist/ (needs `npm run build`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, FIXTURES, REPO, tempDir } from '../analyzer/helpers.js';

let work: string;

function warden(args: string[], env: NodeJS.ProcessEnv = { NO_COLOR: '1' }) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Spawns warden, reads stdout until `enough` says so, then closes the pipe as `head` would; resolves with how it ended. */
function closeAfter(args: string[], enough: (seen: string) => boolean): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: work, env: { ...process.env, NO_COLOR: '1' } });
  let seen = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    seen += chunk.toString();
    if (enough(seen)) child.stdout.destroy();
  });
  return new Promise((done) => child.on('exit', (code, signal) => done({ code, signal, stderr })));
}

beforeAll(() => {
  work = tempDir('warden-everyone-');
  for (const name of ['hello-world', 'notes']) cpSync(join(REPO, 'sample-plugins', name), join(work, 'plugins', name), { recursive: true });
  const calls = Array.from({ length: 20 }, (_, i) => ['--exec', 'notes.add', `note ${i}`]).flat();
  expect(warden(['run', '--plugins-dir', 'plugins', ...calls, '--once']).code).toBe(0);
});

describe('help', () => {
  it('prints help for a bare `warden` and exits 0', () => {
    const bare = warden([]);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toMatch(/^Usage: warden \[options\] \[command\]/);
    expect(bare.stdout).toMatch(/analyze .*\n[\s\S]*init /);
    expect(bare.stderr).toBe('');
  });

  it('still exits 2 with one line for a usage mistake', () => {
    const missing = warden(['analyze']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("warden: missing required argument 'path'\n");
  });
});

describe('a reader that goes away', () => {
  it('`warden audit | head` ends quietly, as a process killed by SIGPIPE would (141)', async () => {
    const log = readFileSync(join(work, '.warden', 'audit.log'), 'utf8');
    writeFileSync(join(work, 'big.log'), log.repeat(200));
    const ended = await closeAfter(['audit', '--log', 'big.log'], (seen) => seen.includes('\n'));
    expect(ended.stderr).toBe('');
    expect(ended.code).toBe(141);
  });

  it('`warden run --json | head` ends quietly, and stops its plugins first', async () => {
    const calls = Array.from({ length: 200 }, () => ['--exec', 'hello.sayHello', 'Ada']).flat();
    const ended = await closeAfter(['run', '--plugins-dir', 'plugins', '--data-dir', 'pipe-data', '--json', ...calls, '--once'], (seen) => seen.includes('"event":"result"'));
    expect(ended.stderr).toBe('');
    expect(ended.code).toBe(141);
    const log = readFileSync(join(work, 'pipe-data', 'audit.log'), 'utf8');
    expect(log.match(/"kind":"[a-z.]+"/g)).toContain('"kind":"deactivated"');
  });

  it('SIGPIPE alone does not end a running host: a plugin dying mid-write raises it, and that is not the reader leaving', async () => {
    // A running plugin keeps the host up (an idle host exiting by itself is issue 9's "warden run staying up").
    const child = spawn(process.execPath, [CLI, 'run', '--plugins-dir', 'plugins', '--data-dir', 'sigpipe-data', '--json', '--exec', 'hello.sayHello'], { cwd: work });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout });
    const exited = new Promise<number | null>((done) => child.on('exit', (exitCode) => done(exitCode)));
    await new Promise<void>((done) => lines.on('line', (line) => ((stdout += `${line}\n`), line.includes('"event":"result"') && done())));
    child.kill('SIGPIPE');
    // The host still answers its control socket after the signal: the disable is done by it, and it goes on.
    const disabled = warden(['disable', 'samples.hello-world', '--data-dir', 'sigpipe-data']);
    expect(disabled.stdout).toMatch(/by the host running on sigpipe-data/);
    child.kill('SIGTERM');
    const code = await exited;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('"event":"disabled"');
  });
});

describe('folders that cannot be made', () => {
  // Node's recursive mkdir spins forever on these (each mkdir says ENOENT for a parent that exists).
  it('`run --data-dir`, `dev --data-dir` and `init` under /proc exit 2 with one line instead of hanging', () => {
    for (const args of [['run', '--plugins-dir', 'plugins', '--data-dir', '/proc/nope', '--once'], ['dev', join(REPO, 'sample-plugins', 'hello-world'), '--data-dir', '/proc/nope'], ['init', '/proc/x']]) {
      const result = warden(args);
      expect(result.code, args[0]).toBe(2);
      expect(result.stderr, args[0]).toMatch(/^warden: .*\/proc\/(nope|x).*\(ENOENT\).*\n$/m);
      expect(result.stderr, args[0]).not.toMatch(/\n    at /);
    }
  });
});

describe('--exec', () => {
  it('takes arguments that are not JSON as strings, one call per --exec', () => {
    const run = warden(['run', '--plugins-dir', 'plugins', '--data-dir', 'exec-data', '--exec', 'hello.sayHello', 'Ada', '--exec', 'hello.sayHello', '["Bob"]', '--exec', 'hello.sayHello', 'notes.list', '--once']);
    expect(run.stdout).toContain('[samples.hello-world] Hello, Ada!');
    expect(run.stdout).toContain('[samples.hello-world] Hello, Bob!');
    // Inside one --exec, a second word is an argument, never a second command.
    expect(run.stdout).toContain('[samples.hello-world] Hello, notes.list!');
    expect(run.stdout).not.toContain('[samples.notes]');
    expect(run.code).toBe(0);
  });
});

describe('warden run --dev from inside the plugin', () => {
  it('keeps .warden out of the plugin folder, so npm pack never ships it', () => {
    const root = join(work, 'plugins', 'hello-world');
    const state = join(work, 'state');
    const result = spawnSync(process.execPath, [CLI, 'run', '--dev', '.', '--exec', 'hello.sayHello', '--once'], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', XDG_STATE_HOME: state } });
    expect(result.status).toBe(0);
    expect(existsSync(join(root, '.warden'))).toBe(false);
    expect(readdirSync(join(state, 'warden', 'dev'))).toEqual([expect.stringMatching(/^hello-world-[0-9a-f]{8}$/)]);
  });
});

describe('warden audit', () => {
  it('prints every correlation id in full, so different calls never look the same', () => {
    const raw = warden(['audit', '--json']).stdout.trim().split('\n').map((line) => JSON.parse(line) as { correlationId?: string | null });
    const ids = [...new Set(raw.map((entry) => entry.correlationId).filter((id): id is string => typeof id === 'string'))];
    expect(ids.length).toBeGreaterThan(20);
    const printed = warden(['audit']).stdout;
    for (const id of ids) expect(printed).toMatch(new RegExp(` ${id.replace(/[-]/g, '\\-')} `));
  });
});

describe('colours', () => {
  const stylish = (env: NodeJS.ProcessEnv, ...flags: string[]) => warden(['analyze', join(FIXTURES, 'stealer'), '--format', 'stylish', '--no-cache', ...flags], env).stdout;

  it('follows picocolors: FORCE_COLOR and --color turn them on for a pipe, NO_COLOR and --no-color off', () => {
    expect(stylish({})).not.toMatch(/\x1b\[/);
    expect(stylish({ FORCE_COLOR: '1' })).toMatch(/\x1b\[/);
    expect(stylish({}, '--color')).toMatch(/\x1b\[/);
    expect(stylish({ FORCE_COLOR: '1', NO_COLOR: '1' })).not.toMatch(/\x1b\[/);
    expect(stylish({ FORCE_COLOR: '1' }, '--no-color')).not.toMatch(/\x1b\[/);
    expect(warden(['audit', '--color'], {}).stdout).toMatch(/\x1b\[/);
  });

  it('FORCE_COLOR=0 or false turns them off, and the last of --color / --no-color wins, for picocolors\' output too', () => {
    expect(stylish({ FORCE_COLOR: '0' })).not.toMatch(/\x1b\[/);
    expect(stylish({ FORCE_COLOR: 'false' })).not.toMatch(/\x1b\[/);
    expect(stylish({}, '--no-color', '--color')).toMatch(/\x1b\[/);
    expect(stylish({}, '--color', '--no-color')).not.toMatch(/\x1b\[/);
    // `warden run` colours through picocolors directly, which reads the environment itself.
    const run = (env: NodeJS.ProcessEnv, ...flags: string[]) => warden(['run', '--plugins-dir', 'plugins', '--data-dir', 'colour-data', '--exec', 'hello.sayHello', '--once', ...flags], env);
    expect(run({ FORCE_COLOR: '0', CI: '1' }).stdout).not.toMatch(/\x1b\[/);
    expect(run({ FORCE_COLOR: '0' }, '--no-color', '--color').stdout).toMatch(/\x1b\[/);
  });

  it('paints critical and high differently', () => {
    const text = stylish({ FORCE_COLOR: '1' });
    const before = (word: string) => new RegExp(`((?:\\x1b\\[[0-9;]*m)+)${word}\\x1b`).exec(text)?.[1];
    expect(before('critical')).toBeDefined();
    expect(before('high')).toBeDefined();
    expect(before('critical')).not.toBe(before('high'));
  });
});

describe('--inspect-plugin', () => {
  it('starts an installed plugin at once, prints the debugger URL and what the sandbox still does', async () => {
    const child = spawn(process.execPath, [CLI, 'run', '--plugins-dir', 'plugins', '--data-dir', 'inspect-data', '--inspect-plugin', 'samples.hello-world'], { cwd: work, env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    try {
      await new Promise<void>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no debugger URL; saw: ${stderr}`)), 20_000);
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (/waiting for a debugger samples\.hello-world: ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.test(stderr)) {
            clearTimeout(timer);
            done();
          }
        });
      });
      expect(stderr).toMatch(/! inspecting samples\.hello-world: while it is debugged the sandbox is weaker/);
      expect(stderr).toMatch(/permission model (stays on|is OFF)/);
      // Said once: not again as the plugin's log line or as a process warning.
      expect(stderr.match(/permission model/g)).toHaveLength(1);
      expect(stderr).toMatch(/off: heartbeat and call timeouts/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((done) => child.on('exit', done));
    }
  });

  it('names the plugins it knows when the id is wrong: exit 2', () => {
    const run = warden(['run', '--plugins-dir', 'plugins', '--data-dir', 'inspect-data', '--inspect-plugin', 'nope.nope']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/warden: --inspect-plugin: no plugin "nope\.nope" \(loaded: samples\.hello-world, samples\.notes\)/);
  });

  it('a refused plugin cannot be inspected: with --once that is a failure, exit 1', () => {
    cpSync(join(FIXTURES, 'stealer'), join(work, 'refused-plugins', 'stealer'), { recursive: true });
    const run = warden(['run', '--plugins-dir', 'refused-plugins', '--data-dir', 'inspect-refused', '--inspect-plugin', 'mallory.stealer', '--once']);
    expect(run.stderr).toMatch(/✖ --inspect-plugin mallory\.stealer failed: it is refused/);
    expect(run.code).toBe(1);
  });
});
