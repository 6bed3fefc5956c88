/**
 * The memory cap of a WebAssembly plugin, written into the module itself.
 * Extism's JavaScript runtime (1.0.x) has no memory option, and a worker's
 * resourceLimits bound its JavaScript heap, not a module's linear memory. A
 * module's own memory declaration carries a maximum the engine enforces
 * exactly (`memory.grow` past it fails, and the module traps or handles it),
 * so the host rewrites that maximum to at most the cap before compiling. Only
 * the memory section's limits change; every other byte is copied as it is.
 */
import { readLeb, sections, writeLeb } from '../../analyzer/wasm-sections.js';

const PAGE_BYTES = 64 * 1024;
const MEMORY_SECTION = 5;
const HAS_MAXIMUM = 0x01;

export const WASM_PAGE_BYTES = PAGE_BYTES;

/** `bytes` with every memory the module defines limited to `maxPages`; throws when one needs more to start. */
export function capMemory(bytes: Uint8Array, maxPages: number): Uint8Array {
  const out: Uint8Array[] = [bytes.subarray(0, 8)];
  for (const section of sections(bytes)) {
    if (section.id === MEMORY_SECTION) {
      const content = cappedMemories(bytes.subarray(section.contentStart, section.end), maxPages);
      out.push(Uint8Array.from([section.id, ...writeLeb(content.length), ...content]));
    } else {
      out.push(bytes.subarray(section.start, section.end));
    }
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
