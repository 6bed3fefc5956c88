// A module granted one writable folder (preopened as fd 3) tries to read a file outside it through WASI.
import { Host } from '@extism/as-pdk';

@external('wasi_snapshot_preview1', 'path_symlink') declare function path_symlink(old: usize, oldLen: usize, fd: u32, path: usize, pathLen: usize): u16;
@external('wasi_snapshot_preview1', 'path_open') declare function path_open(fd: u32, dirflags: u32, path: usize, pathLen: usize, oflags: u16, base: u64, inheriting: u64, fdflags: u16, out: usize): u16;
@external('wasi_snapshot_preview1', 'fd_read') declare function fd_read(fd: u32, iovs: usize, count: usize, nread: usize): u16;
@external('wasi_snapshot_preview1', 'path_create_directory') declare function path_create_directory(fd: u32, path: usize, pathLen: usize): u16;
@external('wasi_snapshot_preview1', 'path_rename') declare function path_rename(fd: u32, old: usize, oldLen: usize, newFd: u32, path: usize, pathLen: usize): u16;

function bytes(text: string): ArrayBuffer {
  return String.UTF8.encode(text);
}

/** Input: {"target": "/abs/dir", "file": "name"}, crudely parsed: two strings separated by a '|' in a JSON array. */
export function escape(): i32 {
  const raw = Host.inputString(); // ["<target>|<file>|<linkname>"]
  const arg = raw.slice(2, raw.length - 2);
  const parts = arg.split('|');
  const target = bytes(parts[0]);
  const file = bytes(parts[2] + '/' + parts[1]);
  const link = bytes(parts[2]);
  const symlinked = path_symlink(changetype<usize>(target), target.byteLength, 3, changetype<usize>(link), link.byteLength);
  const fdOut = new ArrayBuffer(4);
  const opened = path_open(3, 1, changetype<usize>(file), file.byteLength, 0, 2, 0, 0, changetype<usize>(fdOut));
  let content = '';
  if (opened == 0) {
    const fd = load<u32>(changetype<usize>(fdOut));
    const buffer = new ArrayBuffer(256);
    const iov = new ArrayBuffer(8);
    store<u32>(changetype<usize>(iov), changetype<usize>(buffer));
    store<u32>(changetype<usize>(iov) + 4, 256);
    const nread = new ArrayBuffer(4);
    fd_read(fd, changetype<usize>(iov), 1, changetype<usize>(nread));
    content = String.UTF8.decode(buffer.slice(0, load<u32>(changetype<usize>(nread))));
  }
  Host.outputString('{"symlink":' + symlinked.toString() + ',"open":' + opened.toString() + ',"content":"' + content.replaceAll('"', "'").replaceAll('\n', ' ') + '"}');
  return 0;
}

function mkdir(path: string): u16 {
  const bytes = String.UTF8.encode(path);
  return path_create_directory(3, changetype<usize>(bytes), bytes.byteLength);
}

function readFile(path: string): string {
  const file = String.UTF8.encode(path);
  const fdOut = new ArrayBuffer(4);
  const opened = path_open(3, 1, changetype<usize>(file), file.byteLength, 0, 2, 0, 0, changetype<usize>(fdOut));
  if (opened != 0) return 'open failed: ' + opened.toString();
  const buffer = new ArrayBuffer(256);
  const iov = new ArrayBuffer(8);
  store<u32>(changetype<usize>(iov), changetype<usize>(buffer));
  store<u32>(changetype<usize>(iov) + 4, 256);
  const nread = new ArrayBuffer(4);
  fd_read(load<u32>(changetype<usize>(fdOut)), changetype<usize>(iov), 1, changetype<usize>(nread));
  return String.UTF8.decode(buffer.slice(0, load<u32>(changetype<usize>(nread))));
}

function symlink(target: string, path: string): u16 {
  const t = String.UTF8.encode(target);
  const p = String.UTF8.encode(path);
  return path_symlink(changetype<usize>(t), t.byteLength, 3, changetype<usize>(p), p.byteLength);
}

/**
 * With nothing placed by anyone else: "self" -> ".", "up1" -> "self/..", "up2" -> "up1/..". Read as text each target
 * is "." (inside the folder, so each link is allowed), but "self" is the folder itself, so "up1" is its parent and
 * "up2" the parent's parent. Input: ["<file name two levels above the granted folder>"].
 */
export function climb(): i32 {
  const raw = Host.inputString();
  const name = raw.slice(2, raw.length - 2);
  const links = symlink('.', 'self').toString() + ',' + symlink('self/..', 'up1').toString() + ',' + symlink('up1/..', 'up2').toString();
  const content = readFile('up2/' + name);
  Host.outputString('{"links":"' + links + '","content":"' + content.replaceAll('"', "'") + '"}');
  return 0;
}

/**
 * With nothing placed by anyone else: a link made deep in the folder, whose target stays inside where it is made
 * (a/b/c/l -> ../../.. is the folder itself), then its folder moved up (a/b/c -> x), so x/l leads two levels out.
 * Input: ["<file name beside the plugin's package folder>"].
 */
export function tunnel(): i32 {
  const raw = Host.inputString();
  const name = raw.slice(2, raw.length - 2);
  const made = mkdir('a').toString() + ',' + mkdir('a/b').toString() + ',' + mkdir('a/b/c').toString();
  const target = String.UTF8.encode('../../..');
  const link = String.UTF8.encode('a/b/c/l');
  const linked = path_symlink(changetype<usize>(target), target.byteLength, 3, changetype<usize>(link), link.byteLength);
  const from = String.UTF8.encode('a/b/c');
  const to = String.UTF8.encode('x');
  const renamed = path_rename(3, changetype<usize>(from), from.byteLength, 3, changetype<usize>(to), to.byteLength);
  const content = readFile('x/l/' + name);
  Host.outputString('{"mkdir":"' + made + '","symlink":' + linked.toString() + ',"rename":' + renamed.toString() + ',"content":"' + content.replaceAll('"', "'") + '"}');
  return 0;
}

function escapeAbort(message: string | null, file: string | null, line: u32, column: u32): void {
  unreachable();
}
