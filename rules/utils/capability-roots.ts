/**
 * The values that grant power: whoever holds one can load any module, run any
 * string, reach native code or the network. The gate lets them appear only in
 * shapes it fully resolves (see confinement.ts); this table says which refs
 * are such values, what to call them in a message, and which finding category
 * an escape of each belongs to.
 *
 * The objects of the builtin modules that run programs, touch files, open
 * sockets or hold the app's shared crypto are roots too: the rules judge each
 * call on them at its line, so one handed to code the gate does not follow
 * (an event, a promise, a callback, another file, an export, a copy) carries
 * calls nobody judges. The same holds for each of their functions that is the
 * power itself (`execSync`, `readFile`, `request`): handed on, it runs where
 * it is a call on an unknown value.
 */
import type { Category } from '../meta.js';
import { CALLER, CJS_ARGUMENTS, FUNCTION_CONSTRUCTORS, IMPORT_META } from './markers.js';
import type { Ref } from './resolve.js';

export interface CapabilityRoot {
  /** How a message names it: `require`, `the global object`, `process.binding`. */
  label: string;
  category: Extract<Category, 'dynamic-code' | 'dynamic-import' | 'runtime-tampering' | 'native-code' | 'network' | 'env' | 'child-process' | 'filesystem'>;
  /** Set for a builtin module's object (`require('fs')`): `label` is then the module's name. */
  builtinModule?: true;
  /** Set for one of such a module's functions that runs programs, touches files or connects (`cp.execSync`, `fs.readFile`). */
  builtinFunction?: true;
}

/** Members that hand on their object's power: `require.call`, `Function.bind`. */
const FORWARDERS = new Set(['call', 'apply', 'bind']);
/** Roots that are objects, not functions: `.call` on them is a property like any other. */
const OBJECT_ROOTS = new Set(['the calling function (arguments.callee.caller)', 'the global object', 'process', 'module', 'Reflect', 'WebAssembly', 'import.meta', "the module wrapper's arguments", "the 'vm' module"]);
/** What `module` holds besides the module loader: the plugin's own exports and plain facts. */
const MODULE_DATA = new Set(['exports', 'id', 'filename', 'loaded', 'paths', 'path', 'hot', 'isPreloading']);
/**
 * Members of `process` that load code, reach native bindings, debug a process, dump the environment, or hand out
 * the process's live handles (its sockets, servers and child processes, whose classes connect anywhere).
 */
const PROCESS_POWERS = new Map<string, CapabilityRoot['category']>([
  ['binding', 'native-code'],
  ['_getActiveHandles', 'network'],
  ['_getActiveRequests', 'network'],
  ['_linkedBinding', 'native-code'],
  ['dlopen', 'native-code'],
  ['getBuiltinModule', 'dynamic-import'],
  ['_debugProcess', 'runtime-tampering'],
  ['report', 'env'],
  ['constructor', 'dynamic-import'],
  ['__proto__', 'dynamic-import'],
]);
const WASM_COMPILERS = new Set(['compile', 'instantiate', 'Module', 'Instance', 'compileStreaming', 'instantiateStreaming']);
const NETWORK_GLOBALS = new Set(['fetch', 'WebSocket', 'XMLHttpRequest', 'EventSource']);
/** The parts of the `module` builtin that only describe modules. */
const MODULE_BUILTIN_DATA = new Set(['builtinModules', 'isBuiltin', 'findSourceMap', 'SourceMap']);
const VM_COMPILERS = new Set(['runInThisContext', 'runInNewContext', 'runInContext', 'Script', 'compileFunction', 'SourceTextModule']);
const IMPORT_META_DATA = new Set(['url', 'dirname', 'filename', 'resolve', 'main']);
/**
 * Builtin modules whose object grants what its category names, with the members that are such an object again
 * (`fs.promises`). `crypto`'s exports are shared by the whole app: whoever holds the object can replace
 * `timingSafeEqual` or `randomBytes` for everyone.
 */
interface PowerModule {
  category: CapabilityRoot['category'];
  modules?: string[];
  /**
   * Its functions that are the power themselves (`execSync`, `readFile`, `request`): one handed to code the gate does
   * not follow runs programs, touches files or connects where no rule judges the call. `all` but the listed data.
   */
  functions?: Set<string> | { allBut: Set<string> };
}
/**
 * What `fs` and `fs/promises` hold besides functions that read or write: flags, classes describing results, and the
 * functions that only tell whether a path exists and what it is (`paths.find(fs.existsSync)` is everyday code).
 */
const FS_DATA = new Set([
  'constants', 'F_OK', 'R_OK', 'W_OK', 'X_OK', 'Stats', 'Dirent', 'promises',
  'exists', 'existsSync', 'stat', 'statSync', 'lstat', 'lstatSync', 'access', 'accessSync',
]);
const DNS_DATA = new Set(['getServers', 'getDefaultResultOrder', 'promises', ...['NODATA', 'FORMERR', 'SERVFAIL', 'NOTFOUND', 'NOTIMP', 'REFUSED', 'BADQUERY', 'BADNAME', 'BADFAMILY', 'BADRESP', 'CONNREFUSED', 'TIMEOUT', 'EOF', 'FILE', 'NOMEM', 'DESTRUCTION', 'BADSTR', 'BADFLAGS', 'NONAME', 'BADHINTS', 'NOTINITIALIZED', 'LOADIPHLPAPI', 'ADDRGETNETWORKPARAMS', 'CANCELLED', 'ADDRCONFIG', 'V4MAPPED', 'ALL']]);
const HTTP_FUNCTIONS = new Set(['request', 'get', 'createServer', 'Server', 'Agent', 'ClientRequest', 'globalAgent']);
const POWER_MODULES = new Map<string, PowerModule>([
  ['child_process', { category: 'child-process', functions: { allBut: new Set() } }],
  ['worker_threads', { category: 'child-process', functions: new Set(['Worker']) }],
  ['cluster', { category: 'child-process', functions: new Set(['fork', 'setupPrimary', 'setupMaster']) }],
  ['fs', { category: 'filesystem', modules: ['promises'], functions: { allBut: FS_DATA } }],
  ['fs/promises', { category: 'filesystem', functions: { allBut: FS_DATA } }],
  ['net', { category: 'network', functions: new Set(['connect', 'createConnection', 'createServer', 'Socket', 'Server', 'Stream']) }],
  ['tls', { category: 'network', functions: new Set(['connect', 'createServer', 'TLSSocket', 'Server']) }],
  ['http', { category: 'network', functions: HTTP_FUNCTIONS }],
  ['https', { category: 'network', functions: HTTP_FUNCTIONS }],
  ['http2', { category: 'network', functions: new Set(['connect', 'createServer', 'createSecureServer']) }],
  ['dgram', { category: 'network', functions: new Set(['createSocket', 'Socket']) }],
  ['dns', { category: 'network', modules: ['promises'], functions: { allBut: DNS_DATA } }],
  ['dns/promises', { category: 'network', functions: { allBut: DNS_DATA } }],
  ['crypto', { category: 'runtime-tampering' }],
]);

/** Whether `name` is one of `power`'s functions that are the power itself. */
function isPowerFunction(power: PowerModule, name: string): boolean {
  const { functions } = power;
  if (!functions) return false;
  return functions instanceof Set ? functions.has(name) : !functions.allBut.has(name);
}

/** `fs.promises.readFile` is `fs/promises`'s `readFile`: the module a path's first key is, and the rest. */
function powerOf(module: string, path: string[]): { module: string; power: PowerModule; rest: string[] } | undefined {
  const power = POWER_MODULES.get(module);
  if (!power) return undefined;
  if (path.length > 0 && power.modules?.includes(path[0])) {
    const sub = POWER_MODULES.get(`${module}/${path[0]}`);
    if (sub) return { module: `${module}.${path[0]}`, power: sub, rest: path.slice(1) };
  }
  return { module, power, rest: path };
}

/**
 * Roots whose members are the power itself, so reading one is already the finding:
 * of `process.report` only its settings are harmless, while `getReport()` and
 * `writeReport()` hand out (or write to disk) every environment variable.
 */
const HARMLESS_MEMBERS_ONLY = new Map<string, Set<string>>([
  ['process.report', new Set(['directory', 'filename', 'compact', 'signal', 'reportOnFatalError', 'reportOnSignal', 'reportOnUncaughtException', 'excludeNetwork', 'excludeEnv'])],
]);

/** True when reading `key` of the root `ref` uses its power: any member of `process.report` but its settings. */
export function isPowerMember(ref: Ref, key: string): boolean {
  const harmless = ref.module === undefined ? HARMLESS_MEMBERS_ONLY.get(ref.path.join('.')) : undefined;
  return harmless !== undefined && !harmless.has(key);
}

/** The capability root `ref` names, if it names one. */
export function capabilityRoot(ref: Ref | undefined): CapabilityRoot | undefined {
  if (!ref) return undefined;
  const found = ref.module === undefined ? globalRoot(ref.path) : moduleRoot(ref.module, ref.path);
  if (found || !FORWARDERS.has(ref.path[ref.path.length - 1])) return found;
  // `require.call`, `eval.bind`: a function's forwarders are the function; objects (`Reflect.apply`) have no such members.
  const forwarded = ref.module === undefined ? globalRoot(ref.path.slice(0, -1)) : moduleRoot(ref.module, ref.path.slice(0, -1));
  return forwarded && !OBJECT_ROOTS.has(forwarded.label) ? forwarded : undefined;
}

function globalRoot(path: string[]): CapabilityRoot | undefined {
  const [first, second] = path;
  const label = path.join('.');
  if (path.length === 0) return { label: 'the global object', category: 'dynamic-code' };
  // `Function.prototype` is only a function: its `.constructor` is resolved to Function wherever it is read.
  if (FUNCTION_CONSTRUCTORS.has(first) || first === 'eval') return path.length === 1 ? { label, category: 'dynamic-code' } : undefined;
  switch (first) {
    case 'require':
      if (path.length === 1) return { label, category: 'dynamic-import' };
      return second === 'cache' || second === 'extensions' ? { label: path.length > 2 ? `${first}.${second}[…]` : label, category: 'runtime-tampering' } : undefined;
    case 'module':
      if (path.length === 1) return { label, category: 'dynamic-import' };
      return MODULE_DATA.has(second) ? undefined : { label: `module.${second}`, category: 'runtime-tampering' };
    case 'process':
      if (path.length === 1) return { label, category: 'dynamic-import' };
      return path.length === 2 && PROCESS_POWERS.has(second) ? { label, category: PROCESS_POWERS.get(second)! } : undefined;
    case 'Reflect':
      // `Reflect.apply` and its siblings only reflect on values the caller already holds (each of which is checked itself).
      return path.length === 1 ? { label, category: 'dynamic-code' } : undefined;
    case 'WebAssembly':
      return path.length === 1 || (path.length === 2 && WASM_COMPILERS.has(second)) ? { label, category: 'dynamic-code' } : undefined;
    case 'navigator':
      return path.length === 2 && second === 'sendBeacon' ? { label, category: 'network' } : undefined;
    case IMPORT_META:
      return path.length === 1 ? { label: 'import.meta', category: 'dynamic-import' } : IMPORT_META_DATA.has(second) ? undefined : { label: `import.meta.${second}`, category: 'dynamic-import' };
    case CJS_ARGUMENTS:
      return path.length === 1 ? { label: "the module wrapper's arguments", category: 'dynamic-import' } : undefined;
    case CALLER:
      // `arguments.callee.caller`: the calling function, and through its `arguments` whatever it was given (the wrapper's `require`).
      return path.length === 1 ? { label: "the calling function (arguments.callee.caller)", category: 'dynamic-import' } : undefined;
    default:
      if (path.length === 1 && NETWORK_GLOBALS.has(first)) return { label, category: 'network' };
      return undefined;
  }
}

function moduleRoot(module: string, path: string[]): CapabilityRoot | undefined {
  // Any function's constructor is Function: `require('fs').readFile.constructor`.
  if (path[path.length - 1] === 'constructor') return { label: 'Function', category: 'dynamic-code' };
  if (path[0] === '%promise') return undefined;
  if (module === 'module') {
    if (path.length === 0) return { label: "the 'module' builtin (Module)", category: 'runtime-tampering' };
    if (MODULE_BUILTIN_DATA.has(path[0])) return undefined;
    if (path[0] === 'createRequire') return { label: 'createRequire', category: 'dynamic-import' };
    return { label: `Module.${path.join('.')}`, category: 'runtime-tampering' };
  }
  const found = powerOf(module, path);
  if (found && found.rest.length === 0) return { label: found.module, category: found.power.category, builtinModule: true };
  if (found && found.rest.length === 1 && isPowerFunction(found.power, found.rest[0])) {
    return { label: `${found.module}.${found.rest[0]}`, category: found.power.category, builtinFunction: true };
  }
  if (module === 'vm' && (path.length === 0 || (path.length === 1 && VM_COMPILERS.has(path[0])))) {
    return { label: path.length ? `vm.${path[0]}` : "the 'vm' module", category: 'dynamic-code' };
  }
  return undefined;
}
