/**
 * A plugin attacking the channel itself: garbage, malformed JSON-RPC,
 * oversized and announced-huge messages, and a flood. Each ends in one
 * 'violation' with a one-line reason, SIGKILL, and an audit entry, while the
 * host (this test process) carries on and another plugin keeps answering.
 * Run `npx tsc -p tsconfig.json` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGKILLED, type Started, exitOf, startFixture } from '../fixtures/host/harness.js';

let bystander: Started;
beforeAll(async () => {
  bystander = await startFixture('ctx-user', 'main.mjs');
});
afterAll(() => bystander.cleanup());

// A plugin's own JSON-RPC stack sends a few thousand messages in its first second; the flood case uses a cap it surely breaks.
const FLOOD_CAP = 500;

const attacks: [attack: string, reason: RegExp][] = [
  ['garbage', /^garbage on the channel: a message is not JSON$/],
  ['unterminatedGarbage', /^garbage on the channel: a message is not JSON$/],
  ['endlessLine', /^message of more than 1048576 bytes exceeds the 1048576-byte limit$/],
  ['notJsonRpc', /^malformed JSON-RPC: "jsonrpc" is not "2.0"$/],
  ['arrayMessage', /^malformed JSON-RPC: a message is not an object$/],
  ['unsolicitedResponse', /^a response to no request$/],
  ['badRequestId', /^malformed JSON-RPC: invalid request id$/],
  ['oversized', /^message of (more than )?\d+ bytes exceeds the 1048576-byte limit$/],
  ['flood', /^more than 500 messages in one second$/],
];

describe.each(attacks)('a plugin sending %s', (attack, reason) => {
  it('is reported as a violation and killed; the host and other plugins carry on', async () => {
    const run = await startFixture('hostile', 'main.js', { limits: attack === 'flood' ? { maxMessagesPerSecond: FLOOD_CAP } : {} });
    try {
      const exited = exitOf(run.plugin);
      const violation = new Promise<string>((resolve) => run.plugin.once('violation', resolve));
      // The command's own answer may or may not get out before the kill; only the outcome matters.
      await run.plugin.executeCommand('hostile.attack', [attack]).catch(() => undefined);
      expect(await violation).toMatch(reason);
      expect(SIGKILLED).toContainEqual(await exited);
      expect(run.seen.violations).toHaveLength(1);
      const kinds = run.auditEntries().map((entry) => entry.kind);
      expect(kinds).toEqual(expect.arrayContaining(['violation', 'process.kill', 'process.exit']));
      await expect(run.plugin.executeCommand('hostile.ping', [])).rejects.toThrow();
      expect(await bystander.plugin.ping()).toHaveProperty('rss');
    } finally {
      await run.cleanup();
    }
  });
});

it('an ordinary command from the same plugin is not a violation', async () => {
  const run = await startFixture('hostile', 'main.js');
  try {
    expect(await run.plugin.executeCommand('hostile.ping', [])).toBe('pong');
    expect(run.seen.violations).toEqual([]);
  } finally {
    await run.cleanup();
  }
});

it('a well-formed request with forged parameters is refused by the broker and never reaches the host', async () => {
  const run = await startFixture('hostile', 'main.js');
  try {
    const exited = exitOf(run.plugin);
    await run.plugin.executeCommand('hostile.attack', ['forgedRegister']).catch(() => undefined);
    // The host's answer is a response the runtime never asked for, so the runtime ends itself.
    await exited;
    const failed = run.auditEntries().find((entry) => entry.kind === 'failed' && entry.method === 'commands/register');
    expect(failed?.error).toBe('command must be a non-empty string of at most 200 characters');
    expect(run.seen.registered).toEqual(['hostile.attack', 'hostile.ping']);
    expect(run.seen.violations).toEqual([]);
  } finally {
    await run.cleanup();
  }
});
