import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProbeMemory } from '../../host/probe-memory.js';

describe('the platform probes remembered in the data folder', () => {
  let work: string;
  let dataDir: string;
  let tool: string;
  let configHome: string | undefined;
  let runs: number;
  const measure = <T>(answer: T) => (): T => {
    runs += 1;
    return answer;
  };
  const always = () => true;
  /** As the host has it once it holds the data folder's lock. */
  const opened = () => {
    const memory = new ProbeMemory(dataDir);
    memory.open();
    return memory;
  };

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'warden-probe-memory-'));
    configHome = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = join(work, 'config');
    dataDir = work;
    tool = join(work, 'tool');
    writeFileSync(tool, '#!/bin/sh\n');
    runs = 0;
  });
  afterEach(() => {
    if (configHome === undefined) delete process.env.XDG_CONFIG_HOME;
    else process.env.XDG_CONFIG_HOME = configHome;
    rmSync(work, { recursive: true, force: true });
  });

  it('answers a later host start from the file, without probing, while the tool is unchanged', () => {
    expect(opened().answer('tool', [tool], measure({ works: true }), always)).toEqual({ works: true });
    expect(opened().answer('tool', [tool], measure({ works: false }), always)).toEqual({ works: true });
    expect(runs).toBe(1);
  });

  it('never keeps an answer the caller calls unsafe to reuse (a tool that failed): it is probed at every start', () => {
    opened().answer('tool', [tool], measure(false), (ok) => ok);
    expect(opened().answer('tool', [tool], measure(true), (ok) => ok)).toBe(true);
    expect(runs).toBe(2);
  });

  it('probes again when a file the answer depends on changed', () => {
    opened().answer('tool', [tool], measure('old'), always);
    utimesSync(tool, new Date(), new Date(Date.now() - 60_000));
    expect(opened().answer('tool', [tool], measure('new'), always)).toBe('new');
    expect(runs).toBe(2);
  });

  it('probes and keeps nothing when a file it depends on is missing', () => {
    const missing = join(work, 'missing');
    opened().answer('tool', [missing], measure('a'), always);
    opened().answer('tool', [missing], measure('b'), always);
    expect(runs).toBe(2);
  });

  it('ignores a file edited by someone without the user key, and a symlink in its place', () => {
    opened().answer('tool', [tool], measure({ idleDataBytes: 1 }), always);
    const file = join(dataDir, 'platform-probes.json');
    const sealed = readFileSync(file, 'utf8');
    writeFileSync(file, sealed.replace('"idleDataBytes":1', '"idleDataBytes":9999999999'));
    expect(opened().answer('tool', [tool], measure({ idleDataBytes: 2 }), always)).toEqual({ idleDataBytes: 2 });

    const elsewhere = join(work, 'elsewhere.json');
    writeFileSync(elsewhere, readFileSync(file, 'utf8'));
    rmSync(file);
    symlinkSync(elsewhere, file);
    expect(opened().answer('tool', [tool], measure({ idleDataBytes: 3 }), always)).toEqual({ idleDataBytes: 3 });
    expect(runs).toBe(3);
  });

  it('writes nothing to the folder before it is opened (a host refused at the lock leaves it as it was), and all it found once opened', () => {
    const memory = new ProbeMemory(dataDir);
    memory.answer('tool', [tool], measure('found before the lock'), always);
    expect(existsSync(join(dataDir, 'platform-probes.json'))).toBe(false);
    memory.open();
    expect(opened().answer('tool', [tool], measure('probed again'), always)).toBe('found before the lock');
    expect(runs).toBe(1);
  });

  it('keeps each probe apart', () => {
    const memory = opened();
    memory.answer('one', [tool], measure(1), always);
    memory.answer('two', [tool], measure(2), always);
    const later = opened();
    expect([later.answer('one', [tool], measure(0), always), later.answer('two', [tool], measure(0), always)]).toEqual([1, 2]);
    expect(runs).toBe(2);
  });
});
