/**
 * The little of the WebAssembly binary format Warden reads by hand: the
 * section layout, and where each import entry is. The engine's own API
 * (`WebAssembly.Module.imports`) says what a module imports but not where, and
 * a finding in a binary file is located by its byte range. The host's memory
 * cap (host/wasm/memory-cap.ts) rewrites a section with the same helpers.
 * Callers validate the module with the engine first; a malformed one throws.
 */

export interface Section {
  id: number;
  /** Where the section starts (its id byte) and where its content starts and ends. */
  start: number;
  contentStart: number;
  end: number;
}

const IMPORT_SECTION = 2;
const HEADER_BYTES = 8;

/** The module's sections in order. */
export function sections(bytes: Uint8Array): Section[] {
  const out: Section[] = [];
  let at = HEADER_BYTES;
  while (at < bytes.length) {
    const size = readLeb(bytes, at + 1);
    const end = size.next + size.value;
    if (end > bytes.length) throw new Error('the module is truncated');
    out.push({ id: bytes[at], start: at, contentStart: size.next, end });
    at = end;
  }
  return out;
}

/** The byte range of each import entry, in the order `WebAssembly.Module.imports` lists them. */
export function importRanges(bytes: Uint8Array): { start: number; end: number }[] {
  const section = sections(bytes).find((candidate) => candidate.id === IMPORT_SECTION);
  if (!section) return [];
  const count = readLeb(bytes, section.contentStart);
  const ranges: { start: number; end: number }[] = [];
  let at = count.next;
  for (let i = 0; i < count.value; i++) {
    const start = at;
    at = skipName(bytes, skipName(bytes, at));
    const kind = bytes[at++];
    at = skipDescriptor(bytes, kind, at);
    ranges.push({ start, end: at });
  }
  return ranges;
}

function skipName(bytes: Uint8Array, at: number): number {
  const length = readLeb(bytes, at);
  return length.next + length.value;
}

/** Past an import's descriptor: a function's type index, a table's type and limits, a memory's limits, a global's type, a tag. */
function skipDescriptor(bytes: Uint8Array, kind: number, at: number): number {
  switch (kind) {
    case 0x00: // function: type index
      return readLeb(bytes, at).next;
    case 0x01: // table: reference type, limits
      return skipLimits(bytes, at + 1);
    case 0x02: // memory: limits
      return skipLimits(bytes, at);
    case 0x03: // global: value type, mutability
      return at + 2;
    case 0x04: // tag: attribute, type index
      return readLeb(bytes, at + 1).next;
    default:
      throw new Error(`unknown import kind ${kind}`);
  }
}

function skipLimits(bytes: Uint8Array, at: number): number {
  const flags = bytes[at];
  const initial = readLeb(bytes, at + 1);
  return flags & 0x01 ? readLeb(bytes, initial.next).next : initial.next;
}

/** An unsigned LEB128 number at `at` and where the next field starts (sizes and page counts fit a double exactly). */
export function readLeb(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    value += (bytes[i] & 0x7f) * scale;
    scale *= 128;
    if ((bytes[i] & 0x80) === 0) return { value, next: i + 1 };
  }
  throw new Error('the module is malformed (an unterminated number)');
}

export function writeLeb(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    out.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
  return out;
}
