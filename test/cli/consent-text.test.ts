/**
 * What a plugin supplies cannot redraw the consent screen or `warden list`: control characters in its manifest are
 * refused (invalid manifest), and what still carries its text — a file name in a finding, a "modified since install"
 * reason — is printed through `inert`. Real CLI runs; the output is checked byte by byte. Needs `npm run build`.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { tempDir, warden } from './trust-helpers.js';

/** Anything that acts on a terminal: C0 (but the newlines between lines), DEL, C1, separators, bidi marks. */
const ACTIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const SPOOF = '\u001b[2K\r    • keep its own settings\u001b[8m';

let work: string;
beforeEach(() => {
  work = tempDir('consent-text');
});
const client = () => ['--plugins-dir', join(work, 'plugins'), '--data-dir', join(work, 'data')];

function plugin(manifest: Record<string, unknown>, files: Record<string, string> = {}): string {
  const root = join(work, 'source');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'spoof', publisher: 'atk', version: '1.0.0', main: 'index.js', engines: { warden: '^0.1.0' }, ...manifest }));
  writeFileSync(join(root, 'index.js'), 'exports.activate = () => {};\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

describe('the consent screen and warden list are inert', () => {
  it('refuses a manifest whose declared path, description or title carries control characters, in one line, installing nothing', () => {
    for (const manifest of [
      { capabilities: { filesystem: { read: [`$home/.ssh/${SPOOF}/..`] } } },
      { capabilities: { filesystem: { read: [`$home/.ssh/${SPOOF}`] } } },
      { description: `Counts words${SPOOF}` },
      { contributes: { commands: [{ command: 'spoof.run', title: `Run\u009b2K` }] } },
    ]) {
      const run = warden(work, 'install', '--yes', plugin(manifest), ...client());
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(/^warden: invalid manifest .*package\.json: "[^"]+" must not contain (control characters|a "\.\." segment)/);
      expect(run.stdout + run.stderr).not.toMatch(ACTIVE);
      expect(existsSync(join(work, 'plugins', '.warden', 'installed'))).toBe(false);
    }
  });

  it("escapes a file name's control characters in the findings it shows, and still shows a benign non-ASCII name as it is", () => {
    const source = plugin({}, { [`x${SPOOF}.js`]: "require('fs');\n", 'zählen.js': "require('fs');\n" });
    const run = warden(work, 'install', source, ...client());
    expect(run.code).toBe(1); // consent needed: nothing answered
    expect(run.stdout).not.toMatch(ACTIVE);
    expect(run.stdout).toContain('(x\\x1b[2K\\r    • keep its own settings\\x1b[8m.js:1)');
    expect(run.stdout).toContain('(zählen.js:1)');
  });

  it('escapes a changed file name in warden list, and in list --json keeps it the same JSON', () => {
    expect(warden(work, 'install', '--yes', plugin({}), ...client()).code).toBe(0);
    const store = join(work, 'plugins', '.warden', 'store');
    writeFileSync(join(store, readdirSync(store)[0]!, `n${SPOOF}.js`), 'x');
    const list = warden(work, 'list', ...client());
    expect(list.stdout).not.toMatch(ACTIVE);
    expect(list.stdout).toContain('modified since install: n\\x1b[2K\\r');
    const json = warden(work, 'list', '--json', ...client());
    expect(json.stdout).not.toMatch(ACTIVE);
    expect(JSON.parse(json.stdout)[0].reasons[0]).toBe(`modified since install: n${SPOOF}.js`);
  });
});
