/**
 * The platform probes' answers (platform.ts), remembered in the host's data
 * folder so that a host start does not run them again: each probe spawns a
 * process (bwrap, unshare, setpriv, prlimit, `node -e`, `ldd`), and together
 * they took as long as a whole `node -e 0` before the first plugin could start.
 *
 * An answer is kept under a fingerprint of everything it depends on — this
 * boot, the kernel release, the user, the kernel's user-namespace switches,
 * and the stat (device, inode, size, mtime, ctime) of each file the probe
 * ran or read — and used only while that fingerprint is unchanged: a reboot,
 * an upgraded tool or Node binary, a changed sysctl means probing again.
 *
 * Only answers that cannot make a plugin's sandbox weaker are kept (the
 * caller says which): a tool that works, never one that failed, so a machine
 * that gains a level shows it at the next start, and a stale "works" can only
 * make a launch fail, never run a plugin with less isolation than the machine
 * allows. The file is sealed like the analysis cache (analyzer/cache-seal.ts),
 * so whoever can write the data folder but cannot read the user's key cannot
 * change an answer (a memory limit's floor, the files a bwrap root holds); a
 * file that cannot be read, parsed or authenticated is ignored and the probes
 * run. New answers are written only once `open()` is called — the host calls
 * it when it holds the data folder's lock — so a host refused at the lock
 * leaves the folder as it was.
 */
import { readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { CacheKeyError, cacheKeyFrom, seal, unseal } from '../analyzer/cache-seal.js';
import { readRegularFileSync, writeNewFileSync } from './safe-files.js';

const FILE_NAME = 'platform-probes.json';
/** A larger file is not this one's: it is ignored. */
const MAX_BYTES = 256 * 1024;
/** Switches that decide whether unprivileged user namespaces (which bwrap and unshare need) can be made. */
const USERNS_SWITCHES = [
  '/proc/sys/kernel/unprivileged_userns_clone',
  '/proc/sys/user/max_user_namespaces',
  '/proc/sys/kernel/apparmor_restrict_unprivileged_userns',
];

interface Remembered {
  fingerprint: string;
  answer: unknown;
}

export class ProbeMemory {
  readonly #file: string;
  readonly #key: Buffer | undefined;
  #answers: Record<string, Remembered> | undefined;
  #machine: string | undefined;
  #writable = false;
  #unsaved = false;

  constructor(dataDir: string) {
    this.#file = join(dataDir, FILE_NAME);
    this.#key = usableKey();
  }

  /**
   * `measure()`'s answer, or the one remembered for `probe` while the machine and `files` are as they were.
   * A new answer is remembered only when `keep(answer)` says it is safe to reuse.
   */
  answer<T>(probe: string, files: string[], measure: () => T, keep: (answer: T) => boolean): T {
    const fingerprint = this.#fingerprint(files);
    const known = this.#read()[probe];
    if (fingerprint !== undefined && known?.fingerprint === fingerprint) return known.answer as T;
    const answer = measure();
    if (fingerprint !== undefined && keep(answer)) this.#write(probe, { fingerprint, answer });
    return answer;
  }

  /** Undefined when a file cannot be stat'ed: such an answer is neither reused nor kept. */
  #fingerprint(files: string[]): string | undefined {
    this.#machine ??= machineFingerprint();
    const stamps = [this.#machine];
    for (const file of files) {
      try {
        const stats = statSync(file, { bigint: true });
        stamps.push(`${file}:${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}:${stats.ctimeNs}`);
      } catch {
        return undefined;
      }
    }
    return stamps.join('\n');
  }

  #read(): Record<string, Remembered> {
    if (this.#answers) return this.#answers;
    this.#answers = {};
    if (!this.#key) return this.#answers;
    const json = readSealed(this.#file, this.#key);
    if (json === undefined) return this.#answers;
    try {
      const parsed = JSON.parse(json) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) this.#answers = parsed as Record<string, Remembered>;
    } catch {
      // not this file's format: probed again and overwritten
    }
    return this.#answers;
  }

  /** From now on new answers are written to the folder (those found before are written now). */
  open(): void {
    this.#writable = true;
    if (this.#unsaved) this.#save();
  }

  #write(probe: string, remembered: Remembered): void {
    this.#answers = { ...this.#read(), [probe]: remembered };
    this.#unsaved = true;
    if (this.#writable) this.#save();
  }

  /** Written whole under a new name, then renamed into place; a failure only costs the next start its probes. */
  #save(): void {
    this.#unsaved = false;
    if (!this.#key) return;
    const answers = this.#answers;
    const temporary = `${this.#file}.tmp-${process.pid}`;
    try {
      writeNewFileSync(temporary, seal(this.#key, JSON.stringify(answers)));
      renameSync(temporary, this.#file);
    } catch {
      try {
        unlinkSync(temporary);
      } catch {
        // never created
      }
    }
  }
}

/** This boot, kernel and user, and the user-namespace switches as they are now. */
function machineFingerprint(): string {
  const parts = [readSmall('/proc/sys/kernel/random/boot_id') ?? 'no boot id', release(), `${process.getuid?.()}:${process.getgid?.()}`];
  for (const path of USERNS_SWITCHES) parts.push(`${path}=${readSmall(path) ?? '-'}`);
  return parts.join(' ');
}

function readSmall(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The user's key, or none when it is refused: the host then probes every time, and the analysis says why. */
function usableKey(): Buffer | undefined {
  try {
    return cacheKeyFrom();
  } catch (error) {
    if (error instanceof CacheKeyError) return undefined;
    throw error;
  }
}

/** The file's unsealed JSON; undefined when it is missing, not a regular file, too large or not sealed with `key`. */
function readSealed(file: string, key: Buffer): string | undefined {
  try {
    const bytes = readRegularFileSync(file, MAX_BYTES);
    return bytes && unseal(key, bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
