/**
 * The audit log's chain and head: a real log written by a real plugin run
 * verifies; an edited, removed, reordered or torn line, and whole entries cut
 * off the end, each fail verification at the right line with the reason.
 * Run `npx tsc -p tsconfig.json` first.
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditLog, headPath, verifyAuditLog } from '../../host/audit.js';
import { startFixture } from '../fixtures/host/harness.js';
import { mountSmallDisk } from '../fixtures/host/tmpfs.js';

const disk = mountSmallDisk(1024 * 1024);
if (typeof disk === 'string') console.warn(`skipping the full-disk audit test: ${disk}`);

let realLog: string;
let workDir: string;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'warden-audit-'));
  const run = await startFixture('ctx-user', 'main.mjs');
  await run.plugin.executeCommand('ctx.storageRoundTrip', []);
  await run.plugin.executeCommand('ctx.show', ['audited']);
  await run.plugin.stop(5000);
  run.audit.close();
  realLog = join(workDir, 'audit.jsonl');
  copyFileSync(run.audit.path, realLog);
  copyFileSync(headPath(run.audit.path), headPath(realLog));
  await run.cleanup();
});
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
  if (typeof disk !== 'string') disk.unmount();
});

/** A copy of the real log with its lines changed by `edit`, head kept as it was. */
function tampered(name: string, edit: (lines: string[]) => string[]): string {
  const path = join(workDir, `${name}.jsonl`);
  const lines = readFileSync(realLog, 'utf8').split('\n').slice(0, -1);
  writeFileSync(path, edit(lines).map((line) => `${line}\n`).join(''));
  copyFileSync(headPath(realLog), headPath(path));
  return path;
}

describe('verifyAuditLog', () => {
  it('passes a real log written by a plugin run', () => {
    const lines = readFileSync(realLog, 'utf8').trim().split('\n');
    expect(lines.length).toBeGreaterThan(8);
    expect(verifyAuditLog(realLog)).toEqual({ ok: true, entries: lines.length });
  });

  it('fails on an edited line, at that line', () => {
    const path = tampered('edited', (lines) => lines.map((line, i) => (i === 4 ? line.replace(/"kind":"[^"]+"/, '"kind":"harmless"') : line)));
    expect(verifyAuditLog(path)).toEqual({ ok: false, line: 5, reason: 'hash does not match the entry (edited)' });
  });

  it('fails on an edited line whose hash was recomputed, at the next line', () => {
    const path = tampered('rehashed', (lines) => {
      const entry = JSON.parse(lines[3]);
      entry.method = 'nothing-to-see';
      return lines.map((line, i) => (i === 3 ? rehash(entry) : line));
    });
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 5 });
  });

  it('fails on a removed line, at the line after it', () => {
    const path = tampered('removed', (lines) => lines.filter((_, i) => i !== 2));
    expect(verifyAuditLog(path)).toEqual({
      ok: false,
      line: 3,
      reason: 'seq 4 does not follow seq 2 (a line was removed, inserted or reordered before it)',
    });
  });

  it('fails on two swapped lines', () => {
    const path = tampered('swapped', (lines) => [lines[0], lines[2], lines[1], ...lines.slice(3)]);
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 2 });
  });

  it('fails when whole entries are cut off the end (the head remembers the last one)', () => {
    const path = tampered('truncated', (lines) => lines.slice(0, -2));
    const total = readFileSync(realLog, 'utf8').trim().split('\n').length;
    expect(verifyAuditLog(path)).toEqual({
      ok: false,
      line: total - 1,
      reason: `log ends at seq ${total - 2} but its head records seq ${total} (truncated)`,
    });
  });

  it('fails on a torn last line, and on a last line missing only its newline', () => {
    const total = readFileSync(realLog, 'utf8').trim().split('\n').length;
    const torn = tampered('torn', (lines) => [...lines.slice(0, -1), lines.at(-1)!.slice(0, 30)]);
    writeFileSync(torn, readFileSync(torn, 'utf8').slice(0, -1));
    const unterminated = 'the last line is unterminated (a write cut short; the next host start moves it aside)';
    expect(verifyAuditLog(torn)).toEqual({ ok: false, line: total, reason: unterminated });
    const noNewline = tampered('no-newline', (lines) => lines);
    writeFileSync(noNewline, readFileSync(noNewline, 'utf8').slice(0, -1));
    expect(verifyAuditLog(noNewline)).toEqual({ ok: false, line: total, reason: unterminated });
  });

  it('answers, never throws, on lines that are JSON but not entries', () => {
    for (const [junk, reason] of [
      ['null', 'not an entry (a JSON value, not a record)'],
      ['5', 'not an entry (a JSON value, not a record)'],
      ['[]', 'not an entry (a JSON value, not a record)'],
      ['{}', 'not an entry (no seq, prevHash or hash)'],
      ['{"seq":3,"prevHash":1,"hash":2}', 'not an entry (no seq, prevHash or hash)'],
      ['\u0000\uffff', 'not a JSON entry (edited, or a torn write)'],
    ]) {
      const path = tampered('junk', (lines) => lines.map((line, i) => (i === 2 ? junk : line)));
      expect(verifyAuditLog(path)).toEqual({ ok: false, line: 3, reason });
    }
  });

  it('answers, never throws, on a damaged head record', () => {
    for (const [head, why] of [
      ['{}', '"seq" is not a count'],
      ['null', 'not a record'],
      ['{"seq":-1}', '"seq" is not a count'],
      ['{"seq":1.5,"hash":"x"}', '"seq" is not a count'],
      [`{"seq":1,"hash":"${'0'.repeat(64)}","size":"big"}`, '"size" is not a byte count'],
      ['garbage', 'not JSON'],
    ]) {
      const path = tampered('bad-head', (lines) => lines);
      writeFileSync(headPath(path), head);
      expect(verifyAuditLog(path)).toEqual({ ok: false, line: 0, reason: `the head record ${headPath(path)} is damaged: ${why}` });
    }
  });

  it('reports a log with entries and no head (its tail and head both deleted), rather than calling it intact', () => {
    const path = tampered('headless', (lines) => lines.slice(0, -3));
    rmSync(headPath(path));
    expect(verifyAuditLog(path)).toEqual({
      ok: false,
      line: 0,
      reason: `no head record (${headPath(path)}) for a log with entries: a cut end cannot be detected (was it deleted?)`,
    });
    // An empty head is one whose first write failed (a full disk): no head was ever recorded, the same answer.
    writeFileSync(headPath(path), '');
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 0, reason: expect.stringMatching(/^no head record/) });
  });

  it('fails when the head records a size the log does not end at (rewritten to the same length of entries)', () => {
    const path = tampered('resized', (lines) => lines);
    const head = JSON.parse(readFileSync(headPath(path), 'utf8'));
    writeFileSync(headPath(path), JSON.stringify({ ...head, size: head.size - 1 }));
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, reason: 'entry differs from the one the head recorded (the log was rewritten)' });
  });
});

describe('AuditLog', () => {
  it('continues the chain when a log is reopened', () => {
    const path = join(workDir, 'reopened.jsonl');
    const first = new AuditLog(path);
    first.append({ pluginId: 'a.b', kind: 'one' });
    first.close();
    const second = new AuditLog(path);
    const entry = second.append({ pluginId: 'a.b', kind: 'two', correlationId: 'c-1' });
    second.close();
    expect(entry).toMatchObject({ seq: 2, pluginId: 'a.b', correlationId: 'c-1', kind: 'two' });
    expect(verifyAuditLog(path)).toEqual({ ok: true, entries: 2 });
  });

  it('moves a torn last line aside and chains the next entry to the last good one, never gluing onto it', () => {
    const path = join(workDir, 'torn-open.jsonl');
    const log = new AuditLog(path);
    const good = log.append({ pluginId: 'a.b', kind: 'one' });
    log.close();
    const fragment = '{"seq":2,"time":"2026-01-01T00:00:00.000Z","pluginId":"a.b","trunc';
    writeFileSync(path, `${readFileSync(path, 'utf8')}${fragment}`);
    const reopened = new AuditLog(path);
    const next = reopened.append({ pluginId: 'a.b', kind: 'two' });
    reopened.close();
    const torn = readdirSync(workDir).filter((name) => name.startsWith('torn-open.jsonl.torn-'));
    expect(torn).toHaveLength(1);
    expect(readFileSync(join(workDir, torn[0]!), 'utf8')).toBe(fragment);
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((e) => [e.seq, e.kind])).toEqual([[1, 'one'], [2, 'audit.torn-tail'], [3, 'two']]);
    expect(lines[1]).toMatchObject({ pluginId: 'warden', prevHash: good.hash });
    expect(lines[1].message).toContain(`moved aside to ${torn[0]}`);
    expect(next.seq).toBe(3);
    expect(verifyAuditLog(path)).toEqual({ ok: true, entries: 3, notes: [`line 2: ${lines[1].message}`] });
  });

  it('moves aside a complete last entry that lacks only its newline: its write never finished', () => {
    const path = join(workDir, 'no-newline-open.jsonl');
    const log = new AuditLog(path);
    log.append({ pluginId: 'a.b', kind: 'one' });
    log.close();
    const headAfterOne = readFileSync(headPath(path));
    const again = new AuditLog(path);
    again.append({ pluginId: 'a.b', kind: 'two' });
    again.close();
    // As a host killed mid-write leaves it: the newline never written, the head not yet past the entry before.
    writeFileSync(path, readFileSync(path, 'utf8').slice(0, -1));
    writeFileSync(headPath(path), headAfterOne);
    const reopened = new AuditLog(path);
    reopened.append({ pluginId: 'a.b', kind: 'three' });
    reopened.close();
    const kinds = readFileSync(path, 'utf8').trim().split('\n').map((line) => JSON.parse(line).kind);
    expect(kinds).toEqual(['one', 'audit.torn-tail', 'three']);
    expect(verifyAuditLog(path)).toMatchObject({ ok: true, entries: 3 });
  });

  it('records a missing head for a log with entries in the log itself, so verify keeps reporting it', () => {
    const path = join(workDir, 'headless-open.jsonl');
    const log = new AuditLog(path);
    log.append({ pluginId: 'a.b', kind: 'one' });
    log.close();
    rmSync(headPath(path));
    const reopened = new AuditLog(path);
    expect(reopened.repairs.map((r) => r.kind)).toEqual(['audit.head-missing']);
    reopened.append({ pluginId: 'a.b', kind: 'two' });
    reopened.close();
    expect(existsSync(headPath(path))).toBe(true);
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 2, reason: expect.stringMatching(/^when the host started: the head record .* was missing/) });
  });

  it('records a head ahead of the log (entries cut off the end) instead of writing a fresh head over it', () => {
    const path = join(workDir, 'cut-open.jsonl');
    const log = new AuditLog(path);
    for (const kind of ['one', 'two', 'three']) log.append({ pluginId: 'a.b', kind });
    log.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    writeFileSync(path, `${lines.slice(0, 1).join('\n')}\n`);
    const reopened = new AuditLog(path);
    reopened.close();
    expect(reopened.repairs).toEqual([
      { kind: 'audit.head-mismatch', message: expect.stringMatching(/^the head recorded seq 3 at byte \d+ but the log ended at seq 1 \(byte \d+\): entries were cut from its end$/) },
    ]);
    expect(verifyAuditLog(path)).toMatchObject({ ok: false, line: 2 });
  });

  it.skipIf(typeof disk === 'string')('on a full disk (a real 1 MiB tmpfs): a short write is completed or cut back, the call fails and the log verifies', () => {
    if (typeof disk === 'string') return;
    const path = join(disk.dir, 'audit.log');
    disk.fill(20 * 1024);
    const log = new AuditLog(path);
    let failure: unknown;
    let appended = 0;
    for (let i = 0; i < 1000 && failure === undefined; i += 1) {
      try {
        log.append({ pluginId: 'a.b', kind: 'call', method: 'storage/set', key: `k${i}`, padding: 'p'.repeat(i % 7 === 0 ? 700 : 90) });
        appended += 1;
      } catch (error) {
        failure = error;
      }
    }
    expect((failure as NodeJS.ErrnoException).code).toBe('ENOSPC');
    expect(log.tryAppend({ pluginId: 'a.b', kind: 'process.exit' })).toBeUndefined();
    expect(log.tryAppend({ pluginId: 'a.b', kind: 'crashed' })).toBeUndefined();
    expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
    expect(verifyAuditLog(path)).toMatchObject({ ok: true, entries: appended });
    disk.free();
    log.append({ pluginId: 'a.b', kind: 'after' });
    log.close();
    const tail = readFileSync(path, 'utf8').trim().split('\n').slice(-2).map((line) => JSON.parse(line));
    expect(tail).toMatchObject([{ kind: 'audit.lost', entries: 2, reason: 'ENOSPC' }, { kind: 'after' }]);
    expect(verifyAuditLog(path)).toEqual({ ok: true, entries: appended + 2, notes: [`line ${appended + 1}: 2 entries could not be written before it (ENOSPC)`] });
  });

  it('has each entry on file when append returns, as the JSON of the entry it returns', () => {
    const path = join(workDir, 'written.jsonl');
    const log = new AuditLog(path);
    const entry = log.append({ pluginId: 'a.b', correlationId: 'c-1', kind: 'call', method: 'storage/get', key: 'k' });
    expect(readFileSync(path, 'utf8')).toBe(`${JSON.stringify(entry)}\n`);
    log.close();
    expect(verifyAuditLog(path)).toEqual({ ok: true, entries: 1 });
  });

  it('stamps each entry with the time it was appended, as ISO 8601', async () => {
    const path = join(workDir, 'times.jsonl');
    const log = new AuditLog(path);
    const before = Date.now();
    const first = log.append({ pluginId: 'a.b', kind: 'one' });
    await sleep(5);
    const second = log.append({ pluginId: 'a.b', kind: 'two' });
    const after = Date.now();
    log.close();
    for (const entry of [first, second]) expect(new Date(entry.time).toISOString()).toBe(entry.time);
    expect(Date.parse(first.time)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(second.time)).toBeGreaterThan(Date.parse(first.time)); // a cached stamp must not outlive its millisecond
    expect(Date.parse(second.time)).toBeLessThanOrEqual(after);
  });

  it('keeps the head up to date while the log is open, without waiting for close', async () => {
    const path = join(workDir, 'open.jsonl');
    const log = new AuditLog(path);
    log.append({ pluginId: 'a.b', kind: 'one' });
    const last = log.append({ pluginId: 'a.b', kind: 'two' });
    await vi.waitFor(() => expect(readHead(path)).toEqual({ seq: 2, hash: last.hash, size: statSync(path).size }), { timeout: 5000 });
    const later = log.append({ pluginId: 'a.b', kind: 'three' });
    await vi.waitFor(() => expect(readHead(path)).toEqual({ seq: 3, hash: later.hash, size: statSync(path).size }), { timeout: 5000 });
    log.close();
  });

  it('rewrites the head in place as one fixed-size record, cutting a longer (older) head file it finds', () => {
    const path = join(workDir, 'fixed.jsonl');
    writeFileSync(headPath(path), `${JSON.stringify({ seq: 0, hash: '0'.repeat(64) })}${' '.repeat(500)}\n`);
    const log = new AuditLog(path);
    const last = log.append({ pluginId: 'a.b', kind: 'one' });
    log.close();
    const text = readFileSync(headPath(path), 'utf8');
    expect(text).toHaveLength(128);
    expect(JSON.parse(text)).toEqual({ seq: 1, hash: last.hash, size: statSync(path).size });
    expect(verifyAuditLog(path)).toEqual({ ok: true, entries: 1 });
  });

  it('writes the final head on close even before its timer has run', () => {
    const path = join(workDir, 'closed.jsonl');
    const log = new AuditLog(path);
    log.append({ pluginId: 'a.b', kind: 'one' });
    const last = log.append({ pluginId: 'a.b', kind: 'two' });
    log.close();
    expect(readHead(path)).toEqual({ seq: 2, hash: last.hash, size: statSync(path).size });
    expect(verifyAuditLog(path)).toEqual({ ok: true, entries: 2 });
  });
});

function readHead(path: string): unknown {
  try {
    return JSON.parse(readFileSync(headPath(path), 'utf8'));
  } catch {
    return undefined;
  }
}

function rehash(entry: Record<string, unknown>): string {
  const { hash: _old, ...rest } = entry;
  void _old;
  return JSON.stringify({ ...rest, hash: sha256(JSON.stringify(rest)) });
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
