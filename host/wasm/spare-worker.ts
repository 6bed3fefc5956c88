/**
 * A worker thread booted ahead of need. Most of a WASM plugin's activation is
 * Node starting a thread and the worker loading Extism (measured: a bare
 * worker 45–170 ms on a loaded 2-core machine, against ~15–25 ms for the rest);
 * so after each activation the host boots one more, unreferenced, and the next
 * activation hands it its module. A worker never serves two runs: each
 * plugin run gets a fresh thread, and a spare has run no plugin code.
 */
import { join } from 'node:path';
import { type ResourceLimits, Worker } from 'node:worker_threads';
import { WARDEN_ROOT } from '../../analyzer/warden-package.js';

const WORKER = join(WARDEN_ROOT, 'dist', 'host', 'wasm', 'worker.js');

let spare: { worker: Worker; limits: string } | undefined;

/** A worker with these limits, waiting for its setup message (worker.ts); the spare one if it fits, and a new spare is booted. */
export function startWorker(resourceLimits: ResourceLimits): Worker {
  const limits = JSON.stringify(resourceLimits);
  const ready = spare?.limits === limits ? spare.worker : undefined;
  if (spare && !ready) void spare.worker.terminate();
  spare = undefined;
  const worker = ready ?? boot(resourceLimits);
  worker.ref();
  setImmediate(() => {
    if (spare) return;
    const next = boot(resourceLimits);
    next.unref(); // it never keeps the host's process alive
    spare = { worker: next, limits };
  });
  return worker;
}

/** Ends the spare (the host stops): an embedding app that stops Warden keeps no idle thread. */
export async function stopSpareWorker(): Promise<void> {
  const current = spare;
  spare = undefined;
  await current?.worker.terminate();
}

function boot(resourceLimits: ResourceLimits): Worker {
  const worker = new Worker(WORKER, {
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
    if (spare?.worker === worker) spare = undefined;
  });
  return worker;
}
