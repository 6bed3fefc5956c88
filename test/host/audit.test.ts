/**
 * The audit log's chain and head: a real log written by a real plugin run
 * verifies; an edited, removed, reordered or torn line, and whole entries cut
 * off the end, each fail verification at the right line with the reason.
 * Run `npx tsc -p tsconfig.json` first.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditLog, headPath, verifyAuditLog } from '../../host/audit.js';
import { startFixture } from '../fixtures/host/harness.js';

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
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

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

  it('fails on a torn last line', () => {
    const path = tampered('torn', (lines) => [...lines.slice(0, -1), lines.at(-1)!.slice(0, 30)]);
    const total = readFileSync(realLog, 'utf8').trim().split('\n').length;
    expect(verifyAuditLog(path)).toEqual({ ok: false, line: total, reason: 'not a JSON entry (edited, or a torn write at the end)' });
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

  it('refuses to append after a damaged last line, rather than start a fresh chain that hides it', () => {
    const path = join(workDir, 'damaged.jsonl');
    const log = new AuditLog(path);
    log.append({ pluginId: 'a.b', kind: 'one' });
    log.close();
    writeFileSync(path, `${readFileSync(path, 'utf8')}{"seq":2,"trunc`);
    expect(() => new AuditLog(path)).toThrow(/ends with a damaged line/);
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
    await vi.waitFor(() => expect(readHead(path)).toEqual({ seq: 2, hash: last.hash }), { timeout: 5000 });
    const later = log.append({ pluginId: 'a.b', kind: 'three' });
    await vi.waitFor(() => expect(readHead(path)).toEqual({ seq: 3, hash: later.hash }), { timeout: 5000 });
    log.close();
  });

  it('rewrites the head in place as one fixed-size record, cutting a longer head file it finds', () => {
    const path = join(workDir, 'fixed.jsonl');
    writeFileSync(headPath(path), `${JSON.stringify({ seq: 0, hash: '0'.repeat(64) })}${' '.repeat(500)}trailing junk\n`);
    const log = new AuditLog(path);
    const last = log.append({ pluginId: 'a.b', kind: 'one' });
    log.close();
    const text = readFileSync(headPath(path), 'utf8');
    expect(text).toHaveLength(128);
    expect(JSON.parse(text)).toEqual({ seq: 1, hash: last.hash });
    expect(verifyAuditLog(path)).toEqual({ ok: true, entries: 1 });
  });

  it('writes the final head on close even before its timer has run', () => {
    const path = join(workDir, 'closed.jsonl');
    const log = new AuditLog(path);
    log.append({ pluginId: 'a.b', kind: 'one' });
    const last = log.append({ pluginId: 'a.b', kind: 'two' });
    log.close();
    expect(readHead(path)).toEqual({ seq: 2, hash: last.hash });
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
