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

describe('UnwrittenValues for the anchors of the file\'s own place', () => {
  const anchor = (code: string, which: 'commonjs' | 'import.meta', sourceType: 'module' | 'commonjs' = 'module') =>
    probe(`${code}\n0`, (resolver, expression) => resolver.unwritten.anchorUnwritten(expression, which), { sourceType });

  it('keeps __dirname, __filename and the wrapper arguments unwritten while they are only read', () => {
    expect(anchor('const d = __dirname; const f = path.basename(__filename); const n = arguments.length; f(arguments);', 'commonjs', 'commonjs')).toBe(false);
    expect(anchor('const d = __dirname; const f = path.basename(__filename); const n = arguments.length + arguments[4].length;', 'commonjs', 'commonjs')).toBe(true);
    expect(anchor('function g(__dirname) { __dirname = 1; arguments[0] = 2; }', 'commonjs', 'commonjs')).toBe(true);
  });

  it('counts every write of the wrapper parameters, in either scope analysis', () => {
    for (const sourceType of ['module', 'commonjs'] as const) {
      for (const write of ['__dirname = x', '__filename += "/"', '({ __filename } = o)', '[__dirname] = a', 'for (__dirname in o);', '__dirname++', 'const g = () => { __dirname = x; }', 'arguments[4] = x', 'Object.assign(arguments, o)', 'const a = arguments; a[3] = x', 'delete arguments[4]']) {
        expect(anchor(write, 'commonjs', sourceType), `${sourceType}: ${write}`).toBe(false);
      }
    }
  });

  it('counts every write of import.meta and leaves its reads and resolve alone', () => {
    expect(anchor('const u = import.meta.url; new URL("./a", import.meta.url); import.meta.resolve("./b"); path.join(import.meta.dirname, "c");', 'import.meta')).toBe(true);
    for (const write of ['import.meta.dirname = x', 'import.meta["url"] = x', '({ dirname: import.meta.dirname } = o)', 'Object.assign(import.meta, o)', 'Object.defineProperty(import.meta, "url", d)', 'const m = import.meta; m.filename = x', 'delete import.meta.url', 'f(import.meta)']) {
      expect(anchor(write, 'import.meta'), write).toBe(false);
    }
  });
});
