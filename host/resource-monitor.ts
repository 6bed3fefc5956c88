/**
 * Watches what one running plugin uses and says when it goes over a bound:
 * resident memory and busy time, read from /proc for the plugin's node process
 * and everything it started, and the bytes and entries in its data folder.
 * The kernel holds the hard lines (the launcher's rlimits: data segment, file
 * size, open files, processes); this catches what they cannot — memory kept
 * resident, a plugin busy in slices short enough to answer every heartbeat, a
 * folder filled through many files — and stops the plugin the way a hung one
 * is stopped.
 */
import { type FSWatcher, lstatSync, readFileSync, readdirSync, readlinkSync, realpathSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';

export interface ResourceLimits {
  /** Resident memory of the plugin's processes together. */
  memoryMb: number;
  /** Busy time (on a CPU or waiting for one) the plugin may have within any `cpuWindowMs`, as a share of one core. */
  cpuPercent: number;
  cpuWindowMs: number;
  /** How often memory and CPU are sampled (the data folder: at most this often, and less for a large folder). */
  rssSampleMs: number;
  dataQuotaBytes: number;
  dataMaxEntries: number;
}

export interface Usage {
  rss: number;
  /** CPU time of all threads (utime + stime). */
  cpuMs: number;
  /**
   * Time the main thread (where JavaScript runs) was running or waiting to run (/proc/<pid>/schedstat). On a
   * loaded machine a busy plugin at the lowest priority gets little CPU, but it is still always runnable.
   */
  busyMs: number;
}

export interface MonitoredPlugin {
  /** The node process as the host sees it; undefined once it is gone. */
  pid(): number | undefined;
  dataDir: string;
  /**
   * Whether a request of the app's (not one the plugin caused) was sent or answered since the last call. The busy time
   * of such a sampling interval is not the plugin's own: an app that calls a plugin flat out keeps it busy. Such
   * excuses cover at most EXCUSE_SHARE of any window (CpuBudget).
   */
  answeredHost?(): boolean;
}

/** USER_HZ: /proc reports CPU time in ticks of 1/100 s on every Linux. */
const TICK_MS = 10;

/**
 * Samples `plugin` until the returned function is called; `sampled` gets every reading, `exceeded` the first bound
 * crossed (once).
 */
export function monitorResources(
  plugin: MonitoredPlugin,
  limits: ResourceLimits,
  report: { sampled(usage: Usage): void; exceeded(reason: string): void },
): () => void {
  let stopped = false;
  const exceeded = (reason: string): void => {
    if (stopped) return;
    stop();
    report.exceeded(reason);
  };
  const cpu = new CpuBudget(limits);
  // The cumulative busy time at the last sample, and the part of it spent answering the app.
  let lastBusyMs = 0;
  let excusedMs = 0;
  const sample = (): void => {
    const pid = plugin.pid();
    if (pid === undefined) return;
    const usage = processUsage(pid);
    if (!usage) return;
    report.sampled(usage);
    if (usage.rss > limits.memoryMb * 1024 * 1024) {
      return exceeded(`memory: resident ${Math.round(usage.rss / 1048576)} MB exceeds the limit of ${limits.memoryMb} MB`);
    }
    const busyMs = Math.max(usage.cpuMs, usage.busyMs);
    if (plugin.answeredHost?.()) excusedMs += busyMs - lastBusyMs;
    lastBusyMs = busyMs;
    const over = cpu.add(performance.now(), busyMs, usage.cpuMs, excusedMs);
    if (over) exceeded(over);
  };
  const folder = new DataFolderWatch(plugin.dataDir, limits, exceeded, () => {
    const pid = plugin.pid();
    return pid === undefined ? [] : processTree(pid);
  });
  sample(); // so plugins() shows memory from the start
  const sampler = setInterval(sample, limits.rssSampleMs);
  sampler.unref();
  function stop(): void {
    if (stopped) return;
    stopped = true;
    clearInterval(sampler);
    folder.close();
  }
  return stop;
}

/**
 * The most of a window that time spent answering the app can excuse: past it, that time counts as the plugin's own.
 * Below 1 − cpuPercent, so a plugin busy all the time is over budget whatever it answers (with the default 50 %, a
 * plugin the app keeps busy 95 % of the time is still within it, one busy all the time is not).
 */
export const EXCUSE_SHARE = 0.45;

/**
 * A sliding window of readings of the time a plugin was busy (running, or runnable and waiting for a CPU): over
 * budget when the busy time since the window's start, less what answering the app excuses (at most EXCUSE_SHARE of
 * the window), exceeds its share of one core.
 */
export class CpuBudget {
  readonly #readings: { at: number; busyMs: number; cpuMs: number; excusedMs: number }[] = [];
  readonly #budgetMs: number;

  constructor(private readonly limits: Pick<ResourceLimits, 'cpuPercent' | 'cpuWindowMs'>) {
    this.#budgetMs = (limits.cpuWindowMs * limits.cpuPercent) / 100;
  }

  /** Records a reading (cumulative busy, CPU and excused time); returns why the plugin is over budget, if it is. */
  add(at: number, busyMs: number, cpuMs = busyMs, excusedMs = 0): string | undefined {
    const readings = this.#readings;
    readings.push({ at, busyMs, cpuMs, excusedMs });
    // Keep the newest reading at or before the window's start as the baseline.
    while (readings.length > 2 && readings[1].at <= at - this.limits.cpuWindowMs) readings.shift();
    const base = readings[0];
    const excused = Math.min(excusedMs - base.excusedMs, EXCUSE_SHARE * this.limits.cpuWindowMs);
    const busy = busyMs - base.busyMs - excused;
    if (busy <= this.#budgetMs) return undefined;
    const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
    return `cpu: busy ${seconds(busy)} in ${seconds(at - base.at)} (${seconds(cpuMs - base.cpuMs)} on a CPU), over its budget of ${this.limits.cpuPercent} % of one core over ${seconds(this.limits.cpuWindowMs)}`;
  }
}

/** Resident memory and CPU time of `pid` and all its descendants; undefined once it is gone. */
export function processUsage(pid: number): Usage | undefined {
  const own = oneProcess(pid);
  if (!own) return undefined;
  const usage = { ...own };
  for (const child of processTree(pid).slice(1)) {
    const theirs = oneProcess(child);
    if (!theirs) continue;
    usage.rss += theirs.rss;
    usage.cpuMs += theirs.cpuMs;
    usage.busyMs += theirs.busyMs;
  }
  return usage;
}

/** `pid` and every process below it (at most 4096). */
function processTree(pid: number): number[] {
  const tree = [pid];
  for (let next = 0; next < tree.length && tree.length < 4096; next++) tree.push(...childrenOf(tree[next]));
  return tree;
}

function oneProcess(pid: number): Usage | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuMs = (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return { rss: Number(kb ?? 0) * 1024, cpuMs, busyMs: mainThreadBusyMs(pid) };
  } catch {
    return undefined;
  }
}

/** Nanoseconds on a CPU plus nanoseconds waiting for one, of the main thread; 0 where the kernel does not keep them. */
function mainThreadBusyMs(pid: number): number {
  try {
    const [running, waiting] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return (running + waiting) / 1e6;
  } catch {
    return 0;
  }
}

function childrenOf(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return children === '' ? [] : children.split(' ').map(Number);
  } catch {
    return [];
  }
}

/**
 * The data folder's size (allocated blocks, or a file's size where that is more) and entry count, measured
 * every `rssSampleMs` and soon after a file in it appears or changes (a watch on the folder and on up to
 * MAX_WATCHED_FOLDERS folders inside it). A large folder is measured less often, so that at most 5 % of the host's
 * time goes to it; RLIMIT_FSIZE meanwhile keeps each file within the quota. The quota is what the folder may hold:
 * reaching it stops the plugin.
 */
class DataFolderWatch {
  #timer: NodeJS.Timeout | undefined;
  #due = Infinity;
  readonly #watchers = new Map<string, FSWatcher>();
  /** A measurement may start no earlier than this (the 5 % budget after the last one). */
  #earliest = 0;
  #closed = false;
  /** Bytes of deleted files the plugin still holds open under the folder, as last counted, and when. */
  #deletedBytes = 0;
  #deletedAt = -Infinity;

  constructor(
    private readonly dir: string,
    private readonly limits: ResourceLimits,
    private readonly exceeded: (reason: string) => void,
    /** The plugin's processes, whose open files the folder's size includes. */
    private readonly pids: () => number[] = () => [],
  ) {
    this.#measure();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
  }

  /** Watches exactly `folders` (the first MAX_WATCHED_FOLDERS of them). */
  #watch(folders: string[]): void {
    const wanted = new Set(folders.slice(0, MAX_WATCHED_FOLDERS));
    for (const [folder, watcher] of this.#watchers) {
      if (wanted.has(folder)) continue;
      watcher.close();
      this.#watchers.delete(folder);
    }
    for (const folder of wanted) {
      if (this.#watchers.has(folder)) continue;
      try {
        // As soon as a change is seen (within the cost budget): a plugin writing at page-cache speed gets ~1 MB further per ms.
        const watcher = watch(folder, { persistent: false }, () => this.#measureAt(performance.now()));
        watcher.on('error', () => undefined);
        this.#watchers.set(folder, watcher);
      } catch {
        // gone meanwhile, or no watch here: the periodic measurement still covers it
      }
    }
  }

  /** Measures at `at` (or as soon after as the cost budget allows), unless a measurement is already due sooner. */
  #measureAt(at: number): void {
    const when = Math.max(at, this.#earliest);
    if (this.#closed || when >= this.#due) return;
    clearTimeout(this.#timer);
    this.#due = when;
    this.#timer = setTimeout(() => this.#measure(), when - performance.now());
    this.#timer.unref();
  }

  #measure(): void {
    this.#due = Infinity;
    if (this.#closed) return;
    const started = performance.now();
    const usage = folderUsage(this.dir, this.limits.dataMaxEntries);
    // Deleted files never raise a watch event, and finding them walks the plugin's processes' fds in /proc: counted
    // once per sampling interval, not on every change a writer makes (that walk's cost delayed the next measurement).
    if (started - this.#deletedAt >= this.limits.rssSampleMs) {
      this.#deletedBytes = deletedOpenFiles(this.pids(), this.dir);
      this.#deletedAt = started;
    }
    usage.bytes += this.#deletedBytes;
    const cost = (performance.now() - started) * 20;
    this.#earliest = performance.now() + cost;
    const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`;
    if (usage.entries > this.limits.dataMaxEntries) {
      return this.exceeded(`data folder: more than ${this.limits.dataMaxEntries} files and folders in ${this.dir}`);
    }
    if (usage.bytes >= this.limits.dataQuotaBytes) {
      return this.exceeded(`data folder over quota: ${this.dir} holds ${mb(usage.bytes)}, the limit is ${mb(this.limits.dataQuotaBytes)}; delete files there to let the plugin run`);
    }
    this.#watch(usage.folders);
    this.#measureAt(performance.now() + Math.max(this.limits.rssSampleMs, cost));
  }
}

/**
 * Bytes of the regular files under `dir` that `pids` hold open after they were deleted: they fill the disk as much
 * as any file but no listing of the folder shows them (`/proc/<pid>/fd/N` links to "<path> (deleted)"; stat of that
 * link is fstat of the open file). Each file counted once; a process whose fds the host may not read adds nothing.
 */
export function deletedOpenFiles(pids: readonly number[], dir: string): number {
  let root: string;
  try {
    root = realpathSync(dir);
  } catch {
    return 0;
  }
  const counted = new Set<string>();
  let bytes = 0;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      const link = `/proc/${pid}/fd/${fd}`;
      try {
        const target = readlinkSync(link);
        if (!target.endsWith(' (deleted)') || !(target.startsWith(`${root}/`))) continue;
        const stat = statSync(link);
        const key = `${stat.dev}:${stat.ino}`;
        if (!stat.isFile() || counted.has(key)) continue;
        counted.add(key);
        bytes += Math.max(stat.blocks * 512, stat.size);
      } catch {
        // closed meanwhile
      }
    }
  }
  return bytes;
}

/** Folders (the data folder and those in it) watched for changes; beyond these, the periodic measurement alone. */
const MAX_WATCHED_FOLDERS = 32;

/** Bytes allocated under `dir`, its entries and its folders (itself first), never following a link; stops past `maxEntries`. */
export function folderUsage(dir: string, maxEntries: number): { bytes: number; entries: number; folders: string[] } {
  let bytes = 0;
  let entries = 0;
  const folders = [dir];
  for (let next = 0; next < folders.length && entries <= maxEntries; next++) {
    const current = folders[next];
    let names: string[];
    try {
      names = readdirSync(current);
    } catch {
      continue;
    }
    for (const name of names) {
      entries += 1;
      const path = join(current, name);
      try {
        const stat = lstatSync(path);
        // Blocks for what is on disk, the size for what is still only in the page cache (delayed allocation).
        bytes += Math.max(stat.blocks * 512, stat.isFile() ? stat.size : 0);
        if (stat.isDirectory()) folders.push(path);
      } catch {
        // removed meanwhile
      }
    }
  }
  return { bytes, entries, folders };
}
