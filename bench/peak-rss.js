/**
 * Preloaded (`node --import bench/peak-rss.js …`) into a process whose peak
 * resident set the analyzer bench wants: at exit it writes it, in MB, to the
 * file BENCH_PEAK_RSS_FILE names. On Linux it is the kernel's high-water mark
 * (VmHWM in /proc/self/status, worker threads included); elsewhere Node's maxRSS.
 */
import { readFileSync, writeFileSync } from 'node:fs';

function peakRssMb() {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Number(kb) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

process.on('exit', () => {
  writeFileSync(process.env.BENCH_PEAK_RSS_FILE, JSON.stringify({ peakRssMb: peakRssMb() }));
});
