/**
 * A plugin granted exactly the capabilities matching what it tries succeeds
 * at each, on every isolation level — so the denials in sandbox-escape.test.ts
 * are grants doing their job, not a blanket deny — and still gets none of what
 * no capability grants. Run `npx tsc -p tsconfig.json` first.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { type Server, createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SMALLEST_ADDON, type Started, startFixture } from '../fixtures/host/harness.js';
import { LEVELS, skipped, titled } from '../fixtures/host/matrix.js';

const SECRET = 'hunter2-test-secret';
const ENV_VARIABLE = 'WARDEN_TEST_SECRET';

let tcpConnections = 0;
let httpRequests = 0;
const tcpServer = createTcpServer((socket) => {
  tcpConnections += 1;
  socket.destroy();
});
const httpServer: Server = createHttpServer((_request, response) => {
  httpRequests += 1;
  response.end('hello from the test server');
});

const addonPath = SMALLEST_ADDON!;

const port = (server: { address(): unknown }): number => (server.address() as AddressInfo).port;

/** SIGWINCHes this process (the host) received: a plugin signals its process group with one. */
let hostSignals = 0;
const countSignal = (): void => void (hostSignals += 1);

/**
 * Resolves once a sentinel signal sent to ourselves now has been handled. libuv hands signals to
 * JavaScript in the order they arrived, so any signal a plugin sent earlier has been counted by then.
 */
function signalsSettled(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGURG', () => resolve());
    process.kill(process.pid, 'SIGURG');
  });
}

beforeAll(async () => {
  process.env[ENV_VARIABLE] = SECRET;
  process.on('SIGWINCH', countSignal);
  await new Promise<void>((resolve) => tcpServer.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
});

afterAll(() => {
  delete process.env[ENV_VARIABLE];
  process.off('SIGWINCH', countSignal);
  tcpServer.close();
  httpServer.close();
});

let started: Started | undefined;
afterEach(async () => {
  await started?.cleanup();
  started = undefined;
  tcpConnections = 0;
  httpRequests = 0;
  hostSignals = 0;
});

type Attempt = { ok: boolean; value?: unknown; code?: string | null; message?: string };

async function tryEverything(run: Started): Promise<Record<string, Attempt>> {
  const outsideDir = join(run.tmp, 'outside');
  const targets = {
    homeFile: join(run.home, 'secret.txt'),
    outsideFile: join(outsideDir, 'pwned.txt'),
    addonPath,
    tcpPort: port(tcpServer),
    hostPid: process.pid,
    envVariable: ENV_VARIABLE,
    fetchUrl: `http://127.0.0.1:${port(httpServer)}/`,
  };
  const result = (await run.plugin.executeCommand('prober.tryEverything', [targets])) as Record<string, Attempt>;
  await signalsSettled();
  return result;
}

describe.each(LEVELS)('a plugin granted the matching capabilities, isolation $name', (level) => {
  it.skipIf(skipped(level))(titled('succeeds at each, and only at what was granted', level), async () => {
    started = await startFixture('prober', 'main.js', {
      isolation: level.value,
      capabilities: ({ tmp, home }) => {
        // A granted path must exist when the process starts: the permission model resolves it then, and bwrap binds it.
        const outside = join(tmp, 'outside');
        mkdirSync(outside);
        writeFileSync(join(home, 'secret.txt'), 'home-secret');
        return {
          filesystem: { read: ['/etc/passwd', '$home/secret.txt', addonPath], write: [outside] },
          childProcess: true,
          worker: true,
          nativeAddons: true,
          env: [ENV_VARIABLE],
          network: { hosts: ['127.0.0.1'] },
        };
      },
    });
    const result = await tryEverything(started);

    expect(result.readEtcPasswd).toEqual({ ok: true, value: 'root' });
    expect(result.readHomeFile).toEqual({ ok: true, value: 'home-secret' });
    expect(result.writeOutside).toEqual({ ok: true });
    expect(readFileSync(join(started.tmp, 'outside', 'pwned.txt'), 'utf8')).toBe('written by prober');
    expect(result.spawnProcess).toEqual({ ok: true, value: 'child-ran' });
    expect(result.startWorker).toEqual({ ok: true, value: 'worker-ran' });
    expect(result.loadAddon).toEqual({ ok: true, value: true });
    expect(result.readEnv).toEqual({ ok: true, value: SECRET });
    expect(result.netFetch).toEqual({ ok: true, value: 'hello from the test server' });
    expect(httpRequests).toBe(1);
    expect(started.seen.denials).toEqual([]);

    // No capability grants these: the runtime's internals, raw sockets (network is only ever brokered), other processes.
    expect(result.processBinding).toMatchObject({ ok: false, code: 'ERR_ACCESS_DENIED' });
    if (level.value !== 'none') {
      expect(result.tcpConnect.ok).toBe(false);
      expect(tcpConnections).toBe(0);
      expect(result.signalHost).toMatchObject({ ok: false, code: 'ESRCH' });
    }
    expect(hostSignals).toBe(0);
  });
});
