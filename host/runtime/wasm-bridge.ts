/**
 * A WebAssembly plugin in a sandboxed plugin process (when the app requires
 * process isolation): the module runs in a worker thread of this process, as
 * it would in a worker of the host, and this thread stands where the host
 * thread stands there. Each host function call of the module goes to the host
 * over the JSON-RPC channel, whole, and is answered there by the same code
 * (host/wasm/host-functions.ts), so grants, audit entries and limits do not
 * depend on where the module runs. When the worker ends (a trap, a bound),
 * the call it ended in is answered with that reason (bootstrap.ts marks it)
 * and the host ends the process: the supervisor sees a crash.
 */
import { Worker } from 'node:worker_threads';
import { readRegularFileSync } from '../../analyzer/fast-fs.js';
import type { MessageConnection } from 'vscode-jsonrpc';
import { call, type ActivateParams, type WasmActivation, type WasmProcessHostApi } from '../../api/protocol.js';
import { WasmWorker } from '../wasm/wasm-worker.js';

const ORPHAN_EXIT_MS = 1000;

export async function startWasmModule(params: ActivateParams & { wasm: WasmActivation }, connection: MessageConnection): Promise<WasmWorker> {
  const { pluginId, main, config, wasm } = params;
  const worker = await WasmWorker.start({
    pluginId,
    bytes: readRegularFileSync(main),
    sha256: wasm.sha256,
    config,
    preopens: wasm.preopens,
    memoryMb: wasm.memoryMb,
    allocMbPerCall: wasm.allocMbPerCall,
    maxMessageBytes: wasm.maxMessageBytes,
    heapMb: wasm.heapMb,
    // The same settings the host gives its workers: no environment, none of this process's Node flags.
    boot: (resourceLimits) => new Worker(wasm.workerScript, { env: {}, execArgv: [], resourceLimits }),
    answerHost: (name, hostParams) => call<WasmProcessHostApi, 'wasm/hostCall'>(connection, 'wasm/hostCall', { name, params: hostParams }),
  });
  await worker.ready;
  void worker.exited.then(() => {
    if (worker.exitReason) process.stderr.write(`${pluginId}: ${worker.exitReason}\n`);
    // Outside a call (its heap cap, say) no answer tells the host: the process ends itself, after the answer had time.
    setTimeout(() => process.exit(1), ORPHAN_EXIT_MS);
  });
  await worker.activate(config);
  return worker;
}
