/**
 * `warden install`, `update`, `list`, `grant`, `revoke`, `uninstall`
 * spawned for real: consent before anything is copied, the grant from the
 * consent (never the manifest), the blocklist by organisation and by version
 * range, escalation on update, integrity at load, and an install killed with
 * SIGKILL at any moment leaving the old version or the new one, whole.
 * Needs `npx tsc -p tsconfig.json` first.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { create } from 'tar';
import { beforeEach, describe, expect, it } from 'vitest';
import { CLI, type DemoRegistry, list, pack, readerPlugin, registryPerTest, SAMPLES, warden } from './trust-helpers.js';

/** Each test gets its own copy of the registry and a fresh client (plugins folder and data folder). */
const copies = registryPerTest('install');
let built: DemoRegistry;
let work: string;
let registry: string;
beforeEach(() => {
  ({ built, work, registry } = copies);
});

const plugins = () => join(work, 'plugins');
const client = () => ['--plugins-dir', plugins(), '--data-dir', join(work, 'data')];
const fromRegistry = () => ['--registry', registry, '--trusted-root', join(built.dir, 'metadata', '1.root.json')];

function storeFolders(): string[] {
  const store = join(plugins(), '.warden', 'store');
  return existsSync(store) ? readdirSync(store) : [];
}

function record(id: string): any {
  return JSON.parse(readFileSync(join(plugins(), '.warden', 'installed', `${id}.json`), 'utf8'));
}

describe('consent', () => {
  it('shows what it asks for in plain words, and without consent installs nothing (exit 1)', () => {
    const notes = join(work, 'home', 'notes', 'todo.txt');
    const reader = readerPlugin(join(work, 'reader'), notes);
    const run = warden(work, 'install', reader, ...client());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/consent needed: run again with --yes .* or --grant <capability>…/);
    expect(run.stdout).toContain(`read files in ${join(work, 'home', 'notes')}`);
    expect(run.stdout).toContain('send requests to notes.example.com');
    expect(run.stdout).toMatch(/Be aware:\n\s+! can read files in .* and reach the network: it could upload your files/);
    expect(run.stdout).toMatch(/tier\s+unregistered: no registry you use vouches for it/);
    expect(existsSync(join(plugins(), '.warden', 'installed'))).toBe(false);
    expect(storeFolders()).toEqual([]);
  });

  it('--grant gives part of what it asks for; the process gets the consented grant, not the declared one', () => {
    const notes = join(work, 'home', 'notes', 'todo.txt');
    mkdirSync(join(notes, '..'), { recursive: true });
    writeFileSync(notes, 'buy milk\n');
    const reader = readerPlugin(join(work, 'reader'), notes);
    const bad = warden(work, 'install', reader, ...client(), '--grant', 'filesystem.read:/etc');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--grant filesystem\.read:\/etc: not something tests\.reader asks for/);

    expect(warden(work, 'install', reader, ...client(), '--grant', 'network:notes.example.com').code).toBe(0);
    expect(record('tests.reader').grant).toEqual({ network: { hosts: ['notes.example.com'] } });
    const denied = warden(work, 'run', ...client(), '--exec', 'reader.read', '--once');
    expect(denied.stdout).toContain('[tests.reader] read: ERR_ACCESS_DENIED');

    expect(warden(work, 'grant', 'tests.reader', `filesystem.read:${join(notes, '..')}`, ...client()).code).toBe(0);
    const allowed = warden(work, 'run', ...client(), '--exec', 'reader.read', '--once');
    expect(allowed.stdout).toContain('[tests.reader] read: buy milk');
    expect(list(work, ...client())[0].granted.sort()).toEqual([`filesystem.read:${join(notes, '..')}`, 'network:notes.example.com']);

    expect(warden(work, 'revoke', 'tests.reader', `filesystem.read:${join(notes, '..')}`, ...client()).code).toBe(0);
    expect(warden(work, 'run', ...client(), '--exec', 'reader.read', '--once').stdout).toContain('read: ERR_ACCESS_DENIED');
  });

  // `script` (util-linux) gives the install a real terminal, so the prompt path runs as a user would meet it.
  const SCRIPT = spawnSync('script', ['--version']).status === 0;
  if (!SCRIPT) process.stdout.write('skipping the terminal prompt test: util-linux `script` is not installed\n');
  it.skipIf(!SCRIPT)('on a terminal it asks: "y" installs with everything listed, anything else installs nothing', () => {
    const onTerminal = (answer: string) => {
      const command = [process.execPath, CLI, 'install', 'samples.weather', ...fromRegistry(), ...client()].join(' ');
      const run = spawnSync('script', ['-qec', command, '/dev/null'], { input: answer, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      return { code: run.status, output: run.stdout };
    };
    const no = onTerminal('n\n');
    expect(no.output).toMatch(/Install it and allow everything listed above\? \[y\/N\]/);
    expect(no.output).toMatch(/not installed: you said no/);
    expect(no.code).toBe(1);
    expect(existsSync(join(plugins(), '.warden', 'installed', 'samples.weather.json'))).toBe(false);
    const yes = onTerminal('y\n');
    expect(yes.code).toBe(0);
    expect(record('samples.weather')).toMatchObject({ grant: { network: { hosts: ['api.open-meteo.com'] } }, consent: { how: 'prompt' } });
  });

  it('list, uninstall and --purge', () => {
    expect(warden(work, 'install', 'samples.hello-world', ...fromRegistry(), ...client(), '--yes').code).toBe(0);
    // The registry is remembered: the next commands need no --registry.
    expect(warden(work, 'run', ...client(), '--exec', 'hello.sayHello', '--once').code).toBe(0);
    const [hello] = list(work, ...client());
    expect(hello).toMatchObject({ id: 'samples.hello-world', version: '1.0.0', tier: 'official', status: 'enabled', granted: [], installed: true });
    expect(typeof (hello as any).lastActivity).toBe('string');
    const dataFolder = join(work, 'data', 'plugins', 'samples.hello-world');
    expect(existsSync(dataFolder)).toBe(true);
    expect(warden(work, 'uninstall', 'samples.hello-world', ...client(), '--purge').code).toBe(0);
    expect(list(work, ...client())).toEqual([]);
    expect(existsSync(dataFolder)).toBe(false);
    expect(storeFolders()).toEqual([]);
    const again = warden(work, 'uninstall', 'samples.hello-world', ...client());
    expect(again.code).toBe(2);
    expect(again.stderr.trim().split('\n')).toEqual([`warden: samples.hello-world is not installed in ${plugins()}`]);
  });

  it('bad input: one line, exit 2, nothing installed', () => {
    for (const spec of [join(work, 'missing.tgz'), 'not an id', 'samples.hello-world@not-a-range', 'samples.nothing-like-it', join(SAMPLES, 'hello-world', 'index.js')]) {
      const run = warden(work, 'install', spec, ...fromRegistry(), ...client(), '--yes');
      expect(run.code, spec).toBe(2);
      expect(run.stderr.trim().split('\n').filter((line) => !line.startsWith('note:')), spec).toHaveLength(1);
    }
    expect(storeFolders()).toEqual([]);
  });
});

describe('a local tarball', () => {
  it('is read once: bytes swapped in after Warden first read the file are never the ones installed under its tier', async () => {
    const local = join(work, 'x.tgz');
    writeFileSync(local, readFileSync(built.tarballs.hello)); // the registry's official bytes
    const swapped = await pack(join(SAMPLES, 'hello-world'), join(work, 'swapped.tgz'), {
      edit: (m) => (m.capabilities = { network: { hosts: ['collect.example.com'] } }),
      files: { 'index.js': "exports.activate = (ctx) => ctx.commands.register('hello.sayHello', () => 'not hello');\n" },
    });
    // Another process replacing the file the moment Warden has read it whole, however it reads it: deterministic.
    const hook = join(work, 'swap-after-first-read.cjs');
    writeFileSync(
      hook,
      `const fs = require('node:fs');
const target = ${JSON.stringify(local)};
let swapped = false;
const swap = () => { if (!swapped) { swapped = true; fs.writeFileSync(target, fs.readFileSync(${JSON.stringify(swapped)})); } };
const readFileSync = fs.readFileSync;
fs.readFileSync = function (path, ...rest) { const out = readFileSync.call(this, path, ...rest); if (String(path) === target) swap(); return out; };
const createReadStream = fs.createReadStream;
fs.createReadStream = function (path, ...rest) { const stream = createReadStream.call(this, path, ...rest); if (String(path) === target) stream.once('close', swap); return stream; };
const copyFile = fs.promises.copyFile;
fs.promises.copyFile = async function (from, ...rest) { await copyFile.call(this, from, ...rest); if (String(from) === target) swap(); };
require('node:module').syncBuiltinESMExports();
`,
    );
    const run = spawnSync(process.execPath, ['--require', hook, CLI, 'install', local, ...fromRegistry(), ...client(), '--yes'], { cwd: work, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(readFileSync(local)).toEqual(readFileSync(swapped)); // the swap really happened
    expect(run.status, run.stderr).toBe(0);
    const installed = record('samples.hello-world');
    expect(installed.tier).toBe('official');
    expect(installed.source.sha256).toBe(createHash('sha256').update(readFileSync(built.tarballs.hello)).digest('hex'));
    expect(readFileSync(join(plugins(), '.warden', 'store', installed.folder, 'index.js'), 'utf8')).toBe(readFileSync(join(SAMPLES, 'hello-world', 'index.js'), 'utf8'));
    expect(installed.grant).toEqual({});
  });
});

describe('what a tarball or the registry gets wrong', () => {
  /** The CLI with a temporary folder of the test's own, so what it leaves there is seen (and nobody else's is). */
  function installWithOwnTemp(...args: string[]): { code: number | null; stderr: string; leftInTemp: string[] } {
    const temp = join(work, 'tmp');
    mkdirSync(temp, { recursive: true });
    const run = spawnSync(process.execPath, [CLI, 'install', ...args, ...client(), '--yes'], { cwd: work, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', TMPDIR: temp } });
    return { code: run.status, stderr: run.stderr, leftInTemp: readdirSync(temp) };
  }

  it('a link to nothing, in a tarball or a folder, and a registry tarball of another length: one line, no trace, nothing left', async () => {
    const staging = join(work, 'dangling');
    cpSync(join(SAMPLES, 'hello-world'), join(staging, 'package'), { recursive: true });
    symlinkSync('nope/../..', join(staging, 'package', 'up'));
    const tarball = join(work, 'dangling.tgz');
    await create({ gzip: true, file: tarball, cwd: staging, portable: true }, ['package']);
    const archived = installWithOwnTemp(tarball);
    expect(archived.code).toBe(2);
    expect(archived.stderr).toMatch(/^warden: refused archive .*dangling\.tgz: symlink "up" points to nothing \(nope\/\.\.\/\.\.\)\n$/);
    expect(archived.leftInTemp).toEqual([]);
    expect(storeFolders()).toEqual([]);

    const folder = installWithOwnTemp(join(staging, 'package'));
    expect(folder.code).toBe(2);
    expect(folder.stderr.trim().split('\n')).toHaveLength(1);
    expect(folder.stderr).toMatch(/^warden: cannot install: up is a link to nothing \(nope\/\.\.\/\.\.\)\n$/);
    // A link to a folder is no plain file either: refused before the store is touched.
    rmSync(join(staging, 'package', 'up'));
    symlinkSync('.', join(staging, 'package', 'here'));
    const linked = installWithOwnTemp(join(staging, 'package'));
    expect(linked.code).toBe(2);
    expect(linked.stderr).toMatch(/^warden: cannot install: here is not a plain file\n$/);
    expect(linked.leftInTemp).toEqual([]);
    expect(existsSync(join(plugins(), '.warden', 'store'))).toBe(false);

    // The mirror serves other bytes (another length) under a signed target's name.
    const served = readdirSync(join(registry, 'targets', 'plugins', 'samples', 'weather'))[0];
    writeFileSync(join(registry, 'targets', 'plugins', 'samples', 'weather', served), readFileSync(built.tarballs.hello));
    const mismatched = installWithOwnTemp('samples.weather', ...fromRegistry());
    expect(mismatched.code).toBe(1);
    expect(mismatched.stderr).toMatch(/^warden: the registry's plugins\/samples\/weather\/0\.3\.0\.tgz does not match its signed metadata \(.*\): refusing it\n$/);
    expect(mismatched.leftInTemp).toEqual([]);
    expect(storeFolders()).toEqual([]);
  });
});

describe('interrupted', () => {
  it('SIGTERM or SIGINT while installing leaves no temporary folder behind', async () => {
    const files = Object.fromEntries(Array.from({ length: 400 }, (_, n) => [`data/f${n}.js`, `exports.n = ${n};\n`.repeat(200)]));
    const tarball = await pack(join(SAMPLES, 'hello-world'), join(work, 'big.tgz'), { files });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const temp = join(work, `tmp-${signal}`);
      mkdirSync(temp);
      const child = spawn(process.execPath, [CLI, 'install', tarball, ...client(), '--yes'], { cwd: work, env: { ...process.env, NO_COLOR: '1', TMPDIR: temp }, stdio: 'ignore' });
      let done = false;
      const exited = new Promise<number | null>((resolve) =>
        child.once('exit', (code) => {
          done = true;
          resolve(code);
        }),
      );
      // Signalled once the extraction has files in it, whatever the machine's speed.
      const extracted = () => readdirSync(temp).some((dir) => dir.startsWith('warden-extract-') && existsSync(join(temp, dir, 'files', 'package', 'package.json')));
      while (!extracted() && !done) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(done, 'the install finished before it could be interrupted').toBe(false);
      child.kill(signal);
      expect(await exited, signal).toBe(signal === 'SIGTERM' ? 143 : 130);
      expect(readdirSync(temp), signal).toEqual([]);
    }
  });
});

describe('the blocklist at install', () => {
  it('by repository glob: a whole organisation, however its URL is spelled; a look-alike organisation is not caught', async () => {
    const spellings = ['https://github.com/evil-org/stealer', 'git+https://github.com/Evil-Org/miner.git', 'github:evil-org/clipper', 'evil-org/keylogger', 'git@github.com:evil-org/spy.git',
      'ssh://git@github.com:22/evil-org/tunnel.git', 'https://github.com:443/evil-org/porter', 'https://www.github.com/evil-org/alias'];
    const tarballs = await Promise.all(
      spellings.map((repository, n) => pack(join(SAMPLES, 'hello-world'), join(work, `evil-${n}.tgz`), { edit: (m) => Object.assign(m, { name: `evil-${n}`, repository }) })),
    );
    const lookalike = await pack(join(SAMPLES, 'hello-world'), join(work, 'fine.tgz'), { edit: (m) => Object.assign(m, { name: 'fine', repository: 'https://github.com/evil-organisation/fine' }) });
    expect(warden(work, 'registry', 'block', registry, 'repo:github.com/evil-org/*', '--reason', 'a malware organisation', '--link', 'https://example.com/advisory/7').code).toBe(0);
    for (const tarball of tarballs) {
      const run = warden(work, 'install', tarball, ...fromRegistry(), ...client(), '--yes');
      expect(run.code, tarball).toBe(1);
      expect(run.stderr, tarball).toMatch(/blocklisted by the registry: a malware organisation — https:\/\/example\.com\/advisory\/7/);
    }
    expect(warden(work, 'install', lookalike, ...fromRegistry(), ...client(), '--yes').code).toBe(0);
    expect(list(work, ...client()).map((p) => p.id)).toEqual(['samples.fine']);
  });

  it('a scoped plugin installs by id, and an id glob blocks it: a star spans the scope\'s slash', async () => {
    const scoped = await pack(join(SAMPLES, 'hello-world'), join(work, 'scoped.tgz'), { edit: (m) => (m.name = '@x/tool') });
    expect(warden(work, 'registry', 'add', registry, scoped, '--tier', 'community').code).toBe(0);
    const run = warden(work, 'install', 'samples.@x/tool@^1', ...fromRegistry(), ...client(), '--yes');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/installed samples\.@x\/tool 1\.0\.0 \(community\)/);
    expect(warden(work, 'registry', 'block', registry, 'samples.*', '--reason', 'the whole publisher is compromised').code).toBe(0);
    const [listed] = list(work, ...client());
    expect([listed.id, listed.status]).toEqual(['samples.@x/tool', 'blocked']);
    expect(listed.reasons.join()).toMatch(/the whole publisher is compromised/);
  });

  it('by version range: blocked versions are refused, others install; a soft entry needs --accept-blocked, recorded', async () => {
    const v110 = await pack(join(SAMPLES, 'greeter'), join(work, 'greeter-1.1.0.tgz'), { edit: (m) => (m.version = '1.1.0') });
    expect(warden(work, 'registry', 'add', registry, v110, '--tier', 'trusted', '--publisher', 'acme', '--publisher-key', built.publisherPub).code).toBe(0);
    expect(warden(work, 'registry', 'sign', registry, '--publisher', 'acme', '--key', built.publisherKey).code).toBe(0);
    expect(warden(work, 'registry', 'block', registry, 'acme.greeter', '--range', '<1.1.0', '--reason', 'leaks the display name').code).toBe(0);
    const old = warden(work, 'install', 'acme.greeter@1.0.0', ...fromRegistry(), ...client(), '--yes');
    expect(old.code).toBe(1);
    expect(old.stderr).toMatch(/blocklisted by the registry \(versions <1\.1\.0\): leaks the display name/);
    const current = warden(work, 'install', 'acme.greeter', ...client(), '--yes');
    expect(current.code).toBe(0);
    expect(current.stdout).toMatch(/Install acme\.greeter 1\.1\.0/);

    expect(warden(work, 'registry', 'block', registry, 'samples.*', '--soft', '--reason', 'unmaintained').code).toBe(0);
    const soft = warden(work, 'install', 'samples.hello-world', ...client(), '--yes');
    expect(soft.code).toBe(1);
    expect(soft.stderr).toMatch(/unmaintained .*--accept-blocked/);
    expect(warden(work, 'install', 'samples.hello-world', ...client(), '--yes', '--accept-blocked').code).toBe(0);
    expect(record('samples.hello-world').keptDespite).toEqual([expect.objectContaining({ pattern: 'samples.*', reason: 'unmaintained' })]);
    const ran = warden(work, 'run', ...client(), '--exec', 'hello.sayHello', '--once');
    expect(ran.stdout).toContain('Hello, world!');
  });

  it('consent to keep despite a soft entry covers that entry only: a new reason or range under the same pattern is asked about again', () => {
    expect(warden(work, 'install', 'samples.weather', ...fromRegistry(), ...client(), '--yes').code).toBe(0);
    const status = () => list(work, ...client())[0];
    expect(warden(work, 'registry', 'block', registry, 'samples.weather', '--soft', '--reason', 'unmaintained').code).toBe(0);
    expect(status().status).toBe('blocked');
    expect(warden(work, 'grant', 'samples.weather', '--keep-blocked', ...client()).code).toBe(0);
    expect(status().status).toBe('enabled');

    // The same pattern, another range and a far worse reason: not what the user agreed to.
    expect(warden(work, 'registry', 'block', registry, 'samples.weather', '--soft', '--range', '>=0.0.0', '--reason', 'now sends your files away').code).toBe(0);
    const asked = status();
    expect(asked.status).toBe('blocked');
    expect(asked.reasons.join()).toMatch(/now sends your files away .*--keep-blocked/);
    expect(asked.reasons.join()).not.toMatch(/unmaintained/);
    expect(warden(work, 'grant', 'samples.weather', '--keep-blocked', ...client()).code).toBe(0);
    expect(status().status).toBe('enabled');

    // The same pattern and range, re-issued with a new reason: asked again too.
    expect(warden(work, 'registry', 'block', registry, 'samples.weather', '--soft', '--reason', 'abandoned, and its domain was bought by someone else').code).toBe(0);
    expect(status().reasons.join()).toMatch(/domain was bought/);
    expect(record('samples.weather').keptDespite.map((k: { reason: string }) => k.reason)).toEqual(['unmaintained', 'now sends your files away']);
  });
});

describe('update', () => {
  it('a version asking for more is installed but waits for approval; fewer is fine', async () => {
    expect(warden(work, 'install', 'acme.greeter', ...fromRegistry(), ...client(), '--yes').code).toBe(0);
    const wantsMore = await pack(join(SAMPLES, 'greeter'), join(work, 'greeter-1.1.0.tgz'), {
      edit: (m) => Object.assign(m, { version: '1.1.0', capabilities: { network: { hosts: ['telemetry.acme.example'] }, env: ['ACME_TOKEN'] } }),
    });
    expect(warden(work, 'registry', 'add', registry, wantsMore, '--tier', 'trusted', '--publisher', 'acme', '--publisher-key', built.publisherPub).code).toBe(0);
    expect(warden(work, 'registry', 'sign', registry, '--publisher', 'acme', '--key', built.publisherKey).code).toBe(0);

    const update = warden(work, 'update', ...client());
    expect(update.code).toBe(0);
    expect(update.stdout).toMatch(/Update acme\.greeter 1\.0\.0 → 1\.1\.0/);
    expect(update.stdout).toMatch(/send requests to telemetry\.acme\.example .*\(new\)/);
    expect(update.stdout).toMatch(/installed acme\.greeter 1\.1\.0 but not enabled: it asks for more than you granted/);
    const [waiting] = list(work, ...client());
    expect(waiting).toMatchObject({ version: '1.1.0', status: 'awaiting-approval', granted: [] });
    const refused = warden(work, 'run', ...client(), '--exec', 'greeter.greet', '--once');
    expect(refused.stderr).toMatch(/refused acme\.greeter: version 1\.1\.0 asks for more than you granted .*warden grant acme\.greeter --all/);

    expect(warden(work, 'grant', 'acme.greeter', '--all', ...client()).code).toBe(0);
    const approved = list(work, ...client())[0];
    expect(approved.status).toBe('enabled');
    expect(approved.granted.sort()).toEqual(['env:ACME_TOKEN', 'network:telemetry.acme.example']);

    const fewer = await pack(join(SAMPLES, 'greeter'), join(work, 'greeter-1.2.0.tgz'), { edit: (m) => Object.assign(m, { version: '1.2.0', capabilities: { env: ['ACME_TOKEN'] } }) });
    expect(warden(work, 'registry', 'add', registry, fewer, '--tier', 'trusted', '--publisher', 'acme', '--publisher-key', built.publisherPub).code).toBe(0);
    expect(warden(work, 'registry', 'sign', registry, '--publisher', 'acme', '--key', built.publisherKey).code).toBe(0);
    const quiet = warden(work, 'update', 'acme.greeter', ...client());
    expect(quiet.stdout).toMatch(/updated acme\.greeter to 1\.2\.0/);
    expect(list(work, ...client())[0]).toMatchObject({ version: '1.2.0', status: 'enabled', granted: ['env:ACME_TOKEN'] });
    expect(warden(work, 'update', ...client()).stdout).toMatch(/everything is up to date/);
  });
});

describe('integrity at load', () => {
  it('a file changed, added or removed after install refuses the plugin: "modified since install: <file>"', () => {
    expect(warden(work, 'install', 'samples.hello-world', ...fromRegistry(), ...client(), '--yes').code).toBe(0);
    const folder = join(plugins(), '.warden', 'store', storeFolders()[0]);
    const original = readFileSync(join(folder, 'index.js'));
    const cases: [string, () => void, () => void][] = [
      ['index.js', () => appendFileSync(join(folder, 'index.js'), '\n// a harmless-looking comment\n'), () => writeFileSync(join(folder, 'index.js'), original)],
      ['helper.js', () => writeFileSync(join(folder, 'helper.js'), 'module.exports = 1;\n'), () => unlinkSync(join(folder, 'helper.js'))],
      ['notes.txt', () => writeFileSync(join(folder, 'notes.txt'), 'not even code\n'), () => unlinkSync(join(folder, 'notes.txt'))],
      ['package.json', () => unlinkSync(join(folder, 'package.json')), () => undefined],
    ];
    for (const [file, tamper, restore] of cases) {
      tamper();
      const run = warden(work, 'run', ...client(), '--exec', 'hello.sayHello', '--once');
      expect(run.code, file).toBe(1);
      expect(run.stderr, file).toContain(`✖ refused samples.hello-world: modified since install: ${file}`);
      expect(run.stdout, file).not.toContain('Hello');
      restore();
    }
    // Installing it again puts the recorded files back.
    expect(warden(work, 'install', 'samples.hello-world', ...client(), '--yes').code).toBe(0);
    expect(warden(work, 'run', ...client(), '--exec', 'hello.sayHello', '--once').stdout).toContain('Hello, world!');
  });
});

describe('atomic install', () => {
  it('what a killed install left in the store is removed by the next install, even one that finds nothing to change', async () => {
    const v1 = await pack(join(SAMPLES, 'hello-world'), join(work, 'hello-1.tgz'));
    expect(warden(work, 'install', v1, ...client(), '--yes').code).toBe(0);
    // A partial copy named as a dead install process names its folder.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const leftover = join(plugins(), '.warden', 'store', `samples.hello-world@1.0.0-${dead}-0badc0de`);
    mkdirSync(join(leftover, 'assets'), { recursive: true });
    writeFileSync(join(leftover, 'assets', 'half.txt'), 'half');
    const again = warden(work, 'install', v1, ...client(), '--yes');
    expect(again.code).toBe(0);
    expect(existsSync(leftover)).toBe(false);
    expect(storeFolders()).toHaveLength(1);
  });

  it('kill -9 at any moment (10 rounds) leaves the old version or the new one, whole', async () => {
    const big = 'x'.repeat(64 * 1024);
    const files = Object.fromEntries(Array.from({ length: 16 }, (_, n) => [`assets/part-${n}.txt`, `${n}\n${big}\n`]));
    const v1 = await pack(join(SAMPLES, 'hello-world'), join(work, 'hello-1.tgz'), { files });
    const v2 = await pack(join(SAMPLES, 'hello-world'), join(work, 'hello-2.tgz'), { files, edit: (m) => (m.version = '2.0.0') });
    // How long a whole install takes here, so the kills can be spread over all of it: start-up, gate, copy, commit.
    expect(warden(work, 'install', v2, ...client(), '--yes').code).toBe(0);
    const started = Date.now();
    expect(warden(work, 'install', v1, ...client(), '--yes').code).toBe(0);
    const duration = Date.now() - started;
    const outcomes: string[] = [];
    for (let round = 0; round < 10; round++) {
      const before = record('samples.hello-world').version;
      const tarball = before === '1.0.0' ? v2 : v1;
      const child = spawn(process.execPath, [CLI, 'install', tarball, ...client(), '--yes'], { cwd: work, stdio: 'ignore' });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // From just after the spawn to a little past a whole install: some kills land before the commit, some after.
      await new Promise((resolve) => setTimeout(resolve, Math.round((duration * 1.4 * (round + 1)) / 10)));
      child.kill('SIGKILL');
      await exited;
      const [plugin] = list(work, ...client());
      expect(['1.0.0', '2.0.0'], `round ${round}`).toContain(plugin.version);
      expect(plugin.status, `round ${round}: ${plugin.reasons.join()}`).toBe('enabled');
      const installed = record('samples.hello-world');
      expect(existsSync(join(plugins(), '.warden', 'store', installed.folder)), `round ${round}`).toBe(true);
      outcomes.push(`${plugin.version === before ? 'old' : 'new'}${storeFolders().length > 1 ? '+partial copy left' : ''}`);
    }
    process.stdout.write(`atomic install (${duration} ms per install): after each kill ${outcomes.join(', ')}\n`);
    // Whatever the kills left behind is cleaned up by the next install.
    expect(warden(work, 'install', v2, ...client(), '--yes').code).toBe(0);
    expect(storeFolders()).toHaveLength(1);
    expect(warden(work, 'run', ...client(), '--exec', 'hello.sayHello', '--once').stdout).toContain('Hello, world!');
  });
});
