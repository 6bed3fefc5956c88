/**
 * File-system access. Loading `fs` or a library around it is the
 * `filesystem` capability (high until declared). Passing a sensitive path —
 * SSH and cloud credentials, `/etc`, browser profiles, wallets, `.env` —
 * is critical whatever the manifest says: to any function of an fs module
 * (however it was reached), and, as a fully folded path starting at home,
 * root or a drive, to any other call but a string or collection method —
 * which covers wrappers such as `readJson(join(homedir(), '.aws', 'credentials'))`.
 */
import type { Rule } from 'eslint';
import type { AnyNode } from './utils/ast.js';
import { climbWrappers, plainKeyName, unwrap } from './utils/ast.js';
import { defineRule } from './meta.js';
import { combineListeners } from './utils/listeners.js';
import { moduleLoadListeners, packageLoadListeners } from './utils/modules.js';
import { packageName } from './utils/specifiers.js';
import { HOME, PLUGIN_ROOT } from './utils/markers.js';
import { findVariable } from './utils/scope.js';
import { report } from './utils/report.js';
import { Resolver, calleeLabel, memberName, resolverFor, type NormalizedCall, type Ref } from './utils/resolve.js';
import { sensitivePathReason } from './utils/sensitive-paths.js';
import { DATA_ROOT } from './utils/markers.js';
import { isWholeTree } from './utils/manifest.js';
import { PathProver, concatOperands, type PathProof } from './utils/path-proof.js';

const PACKAGES = new Map(
  [
    'fs', 'graceful-fs', 'fs-extra', 'original-fs', 'fs-jetpack', 'jsonfile', 'write-file-atomic', 'rimraf', 'mkdirp', 'make-dir', 'del',
    // Databases opened from a file: a browser's cookie or login store is one.
    'sqlite', 'better-sqlite3', 'sqlite3',
  ].map((name) => [name, true]),
);
/** Functions that only compute paths; the call that receives their result is the one that touches the file. */
const PATH_BUILDERS = new Set(['path', 'path/posix', 'path/win32', 'os']);
/** Stands for a directory that could not be folded, in front of a known tail: `path.join(dir, '.env')`. */
const UNKNOWN_DIR = '*';
/**
 * Outside fs, only a located path (home, root, drive, app-data variable) is
 * a target: a bare `.env` or `.npmrc` handed to some function is more often
 * compared or listed than opened.
 */
const LOCATED = /^(?:[~/]|[a-z]:[\\/]|%|\$)/i;
/** Methods of built-in values compare, search or store a string (`p.startsWith('/etc/')`); they open nothing. */
const VALUE_METHODS = new Set(
  [String.prototype, Array.prototype, Set.prototype, Map.prototype, RegExp.prototype, Object.prototype]
    .flatMap((proto) => Object.getOwnPropertyNames(proto))
    .filter((name) => name !== 'constructor'),
);

/** fs functions that only read (or test for) the file their first argument names. */
const READERS = new Set([
  'readFile', 'readFileSync', 'existsSync', 'exists', 'stat', 'statSync', 'lstat', 'lstatSync', 'readdir', 'readdirSync',
  'access', 'accessSync', 'createReadStream', 'realpath', 'realpathSync', 'opendir', 'opendirSync', 'readJson', 'readJsonSync',
]);
/** fs functions whose first argument is an open file descriptor, not a path. */
const FD_FUNCTIONS = new Set(
  ['close', 'read', 'write', 'readv', 'writev', 'fstat', 'fsync', 'fdatasync', 'ftruncate', 'futimes', 'fchmod', 'fchown'].flatMap((name) => [name, `${name}Sync`]),
);
/** fs functions whose second argument is a path too: `copyFile(from, to)`. */
const TWO_PATHS = new Set(['copyFile', 'cp', 'rename', 'link', 'symlink', 'copy', 'move'].flatMap((name) => [name, `${name}Sync`]));
/** fs functions that change what their first path names (and, for TWO_PATHS, create the second): a write grant must cover them. */
const WRITERS = new Set(
  ['writeFile', 'appendFile', 'mkdir', 'mkdtemp', 'rm', 'rmdir', 'unlink', 'truncate', 'chmod', 'chown', 'lchown', 'utimes', 'lutimes', 'outputFile', 'outputJson', 'writeJson', 'ensureDir', 'ensureFile', 'remove', 'emptyDir']
    .flatMap((name) => [name, `${name}Sync`])
    .concat('createWriteStream'),
);
/** fs functions that list a folder: the names they return are single path segments. */
const LISTINGS = new Set(['readdir', 'readdirSync', 'glob', 'globSync']);
/** Functions that walk what a pattern matches under a folder (`options.cwd`, else the working directory). */
const GLOBS = new Set(['glob', 'globSync']);
/** Modules whose whole use can be proven to read the plugin's own files. */
const READER_MODULES = new Set(['fs', 'fs/promises', 'graceful-fs', 'fs-extra', 'jsonfile']);

const rule = defineRule<'module' | 'ownFiles' | 'sensitivePath' | 'sensitiveLoad' | 'wasiPreopen' | 'unprovenPath' | 'wholeTreeWalk'>({
  name: 'no-filesystem',
  description: 'Reports file-system access, and as critical any use of credentials, /etc, browser profiles, wallets or .env files.',
  messages: {
    module: "Loads '{{module}}', which reads and writes files.",
    ownFiles: "Loads '{{module}}' only to read the plugin's own files, which its sandbox can read anyway.",
    sensitivePath: "Passes '{{path}}' to {{callee}}: {{reason}}, which credential stealers read.",
    sensitiveLoad: "Loads '{{path}}' as a module ({{via}}): {{reason}}, which credential stealers read.",
    wasiPreopen: "Gives WebAssembly the host folder '{{path}}' through WASI preopens: {{reason}}.",
    unprovenPath: 'Passes {{path}} to {{callee}}; a declaration covers it only where the gate proves the path inside a declared folder.',
    wholeTreeWalk: "Walks everything under '{{folder}}' ({{how}}) with {{callee}}: SSH keys, credentials and wallets included.",
  },
  findings: {
    module: { category: 'filesystem', severity: 'high', capability: 'filesystem' },
    ownFiles: { category: 'filesystem', severity: 'low', capability: 'filesystem' },
    sensitivePath: { category: 'filesystem', severity: 'critical', capability: 'filesystem' },
    sensitiveLoad: { category: 'filesystem', severity: 'critical', capability: 'filesystem' },
    wasiPreopen: { category: 'filesystem', severity: 'critical', capability: 'filesystem' },
    unprovenPath: { category: 'filesystem', severity: 'high', capability: 'filesystem' },
    wholeTreeWalk: { category: 'filesystem', severity: 'critical', capability: 'filesystem' },
  },
  create(context) {
    const resolver = resolverFor(context);
    /** `new WASI({ preopens: { '/sandbox': '/' } })`: each host folder handed to WebAssembly. */
    const checkWasi = (node: AnyNode, call: NormalizedCall) => {
      const options = call.args?.[0] && unwrap(call.args[0]);
      const preopens = options?.type === 'ObjectExpression' ? options.properties.find((p: AnyNode) => p.type === 'Property' && plainKeyName(p.key, p.computed) === 'preopens')?.value : undefined;
      const map = preopens && resolver.folder.fold(preopens)?.value;
      if (!map || typeof map !== 'object') return;
      for (const host of Object.values(map as Record<string, unknown>)) {
        if (typeof host !== 'string') continue;
        const whole = host === '/' || host === HOME || /^[a-z]:[\\/]?$/i.test(host) ? 'the whole file system or home folder' : undefined;
        const reason = whole ?? sensitivePathReason(host);
        if (reason) report(context, rule, { node, messageId: 'wasiPreopen', data: { path: host, reason } });
      }
    };
    /** A path the gate folded under the plugin's own folder (from `__dirname`, `import.meta.url`), not climbing out. */
    const isOwnPath = (node: AnyNode | undefined): boolean => {
      if (!node) return false;
      const url = resolver.folder.foldUrl(node);
      const path = url?.protocol === 'file:' ? decodeURIComponent(url.pathname) : resolver.folder.foldString(node);
      return path !== undefined && (path === PLUGIN_ROOT || path.startsWith(`${PLUGIN_ROOT}/`));
    };

    /** The call `node` (an fs function, named `name`) is, if it reads one of the plugin's own files. */
    const ownRead = (node: AnyNode, name: string | undefined): boolean => {
      const { node: callee, parent: call } = climbWrappers(node);
      return name !== undefined && READERS.has(name) && call?.type === 'CallExpression' && call.callee === callee && isOwnPath(call.arguments[0]);
    };

    /** An fs module value whose every use reads one of the plugin's own files (`fs.readFileSync(join(__dirname, 'a.json'))`). */
    const valueReadsOwnFiles = (node: AnyNode, depth = 0): boolean => {
      const { node: value, parent } = climbWrappers(node);
      if (!parent || depth > 2) return false;
      if (parent.type === 'MemberExpression' && parent.object === value) {
        const key = memberName(parent, resolver.folder);
        return key === 'promises' ? valueReadsOwnFiles(parent, depth + 1) : ownRead(parent, key);
      }
      if (parent.type === 'VariableDeclarator' && parent.init === value) return bindingReadsOwnFiles(parent.id, depth);
      return false;
    };

    /** Each name a declaration binds the module (or its functions) to is only used to read own files. */
    const bindingReadsOwnFiles = (pattern: AnyNode, depth: number): boolean => {
      const uses = (identifier: AnyNode, check: (reference: AnyNode) => boolean) => {
        const variable = findVariable(context.sourceCode.getScope(identifier as never), identifier.name);
        const reads = variable?.references.filter((reference) => reference.isRead()) ?? [];
        return reads.length > 0 && reads.every((reference) => check(reference.identifier as unknown as AnyNode));
      };
      if (pattern.type === 'Identifier') return uses(pattern, (reference) => valueReadsOwnFiles(reference, depth + 1));
      if (pattern.type !== 'ObjectPattern') return false;
      return pattern.properties.every((property: AnyNode) => {
        const key = property.type === 'Property' ? (property.computed ? resolver.folder.foldString(property.key) : plainKeyName(property.key, false)) : undefined;
        return property.value?.type === 'Identifier' && uses(property.value, (reference) => ownRead(reference, key));
      });
    };

    const readsOnlyOwnFiles = (loadNode: AnyNode): boolean => {
      if (loadNode.type === 'ImportDeclaration') {
        return loadNode.specifiers.length > 0 && loadNode.specifiers.every((specifier: AnyNode) => {
          const name = specifier.type === 'ImportSpecifier' ? plainKeyName(specifier.imported, false) : undefined;
          const variable = findVariable(context.sourceCode.getScope(specifier.local as never), specifier.local.name);
          const reads = variable?.references.filter((reference) => reference.isRead()) ?? [];
          const check = (reference: AnyNode) => (specifier.type === 'ImportSpecifier' ? ownRead(reference, name) : valueReadsOwnFiles(reference));
          return reads.length > 0 && reads.every((reference) => check(reference.identifier as unknown as AnyNode));
        });
      }
      return loadNode.type === 'CallExpression' && valueReadsOwnFiles(loadNode);
    };

    /** fs calls, judged at the end of the file: a `process.chdir` anywhere makes every relative path unknown. */
    const fsCalls: { node: AnyNode; call: NormalizedCall; sensitive: boolean }[] = [];
    let changesDirectory = false;

    /** Where each path an fs call is given lies; a call whose path is not proven inside the always granted folders is reported with it. */
    const checkPlacement = ({ call }: { call: NormalizedCall }, prover: PathProver) => {
      const path = call.callee!.path;
      // A function of the module (`fs.readFileSync`, `fs.promises.readFile`), not a method of what one returned.
      if (path.length > 2 || (path.length === 2 && path[0] !== 'promises')) return;
      const name = path[path.length - 1];
      const args = call.args ?? [];
      if (FD_FUNCTIONS.has(name) || args.length === 0 || typeof resolver.folder.fold(args[0])?.value === 'number') return;
      const options = args[1] && unwrap(args[1]);
      const option = (key: string) => (options?.type === 'ObjectExpression' ? options.properties.find((p: AnyNode) => p.type === 'Property' && plainKeyName(p.key, p.computed) === key)?.value : undefined);
      const recursive = option('recursive') !== undefined && resolver.folder.fold(option('recursive'))?.value === true;
      const targets: { arg: AnyNode; proof: PathProof | undefined; how?: string; writes?: boolean }[] = [];
      if (GLOBS.has(name)) {
        const cwd = option('cwd');
        targets.push({ arg: args[0], proof: globProof(prover, resolver, args[0], cwd), how: 'a glob' });
      } else {
        const paths = TWO_PATHS.has(name) ? args.slice(0, 2) : args.slice(0, 1);
        paths.forEach((arg: AnyNode, i: number) => {
          const proof = prover.prove(arg);
          const writes = WRITERS.has(name) || (i === 1 && TWO_PATHS.has(name)) || (i === 0 && /^(?:rename|move)(?:Sync)?$/.test(name));
          targets.push({ arg, proof: proof && recursive ? { ...proof, open: true } : proof, how: recursive ? 'recursively' : undefined, writes });
        });
      }
      for (const { arg, proof, how, writes } of targets) {
        if (proof && (isUnder(proof.folder, PLUGIN_ROOT) || isUnder(proof.folder, DATA_ROOT))) continue;
        const callee = calleeLabel(context.sourceCode, call);
        // Placing folds more than the first look did (a Buffer of the path's bytes).
        const reason = proof && sensitivePathReason(proof.folder);
        if (reason) {
          report(context, rule, { node: arg, messageId: 'sensitivePath', data: { path: proof.folder, reason, callee } });
          continue;
        }
        if (proof && how && proof.open && isWholeTree(proof.folder)) {
          report(context, rule, { node: arg, messageId: 'wholeTreeWalk', data: { folder: proof.folder, how, callee } });
          continue;
        }
        const path = proof ? `'${proof.folder}${proof.open ? '/…' : ''}'` : 'a path the gate cannot place';
        const placed = { folder: proof?.folder ?? '', open: proof?.open ? 'yes' : 'no', climbs: proof?.climbs ? 'yes' : 'no', access: writes ? 'write' : 'read' };
        report(context, rule, { node: arg, messageId: 'unprovenPath', data: { path, callee, ...placed } });
      }
    };

    const onCall = (node: AnyNode) => {
      const call = resolver.normalizeCall(node);
      if (call.callee?.module === undefined && call.callee?.path.join('.') === 'process.chdir') changesDirectory = true;
      if (call.callee?.module === 'wasi' && call.callee.path.join('.') === 'WASI') checkWasi(node, call);
      if (call.callee?.module !== undefined && PATH_BUILDERS.has(call.callee.module)) return;
      const fsCall = isFsFunction(call.callee);
      if (!fsCall && (node.type === 'NewExpression' || isValueMethod(resolver, call.calleeNode))) return;
      const pending = fsCall ? { node, call, sensitive: false } : undefined;
      if (pending) fsCalls.push(pending);
      for (const arg of call.args ?? []) {
        const path = fsCall ? (resolver.folder.foldString(arg) ?? fileUrlPath(resolver, arg) ?? foldPathTail(resolver, arg)) : resolver.folder.foldString(arg);
        // Several paths the argument may be (a loop over a list, a choice, a helper called with each): any sensitive one counts.
        const candidates = path !== undefined ? [path] : fsCall || isPathShape(arg) ? ((resolver.folder.possibleValues(arg) ?? []).filter((value): value is string => typeof value === 'string')) : [];
        for (const candidate of candidates) {
          if (!fsCall && !LOCATED.test(candidate)) continue;
          const reason = sensitivePathReason(candidate);
          if (reason === undefined) continue;
          report(context, rule, { node: arg, messageId: 'sensitivePath', data: { path: candidate, reason, callee: calleeLabel(context.sourceCode, call) } });
          if (pending) pending.sensitive = true;
          break;
        }
      }
    };
    return combineListeners(
      packageLoadListeners(context, PACKAGES, (load, name) => {
        const own = READER_MODULES.has(load.specifier ?? '') && readsOnlyOwnFiles(load.node);
        report(context, rule, { node: load.node, messageId: own ? 'ownFiles' : 'module', data: { module: name } });
      }),
      // `import cfg from '/home/u/.docker/config.json' with { type: 'json' }`, `require(join(homedir(), '.aws/credentials.json'))`.
      moduleLoadListeners(context, (load) => {
        const path = load.specifier?.startsWith('file:') && URL.canParse(load.specifier) ? decodeURIComponent(new URL(load.specifier).pathname) : load.specifier;
        const reason = path !== undefined && LOCATED.test(path) ? sensitivePathReason(path) : undefined;
        if (reason) report(context, rule, { node: load.node, messageId: 'sensitiveLoad', data: { path: path!, via: load.via, reason } });
      }),
      {
        CallExpression: onCall,
        NewExpression: onCall,
        'Program:exit'() {
          const isListing = (node: AnyNode) => {
            const callee = resolver.normalizeCall(node).callee;
            return isFsFunction(callee) && LISTINGS.has(callee!.path[callee!.path.length - 1]);
          };
          const prover = new PathProver(resolver, (node) => context.sourceCode.getScope(node as never), !changesDirectory, isListing);
          for (const pending of fsCalls) if (!pending.sensitive) checkPlacement(pending, prover);
        },
      } as Rule.RuleListener,
    );
  },
});

/** Expressions that build a path from parts (`a + b`, a template, `path.join(…)`): worth listing the values of, outside fs calls. */
function isPathShape(input: AnyNode): boolean {
  const node = unwrap(input);
  return (node.type === 'BinaryExpression' && node.operator === '+') || (node.type === 'TemplateLiteral' && node.expressions.length > 0) || (node.type === 'CallExpression' && node.arguments.length > 1);
}

function isValueMethod(resolver: Resolver, callee: AnyNode): boolean {
  if (callee.type !== 'MemberExpression') return false;
  const method = callee.computed ? resolver.folder.foldString(callee.property) : callee.property.name;
  return method !== undefined && VALUE_METHODS.has(method);
}

function isFsFunction(callee: Ref | undefined): boolean {
  return callee?.module !== undefined && callee.path.length > 0 && PACKAGES.has(packageName(callee.module));
}

/** fs functions accept `new URL('file:///etc/passwd')` as a path. */
function fileUrlPath(resolver: Resolver, node: AnyNode): string | undefined {
  const url = resolver.folder.foldUrl(node);
  return url?.protocol === 'file:' ? decodeURIComponent(url.pathname) : undefined;
}

/**
 * The known end of a path whose start is not known: `path.join(dir, '..', '.env')`,
 * `dir + '/.ssh/id_rsa'`, `` `${dir}/.env` `` give `* /…`, enough to recognise the target.
 */
function foldPathTail(resolver: Resolver, input: AnyNode): string | undefined {
  const node = unwrap(input);
  const fold = (part: AnyNode) => resolver.folder.foldString(part);
  let tail: (string | undefined)[] | undefined;
  if (node.type === 'CallExpression' && /^path(\/posix|\/win32)?:(posix\.|win32\.)?(join|resolve)$/.test(Resolver.nameOf(resolver.resolve(node.callee)) ?? '')) {
    tail = node.arguments.map(fold);
  } else if (node.type === 'BinaryExpression' && node.operator === '+') {
    tail = concatOperands(node).map(fold);
  } else if (node.type === 'TemplateLiteral') {
    tail = node.quasis.flatMap((quasi: AnyNode, i: number) => [quasi.value.cooked as string, ...(i < node.expressions.length ? [fold(node.expressions[i])] : [])]);
  }
  if (!tail) return undefined;
  const lastUnknown = tail.lastIndexOf(undefined);
  const known = tail.slice(lastUnknown + 1) as string[];
  if (lastUnknown < 0 || known.length === 0) return undefined;
  const separator = node.type === 'CallExpression' ? '/' : '';
  return `${UNKNOWN_DIR}${separator}${known.join(separator)}`;
}

function isUnder(folder: string, root: string): boolean {
  return folder === root || folder.startsWith(`${root}/`);
}

/**
 * What a glob can match: the folders its pattern writes out before the first wildcard, under `cwd` (or the working
 * directory), and an unknown rest. A pattern that does not fold, or one that climbs (`../*`), is not placed.
 */
function globProof(prover: PathProver, resolver: Resolver, patternNode: AnyNode, cwd: AnyNode | undefined): PathProof | undefined {
  const value = resolver.folder.fold(patternNode)?.value;
  const patterns = typeof value === 'string' ? [value] : Array.isArray(value) && value.every((p) => typeof p === 'string') ? (value as string[]) : undefined;
  if (!patterns || patterns.length !== 1 || /(?:^|\/)\.\.(?:\/|$)/.test(patterns[0])) return undefined;
  const segments = patterns[0].split('/');
  const wild = segments.findIndex((segment) => /[*?[\]{}!]/.test(segment));
  const fixed = segments.slice(0, wild < 0 ? segments.length : wild).join('/') || (patterns[0].startsWith('/') ? '/' : '');
  const base = fixed.startsWith('/') || fixed.startsWith('~') ? undefined : cwd ? prover.prove(cwd) : prover.prove({ type: 'Literal', value: '.' } as AnyNode);
  if (!fixed.startsWith('/') && !fixed.startsWith('~') && !base) return undefined;
  const folder = base ? (fixed ? `${base.folder}/${fixed}` : base.folder) : fixed;
  return { folder, open: true };
}

export default rule;
