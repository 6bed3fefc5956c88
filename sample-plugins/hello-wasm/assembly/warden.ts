// Warden's host functions for AssemblyScript plugins (see docs/wasm.md). Each takes the offset of a JSON request
// in Extism memory and returns the offset of a JSON answer: {"result": …} or {"error": "…", "denied": true|false}.
import { Host, Memory } from '@extism/as-pdk';

@external('extism:host/user', 'storage_get') declare function storage_get(request: u64): u64;
@external('extism:host/user', 'storage_set') declare function storage_set(request: u64): u64;
@external('extism:host/user', 'window_show_message') declare function window_show_message(request: u64): u64;
@external('extism:host/user', 'log_write') declare function log_write(request: u64): u64;

function answer(offset: u64): string {
  return new Memory(offset, Memory_length(offset)).toString();
}

@external('extism:host/env', 'length') declare function Memory_length(offset: u64): u64;

/** JSON string literal of `text`. */
export function quote(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c == 0x22) out += '\\"';
    else if (c == 0x5c) out += '\\\\';
    else if (c < 0x20) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += String.fromCharCode(c);
  }
  return out + '"';
}

export function storageGet(key: string): string {
  return answer(storage_get(Memory.allocateString('{"key":' + quote(key) + '}').offset));
}

export function storageSet(key: string, valueJson: string): string {
  return answer(storage_set(Memory.allocateString('{"key":' + quote(key) + ',"value":' + valueJson + '}').offset));
}

export function showMessage(text: string): string {
  return answer(window_show_message(Memory.allocateString('{"level":"info","text":' + quote(text) + '}').offset));
}

export function log(message: string): void {
  log_write(Memory.allocateString('{"level":"info","message":' + quote(message) + '}').offset);
}

/** The command's JSON input as text. */
export function input(): string {
  return Host.inputString();
}

/** Sets the command's JSON answer. */
export function output(json: string): void {
  Host.output(Uint8Array.wrap(String.UTF8.encode(json)));
}

/** The number after `"<field>":` in `json`, or 0. Enough for the sample's own answers; a real plugin uses a JSON library. */
export function numberField(json: string, field: string): i32 {
  const at = json.indexOf('"' + field + '":');
  if (at < 0) return 0;
  let i = at + field.length + 3;
  let value = 0;
  while (i < json.length && json.charCodeAt(i) >= 0x30 && json.charCodeAt(i) <= 0x39) {
    value = value * 10 + (json.charCodeAt(i) - 0x30);
    i++;
  }
  return value;
}

/** The first string in a JSON array of strings (`["Ada"]` → `Ada`), or `fallback`. Escapes are not decoded. */
export function firstString(json: string, fallback: string): string {
  const start = json.indexOf('"');
  if (start < 0) return fallback;
  const end = json.indexOf('"', start + 1);
  return end < 0 ? fallback : json.slice(start + 1, end);
}

/** AssemblyScript's abort, routed to the plugin's log so a trap says why (asconfig: "use": "abort=…"). */
export function abort(message: string | null, file: string | null, line: u32, column: u32): void {
  log('abort: ' + (message === null ? '' : message) + ' at ' + (file === null ? '?' : file) + ':' + line.toString() + ':' + column.toString());
  unreachable();
}
