/**
 * The memory cap of a WebAssembly plugin, written into the module itself.
 * Extism's JavaScript runtime (1.0.x) has no memory option, and a worker's
 * resourceLimits bound its JavaScript heap, not a module's linear memory. A
 * module's own memory declaration carries a maximum the engine enforces
 * exactly (`memory.grow` past it fails, and the module traps or handles it),
 * so the host rewrites that maximum to at most the cap before compiling. Only
 * the memory section's limits change; every other byte is copied as it is.
 */

const PAGE_BYTES = 64 * 1024;
const MEMORY_SECTION = 5;
const HAS_MAXIMUM = 0x01;

export const WASM_PAGE_BYTES = PAGE_BYTES;

/** `bytes` with every memory the module defines limited to `maxPages`; throws when one needs more to start. */
export function capMemory(bytes: Uint8Array, maxPages: number): Uint8Array {
  const out: Uint8Array[] = [bytes.subarray(0, 8)];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const size = readLeb(bytes, at + 1);
    const start = size.next;
    const end = start + size.value;
    if (end > bytes.length) throw new Error('the module is truncated');
    if (id === MEMORY_SECTION) {
      const content = cappedMemories(bytes.subarray(start, end), maxPages);
      out.push(Uint8Array.from([id, ...writeLeb(content.length), ...content]));
    } else {
      out.push(bytes.subarray(at, end));
    }
    at = end;
  }
  return Buffer.concat(out);
}

function cappedMemories(section: Uint8Array, maxPages: number): number[] {
  const count = readLeb(section, 0);
  const out = [...writeLeb(count.value)];
  let at = count.next;
  for (let i = 0; i < count.value; i++) {
    const flags = section[at];
    const initial = readLeb(section, at + 1);
    let next = initial.next;
    let maximum = maxPages;
    if (flags & HAS_MAXIMUM) {
      const declared = readLeb(section, next);
      maximum = Math.min(declared.value, maxPages);
      next = declared.next;
    }
    if (initial.value > maxPages) {
      throw new Error(`its memory starts at ${initial.value} pages (${Math.round((initial.value * PAGE_BYTES) / 1048576)} MB), above the cap of ${maxPages} pages`);
    }
    out.push(flags | HAS_MAXIMUM, ...writeLeb(initial.value), ...writeLeb(maximum));
    at = next;
  }
  if (at !== section.length) throw new Error('its memory section is malformed');
  return out;
}

/** An unsigned LEB128 number at `at` and where the next field starts (page counts and sizes fit a double exactly). */
function readLeb(bytes: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = at; i < bytes.length && i < at + 10; i++) {
    value += (bytes[i] & 0x7f) * scale;
    scale *= 128;
    if ((bytes[i] & 0x80) === 0) return { value, next: i + 1 };
  }
  throw new Error('the module is malformed (an unterminated number)');
}

function writeLeb(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    const low = rest % 128;
    rest = Math.floor(rest / 128);
    out.push(rest > 0 ? low | 0x80 : low);
  } while (rest > 0);
  return out;
}
