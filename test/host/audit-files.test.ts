/**
 * The audit log and its head are files in a folder others may write (a
 * group-shared data folder, a root host on a user's folder): what sits under
 * their names is never trusted. Links are never written through, a FIFO, a
 * device, a folder or a huge file where the head should be neither hangs nor
 * kills the host or `--verify`, entries of any JSON shape get an answer, and a
 * log bigger than one buffer can hold is read a chunk at a time.
 * Run `npx tsc -p tsconfig.json` first (for the CLI cases: `npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeHead, GENESIS, sealLine } from '../../host/audit-chain.js';
import { AuditLog, auditEntries, headPath, verifyAuditLog } from '../../host/audit.js';
import { DataFileError } from '../../host/safe-files.js';

const CLI = join(resolve(import.meta.dirname, '../..'), 'dist/bin/warden.js');
const root = mkdtempSync(join(tmpdir(), 'warden-audit-files-'));
let dir: string;
let n = 0;

beforeEach(() => {
  n += 1;
  dir = join(root, String(n));
  mkdirSync(dir);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A log of `records` sealed and chained exactly as the host writes them (what an editor with the user's rights can do), with its head. */
function sealedLog(name: string, records: Record<string, unknown>[]): string {
  const path = join(dir, name);
  let previous = GENESIS;
  let text = '';
  let head = { seq: 0, hash: GENESIS, size: 0 };
  records.forEach((record, index) => {
    const entry = { seq: index + 1, time: '2026-12-01T00:00:00.000Z', pluginId: '', correlationId: null, kind: '', ...record, prevHash: previous };
    const { line, hash } = sealLine(JSON.stringify(entry));
    text += line;
    previous = hash;
    head = { seq: index + 1, hash, size: Buffer.byteLength(text) };
  });
  writeFileSync(path, text);
  writeFileSync(headPath(path), encodeHead(head));
  return path;
}

function warden(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A log the host wrote and closed, with its head. */
function hostLog(): string {
  const path = join(dir, 'audit.log');
  const log = new AuditLog(path);
  log.append({ pluginId: 'a.b', kind: 'call' });
  log.append({ pluginId: 'a.b', kind: 'call' });
  log.close();
  return path;
}

describe('entries whose fields have the wrong types', () => {
  const variants: Record<string, Record<string, unknown>> = {
    pluginIdObject: { pluginId: { toString: 1 }, kind: 'call' },
    kindNumber: { pluginId: 'a.b', kind: 7 },
    timeObject: { pluginId: 'a.b', kind: 'x', time: { valueOf: 1, toString: 1 } },
    correlationObject: { pluginId: 'a.b', kind: 'x', correlationId: { toString: 'no' } },
    lostWithObjects: { pluginId: 'warden', kind: 'audit.lost', entries: { toString: 1 }, reason: [1] },
    tornNoteObject: { pluginId: 'warden', kind: 'audit.torn-tail', message: { toString: 1 } },
    mismatchNoteObject: { pluginId: 'warden', kind: 'audit.head-mismatch', message: { toString: 1 } },
  };

  it('verify answers for each: it never throws on what it reads', () => {
    for (const [name, record] of Object.entries(variants)) {
      const path = sealedLog(`${name}.log`, [{ pluginId: 'a.b', kind: 'ok' }, record]);
      const result = verifyAuditLog(path);
      if (name === 'mismatchNoteObject') expect(result).toEqual({ ok: false, line: 2, reason: 'when the host started: {"toString":1}' });
      else expect(result.ok, name).toBe(true);
    }
    expect(verifyAuditLog(join(dir, 'lostWithObjects.log'))).toEqual({ ok: true, entries: 2, notes: ['line 2: {"toString":1} entries could not be written before it ([1])'] });
  });

  it('`warden audit` prints each, and `--verify` answers, with no internal error', () => {
    for (const [name, record] of Object.entries(variants)) sealedLog(`${name}.log`, [{ pluginId: 'a.b', kind: 'ok' }, record]);
    for (const name of Object.keys(variants)) {
      const printed = warden('audit', '--log', `${name}.log`);
      expect(printed.stderr, name).toBe('');
      expect(printed.code, name).toBe(0);
      expect(printed.stdout.trim().split('\n'), name).toHaveLength(2);
      const verified = warden('audit', '--verify', '--log', `${name}.log`);
      expect(verified.stderr, name).toBe('');
      expect(verified.code, name).toBe(name === 'mismatchNoteObject' ? 1 : 0);
    }
    expect(warden('audit', '--log', 'pluginIdObject.log').stdout).toContain('{"toString":1} call');
  });
});

describe('what sits where the head should be', () => {
  const variants: Record<string, (head: string) => void> = {
    fifo: (head) => spawnSync('mkfifo', [head]),
    'a link to /dev/zero': (head) => symlinkSync('/dev/zero', head),
    'a folder': (head) => mkdirSync(head),
    'a 600 MB file': (head) => {
      const fd = openSync(head, 'w');
      ftruncateSync(fd, 600 * 1024 * 1024); // sparse: no disk used
      closeSync(fd);
    },
    'a link loop': (head) => symlinkSync(head, head),
    'a dangling link': (head) => symlinkSync(join(dir, 'nowhere'), head),
  };

  it('verify answers at once, naming the head, for each', () => {
    for (const [what, plant] of Object.entries(variants)) {
      const path = hostLog();
      rmSync(headPath(path));
      plant(headPath(path));
      const result = verifyAuditLog(path);
      expect(result, what).toMatchObject({ ok: false, line: 0, reason: expect.stringMatching(/^cannot use the head record: .*audit\.log\.head/) });
      rmSync(dir, { recursive: true });
      mkdirSync(dir);
    }
  });

  it('the host moves it aside as found (never reading, following or writing through it), records that, and starts', () => {
    for (const [what, plant] of Object.entries(variants)) {
      const path = hostLog();
      rmSync(headPath(path));
      plant(headPath(path));
      const log = new AuditLog(path);
      expect(log.repairs, what).toEqual([{ kind: 'audit.head-mismatch', message: expect.stringMatching(/^the head record could not be used \(.*\); moved aside$/) }]);
      log.append({ pluginId: 'a.b', kind: 'after' });
      log.close();
      expect(readdirSync(dir).filter((name) => name.startsWith('audit.log.head.unusable-')), what).toHaveLength(1);
      // A fresh head now; verify keeps saying the history before it cannot be vouched for.
      expect(verifyAuditLog(path), what).toMatchObject({ ok: false, reason: expect.stringMatching(/^when the host started: the head record could not be used/) });
      rmSync(dir, { recursive: true });
      mkdirSync(dir);
    }
  });
});

describe('links planted at the log\'s names are never written through', () => {
  it('a head linked to another file: the file keeps every byte, the link is moved aside', () => {
    const path = hostLog();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious\n'.repeat(100));
    rmSync(headPath(path));
    symlinkSync(victim, headPath(path));
    const log = new AuditLog(path);
    log.append({ pluginId: 'a.b', kind: 'after' });
    log.close();
    expect(readFileSync(victim, 'utf8')).toBe('precious\n'.repeat(100));
    expect(readFileSync(headPath(path), 'utf8')).toMatch(/^\{"seq":4,/);
  });

  it('a log linked to another file: refused with one line, the file unchanged', () => {
    const victim = join(dir, 'victim.txt');
    const lines = Array.from({ length: 300 }, (_, i) => `line ${i}`).join('\n'); // no final newline: would look torn
    writeFileSync(victim, lines);
    symlinkSync(victim, join(dir, 'audit.log'));
    expect(() => new AuditLog(join(dir, 'audit.log'))).toThrow(DataFileError);
    expect(() => new AuditLog(join(dir, 'audit.log'))).toThrow(/audit\.log is a symbolic link; the host writes only a regular file there/);
    expect(readFileSync(victim, 'utf8')).toBe(lines);
    expect(readdirSync(dir).sort()).toEqual(['audit.log', 'victim.txt']);
  });

  it('`warden run` on such a folder says so in one line, exit 2', () => {
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    mkdirSync(join(dir, 'data'));
    mkdirSync(join(dir, 'plugins'));
    symlinkSync(victim, join(dir, 'data', 'audit.log'));
    const run = warden('run', '--plugins-dir', 'plugins', '--data-dir', 'data', '--once');
    expect(run.stderr).toMatch(/^warden: .*audit\.log is a symbolic link; the host writes only a regular file there\n$/);
    expect(run.code).toBe(2);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });
});

describe('a log bigger than one buffer can hold', () => {
  it('verify reads a 2 GiB log a chunk at a time and names its problem, instead of failing to read it (or holding it)', () => {
    const path = hostLog();
    const fd = openSync(path, 'r+');
    ftruncateSync(fd, 2 ** 31 + 1); // sparse zeros after the entries: more than readFileSync can return
    closeSync(fd);
    expect(verifyAuditLog(path)).toEqual({ ok: false, line: 3, reason: 'a line of more than 67108864 bytes is not an entry' });
  });

  it('entries are read one at a time, so printing starts before the log is read through', () => {
    const path = hostLog();
    const entries = auditEntries(path);
    expect(entries.next().value).toMatchObject({ seq: 1, pluginId: 'a.b', kind: 'call' });
    entries.return(undefined);
  });

  it('printing skips an overlong line and goes on with the entries after it', () => {
    const path = hostLog();
    const entries = readFileSync(path, 'utf8');
    writeFileSync(path, `${entries}${'x'.repeat(65 * 1024 * 1024)}\n${entries}`);
    expect([...auditEntries(path)].map((entry) => entry.seq)).toEqual([1, 2, 1, 2]);
  });
});
