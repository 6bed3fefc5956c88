/**
 * The memory cap of a WebAssembly plugin, written into the module itself.
 * Extism's JavaScript runtime (1.0.x) has no memory option, and a worker's
 * resourceLimits bound its JavaScript heap, not a module's linear memory. A
 * module's own memory declaration carries a maximum the engine enforces
 * exactly (`memory.grow` past it fails, and the module traps or handles it),
 * so the host rewrites that maximum to at most the cap before compiling.
 *
 * Tables too: their entries live on the worker's JavaScript heap, and one
 * `table.grow` to V8's 10M-entry maximum is one allocation that V8 cannot end
 * the worker for gracefully (measured: it aborted the whole host process,
 * "JavaScript heap out of memory", on Node 20 and 24). So the tables'
 * maxima are rewritten too, to at most TABLE_ENTRIES in all. WasmGC structs
 * and arrays (Node 22 and 24) are on that heap as well, with sizes the code
 * picks at run time (measured: five arrays of 400 MB aborted the host the same
 * way): no declaration bounds them, so a module declaring such types is
 * refused. Only the memory and table sections' limits change; every other
 * byte is copied as it is.
 */
import { readLeb, sections, writeLeb } from '../../analyzer/wasm-sections.js';

const PAGE_BYTES = 64 * 1024;
const TYPE_SECTION = 1;
const TABLE_SECTION = 4;
/** A type section entry that is a function type; anything else (struct, array, rec, sub) is WasmGC. */
const FUNCTION_TYPE = 0x60;
const MEMORY_SECTION = 5;
const HAS_MAXIMUM = 0x01;
/** Entries all of a module's tables may have together: 8 MB of heap, where a module's tables have thousands. */
export const TABLE_ENTRIES = 1 << 20;
/** A table declared with an initializer expression (typed function references): its limits follow it. */
const TABLE_WITH_INITIALIZER = 0x40;
/** `(ref null ht)` and `(ref ht)`: a heap type (an s33 number) follows. */
const REF_TYPES_WITH_HEAP_TYPE = new Set([0x63, 0x64]);

export const WASM_PAGE_BYTES = PAGE_BYTES;

interface Limits {
  flags: number;
  initial: number;
  maximum: number | undefined;
  next: number;
}

/** `bytes` with every memory the module defines limited to `maxPages`, and its tables to TABLE_ENTRIES in all; throws when one needs more to start. */
export function capMemory(bytes: Uint8Array, maxPages: number): Uint8Array {
  const out: Uint8Array[] = [bytes.subarray(0, 8)];
  for (const section of sections(bytes)) {
    const content = bytes.subarray(section.contentStart, section.end);
    if (section.id === TYPE_SECTION) refuseGcTypes(content);
    const capped = section.id === MEMORY_SECTION ? cappedMemories(content, maxPages) : section.id === TABLE_SECTION ? cappedTables(content) : undefined;
    out.push(capped ? Uint8Array.from([section.id, ...writeLeb(capped.length), ...capped]) : bytes.subarray(section.start, section.end));
  }
  return Buffer.concat(out);
}

/** Walks the function types (each a vector of parameter and one of result value types); throws at the first other kind. */
function refuseGcTypes(section: Uint8Array): void {
  const count = readLeb(section, 0);
  let at = count.next;
  const skipValueTypes = (): void => {
    const types = readLeb(section, at);
    at = types.next;
    for (let i = 0; i < types.value; i++) at = REF_TYPES_WITH_HEAP_TYPE.has(section[at]) ? readLeb(section, at + 1).next : at + 1;
  };
  for (let i = 0; i < count.value; i++) {
    if (section[at] !== FUNCTION_TYPE) throw new Error('it declares WasmGC types (struct or array), whose size on the heap the host cannot bound');
    at += 1;
    skipValueTypes();
    skipValueTypes();
  }
}

function readLimits(section: Uint8Array, at: number): Limits {
  const flags = section[at];
  const initial = readLeb(section, at + 1);
  if (!(flags & HAS_MAXIMUM)) return { flags, initial: initial.value, maximum: undefined, next: initial.next };
  const maximum = readLeb(section, initial.next);
  return { flags, initial: initial.value, maximum: maximum.value, next: maximum.next };
}

function writeLimits({ flags, initial }: Limits, maximum: number): number[] {
  return [flags | HAS_MAXIMUM, ...writeLeb(initial), ...writeLeb(maximum)];
}

function cappedMemories(section: Uint8Array, maxPages: number): number[] {
  const count = readLeb(section, 0);
  const out = [...writeLeb(count.value)];
  let at = count.next;
  for (let i = 0; i < count.value; i++) {
    const limits = readLimits(section, at);
    if (limits.initial > maxPages) {
      throw new Error(`its memory starts at ${limits.initial} pages (${Math.round((limits.initial * PAGE_BYTES) / 1048576)} MB), above the cap of ${maxPages} pages`);
    }
    out.push(...writeLimits(limits, Math.min(limits.maximum ?? maxPages, maxPages)));
    at = limits.next;
  }
  if (at !== section.length) throw new Error('its memory section is malformed');
  return out;
}

/** Each table may grow by an equal share of what the tables' initial sizes leave of TABLE_ENTRIES. */
function cappedTables(section: Uint8Array): number[] {
  const count = readLeb(section, 0);
  const tables: { refType: Uint8Array; limits: Limits }[] = [];
  let at = count.next;
  for (let i = 0; i < count.value; i++) {
    if (section[at] === TABLE_WITH_INITIALIZER) throw new Error('it declares a table with an initializer expression, whose size the host does not bound');
    const refTypeEnd = REF_TYPES_WITH_HEAP_TYPE.has(section[at]) ? readLeb(section, at + 1).next : at + 1;
    const limits = readLimits(section, refTypeEnd);
    tables.push({ refType: section.subarray(at, refTypeEnd), limits });
    at = limits.next;
  }
  if (at !== section.length) throw new Error('its table section is malformed');
  const initial = tables.reduce((sum, table) => sum + table.limits.initial, 0);
  if (initial > TABLE_ENTRIES) throw new Error(`its tables start with ${initial} entries, above the cap of ${TABLE_ENTRIES}`);
  const share = Math.floor((TABLE_ENTRIES - initial) / Math.max(1, tables.length));
  return [
    ...writeLeb(count.value),
    ...tables.flatMap(({ refType, limits }) => [...refType, ...writeLimits(limits, Math.min(limits.maximum ?? Infinity, limits.initial + share))]),
  ];
}
