/**
 * A plugin never outlives its host, even when the host is SIGKILLed and gets
 * no chance to clean up: an idle plugin sees its channel close and exits; a
 * plugin whose event loop is blocked (so it cannot notice) is killed by the
 * parent-death signal the launcher sets. Run `npx tsc -p tsconfig.json` first.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { sandboxSupport } from '../../host/platform.js';
import { FIXTURES } from '../fixtures/host/harness.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'warden-lifetime-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** Alive means running or sleeping; a zombie waiting for a reaper has already died. */
function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

async function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  for await (const line of createInterface({ input: stream })) return line;
  throw new Error('the host exited before reporting its plugin');
}

async function killHostAndWatch(fixture: string, main: string, command?: string): Promise<{ pluginPid: number; stillAlive: boolean }> {
  const host = spawn(process.execPath, [join(FIXTURES, 'host-script.mjs'), tmp, fixture, main, ...(command ? [command] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const { pluginPid } = JSON.parse(await firstLine(host.stdout)) as { pluginPid: number };
  expect(alive(pluginPid)).toBe(true);
  host.kill('SIGKILL');
  // Death is asynchronous: give it up to five seconds, polling.
  for (let waited = 0; waited < 5000 && alive(pluginPid); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  return { pluginPid, stillAlive: alive(pluginPid) };
}

it('an idle plugin exits when its host is SIGKILLed', async () => {
  const { stillAlive } = await killHostAndWatch('ctx-user', 'main.mjs');
  expect(stillAlive).toBe(false);
});

it.runIf(sandboxSupport().setpriv !== undefined)('a plugin with a blocked event loop is killed when its host is SIGKILLed', async () => {
  const { pluginPid, stillAlive } = await killHostAndWatch('spinner', 'main.js', 'spinner.spin');
  if (stillAlive) process.kill(pluginPid, 'SIGKILL');
  expect(stillAlive).toBe(false);
});
