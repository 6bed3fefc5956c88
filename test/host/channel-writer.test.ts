/**
 * The channel's writer: one line per message, and with `coalesce` (the host's side) the lines of one
 * event-loop turn leave in a single write, in order, and none is lost when the channel is ended.
 */
import { Writable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Message } from 'vscode-jsonrpc';
import { describe, expect, it } from 'vitest';
import { LineMessageWriter, Outstanding } from '../../host/runtime/channel.js';

/** A real Writable that keeps each write it is given, as the bytes it received. */
function recorder(): { stream: Writable; writes: string[]; ended: () => boolean } {
  const writes: string[] = [];
  let ended = false;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      writes.push(chunk.toString('utf8'));
      callback();
    },
    final(callback) {
      ended = true;
      callback();
    },
  });
  return { stream, writes, ended: () => ended };
}

const request = (id: number): Message => ({ jsonrpc: '2.0', id, method: 'plugin/ping', params: {} }) as Message;

describe('LineMessageWriter', () => {
  it('writes each message as its own line at once when not coalescing', async () => {
    const { stream, writes } = recorder();
    const writer = new LineMessageWriter(stream, new Outstanding());
    await writer.write(request(1));
    await writer.write(request(2));
    expect(writes).toEqual([`${JSON.stringify(request(1))}\n`, `${JSON.stringify(request(2))}\n`]);
  });

  it('coalesces the messages of one loop turn into one write, in order, at the end of the turn', async () => {
    const { stream, writes } = recorder();
    const outstanding = new Outstanding();
    const writer = new LineMessageWriter(stream, outstanding, true);
    for (const id of [1, 2, 3]) await writer.write(request(id));
    expect(writes).toEqual([]);
    expect([...outstanding]).toEqual([1, 2, 3]); // the reader must accept their answers even before the flush
    await nextTurn();
    expect(writes).toEqual([[1, 2, 3].map((id) => `${JSON.stringify(request(id))}\n`).join('')]);
    await writer.write(request(4));
    await nextTurn();
    expect(writes).toHaveLength(2);
    expect(writes[1]).toBe(`${JSON.stringify(request(4))}\n`);
  });

  it('flushes what is batched before ending the channel', async () => {
    const { stream, writes, ended } = recorder();
    const writer = new LineMessageWriter(stream, new Outstanding(), true);
    await writer.write(request(1));
    writer.end();
    await nextTurn();
    expect(writes).toEqual([`${JSON.stringify(request(1))}\n`]);
    expect(ended()).toBe(true);
    await expect(writer.write(request(2))).rejects.toThrow('the channel is closed');
  });
});
