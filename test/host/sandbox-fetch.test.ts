/**
 * `ctx.net.fetch` end to end: the host performs the request for the plugin,
 * only to declared hosts — redirects included — over http(s) only, within a
 * deadline and a body cap. The test server counts what actually reached it.
 * Run `npx tsc -p tsconfig.json` first.
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Started, startFixture } from '../fixtures/host/harness.js';

const hits: string[] = [];
const server: Server = createServer((request, response) => {
  hits.push(request.url ?? '');
  const base = `http://127.0.0.1:${port()}`;
  switch (request.url) {
    case '/ok':
      return response.end('fine');
    case '/redirect-in':
      return response.writeHead(302, { location: `${base}/ok` }).end();
    case '/redirect-out':
      // Same machine, different name: "localhost" is not declared.
      return response.writeHead(302, { location: `http://localhost:${port()}/ok` }).end();
    case '/big':
      response.write('x'.repeat(40 * 1024));
      return response.end('x'.repeat(40 * 1024));
    case '/slow':
      return; // never answers
    default:
      return response.writeHead(404).end();
  }
});
const port = (): number => (server.address() as AddressInfo).port;

let run: Started;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  run = await startFixture('ctx-user', 'main.mjs', {
    capabilities: { network: { hosts: ['127.0.0.1'] } },
    limits: { fetchTimeoutMs: 500 },
  });
});
afterAll(async () => {
  await run.cleanup();
  server.closeAllConnections();
  server.close();
});

const fetchFromPlugin = (path: string): Promise<unknown> =>
  run.plugin.executeCommand('ctx.fetch', [path.startsWith('/') ? `http://127.0.0.1:${port()}${path}` : path]);

it('fetches from a declared host, following a redirect that stays on declared hosts', async () => {
  expect(await fetchFromPlugin('/ok')).toEqual({ status: 200, ok: true, text: 'fine' });
  expect(await fetchFromPlugin('/redirect-in')).toEqual({ status: 200, ok: true, text: 'fine' });
});

it('refuses a redirect to an undeclared host before making that request', async () => {
  hits.length = 0;
  expect(await fetchFromPlugin('/redirect-out')).toEqual({
    error: 'net.fetch to "localhost" denied: add it to capabilities.network.hosts in package.json',
    code: 'WARDEN_DENIED',
  });
  expect(hits).toEqual(['/redirect-out']);
  expect(run.seen.denials).toHaveLength(1);
});

it('cuts off a body over the size cap, and a server that never answers at the deadline', async () => {
  expect(await fetchFromPlugin('/big')).toEqual({ error: 'fetch: response exceeds the 65536-byte limit', code: null });
  expect(await fetchFromPlugin('/slow')).toEqual({ error: `fetch http://127.0.0.1:${port()} timed out after 500 ms`, code: null });
});

it('brokers http and https only', async () => {
  expect(await fetchFromPlugin('file:///etc/passwd')).toEqual({ error: 'fetch: only http and https URLs are brokered, not file:', code: null });
  expect(await fetchFromPlugin('not a url')).toEqual({ error: 'fetch: "not a url" is not an absolute URL', code: null });
});
