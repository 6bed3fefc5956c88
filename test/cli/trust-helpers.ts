/**
 * What the trust tests share: a temporary workspace, the real `warden` CLI
 * (dist/bin/warden.js, spawned), tarballs packed from the sample plugins the
 * way `npm pack` lays them out, and a registry built with `warden registry`
 * itself: samples.hello-world official, samples.weather community, and
 * acme.greeter trusted (signed with a key from `warden registry keygen`).
 * Needs `npx tsc -p tsconfig.json` first.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { create } from 'tar';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/bin/warden.js');
export const SAMPLES = join(ROOT, 'sample-plugins');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function warden(cwd: string, ...args: string[]): Run {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  // Said as such: a run killed at the timeout would otherwise fail as "expected null to be 0", with nothing to go on.
  if (result.error) throw new Error(`warden ${args.join(' ')}: ${result.error.message}; its output so far: ${JSON.stringify(result.stdout)} ${JSON.stringify(result.stderr)}`);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same, without blocking this process (a server in the test process must keep answering meanwhile). */
export function wardenAsync(cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `warden-${prefix}-`));
}

/**
 * Packs a plugin folder as `npm pack` would lay it out (everything under `package/`), after applying `edit` to
 * its manifest and writing `files` over its own; returns the tarball's path.
 */
export async function pack(source: string, out: string, options: { edit?: (manifest: Record<string, any>) => void; files?: Record<string, string> } = {}): Promise<string> {
  const staging = mkdtempSync(join(tmpdir(), 'warden-pack-'));
  try {
    cpSync(source, join(staging, 'package'), { recursive: true });
    const manifestFile = join(staging, 'package', 'package.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, any>;
    options.edit?.(manifest);
    writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    for (const [file, text] of Object.entries(options.files ?? {})) {
      mkdirSync(join(staging, 'package', file, '..'), { recursive: true });
      writeFileSync(join(staging, 'package', file), text);
    }
    mkdirSync(join(out, '..'), { recursive: true });
    await create({ gzip: true, file: out, cwd: staging, portable: true, mtime: new Date('1985-10-26T08:15:00Z') }, ['package']);
    return out;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export interface DemoRegistry {
  dir: string;
  tarballs: { hello: string; weather: string; greeter: string };
  publisherKey: string;
  publisherPub: string;
}

function ok(run: Run, what: string): Run {
  if (run.code !== 0) throw new Error(`${what} failed (${run.code}): ${run.stderr}${run.stdout}`);
  return run;
}

/** A registry built by the CLI in `work`: one plugin per registry tier. */
export async function buildRegistry(work: string, expires?: string): Promise<DemoRegistry> {
  const dir = join(work, 'registry');
  const extra = expires ? ['--expires', expires] : [];
  const tarballs = {
    hello: await pack(join(SAMPLES, 'hello-world'), join(work, 'tgz', 'hello-world-1.0.0.tgz')),
    weather: await pack(join(SAMPLES, 'weather'), join(work, 'tgz', 'weather-0.3.0.tgz')),
    greeter: await pack(join(SAMPLES, 'greeter'), join(work, 'tgz', 'greeter-1.0.0.tgz')),
  };
  ok(warden(work, 'registry', 'init', dir, ...extra), 'registry init');
  ok(warden(work, 'registry', 'add', dir, tarballs.hello, '--tier', 'official', ...extra), 'add hello');
  ok(warden(work, 'registry', 'add', dir, tarballs.weather, '--tier', 'community', ...extra), 'add weather');
  ok(warden(work, 'registry', 'keygen', join(work, 'keys', 'acme')), 'keygen');
  ok(warden(work, 'registry', 'add', dir, tarballs.greeter, '--tier', 'trusted', '--publisher', 'acme', '--publisher-key', join(work, 'keys', 'acme.pub'), ...extra), 'add greeter');
  ok(warden(work, 'registry', 'sign', dir, '--publisher', 'acme', '--key', join(work, 'keys', 'acme.key'), ...extra), 'sign');
  return { dir, tarballs, publisherKey: join(work, 'keys', 'acme.key'), publisherPub: join(work, 'keys', 'acme.pub') };
}

export interface RegistryCopies {
  /** The registry built once for the file (its pinned root is the one every copy shares). */
  readonly built: DemoRegistry;
  /** This test's own folder, and its own copy of the registry in it. */
  readonly work: string;
  readonly registry: string;
}

/** One registry built per test file, and a fresh copy of it (in a fresh folder) for each test. */
export function registryPerTest(prefix: string): RegistryCopies {
  let base = '';
  const state = { built: undefined as unknown as DemoRegistry, work: '', registry: '' };
  beforeAll(async () => {
    base = tempDir(prefix);
    state.built = await buildRegistry(base);
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));
  beforeEach(() => {
    state.work = tempDir(`${prefix}-case`);
    state.registry = join(state.work, 'registry');
    cpSync(state.built.dir, state.registry, { recursive: true });
    return () => rmSync(state.work, { recursive: true, force: true });
  });
  return state;
}

export interface Listed {
  id: string;
  version: string;
  tier: string;
  status: string;
  granted: string[];
  reasons: string[];
  installed: boolean;
}

export function list(work: string, ...args: string[]): Listed[] {
  const run = ok(warden(work, 'list', '--json', ...args), 'list');
  return JSON.parse(run.stdout) as Listed[];
}

/** A long-running `warden run --json`, with a way to wait for the event a test expects. */
export interface Running {
  child: ChildProcess;
  events: Record<string, any>[];
  waitFor(test: (event: Record<string, any>) => boolean, what: string, timeoutMs?: number): Promise<Record<string, any>>;
  stop(): Promise<void>;
}

export function runHost(work: string, ...args: string[]): Running {
  const child = spawn(process.execPath, [CLI, 'run', '--json', ...args], { cwd: work, env: { ...process.env, NO_COLOR: '1' } });
  const events: Record<string, any>[] = [];
  const waiters: { test: (event: Record<string, any>) => boolean; resolve: (event: Record<string, any>) => void }[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const event = JSON.parse(line) as Record<string, any>;
    events.push(event);
    for (const waiter of [...waiters]) {
      if (waiter.test(event)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });
  return {
    child,
    events,
    waitFor(test, what, timeoutMs = 30_000) {
      const seen = events.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolvePromise, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; events: ${events.map((e) => e.event).join(', ')}; stderr: ${stderr}`)), timeoutMs);
        waiters.push({ test, resolve: (event) => (clearTimeout(timer), resolvePromise(event)) });
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** True while a process with this pid runs. A zombie (killed, not yet reaped by whoever adopted it) does not. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * A plugin that, as soon as it starts, reads `file` (an absolute path its manifest declares) and says whether it
 * could: the grant it runs with is then visible from outside. It also asks for a network host, so a user can
 * grant part of what it asks for.
 */
export function readerPlugin(dir: string, file: string, version = '1.0.0'): string {
  mkdirSync(dir, { recursive: true });
  const folder = join(file, '..');
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'reader',
      publisher: 'tests',
      version,
      main: 'index.js',
      type: 'commonjs',
      engines: { warden: '^0.1.0' },
      activationEvents: ['onStartup'],
      contributes: { commands: [{ command: 'reader.read', title: 'Read the notes' }] },
      capabilities: { filesystem: { read: [folder] }, network: { hosts: ['notes.example.com'] } },
    }),
  );
  writeFileSync(
    join(dir, 'index.js'),
    `const fs = require('fs');
const FILE = ${JSON.stringify(file)};
function read() {
  try {
    return 'read: ' + fs.readFileSync(FILE, 'utf8').trim();
  } catch (error) {
    return 'read: ' + (error.code || error.message);
  }
}
exports.activate = (ctx) => {
  ctx.window.showMessage(read());
  ctx.commands.register('reader.read', read);
};
`,
  );
  return dir;
}
