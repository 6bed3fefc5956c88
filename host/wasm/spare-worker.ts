/**
 * Worker threads booted ahead of need. Most of a WASM plugin's activation is
 * Node starting a thread and the worker loading Extism (measured: a bare
 * worker 30–35 ms on a quiet 2-core machine, up to 170 ms on a loaded one,
 * Extism another ~10 ms, against ~6 ms for the rest); so the host keeps two
 * booted, unreferenced, and an activation hands one its module. Two, not one:
 * a spare takes as long to boot as a thread does, so activations that follow
 * each other (a host starting several WASM plugins) would otherwise find the
 * one spare still booting. A worker never serves two runs: each plugin run
 * gets a fresh thread, and a spare has run no plugin code.
 */
import { join } from 'node:path';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { WARDEN_ROOT } from '../../analyzer/warden-package.js';

/** The script a WASM plugin's worker runs, in the host or in a plugin process. */
export const WORKER_SCRIPT = join(WARDEN_ROOT, 'dist', 'host', 'wasm', 'worker.js');
const SPARES = 2;

/** Booted workers waiting for their setup, all with the limits of the last activation. */
let spares: { workers: Worker[]; limits: string } = { workers: [], limits: '' };

/** A worker with these limits, waiting for its setup message (worker.ts); a spare if one fits, and the spares are topped up. */
export function startWorker(resourceLimits: ResourceLimits): Worker {
  const limits = JSON.stringify(resourceLimits);
  if (spares.limits !== limits) {
    for (const worker of spares.workers) void worker.terminate();
    spares = { workers: [], limits };
  }
  const worker = spares.workers.shift() ?? boot(resourceLimits);
  worker.ref();
  setImmediate(() => {
    while (spares.limits === limits && spares.workers.length < SPARES) {
      const next = boot(resourceLimits);
      next.unref(); // it never keeps the host's process alive
      spares.workers.push(next);
    }
  });
  return worker;
}

/** Ends the spares (the host stops): an embedding app that stops Warden keeps no idle thread. */
export async function stopSpareWorkers(): Promise<void> {
  const { workers } = spares;
  spares = { workers: [], limits: '' };
  await Promise.all(workers.map((worker) => worker.terminate()));
}

function boot(resourceLimits: ResourceLimits): Worker {
  const worker = new Worker(WORKER_SCRIPT, {
    // The worker's process.env would be a copy of the host's: it gets none (node:wasi is given no environment either).
    env: {},
    // Nor the host's Node flags: the app's own (`--input-type`, measured: the worker then fails to start) are not Warden's.
    execArgv: [],
    // Its JavaScript is Warden's and Extism's; a module's memory is outside this heap and capped in the module.
    resourceLimits,
    // Nothing a module does reaches the worker's stdout or stderr (WASI output goes nowhere; logging is a host
    // function), so they are not piped: piping them costs each start a stream pair (measured: tens of ms).
  });
  // A spare that fails (it cannot load Extism) is dropped; the activation that takes a worker reports its own failure.
  worker.on('error', () => undefined);
  worker.once('exit', () => {
    spares.workers = spares.workers.filter((spare) => spare !== worker);
  });
  return worker;
}
