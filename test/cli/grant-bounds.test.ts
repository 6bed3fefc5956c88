/**
 * A declared path means the folder it names: `cache/…` is inside the plugin's package, `$data/…` inside its data
 * folder, `$home/…` inside the home folder, and nothing a plugin declares reaches the host's own state (the data
 * folder's host.lock, audit.log and switches, other plugins' data, the plugins folder's store and install records).
 * Each attack is a real plugin run or installed through the real CLI, with the side effect checked absent; each
 * has a benign look-alike that still works. Needs `npm run build` first.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { tempDir, warden } from './trust-helpers.js';

let work: string;
beforeEach(() => {
  work = tempDir('grant-bounds');
});

/** A plugin whose `name.run` command runs `body` (CommonJS, `path` and, when it uses it, `fs` in scope) and returns its result. */
function plugin(name: string, capabilities: object, body: string): string {
  const root = join(work, name);
  mkdirSync(root, { recursive: true });
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name, publisher: 'atk', version: '1.0.0', main: 'index.js', type: 'commonjs', engines: { warden: '^0.1.0' }, capabilities, contributes: { commands: [{ command: `${name}.run`, title: 'run' }] } }),
  );
  writeFileSync(
    join(root, 'index.js'),
    `${body.includes('fs.') ? "const fs = require('fs');\n" : ''}const path = require('path');\nexports.activate = (ctx) => ctx.commands.register('${name}.run', (...args) => { try { ${body} } catch (e) { return 'THROW ' + e.code; } });\n`,
  );
  return root;
}

const data = () => join(work, 'data');
const devRun = (root: string, ...args: string[]) => warden(work, 'run', '--dev', root, '--data-dir', data(), '--once', '--no-color', ...args);
const client = () => ['--plugins-dir', join(work, 'plugins'), '--data-dir', data()];

describe('a declared path stays inside its base', () => {
  it('refuses "cache/../../.." and "$data/../.." as an invalid manifest, at install and at run, and changes nothing', () => {
    const climb = plugin('climb', { filesystem: { read: ['cache/../../..'], write: ['cache/../../..'] } }, `return 'ran';`);
    const install = warden(work, 'install', '--yes', climb, ...client());
    expect(install.code).toBe(2);
    expect(install.stderr.trim()).toMatch(/^warden: invalid manifest .*climb\/package\.json: "capabilities\.filesystem\.read\[0\]" must not contain a "\.\." segment/);
    expect(install.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(work, 'plugins', '.warden', 'installed'))).toBe(false);

    const quiet = plugin('quiet', { filesystem: { write: ['$data/../..'] } }, `fs.writeFileSync(path.resolve(process.cwd(), '../../plugin-switches.json'), '{"forged":true}'); return 'wrote';`);
    const run = devRun(quiet, '--exec', 'quiet.run');
    expect(run.stderr).toMatch(/invalid manifest .*quiet\/package\.json: "capabilities\.filesystem\.write\[0\]" must not contain a "\.\." segment/);
    expect(run.code).not.toBe(0);
    expect(existsSync(join(data(), 'plugin-switches.json'))).toBe(false);
  });

  it('refuses a $data path that became a symlink to the host data folder: the next start is refused, the switches stay unwritten', () => {
    // The permission model stops the plugin's own JavaScript from making such a link (fs.symlink outside the grant
    // is ERR_ACCESS_DENIED); a granted child process, or anything else writing the data folder between runs, could.
    const body = `fs.writeFileSync(path.join(process.cwd(), 'state', 'plugin-switches.json'), '{"forged":true}'); return 'wrote';`;
    const linker = plugin('linker', { filesystem: { read: ['$data/state'], write: ['$data/state'] } }, body);
    const first = devRun(linker, '--exec', 'linker.run');
    expect(first.stdout).toContain('THROW ENOENT'); // granted, inside its data folder, not there yet
    const pluginData = join(data(), 'plugins', 'atk.linker');
    symlinkSync(data(), join(pluginData, 'state'));
    const second = devRun(linker, '--exec', 'linker.run');
    expect(second.code).toBe(1);
    expect(second.stdout + second.stderr).toMatch(/refused atk\.linker: invalid manifest: capabilities\.filesystem\.read "\$data\/state" leads through a symlink to .*, outside its data folder/);
    expect(existsSync(join(data(), 'plugin-switches.json'))).toBe(false);
  });

  it('refuses a relative path that is a symlink the package ships out of itself', () => {
    const outside = join(work, 'outside');
    mkdirSync(outside);
    const shipper = plugin('shipper', { filesystem: { write: ['cache'] } }, `fs.writeFileSync(path.join(__dirname, 'cache', 'x'), 'y'); return 'wrote';`);
    symlinkSync(outside, join(shipper, 'cache'));
    const run = devRun(shipper, '--exec', 'shipper.run');
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toMatch(/capabilities\.filesystem\.write "cache" leads through a symlink to .*outside, outside its own package/);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('still grants the look-alikes: names with dots, a relative folder inside the package, a $data subfolder, an absolute folder elsewhere', () => {
    const elsewhere = join(work, 'elsewhere');
    mkdirSync(elsewhere);
    const body = `fs.mkdirSync(path.join(__dirname, 'cache..old'), { recursive: true }); fs.writeFileSync(path.join(__dirname, 'cache..old', 'a'), '1');
      fs.mkdirSync(path.join(process.cwd(), 'sub'), { recursive: true }); fs.writeFileSync(path.join(process.cwd(), 'sub', 'b'), '2');
      fs.writeFileSync(path.join(${JSON.stringify(elsewhere)}, 'c'), '3'); return 'all written';`;
    const benign = plugin('benign', { filesystem: { write: ['cache..old', '$data/sub', elsewhere, './assets/'] } }, body);
    mkdirSync(join(benign, 'cache..old'));
    const run = devRun(benign, '--exec', 'benign.run');
    expect(run.stdout).toContain('all written');
    expect(run.code).toBe(0);
    expect(readFileSync(join(elsewhere, 'c'), 'utf8')).toBe('3');
  });
});

describe("no grant overlaps the host's own state", () => {
  it('refuses an absolute write grant of the data folder, and a read of another plugin\'s data: nothing is written or read', () => {
    mkdirSync(join(data(), 'plugins', 'atk.victim'), { recursive: true });
    writeFileSync(join(data(), 'plugins', 'atk.victim', 'storage.json'), '{"secret":"s3cret"}');
    const writer = plugin('writer', { filesystem: { write: [data()] } }, `fs.writeFileSync(path.join(${JSON.stringify(data())}, 'plugin-switches.json'), '{}'); return 'wrote';`);
    const run = devRun(writer, '--exec', 'writer.run');
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toMatch(/refused atk\.writer: invalid manifest: capabilities\.filesystem\.write ".*data" overlaps the host's own state/);
    expect(existsSync(join(data(), 'plugin-switches.json'))).toBe(false);

    const victimData = join(data(), 'plugins', 'atk.victim');
    const reader = plugin('reader', { filesystem: { read: [victimData] } }, `return fs.readFileSync(path.join(${JSON.stringify(victimData)}, 'storage.json'), 'utf8');`);
    const read = devRun(reader, '--exec', 'reader.run');
    expect(read.code).toBe(1);
    expect(read.stdout).not.toContain('s3cret');
    expect(read.stdout + read.stderr).toMatch(/capabilities\.filesystem\.read ".*atk\.victim" overlaps the host's own state/);
  });

  it("refuses an installed plugin's write grant of the plugins folder's store and install records; the victim's record is unchanged", () => {
    const victim = plugin('victim', {}, `return 'victim ran';`);
    const installed = warden(work, 'install', '--yes', victim, ...client());
    expect(installed.stderr).toBe('');
    expect(installed.code).toBe(0);
    const records = join(work, 'plugins', '.warden');
    const recordFile = join(records, 'installed', 'atk.victim.json');
    const before = readFileSync(recordFile, 'utf8');
    const body = `const f = path.join(${JSON.stringify(records)}, 'installed', 'atk.victim.json'); const r = JSON.parse(fs.readFileSync(f, 'utf8')); r.grant = { filesystem: { write: ['$home'] } }; fs.writeFileSync(f, JSON.stringify(r)); return 'rewrote';`;
    const attacker = plugin('attacker', { filesystem: { read: [records], write: [records] } }, body);
    const install = warden(work, 'install', '--yes', attacker, ...client());
    expect(install.code).toBe(0); // the consent screen showed the path; the host refuses to start it
    const run = warden(work, 'run', ...client(), '--exec', 'attacker.run', '--once', '--no-color');
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toMatch(/refused atk\.attacker: invalid manifest: capabilities\.filesystem\.read ".*\.warden" overlaps the host's own state/);
    expect(readFileSync(recordFile, 'utf8')).toBe(before);
    const victimRun = warden(work, 'run', ...client(), '--exec', 'victim.run', '--once', '--no-color');
    expect(victimRun.stdout).toContain('victim ran');
  });
});
