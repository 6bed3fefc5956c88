import { describe, expect, it } from 'vitest';
import { probe } from './probe.js';

/** Whether nothing in `code` writes into the value the variable of its last expression holds (a Buffer of the path's bytes here). */
const unwritten = (code: string, value: unknown = Buffer.from('./a')) =>
  probe(`${code}\n`, (resolver, expression) => resolver.unwritten.isUnwritten(expression, value));

describe('UnwrittenValues for Buffers', () => {
  it('keeps a Buffer only read unwritten', () => {
    expect(unwritten('const b = Buffer.from("./a"); b.toString(); b.length; b.equals(c); b.indexOf(47); String(b); b')).toBe(true);
    expect(unwritten('const b = Buffer.from("./a"); b.slice(0, 2).toString(); b')).toBe(true);
  });

  it('counts every way of writing into its memory', () => {
    for (const write of ['b.write("/srv")', 'b.fill(47)', 'b[0] = 47', 'b.set([47])', 'b.copyWithin(0, 1)', 'b.reverse()', 'b.slice(0).fill(47)', 'b.subarray(0).fill(47)', 'new Uint8Array(b.buffer).set([47])', 'other.copy(b)', 'fs.readSync(fd, b)', 'Object.assign(b, [47])', '[b][0].fill(47)']) {
      expect(unwritten(`const b = Buffer.from("./a"); ${write}; b`), write).toBe(false);
    }
  });

  it('finds only own keys in its tables: toString is a read-only method, not a callback method', () => {
    expect(unwritten('const list = ["a", "b"]; list.toString(); list', ['a', 'b'])).toBe(true);
    expect(unwritten('const cfg = { a: "x" }; cfg.valueOf(); cfg.toString(); cfg', { a: 'x' })).toBe(true);
    // valueOf is the value itself: what is done with it is done to the value.
    expect(unwritten('const list = ["a", "b"]; list.valueOf().reverse(); list', ['a', 'b'])).toBe(false);
    expect(unwritten('const cfg = { a: "x" }; cfg.valueOf().a = "y"; cfg', { a: 'x' })).toBe(false);
  });
});
