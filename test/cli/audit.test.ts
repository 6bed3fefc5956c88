/**
 * `warden audit` on a log a real `warden run` wrote: printing, filtering,
 * verification, and tamper detection. Needs `npx tsc -p tsconfig.json` first.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/bin/warden.js');

let work: string;
let log: string;

function warden(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'warden-audit-'));
  cpSync(join(ROOT, 'sample-plugins', 'hello-world'), join(work, 'plugins', 'hello-world'), { recursive: true });
  cpSync(join(ROOT, 'sample-plugins', 'notes'), join(work, 'plugins', 'notes'), { recursive: true });
  expect(warden('run', '--plugins-dir', 'plugins', '--exec', 'hello.sayHello', '--exec', 'notes.add', '"x"', '--once').code).toBe(0);
  log = join(work, '.warden', 'audit.log');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('warden audit', () => {
  it('prints the log, one entry a line, and filters by plugin', () => {
    const all = warden('audit');
    expect(all.code).toBe(0);
    expect(all.stdout.trim().split('\n')).toHaveLength(readFileSync(log, 'utf8').trim().split('\n').length);
    expect(all.stdout).toMatch(/samples\.hello-world activated/);
    const notes = warden('audit', '--plugin', 'samples.notes', '--json');
    const entries = notes.stdout.trim().split('\n').map((line) => JSON.parse(line) as { pluginId: string; kind: string; method?: string });
    expect(entries.every((e) => e.pluginId === 'samples.notes')).toBe(true);
    expect(entries.some((e) => e.kind === 'call' && e.method === 'storage/set')).toBe(true);
  });

  it('--verify passes on the real log and exits 1 naming the first bad line after an edit', () => {
    const ok = warden('audit', '--verify');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/hash chain intact/);
    const original = readFileSync(log, 'utf8');
    const lines = original.split('\n');
    lines[2] = lines[2]!.replace('"kind":"', '"kind":"x');
    writeFileSync(log, lines.join('\n'));
    const edited = warden('audit', '--verify', '--log', log);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(/audit\.log:3: /);
    writeFileSync(log, original.split('\n').slice(0, -3).join('\n') + '\n');
    const truncated = warden('audit', '--verify');
    expect(truncated.code).toBe(1);
    expect(truncated.stdout).toMatch(/truncated/);
    writeFileSync(log, original);
  });

  it('a missing log is bad input: one line, exit 2', () => {
    const missing = warden('audit', '--log', join(work, 'none.log'));
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toEqual([`warden: no audit log at ${join(work, 'none.log')} (run the host first, or pass --log FILE)`]);
  });

  it('--verify of a device, a folder or a link is bad input too: one line, exit 2', () => {
    symlinkSync(log, join(work, 'link.log'));
    for (const path of ['/dev/null', work, join(work, 'link.log')]) {
      const result = warden('audit', '--verify', '--log', path);
      expect(result.code, path).toBe(2);
      expect(result.stderr.trim().split('\n'), path).toEqual([expect.stringMatching(new RegExp(`^warden: ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: cannot read the log: `))]);
      expect(result.stdout).toBe('');
    }
  });
});
