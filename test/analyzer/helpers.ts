/**
 * Test helpers: real plugin folders in a temp dir, hand-written tar archives
 * (for the entries `tar.create` refuses to write), and the real CLI spawned
 * from dist/.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll } from 'vitest';
import { TEMP_PREFIX } from '../../analyzer/package-source.js';

export const REPO = resolve(import.meta.dirname, '../..');
export const CLI = join(REPO, 'dist/bin/warden.js');
export const FIXTURES = join(REPO, 'test/fixtures');

const created: string[] = [];
// Registered in the test file that imports these helpers: its temporary folders go when it ends.
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'warden-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export const MANIFEST = { name: 'sample', publisher: 'acme', version: '1.0.0', main: 'index.js', engines: { warden: '^0.1.0' } };

/** Writes `files` (path → content; objects are written as JSON) under a new folder and returns it. */
export function writePlugin(files: Record<string, string | object | Buffer>, dir = tempDir()): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' || Buffer.isBuffer(content) ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

export interface RawEntry {
  name: string;
  /** '0' file (default), '2' symlink, '1' hard link, '3' char device, '6' FIFO, '5' directory. */
  type?: string;
  content?: string;
  linkname?: string;
  /** Size written in the header; defaults to the content's length (a larger one makes a truncated archive). */
  size?: number;
}

/** A gzipped ustar archive written byte by byte, so it can hold names no well-behaved packer writes. */
export function rawTarball(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const body = Buffer.from(entry.content ?? '');
    const header = Buffer.alloc(512);
    header.write(entry.name, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(`${(entry.size ?? body.length).toString(8).padStart(11, '0')}\0`, 124);
    header.write('00000000000\0', 136);
    header.write('        ', 148);
    header.write(entry.type ?? '0', 156);
    header.write(entry.linkname ?? '', 157, 100, 'utf8');
    header.write('ustar\0', 257);
    header.write('00', 263);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header);
    if (entry.size === undefined && body.length > 0) blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A valid manifest and entry module as `package/…` entries, to put beside a hostile one. */
export function packageEntries(extra: Record<string, string> = {}): RawEntry[] {
  const files: Record<string, string> = { 'package/package.json': JSON.stringify(MANIFEST), 'package/index.js': 'exports.activate = () => {};\n', ...extra };
  return Object.entries(files).map(([name, content]) => ({ name, content }));
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI with `args`; `nodeArgs` go to Node before the CLI's path. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; nodeArgs?: string[] } = {}): CliResult {
  const result = spawnSync(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The extraction folders under `dir` (the analyzer's private temp folders). */
export function extractionDirs(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.startsWith(TEMP_PREFIX));
}

/** First bytes of real binaries of each format (enough for detection). */
export const NATIVE_HEADS = {
  elf: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...Array(56).fill(0)]),
  machO: Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1, ...Array(56).fill(0)]),
  fatMachO: Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2, ...Array(56).fill(0)]),
  pe: (() => {
    const head = Buffer.alloc(0x100);
    head.write('MZ', 0, 'latin1');
    head.writeUInt32LE(0x80, 0x3c);
    head.write('PE\0\0', 0x80, 'latin1');
    return head;
  })(),
};
