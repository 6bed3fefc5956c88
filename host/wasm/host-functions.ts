/**
 * The host side of a WASM plugin's host functions: a call from the module
 * (its name and JSON params, passed over from the worker) becomes a call of
 * the same broker method a JavaScript plugin's `ctx` reaches, with the same
 * grant check, audit entry and limits. Nothing here decides anything: the
 * table (analyzer/wasm-imports.ts) names the method, the broker does the rest.
 */
import { ResponseError } from 'vscode-jsonrpc';
import type { Handlers, HostApi, WasmHostAnswer } from '../../api/protocol.js';
import { ErrorCodes } from '../../api/protocol.js';
import { WARDEN_FUNCTIONS, type WardenFunctionName } from '../../api/wasm-api.js';
import { messageOf } from '../supervisor.js';

/** The protocol method a function calls: the compiler refuses a table entry naming a method HostApi does not have. */
function methodOf(name: WardenFunctionName): keyof HostApi {
  return WARDEN_FUNCTIONS[name].method;
}

export function isWardenFunction(name: string): name is WardenFunctionName {
  return Object.hasOwn(WARDEN_FUNCTIONS, name);
}

/**
 * Runs one host function call through the broker; never throws (a module gets every failure as an answer).
 * `parsed` sees the params object the broker will get, before it does: where the module runs decides whether the
 * call comes in on an answer's credit (the broker's `isAnswer` asks about that object).
 */
export async function answerHostCall(broker: Handlers<HostApi>, name: string, paramsJson: string, parsed?: (params: object) => void): Promise<WasmHostAnswer> {
  if (!isWardenFunction(name)) return { error: `there is no host function "${name}"`, denied: false };
  let params: unknown;
  try {
    params = JSON.parse(paramsJson);
  } catch {
    return { error: `${name}: its argument is not JSON`, denied: false };
  }
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return { error: `${name}: its argument must be a JSON object`, denied: false };
  parsed?.(params);
  try {
    const handler = broker[methodOf(name)] as (params: object) => unknown;
    return { result: (await handler(params)) ?? null };
  } catch (error) {
    return { error: messageOf(error), denied: error instanceof ResponseError && error.code === ErrorCodes.denied };
  }
}
