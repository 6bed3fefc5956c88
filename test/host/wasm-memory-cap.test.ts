/** The memory cap written into a module's memory section: the engine itself then refuses to grow past it. */
import { describe, expect, it } from 'vitest';
import { capMemory, TABLE_ENTRIES, WASM_PAGE_BYTES } from '../../host/wasm/memory-cap.js';
import { labModule, moduleImporting } from '../fixtures/wasm/modules.js';

/** A module defining one memory with these limits, exporting it as "memory". */
function withMemory(initial: number, maximum?: number): Buffer {
  const limits = maximum === undefined ? [0x00, initial] : [0x01, initial, maximum];
  const memory = [5, limits.length + 1, 1, ...limits];
  const exports = [7, 10, 1, 6, ...Buffer.from('memory'), 0x02, 0];
  return Buffer.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...memory, ...exports]);
}

/** A module defining funcref tables with these limits, exporting them as "t0", "t1"…. */
function withTables(...tables: [initial: number, maximum?: number][]): Buffer {
  const leb = (value: number): number[] => (value < 0x80 ? [value] : [(value & 0x7f) | 0x80, ...leb(value >>> 7)]);
  const entries = tables.flatMap(([initial, maximum]) => [0x70, ...(maximum === undefined ? [0x00, ...leb(initial)] : [0x01, ...leb(initial), ...leb(maximum)])]);
  const names = tables.flatMap((_, index) => [2, ...Buffer.from(`t${index}`), 0x01, index]);
  const section = (id: number, content: number[]): number[] => [id, ...leb(content.length), ...content];
  return Buffer.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(4, [tables.length, ...entries]), ...section(7, [tables.length, ...names])]);
}

/** What a test needs of a WebAssembly.Table (the project's TypeScript lib declares no Table type). */
interface Table {
  grow(delta: number): number;
}

function tablesOf(bytes: Uint8Array): Table[] {
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  return Object.values(exports) as unknown as Table[];
}

function memoryOf(bytes: Uint8Array): WebAssembly.Memory {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}) as unknown as { exports: { memory: WebAssembly.Memory } };
  return instance.exports.memory;
}

describe('capMemory', () => {
  it('gives a memory without a maximum the cap as its maximum: growing past it fails', () => {
    const memory = memoryOf(capMemory(withMemory(1), 4));
    expect(memory.grow(3)).toBe(1);
    expect(() => memory.grow(1)).toThrow(RangeError);
    expect(memory.buffer.byteLength).toBe(4 * WASM_PAGE_BYTES);
  });

  it('keeps a smaller declared maximum and lowers a larger one', () => {
    expect(() => memoryOf(capMemory(withMemory(1, 2), 4)).grow(2)).toThrow(RangeError);
    const lowered = memoryOf(capMemory(withMemory(1, 100), 4));
    expect(() => lowered.grow(4)).toThrow(RangeError);
  });

  it('refuses a module whose memory starts above the cap', () => {
    expect(() => capMemory(withMemory(10), 4)).toThrow(/starts at 10 pages .* above the cap of 4 pages/);
  });

  it('bounds tables too (their entries are on the JavaScript heap): all of them together, each by an equal share', () => {
    const [table] = tablesOf(capMemory(withTables([1]), 4));
    expect(() => table.grow(TABLE_ENTRIES)).toThrow(RangeError);
    expect(table.grow(TABLE_ENTRIES - 1)).toBe(1);
    const four = tablesOf(capMemory(withTables([0], [0], [10, 20], [0, 1 << 24]), 4));
    const share = Math.floor((TABLE_ENTRIES - 10) / 4);
    expect(() => four[0].grow(share + 1)).toThrow(RangeError);
    expect(four[0].grow(share)).toBe(0);
    expect(() => four[2].grow(11)).toThrow(RangeError); // its own smaller maximum is kept
    expect(() => four[3].grow(share + 1)).toThrow(RangeError);
  });

  it('refuses a module declaring WasmGC types (structs and arrays are on the heap, sized at run time), not one with function types only', () => {
    // (type (array (mut i64))) (type (func)): the array type is the refusal, wherever it is among the types.
    const gc = Buffer.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 7, 2, 0x60, 0, 0, 0x5e, 0x7e, 0x01]);
    expect(() => capMemory(gc, 4)).toThrow(/declares WasmGC types/);
    // (type (func (param i32 externref (ref null 0)) (result i64))): value types of one and two bytes are read past.
    const plain = Buffer.from([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 9, 1, 0x60, 3, 0x7f, 0x6f, 0x63, 0x00, 1, 0x7e]);
    expect(Buffer.from(capMemory(plain, 4))).toEqual(plain);
  });

  it('refuses a module whose tables start above the cap', () => {
    expect(() => capMemory(withTables([TABLE_ENTRIES], [1]), 4)).toThrow(/tables start with \d+ entries, above the cap/);
  });

  it('changes nothing but the memory limits of a real module, and leaves one without memory as it was', async () => {
    const lab = await labModule();
    const capped = capMemory(lab, 16);
    expect(WebAssembly.Module.exports(new WebAssembly.Module(capped))).toEqual(WebAssembly.Module.exports(new WebAssembly.Module(lab)));
    const plain = moduleImporting([]);
    expect(Buffer.from(capMemory(plain, 16))).toEqual(plain);
  });
});
