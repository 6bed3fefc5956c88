/**
 * `warden dev` spawned for real: it runs the plugin, and on a file change it
 * re-analyzes and restarts it with the new code. The reload time is printed,
 * not asserted. Needs `npx tsc -p tsconfig.json` first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
let work: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'warden-dev-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

it('re-analyzes and restarts the plugin on a change, printing findings like a linter', async () => {
  const root = join(work, 'hello');
  cpSync(join(ROOT, 'sample-plugins', 'hello-world'), root, { recursive: true });
  const source = readFileSync(join(root, 'index.js'), 'utf8');
  // The plugin says which version runs as soon as it is activated.
  writeFileSync(join(root, 'index.js'), source.replace('exports.activate = function activate(ctx) {', "exports.activate = function activate(ctx) {\n  ctx.window.showMessage('v1');"));

  const child = spawn(process.execPath, [join(ROOT, 'dist/bin/warden.js'), 'dev', root, '--json', '--data-dir', join(work, 'data')], { cwd: work });
  const events: { event: string; text?: string; ms?: number; findings?: unknown[] }[] = [];
  const waiters: { test: (e: (typeof events)[number]) => boolean; resolve: () => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as (typeof events)[number];
    events.push(event);
    for (const waiter of waiters.filter((w) => w.test(event))) waiter.resolve();
  });
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const next = (test: (e: (typeof events)[number]) => boolean) =>
    events.some(test)
      ? Promise.resolve()
      : new Promise<void>((done, fail) => {
          const timer = setTimeout(() => fail(new Error(`waited in vain; saw ${JSON.stringify(events)} ${stderr.join('')}`)), 20_000);
          waiters.push({ test, resolve: () => (clearTimeout(timer), done()) });
        });
  try {
    await next((e) => e.event === 'message' && e.text === 'v1');
    // An edit that adds a finding (an undeclared env read) and changes the message.
    writeFileSync(join(root, 'index.js'), readFileSync(join(root, 'index.js'), 'utf8').replace("showMessage('v1')", "showMessage('v2 ' + Object.keys(process.env).length)"));
    await next((e) => e.event === 'message' && /^v2 /.test(e.text ?? ''));
    await next((e) => e.event === 'reloaded');
    const reloaded = events.find((e) => e.event === 'reloaded')!;
    console.log(`warden dev: plugin back in ${reloaded.ms} ms after the change`);
    const analyses = events.filter((e) => e.event === 'analyzed');
    expect(analyses).toHaveLength(2);
    expect(analyses[1]!.findings!.length).toBeGreaterThan(analyses[0]!.findings!.length);
    expect(events.filter((e) => e.event === 'activated')).toHaveLength(2);
  } finally {
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }
});

it('bad input: a missing folder or a broken manifest is one line, exit 2, nothing created', () => {
  mkdirSync(join(work, 'broken'));
  writeFileSync(join(work, 'broken', 'package.json'), '{ "name": ');
  for (const [path, message] of [['missing', /not a plugin folder \(no package.json\): missing/], ['broken', /invalid manifest broken\/package.json: not valid JSON/]] as const) {
    const result = spawnSync(process.execPath, [join(ROOT, 'dist/bin/warden.js'), 'dev', path], { cwd: work, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  }
  expect(existsSync(join(work, '.warden'))).toBe(false);
});

/** `warden dev` with --json, its events collected, and a way to wait for one. */
function startDev(args: string[], env: NodeJS.ProcessEnv = {}, cwd = work) {
  const child = spawn(process.execPath, [join(ROOT, 'dist/bin/warden.js'), 'dev', ...args, '--json'], { cwd, env: { ...process.env, ...env } });
  const events: { event: string; [key: string]: unknown }[] = [];
  const waiters: { test: (e: (typeof events)[number]) => boolean; resolve: () => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as (typeof events)[number];
    events.push(event);
    for (const waiter of waiters.filter((w) => w.test(event))) waiter.resolve();
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const next = (test: (e: (typeof events)[number]) => boolean, after = 0) =>
    events.slice(after).some(test)
      ? Promise.resolve()
      : new Promise<void>((done, fail) => {
          const timer = setTimeout(() => fail(new Error(`waited in vain; saw ${JSON.stringify(events)} ${stderr}`)), 20_000);
          waiters.push({ test, resolve: () => (clearTimeout(timer), done()) });
        });
  const stop = async () => {
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGINT');
    return exited;
  };
  return { child, events, next, stop };
}

it('waits for the next change after a failure instead of restarting into a crash loop', async () => {
  const root = join(work, 'hello');
  cpSync(join(ROOT, 'sample-plugins', 'hello-world'), root, { recursive: true });
  const good = readFileSync(join(root, 'index.js'), 'utf8');
  writeFileSync(join(root, 'index.js'), `${good}
this is not JavaScript
`);
  const dev = startDev([root, '--data-dir', join(work, 'data')]);
  try {
    await dev.next((e) => e.event === 'waiting');
    // Nothing restarts it while the file stays broken.
    await new Promise((done) => setTimeout(done, 1500));
    expect(dev.events.filter((e) => e.event === 'crashed')).toHaveLength(1);
    expect(dev.events.some((e) => e.event === 'restarted' || e.event === 'disabled')).toBe(false);
    expect(String(dev.events.find((e) => e.event === 'waiting')?.reason)).toMatch(/SyntaxError|activate failed/);
    // A call meanwhile says it waits, not that the supervisor disabled it after crashes.
    dev.child.stdin.write('hello.sayHello Ada\n');
    await dev.next((e) => e.event === 'failed');
    const failed = String(dev.events.find((e) => e.event === 'failed')?.error);
    expect(failed).toMatch(/^samples\.hello-world is waiting for the next change you save \(it failed: /);
    expect(failed).not.toMatch(/disabled after/);
    const seen = dev.events.length;
    writeFileSync(join(root, 'index.js'), good.replace("exports.activate = function activate(ctx) {", "exports.activate = function activate(ctx) {\n  ctx.window.showMessage('fixed');"));
    await dev.next((e) => e.event === 'activated', seen);
    expect(dev.events.slice(seen).some((e) => e.event === 'message' && e.text === 'fixed')).toBe(true);
  } finally {
    expect(await dev.stop()).toBe(0);
  }
});

it('runs commands typed at its prompt, with JSON or plain-string arguments', async () => {
  const root = join(work, 'hello');
  cpSync(join(ROOT, 'sample-plugins', 'hello-world'), root, { recursive: true });
  const dev = startDev([root, '--data-dir', join(work, 'data')]);
  try {
    await dev.next((e) => e.event === 'activated');
    dev.child.stdin.write('hello.sayHello "Ada Lovelace"\nhello.sayHello Bob\nnope.nope\nhello.sayHello {"unclosed": 1\n');
    await dev.next((e) => e.event === 'result' && e.result === 'Hello, Bob!');
    await dev.next((e) => e.event === 'failed' && /unfinished bracket/.test(String(e.error)));
    await dev.next((e) => e.event === 'failed' && e.command === 'nope.nope');
    expect(dev.events.filter((e) => e.event === 'result').map((e) => e.result)).toEqual(['Hello, Ada Lovelace!', 'Hello, Bob!']);
    expect(dev.events.find((e) => e.event === 'failed' && e.command === 'nope.nope')?.error).toMatch(/no plugin provides the command "nope\.nope"/);
  } finally {
    expect(await dev.stop()).toBe(0);
  }
});

it('keeps its data outside the plugin folder, so npm pack never ships it', async () => {
  const root = join(work, 'hello');
  cpSync(join(ROOT, 'sample-plugins', 'hello-world'), root, { recursive: true });
  const state = join(work, 'state');
  // Run from inside the plugin folder, as an author does.
  const dev = startDev(['.'], { XDG_STATE_HOME: state }, root);
  try {
    await dev.next((e) => e.event === 'activated');
  } finally {
    expect(await dev.stop()).toBe(0);
  }
  expect(existsSync(join(root, '.warden'))).toBe(false);
  const pack = spawnSync('npm', ['pack', '--dry-run', '--json'], { cwd: root, encoding: 'utf8' });
  expect((JSON.parse(pack.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path).sort()).toEqual(['index.js', 'package.json']);
  expect(readdirSync(join(state, 'warden', 'dev'))).toEqual([expect.stringMatching(/^hello-[0-9a-f]{8}$/)]);
});


it('prints findings again only when they change', async () => {
  const root = join(work, 'hello');
  cpSync(join(ROOT, 'sample-plugins', 'hello-world'), root, { recursive: true });
  const source = readFileSync(join(root, 'index.js'), 'utf8').replace("exports.activate = function activate(ctx) {", "exports.activate = function activate(ctx) {\n  ctx.window.showMessage(Object.keys(process.env).join(','));");
  writeFileSync(join(root, 'index.js'), source);
  const child = spawn(process.execPath, [join(ROOT, 'dist/bin/warden.js'), 'dev', root, '--data-dir', join(work, 'data')], { cwd: work, env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const until = (test: () => boolean) =>
    new Promise<void>((done, fail) => {
      const started = Date.now();
      const poll = setInterval(() => {
        if (test()) {
          clearInterval(poll);
          done();
        } else if (Date.now() - started > 20_000) {
          clearInterval(poll);
          fail(new Error(`waited in vain: ${stderr} ${stdout}`));
        }
      }, 50);
    });
  try {
    await until(() => /started/.test(stderr));
    // An edit that changes no finding.
    writeFileSync(join(root, 'index.js'), `${source}\n// a comment\n`);
    await until(() => /reloaded/.test(stdout));
    expect(stderr.match(/Exposes|enumerat|process\.env|environment variables/gi)?.length ?? 0).toBeGreaterThan(0);
    expect(stderr).toMatch(/samples\.hello-world: the same 1 finding\(s\) as before/);
    const listings = stderr.split('\n').filter((line) => /\(development plugin\) — \d+ finding/.test(line));
    expect(listings).toHaveLength(1);
  } finally {
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }
});

it('runs piped calls as a script: when stdin ends after them, dev stops once they have run (exit 0)', () => {
  const root = join(work, 'hello');
  cpSync(join(ROOT, 'sample-plugins', 'hello-world'), root, { recursive: true });
  const run = spawnSync(process.execPath, [join(ROOT, 'dist/bin/warden.js'), 'dev', root, '--json', '--data-dir', join(work, 'data')], {
    cwd: work,
    input: 'hello.sayHello "Ada"\nhello.sayHello Bob\n',
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.signal).toBeNull(); // not killed by the timeout: it ended by itself
  expect(run.status).toBe(0);
  const results = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; result?: unknown }).filter((e) => e.event === 'result');
  expect(results.map((e) => e.result)).toEqual(['Hello, Ada!', 'Hello, Bob!']);
});
