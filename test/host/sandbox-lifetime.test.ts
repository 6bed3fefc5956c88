/**
 * A plugin never outlives its host, even when the host is SIGKILLed and gets
 * no chance to clean up: an idle plugin sees its channel close and exits; a
 * plugin whose event loop is blocked (so it cannot notice) is killed by the
 * parent-death signal; and a grandchild it started in a session of its own
 * dies with the PID namespace. On every isolation level (the grandchild only
 * where there is a PID namespace), as root and as an unprivileged user.
 * Run `npx tsc -p tsconfig.json` first.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { machineSupport } from '../../host/platform.js';
import { LEVELS, skipped, titled } from '../fixtures/host/matrix.js';
import { USERS, removeScratch, scratchFor, startScriptHost } from '../fixtures/host/script-host.js';

/** Alive means running or sleeping; a zombie waiting for a reaper has already died. */
function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** Every process below `pid`, as the host sees them. */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    children = text === '' ? [] : text.split(' ').map(Number);
  } catch {
    return [];
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

async function gone(pids: number[]): Promise<boolean> {
  // Death is asynchronous, and slow on a loaded two-core machine running the
  // whole suite: give it up to fifteen seconds, polling.
  for (let waited = 0; waited < 15_000 && pids.some(alive); waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  return !pids.some(alive);
}

/** A process may die between the look and the kill; that is the outcome wanted, not an error. */
function killIfStillThere(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

const noSetpriv = { skip: machineSupport().tools.setpriv ? undefined : 'setpriv --pdeathsig does not work here' };

for (const user of USERS) {
  describe.each(LEVELS)(`as ${user.name}, isolation $name`, (level) => {
    async function killHostAndWatch(fixture: string, command?: { name: string; wait: boolean }, capabilities = {}): Promise<boolean> {
      const place = scratchFor(user, fixture);
      const host = await startScriptHost({ user, tmp: place.tmp, root: place.root, main: 'main.js', isolation: level.value, capabilities });
      try {
        expect(host.failed).toBeUndefined();
        const pluginPid = host.ready!.pluginPid;
        if (command?.wait === false) await host.start(command.name);
        else if (command) expect((await host.call(command.name)).error).toBeUndefined();
        const watched = [pluginPid, ...descendants(pluginPid)];
        expect(watched.every(alive)).toBe(true);
        host.child.kill('SIGKILL');
        const dead = await gone(watched);
        for (const pid of watched.filter(alive)) killIfStillThere(pid);
        return dead;
      } finally {
        await host.close();
        removeScratch(place.tmp);
      }
    }

    it.skipIf(skipped(user, level))(titled('an idle plugin exits when its host is SIGKILLed', user, level), async () => {
      expect(await killHostAndWatch('attacker')).toBe(true);
    });

    it.skipIf(skipped(user, level, noSetpriv))(titled('a plugin with a blocked event loop is killed when its host is SIGKILLed', user, level, noSetpriv), async () => {
      expect(await killHostAndWatch('spinner', { name: 'spinner.spin', wait: false })).toBe(true);
    });

    const pidNamespace = { skip: level.value === 'none' ? 'isolation none has no PID namespace: a detached grandchild outlives the host (documented)' : undefined };
    it.skipIf(skipped(user, level, pidNamespace))(titled('a grandchild in a session of its own dies with the host', user, level, pidNamespace), async () => {
      expect(await killHostAndWatch('attacker', { name: 'attacker.leaveGrandchild', wait: true }, { childProcess: true })).toBe(true);
    });
  });
}
