/**
 * `warden init` on a fresh folder and on the package.json `npm init -y`
 * makes: a manifest the gate accepts, a typed entry module with no findings,
 * an eslint.config.mjs, and a test; never an overwrite. Needs `npm run build`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzePlugin, loadManifest } from '../../analyzer/index.js';
import { runCli, tempDir } from '../analyzer/helpers.js';

const NPM_INIT = { name: 'my-plugin', version: '1.0.0', description: '', main: 'index.js', scripts: { test: 'echo "Error: no test specified" && exit 1' }, keywords: [], author: '', license: 'ISC', type: 'commonjs' };

describe('warden init', () => {
  it('merges a plugin manifest into the package.json npm init made, and scaffolds files that pass the gate', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), JSON.stringify(NPM_INIT, null, 2));
    const result = runCli(['init', '--publisher', 'ada'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const manifest = await loadManifest(dir);
    expect(manifest).toMatchObject({ name: 'my-plugin', publisher: 'ada', main: 'index.js', type: 'commonjs', license: 'ISC', engines: { warden: '^0.1.0' }, contributes: { commands: [{ command: 'my-plugin.sayHello' }] }, files: ['index.js'] });
    expect(manifest.scripts).toEqual({ test: 'node --test', lint: 'eslint .' });
    expect(readFileSync(join(dir, 'index.js'), 'utf8')).toMatch(/@param \{import\('warden\/api'\)\.PluginContext\} ctx\n \*\/\nexports\.activate = /);
    expect(readFileSync(join(dir, 'eslint.config.mjs'), 'utf8')).toMatch(/import warden from 'warden\/eslint-plugin';\n\nexport default \[warden\.configs\.recommended\];/);
    expect(readFileSync(join(dir, 'test/plugin.test.mjs'), 'utf8')).toMatch(/from 'warden\/testing'/);
    const analysis = await analyzePlugin(dir, { cache: false, tier: 'community' });
    expect(analysis.findings).toEqual([]);
    expect(analysis.decision.action).toBe('allow');
  });

  it('writes an ES module entry for a "type": "module" package, and creates a missing folder', async () => {
    const dir = join(tempDir(), 'esm-plugin');
    mkdirSync(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'esm-plugin', type: 'module' }));
    expect(runCli(['init', dir]).status).toBe(0);
    expect(readFileSync(join(dir, 'index.js'), 'utf8')).toMatch(/^export function activate\(ctx\)/m);
    expect((await analyzePlugin(dir, { cache: false })).findings).toEqual([]);
    const fresh = join(tempDir(), 'Brand New');
    expect(runCli(['init', fresh]).status).toBe(0);
    expect((await loadManifest(fresh)).name).toBe('brand-new');
  });

  it('never overwrites: one line naming what exists, exit 2, nothing changed', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), JSON.stringify(NPM_INIT));
    writeFileSync(join(dir, 'index.js'), '// mine\n');
    const result = runCli(['init', dir]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`warden: init: index.js already exists in ${dir}; nothing was changed\n`);
    expect(readFileSync(join(dir, 'index.js'), 'utf8')).toBe('// mine\n');
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toEqual(NPM_INIT);
    expect(existsSync(join(dir, 'eslint.config.mjs'))).toBe(false);

    writeFileSync(join(dir, 'package.json'), '{ "name": ');
    const broken = runCli(['init', dir]);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/^warden: init: .*package\.json is not valid JSON/);
    writeFileSync(join(dir, 'package.json'), JSON.stringify(NPM_INIT));
    rmSync(join(dir, 'index.js'));
    expect(runCli(['init', dir, '--publisher', 'Not Valid']).stderr).toMatch(/--publisher must be lowercase/);
    expect(existsSync(join(dir, 'index.js'))).toBe(false);
  });
});
