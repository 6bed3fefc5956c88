import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { create } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../analyzer/limits.js';
import { openPackage, reviewedBytes } from '../../analyzer/package-source.js';
import { extractionDirs, MANIFEST, packageEntries, rawTarball, tempDir, writePlugin, type RawEntry } from './helpers.js';

// A private TMPDIR, so "nothing left behind" can be checked exactly.
let tmp: string;
let previousTmp: string | undefined;
beforeAll(() => {
  previousTmp = process.env.TMPDIR;
  tmp = tempDir('warden-src-');
  process.env.TMPDIR = tmp;
});
afterAll(() => {
  process.env.TMPDIR = previousTmp;
});

function archive(entries: RawEntry[]): string {
  const file = join(tempDir(), 'plugin.tgz');
  writeFileSync(file, rawTarball(entries));
  return file;
}

async function refusal(file: string, limits = DEFAULT_LIMITS): Promise<string> {
  const error = await openPackage(file, limits).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error?.name).toBe('UsageError');
  expect(extractionDirs(tmp)).toEqual([]);
  return error!.message;
}

describe('openPackage', () => {
  it('opens a folder in place and closing it removes nothing', async () => {
    const dir = writePlugin({ 'package.json': MANIFEST, 'index.js': '' });
    const source = await openPackage(dir);
    await source.close();
    expect(existsSync(join(dir, 'index.js'))).toBe(true);
  });

  it('extracts an npm pack tarball to its package/ folder and removes it on close', async () => {
    const dir = writePlugin({ 'package/package.json': MANIFEST, 'package/lib/index.js': 'exports.x = 1;\n' });
    const file = join(dir, 'sample-1.0.0.tgz');
    await create({ gzip: true, file, cwd: dir }, ['package']);
    const source = await openPackage(file);
    expect(source.root.endsWith('/package')).toBe(true);
    expect(readFileSync(join(source.root, 'lib/index.js'), 'utf8')).toBe('exports.x = 1;\n');
    expect(extractionDirs(tmp)).toHaveLength(1);
    await source.close();
    expect(extractionDirs(tmp)).toEqual([]);
  });

  it('keeps a symlink that stays inside the package', async () => {
    const source = await openPackage(archive([...packageEntries(), { name: 'package/alias.js', type: '2', linkname: 'index.js' }]));
    expect(readFileSync(join(source.root, 'alias.js'), 'utf8')).toContain('activate');
    await source.close();
  });

  it.each([
    ['a ../ entry', { name: 'package/../../evil.js', content: 'x' }, /entry "package\/..\/..\/evil.js" is an absolute path or leaves the package folder/],
    ['an absolute path', { name: '/tmp/evil.js', content: 'x' }, /entry "\/tmp\/evil.js" is an absolute path/],
    ['a symlink out', { name: 'package/link', type: '2', linkname: '../../../etc/passwd' }, /symlink "package\/link" points outside the package/],
    ['an absolute symlink', { name: 'package/link', type: '2', linkname: '/etc/passwd' }, /symlink "package\/link" points outside/],
    ['a hard link out', { name: 'package/hard', type: '1', linkname: '../outside' }, /hard link "package\/hard" points outside/],
    ['a character device', { name: 'package/tty', type: '3' }, /is a CharacterDevice/],
    ['a FIFO', { name: 'package/pipe', type: '6' }, /is a FIFO/],
  ])('refuses the whole archive for %s', async (_label, entry, message) => {
    expect(await refusal(archive([...packageEntries(), entry]))).toMatch(message);
  });

  it('refuses a symlink chain that only escapes once on disk', async () => {
    // sub/up -> .. is the root (fine); escape -> sub/up/.. is lexically "sub" but physically the root's parent.
    const file = archive([
      ...packageEntries(),
      { name: 'package/sub/', type: '5' },
      { name: 'package/sub/up', type: '2', linkname: '..' },
      { name: 'package/escape', type: '2', linkname: 'sub/up/..' },
    ]);
    expect(await refusal(file)).toMatch(/symlink "escape" points outside the package/);
  });

  it('refuses an entry over the size cap from its header alone', async () => {
    const file = archive([...packageEntries(), { name: 'package/huge.js', size: 200 * 1024 * 1024 }]);
    expect(await refusal(file)).toMatch(/entry "package\/huge.js" is 209715200 bytes, over the 67108864-byte limit/);
  });

  it('refuses too many entries and too many bytes in total', async () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ name: `package/f${i}.js`, content: 'x'.repeat(100) }));
    expect(await refusal(archive([...packageEntries(), ...many]), { ...DEFAULT_LIMITS, maxEntries: 4 })).toMatch(/more than 4 entries/);
    expect(await refusal(archive([...packageEntries(), ...many]), { ...DEFAULT_LIMITS, maxTotalBytes: 300 })).toMatch(/entries total more than 300 bytes/);
  });

  it('reports a corrupt gzip stream and a truncated archive as corrupt', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'garbage.tgz'), Buffer.from('this is not gzip at all'));
    expect(await refusal(join(dir, 'garbage.tgz'))).toMatch(/^corrupt archive .*garbage.tgz/);
    const whole = rawTarball(packageEntries());
    writeFileSync(join(dir, 'cut.tgz'), whole.subarray(0, whole.length - 20));
    expect(await refusal(join(dir, 'cut.tgz'))).toMatch(/^corrupt archive .*cut.tgz/);
  });

  it('names a missing path and a file that is neither folder nor archive', async () => {
    expect(await refusal('/nonexistent/plugin')).toBe('cannot read /nonexistent/plugin: no such file or folder');
    const dir = tempDir();
    mkdirSync(join(dir, 'x'));
    writeFileSync(join(dir, 'x/readme.txt'), 'hi');
    expect(await refusal(join(dir, 'x/readme.txt'))).toMatch(/expected a plugin folder or an npm pack .tgz/);
  });

  it('does not follow a symlink in a folder plugin out of its root', async () => {
    const dir = writePlugin({ 'package.json': MANIFEST, 'index.js': '' });
    symlinkSync('/etc', join(dir, 'etc-link'));
    const source = await openPackage(dir);
    expect(source.root).toBe(dir);
    await source.close();
  });
});

describe('an archive path that is not a file', () => {
  it('refuses a FIFO named like an archive in one line, without waiting for a writer', async () => {
    const fifo = join(tempDir(), 'plugin.tgz');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(await refusal(fifo)).toBe(`cannot analyze ${fifo}: not a regular file`);
  });
});

describe('reviewedBytes', () => {
  it('gives back the reviewed bytes, and refuses the file once it is changed, shortened, lengthened or swapped', async () => {
    const file = archive(packageEntries());
    const source = await openPackage(file);
    await source.close();
    const digest = source.digest!;
    expect(reviewedBytes(file, digest).equals(readFileSync(file))).toBe(true);
    const original = readFileSync(file);
    const changed = Buffer.from(original);
    changed[changed.length - 1] ^= 1;
    for (const other of [changed, original.subarray(1), Buffer.concat([original, Buffer.from([0])])]) {
      writeFileSync(file, other);
      expect(() => reviewedBytes(file, digest)).toThrow(/changed after the gate reviewed it; nothing was done with it/);
    }
    // Swapped for a FIFO: refused at once, not waited on for a writer.
    rmSync(file);
    expect(spawnSync('mkfifo', [file]).status).toBe(0);
    expect(() => reviewedBytes(file, digest)).toThrow(/changed after the gate reviewed it; nothing was done with it/);
  });
});
