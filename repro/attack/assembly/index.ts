// Attack module for the review of issue 13: each export tries one thing the WASM plugin kind must stop.
import { Memory } from '@extism/as-pdk';
import { firstString, input, output } from '../../../sample-plugins/hello-wasm/assembly/warden';

@external('extism:host/env', 'alloc') declare function extism_alloc(size: u64): u64;
@external('extism:host/env', 'store_u8') declare function store_u8(offset: u64, value: u8): void;
@external('extism:host/env', 'length') declare function length(offset: u64): u64;
@external('extism:host/user', 'storage_get') declare function storage_get(request: u64): u64;
@external('extism:host/user', 'storage_set') declare function storage_set(request: u64): u64;
@external('extism:host/user', 'log_write') declare function log_write(request: u64): u64;
@external('extism:host/user', 'commands_execute') declare function commands_execute(request: u64): u64;
@external('extism:host/user', 'events_emit') declare function events_emit(request: u64): u64;
@external('extism:host/user', 'events_subscribe') declare function events_subscribe(request: u64): u64;

/** Stores a value of N MB (its argument) under "big", written straight into Extism memory. */
export function fill(): i32 {
  const size = I32.parseInt(firstString(input(), '1')) * 1024 * 1024;
  const head = '{"key":"big","value":"';
  const bytes = new Uint8Array(head.length + size + 2);
  for (let i = 0; i < head.length; i++) bytes[i] = <u8>head.charCodeAt(i);
  bytes.fill(0x78, head.length, head.length + size);
  bytes[head.length + size] = 0x22;
  bytes[head.length + size + 1] = 0x7d;
  const answer = storage_set(Memory.allocateBytes(bytes).offset);
  output(new Memory(answer, length(answer)).toString());
  return 0;
}

/** Sends a log line of M MB N times (its argument "M,N"): parsed by the host thread each time. */
export function shout(): i32 {
  const spec = firstString(input(), '1,1').split(',');
  const size = I32.parseInt(spec[0]) * 1024 * 1024;
  const times = I32.parseInt(spec[1]);
  const head = '{"level":"info","message":"';
  const bytes = new Uint8Array(head.length + size + 2);
  for (let i = 0; i < head.length; i++) bytes[i] = <u8>head.charCodeAt(i);
  bytes.fill(0x78, head.length, head.length + size);
  bytes[head.length + size] = 0x22;
  bytes[head.length + size + 1] = 0x7d;
  const request = Memory.allocateBytes(bytes).offset;
  for (let i = 0; i < times; i++) log_write(request);
  output('"done"');
  return 0;
}

/** Reads "big" N times (its argument) in one call, keeping nothing itself: every answer is a block Extism holds. */
export function hoard(): i32 {
  const times = I32.parseInt(firstString(input(), '1'));
  const request = Memory.allocateString('{"key":"big"}').offset;
  let total: u64 = 0;
  for (let i = 0; i < times; i++) total += length(storage_get(request));
  output(total.toString());
  return 0;
}

/** Allocates N MB (its argument) of Extism memory and returns without freeing it: under the per-call bound. */
export function leak(): i32 {
  const mb = I32.parseInt(firstString(input(), '1'));
  for (let i = 0; i < mb; i++) {
    const block = extism_alloc(1 << 20);
    // Touch every page, so the block is resident and not only reserved.
    for (let page: u64 = 0; page < (1 << 20); page += 4096) store_u8(block + page, 1);
  }
  output('"ok"');
  return 0;
}

/** Runs its own command again through the host: the worker is blocked in the first call. */
export function reenter(): i32 {
  const answer = commands_execute(Memory.allocateString('{"command":"attack.echo","args":[]}').offset);
  output(new Memory(answer, length(answer)).toString());
  return 0;
}

export function echo(): i32 {
  output(input());
  return 0;
}

function attackAbort(message: string | null, file: string | null, line: u32, column: u32): void {
  unreachable();
}
