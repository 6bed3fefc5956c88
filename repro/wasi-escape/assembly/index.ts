// A module granted one writable folder (preopened as fd 3) tries to read a file outside it through WASI.
import { Host } from '@extism/as-pdk';

@external('wasi_snapshot_preview1', 'path_symlink') declare function path_symlink(old: usize, oldLen: usize, fd: u32, path: usize, pathLen: usize): u16;
@external('wasi_snapshot_preview1', 'path_open') declare function path_open(fd: u32, dirflags: u32, path: usize, pathLen: usize, oflags: u16, base: u64, inheriting: u64, fdflags: u16, out: usize): u16;
@external('wasi_snapshot_preview1', 'fd_read') declare function fd_read(fd: u32, iovs: usize, count: usize, nread: usize): u16;
@external('wasi_snapshot_preview1', 'fd_prestat_dir_name') declare function fd_prestat_dir_name(fd: u32, path: usize, len: usize): u16;

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

function escapeAbort(message: string | null, file: string | null, line: u32, column: u32): void {
  unreachable();
}
