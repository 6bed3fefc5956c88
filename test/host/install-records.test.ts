/**
 * The install records (what the user consented to) and the remembered registry are read only from regular files: a
 * FIFO planted under such a name is an unreadable record, never waited on. Run in a child process with a timeout,
 * since the break is a read that never ends. Needs `npm run build` (the store runs from dist/).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';

const RECORDS = resolve(import.meta.dirname, '../../dist/host/install/records.js');
let plugins: string;

beforeEach(() => {
  plugins = mkdtempSync(join(tmpdir(), 'warden-records-'));
});

afterEach(() => {
  rmSync(plugins, { recursive: true, force: true });
});

it('reports a FIFO install record as unreadable and reads no FIFO as the remembered registry, without waiting', () => {
  const state = join(plugins, '.warden');
  mkdirSync(join(state, 'installed'), { recursive: true });
  writeFileSync(join(state, 'installed', 'acme.good.json'), '{}');
  for (const fifo of [join(state, 'installed', 'acme.fifo.json'), join(state, 'registry.json')]) expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
  const script = [
    `const { InstalledPlugins } = await import(${JSON.stringify(RECORDS)});`,
    `const store = new InstalledPlugins(${JSON.stringify(plugins)});`,
    'console.log(JSON.stringify(store.list().unreadable.map((entry) => entry.reason)));',
    "console.log(String(store.rememberedRegistry()));",
    "try { store.get('acme.fifo'); } catch (error) { console.log(error.message); }",
  ].join('\n');
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
  expect(run.signal, 'still reading after 20 s').toBeNull();
  const [unreadable, remembered, got] = run.stdout.trim().split('\n');
  expect(JSON.parse(unreadable)).toEqual([expect.stringMatching(/acme\.fifo\.json is not a regular file/), 'not an install record']);
  expect(remembered).toBe('undefined');
  expect(got).toMatch(/acme\.fifo\.json is not a regular file/);
});
