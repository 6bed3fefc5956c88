/**
 * `warden dev` spawned for real: it runs the plugin, and on a file change it
 * re-analyzes and restarts it with the new code. The reload time is printed,
 * not asserted. Needs `npx tsc -p tsconfig.json` first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  const child = spawn(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'dev', root, '--json', '--data-dir', join(work, 'data')], { cwd: work });
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
    const result = spawnSync(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'dev', path], { cwd: work, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  }
  expect(existsSync(join(work, '.warden'))).toBe(false);
});
