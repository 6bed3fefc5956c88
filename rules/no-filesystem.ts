/**
 * File-system access. Loading `fs` or a library around it is the
 * `filesystem` capability (high until declared). Passing a sensitive path —
 * SSH and cloud credentials, `/etc`, browser profiles, wallets, `.env` —
 * is critical whatever the manifest says: to any function of an fs module
 * (however it was reached), and, as a fully folded path starting at home,
 * root or a drive, to any other call but a string or collection method —
 * which covers wrappers such as `readJson(join(homedir(), '.aws', 'credentials'))`.
 * A load whose every use stays in the data folder (or reads the package) is
 * low; a `process.chdir` out of the data folder is high where it happens,
 * since every relative path of every file then moves with it.
 */
import type { Rule } from 'eslint';
import type { AnyNode } from './utils/ast.js';
import { assignedTargets, climbToValue, climbWrappers, descendants, plainKeyName, unwrap } from './utils/ast.js';
import { isInteropHelperCall } from './utils/interop-helpers.js';
import { defineRule } from './meta.js';
import { combineListeners } from './utils/listeners.js';
import { moduleLoadListeners, packageLoadListeners } from './utils/modules.js';
import { packageName } from './utils/specifiers.js';
import { HOME, PLUGIN_ROOT } from './utils/markers.js';
import { enclosingWithObjects, findVariable } from './utils/scope.js';
import { report } from './utils/report.js';
import { Resolver, calleeLabel, memberName, resolverFor, type NormalizedCall, type Ref } from './utils/resolve.js';
import { PROCESS_ENVIRONMENT, sensitivePathReason } from './utils/sensitive-paths.js';
import { DATA_ROOT } from './utils/markers.js';
import { isWholeTree } from './utils/manifest.js';
import { PathProver, isInside, partlyKnownPaths, shownPlace, type PathProof } from './utils/path-proof.js';

const PACKAGES = new Map(
  [
    'fs', 'graceful-fs', 'fs-extra', 'original-fs', 'fs-jetpack', 'jsonfile', 'write-file-atomic', 'rimraf', 'mkdirp', 'make-dir', 'del',
    // Databases opened from a file: a browser's cookie or login store is one.
    'sqlite', 'better-sqlite3', 'sqlite3',
    // Archivers and globbers: they read and write whatever paths they are given (`tar.c({ cwd: homedir() }, ['.ssh'])`).
    'tar', 'archiver', 'adm-zip', 'unzipper', 'extract-zip', 'decompress', 'yauzl', 'yazl', 'jszip', 'fast-glob', 'globby', 'glob', 'tinyglobby', 'chokidar',
  ].map((name) => [name, true]),
);
/** Functions that only compute paths; the call that receives their result is the one that touches the file. */
const PATH_BUILDERS = new Set(['path', 'path/posix', 'path/win32', 'os']);
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
/** fs functions whose paths an own use may pass, each read or written as READERS, WRITERS and TWO_PATHS say (links are left out: one can point anywhere). */
const OWN_USE_FUNCTIONS = new Set([...READERS, ...WRITERS, ...GLOBS, ...[...TWO_PATHS].filter((name) => !/^(?:sym)?link/.test(name))]);
/** Modules whose whole use can be proven to stay in the plugin's own folder (to read) and its data folder. */
const READER_MODULES = new Set(['fs', 'fs/promises', 'graceful-fs', 'fs-extra', 'jsonfile']);

const rule = defineRule<'module' | 'ownFiles' | 'sensitivePath' | 'environmentFile' | 'sensitiveLoad' | 'wasiPreopen' | 'unprovenPath' | 'wholeTreeWalk' | 'changesDirectory' | 'movesDataFolder'>({
  name: 'no-filesystem',
  description: 'Reports file-system access, and as critical any use of credentials, /etc, browser profiles, wallets or .env files.',
  messages: {
    module: "Loads '{{module}}', which reads and writes files.",
    ownFiles: "Loads '{{module}}' only to read the plugin's own files and to use its data folder, which its sandbox grants anyway.",
    sensitivePath: "Passes '{{path}}' to {{callee}}: {{reason}}, which credential stealers read.",
    environmentFile: "Passes '{{path}}' to {{callee}}: {{reason}}; reading it reads the environment without process.env.",
    sensitiveLoad: "Loads '{{path}}' as a module ({{via}}): {{reason}}, which credential stealers read.",
    wasiPreopen: "Gives WebAssembly the host folder '{{path}}' through WASI preopens: {{reason}}.",
    unprovenPath: 'Passes {{path}} to {{callee}}; a declaration covers it only where the gate proves the path inside a declared folder.',
    wholeTreeWalk: "Walks everything under '{{folder}}' ({{how}}) with {{callee}}: SSH keys, credentials and wallets included.",
    changesDirectory: 'Changes the working directory to {{path}} with {{callee}}: every relative path in every file of the plugin then names a file there, which the gate (reading one file at a time, relative paths in the data folder) cannot place.',
    movesDataFolder: "Sets the dataDir of an object it was handed ({{target}}) to {{path}}: code in other files that builds data-folder paths from that object's dataDir then reaches there, while the gate (reading one file at a time) takes them for the data folder.",
  },
  findings: {
    module: { category: 'filesystem', severity: 'high', capability: 'filesystem' },
    ownFiles: { category: 'filesystem', severity: 'low', capability: 'filesystem' },
    sensitivePath: { category: 'filesystem', severity: 'critical', capability: 'filesystem' },
    // What it takes is the environment, so a reviewer finds it with the other env findings.
    environmentFile: { category: 'env', severity: 'critical', capability: 'filesystem' },
    sensitiveLoad: { category: 'filesystem', severity: 'critical', capability: 'filesystem' },
    wasiPreopen: { category: 'filesystem', severity: 'critical', capability: 'filesystem' },
    unprovenPath: { category: 'filesystem', severity: 'high', capability: 'filesystem' },
    wholeTreeWalk: { category: 'filesystem', severity: 'critical', capability: 'filesystem' },
    changesDirectory: { category: 'filesystem', severity: 'high', capability: 'filesystem' },
    // No declaration covers it: what it breaks is the proof that a path is in the data folder.
    movesDataFolder: { category: 'filesystem', severity: 'high' },
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
    /**
     * The reference `node` to an fs function named `name` is an own use: a call whose every path is proven, without a
     * climbing segment, in the data folder or (to read) the plugin's own folder; or a test that the function exists.
     */
    /** A name bound as a function's parameter: an object the plugin was handed (the host's `ctx` among them). */
    const isParameter = (input: AnyNode): boolean => {
      let node = unwrap(input);
      // `const c = ctx; c.dataDir = …`: a name that only holds the parameter.
      for (let hops = 0; node.type === 'Identifier' && hops < 8; hops++) {
        const variable = findVariable(context.sourceCode.getScope(node as never), node.name);
        if (variable?.defs.length === 1 && variable.defs[0].type === 'Parameter') return true;
        const alias = resolver.aliasedExpression(node)?.node;
        if (!alias || unwrap(alias) === node) return false;
        node = unwrap(alias);
      }
      return false;
    };
    const ownUse = (node: AnyNode, name: string | undefined, prover: PathProver): boolean => {
      // `(0, fs_1.readFileSync)(p)`, as TypeScript calls a named import: the same function, called without `this`.
      const { node: callee, parent: call } = climbToValue(node);
      if (name === undefined || !OWN_USE_FUNCTIONS.has(name)) return false;
      if (isPresenceTest(callee, call)) return true;
      if (call?.type !== 'CallExpression' || call.callee !== callee) return false;
      const targets = placedTargets(resolver, prover, name, call.arguments);
      return targets.length > 0 && targets.every(({ proof, writes }) => proof !== undefined && !proof.climbs && (isInside(proof.folder, DATA_ROOT) || (!writes && isInside(proof.folder, PLUGIN_ROOT))));
    };

    /** A reference to the module's member `key`: a function used as its own, or the `promises` object, whose functions are. */
    const usesFunction = (reference: AnyNode, key: string | undefined, prover: PathProver, depth: number): boolean =>
      key === 'promises' ? valueReadsOwnFiles(reference, prover, depth + 1) : ownUse(reference, key, prover);

    /** An fs module value whose every use reads one of the plugin's own files (`fs.readFileSync(join(__dirname, 'a.json'))`). */
    const valueReadsOwnFiles = (node: AnyNode, prover: PathProver, depth = 0): boolean => {
      const { node: value, parent } = climbWrappers(node);
      if (!parent || depth > 2) return false;
      // `__importDefault(require('fs'))`, `__toESM(require('fs'))`: a compiler's interop helper hands back the module.
      if (parent.type === 'CallExpression' && parent.arguments[0] === value && isInteropHelperCall(parent, resolver)) return valueReadsOwnFiles(parent, prover, depth);
      if (parent.type === 'MemberExpression' && parent.object === value) {
        const key = memberName(parent, resolver.folder);
        // `fs_1.default`: where an interop helper puts the module, and a builtin's ESM default export, is the module.
        if (key === 'default') return valueReadsOwnFiles(parent, prover, depth);
        return key === 'promises' ? valueReadsOwnFiles(parent, prover, depth + 1) : ownUse(parent, key, prover);
      }
      if (parent.type === 'VariableDeclarator' && parent.init === value) return bindingReadsOwnFiles(parent.id, prover, depth);
      return false;
    };

    /** Each name a declaration binds the module (or its functions) to is only used to read own files. */
    const bindingReadsOwnFiles = (pattern: AnyNode, prover: PathProver, depth: number): boolean => {
      const uses = (identifier: AnyNode, check: (reference: AnyNode) => boolean) => {
        const variable = findVariable(context.sourceCode.getScope(identifier as never), identifier.name);
        const reads = variable?.references.filter((reference) => reference.isRead()) ?? [];
        return reads.length > 0 && reads.every((reference) => check(reference.identifier as unknown as AnyNode));
      };
      if (pattern.type === 'Identifier') return uses(pattern, (reference) => valueReadsOwnFiles(reference, prover, depth + 1));
      if (pattern.type !== 'ObjectPattern') return false;
      return pattern.properties.every((property: AnyNode) => {
        const key = property.type === 'Property' ? (property.computed ? resolver.folder.foldString(property.key) : plainKeyName(property.key, false)) : undefined;
        return property.value?.type === 'Identifier' && uses(property.value, (reference) => usesFunction(reference, key, prover, depth));
      });
    };

    const readsOnlyOwnFiles = (loadNode: AnyNode, prover: PathProver): boolean => {
      if (loadNode.type === 'ImportDeclaration') {
        return loadNode.specifiers.length > 0 && loadNode.specifiers.every((specifier: AnyNode) => {
          const name = specifier.type === 'ImportSpecifier' ? plainKeyName(specifier.imported, false) : undefined;
          const variable = findVariable(context.sourceCode.getScope(specifier.local as never), specifier.local.name);
          const reads = variable?.references.filter((reference) => reference.isRead()) ?? [];
          const check = (reference: AnyNode) => (specifier.type === 'ImportSpecifier' ? usesFunction(reference, name, prover, 0) : valueReadsOwnFiles(reference, prover));
          return reads.length > 0 && reads.every((reference) => check(reference.identifier as unknown as AnyNode));
        });
      }
      return loadNode.type === 'CallExpression' && valueReadsOwnFiles(loadNode, prover);
    };

    /** fs loads and calls, judged at the end of the file: a `process.chdir` anywhere makes every relative path unknown. */
    const fsLoads: { node: AnyNode; name: string; specifier: string | undefined }[] = [];
    const fsCalls: { node: AnyNode; call: NormalizedCall; sensitive: boolean }[] = [];
    const directoryChanges: NormalizedCall[] = [];

    /** Where each path an fs call is given lies; a call whose path is not proven inside the always granted folders is reported with it. */
    const checkPlacement = ({ call }: { call: NormalizedCall }, prover: PathProver) => {
      const path = call.callee!.path;
      // A function of the module (`fs.readFileSync`, `fs.promises.readFile`), not a method of what one returned.
      if (path.length > 2 || (path.length === 2 && path[0] !== 'promises')) return;
      const name = path[path.length - 1];
      const args = call.args ?? [];
      if (FD_FUNCTIONS.has(name) || args.length === 0 || typeof resolver.folder.fold(args[0])?.value === 'number') return;
      const targets = placedTargets(resolver, prover, name, args);
      for (const { arg, proof, how, writes } of targets) {
        // The package is granted to read only: a write into it is judged as one anywhere else.
        if (proof && (isInside(proof.folder, DATA_ROOT) || (!writes && isInside(proof.folder, PLUGIN_ROOT)))) continue;
        const callee = calleeLabel(context.sourceCode, call);
        // Placing folds more than the first look did (a Buffer of the path's bytes).
        const reason = proof && sensitivePathReason(proof.folder);
        if (reason) {
          report(context, rule, { node: arg, messageId: sensitiveMessage(reason), data: { path: proof.folder, reason, callee } });
          continue;
        }
        if (proof && how && proof.open && isWholeTree(proof.folder)) {
          report(context, rule, { node: arg, messageId: 'wholeTreeWalk', data: { folder: proof.folder, how, callee } });
          continue;
        }
        const path = proof ? `'${shownPlace(proof)}'` : 'a path the gate cannot place';
        // `from`: another module's export the path comes from, which the analyzer may find proven in the data folder.
        const from = proof ? undefined : prover.importedPlace(arg);
        const placed = { folder: proof?.folder ?? '', open: proof?.open ? 'yes' : 'no', climbs: proof?.climbs ? 'yes' : 'no', access: writes ? 'write' : 'read', ...(from ? { from } : {}) };
        report(context, rule, { node: arg, messageId: 'unprovenPath', data: { path, callee, ...placed } });
      }
    };

    const isChdir = (node: AnyNode | null | undefined) => node != null && node.type !== 'SpreadElement' && Resolver.nameOf(resolver.resolve(node)) === 'process.chdir';
    /** `process.chdir` handed on as a value (`[home].forEach(process.chdir)`, `setTimeout(chdir, 0, home)`): called where the gate cannot see with what. */
    const chdirValues: AnyNode[] = [];
    /** A handed object's dataDir set: where, what it names, and the value (undefined for a getter the gate cannot place). */
    const dataDirWrites: { node: AnyNode; target: AnyNode; value: AnyNode | undefined }[] = [];
    /** `Object.assign(ctx, { dataDir })`, `Reflect.set(ctx, 'dataDir', v)`, `Object.defineProperty(ctx, 'dataDir', { value })`. */
    const noteDataDirSet = (node: AnyNode, name: string | undefined, args: AnyNode[]) => {
      const [target, key, third] = args;
      if (!target || !isParameter(target)) return;
      if (name === 'Object.assign') {
        // A literal's own dataDir, also spread from another literal. A source the gate cannot read (`Object.assign(opts,
        // defaults)`) is not taken for a move: merging options is what most code does with what it is handed.
        const literals = args.slice(1).map(unwrap);
        for (const literal of literals) {
          if (literal.type !== 'ObjectExpression') continue;
          for (const property of literal.properties) {
            if (property.type === 'SpreadElement') literals.push(unwrap(property.argument));
            else if ((property.computed ? resolver.folder.foldString(property.key) : plainKeyName(property.key, false)) === 'dataDir') dataDirWrites.push({ node, target, value: property.kind === 'init' ? property.value : undefined });
          }
        }
        return;
      }
      if (!key || resolver.folder.foldString(key) !== 'dataDir') return;
      if (name === 'Reflect.set') dataDirWrites.push({ node, target, value: third });
      else if (name === 'Object.defineProperty' || name === 'Reflect.defineProperty') {
        const descriptor = third && unwrap(third);
        const value = descriptor?.type === 'ObjectExpression' ? descriptor.properties.find((property: AnyNode) => property.type === 'Property' && plainKeyName(property.key, property.computed) === 'value')?.value : undefined;
        dataDirWrites.push({ node, target, value });
      }
    };
    const onCall = (node: AnyNode) => {
      const call = resolver.normalizeCall(node);
      if (call.callee?.module === undefined && call.args) noteDataDirSet(node, call.callee?.path.join('.'), call.args);
      if (call.callee?.module === undefined && call.callee?.path.join('.') === 'process.chdir') directoryChanges.push(call);
      // Reflect.apply's first argument is the function called, with arguments the normalized call already has.
      node.arguments.forEach((arg: AnyNode, i: number) => isChdir(arg) && !(i === 0 && call.calleeNode === unwrap(arg)) && chdirValues.push(arg));
      if (call.callee?.module === 'wasi' && call.callee.path.join('.') === 'WASI') checkWasi(node, call);
      if (call.callee?.module !== undefined && PATH_BUILDERS.has(call.callee.module)) return;
      const fsCall = isFsFunction(call.callee);
      if (!fsCall && (node.type === 'NewExpression' || isValueMethod(resolver, call.calleeNode))) return;
      const pending = fsCall ? { node, call, sensitive: false } : undefined;
      if (pending) fsCalls.push(pending);
      for (const arg of call.args ?? []) {
        const path = fsCall ? (resolver.folder.foldString(arg) ?? fileUrlPath(resolver, arg)) : resolver.folder.foldString(arg);
        // Several paths the argument may be (a loop over a list, a choice, a helper called with each): any sensitive one counts.
        const possible = () => (resolver.folder.possibleValues(arg) ?? []).filter((value): value is string => typeof value === 'string');
        const candidates = path !== undefined ? [path] : fsCall ? [...partlyKnownPaths(resolver, arg), ...possible()] : isPathShape(arg) ? possible() : [];
        for (const candidate of candidates) {
          if (!fsCall && !LOCATED.test(candidate)) continue;
          const reason = sensitivePathReason(candidate);
          if (reason === undefined) continue;
          report(context, rule, { node: arg, messageId: sensitiveMessage(reason), data: { path: candidate, reason, callee: calleeLabel(context.sourceCode, call) } });
          if (pending) pending.sensitive = true;
          break;
        }
      }
    };
    return combineListeners(
      packageLoadListeners(context, PACKAGES, (load, name) => fsLoads.push({ node: load.node, name, specifier: load.specifier })),
      // `import cfg from '/home/u/.docker/config.json' with { type: 'json' }`, `require(join(homedir(), '.aws/credentials.json'))`.
      moduleLoadListeners(context, (load) => {
        const path = load.specifier?.startsWith('file:') && URL.canParse(load.specifier) ? decodeURIComponent(new URL(load.specifier).pathname) : load.specifier;
        const reason = path !== undefined && LOCATED.test(path) ? sensitivePathReason(path) : undefined;
        if (reason) report(context, rule, { node: load.node, messageId: 'sensitiveLoad', data: { path: path!, via: load.via, reason } });
      }),
      {
        CallExpression: onCall,
        NewExpression: onCall,
        AssignmentExpression: (node: AnyNode) => {
          const target = unwrap(node.left);
          if (node.operator === '=' && target.type === 'MemberExpression' && memberName(target, resolver.folder) === 'dataDir' && isParameter(target.object)) dataDirWrites.push({ node, target: node.left, value: node.right });
          // `with (ctx) { dataDir = home; }` (also destructured, or `+=`) writes ctx's member when the body declares no dataDir.
          for (const written of assignedTargets(node.left)) {
            if (written.type !== 'Identifier' || written.name !== 'dataDir') continue;
            const objects = enclosingWithObjects(written, findVariable(context.sourceCode.getScope(written as never), 'dataDir'));
            const value = node.operator === '=' && written === target ? node.right : undefined;
            for (const object of objects) if (isParameter(object)) dataDirWrites.push({ node, target: object, value });
          }
        },
        ArrayExpression: (node: AnyNode) => chdirValues.push(...node.elements.filter(isChdir)),
        Property: (node: AnyNode) => node.parent?.type === 'ObjectExpression' && isChdir(node.value) && chdirValues.push(node.value),
        'Program:exit'() {
          const isListing = (node: AnyNode) => {
            const callee = resolver.normalizeCall(node).callee;
            return isFsFunction(callee) && LISTINGS.has(callee!.path[callee!.path.length - 1]);
          };
          const scopeOf = (node: AnyNode) => context.sourceCode.getScope(node as never);
          const prover = new PathProver(resolver, scopeOf, directoryChanges.length === 0, isListing);
          const absolute = new PathProver(resolver, scopeOf, false, isListing);
          for (const load of fsLoads) {
            const own = READER_MODULES.has(load.specifier ?? '') && readsOnlyOwnFiles(load.node, prover);
            // `relative`: some path is proven only as relative to the data folder, the working directory in the sandbox;
            // run at install, the same path is in the package folder (the analyzer's install check reads it).
            const data: Record<string, string> = own ? { module: load.name, relative: readsOnlyOwnFiles(load.node, absolute) ? 'no' : 'yes' } : { module: load.name };
            report(context, rule, { node: load.node, messageId: own ? 'ownFiles' : 'module', data });
          }
          for (const pending of fsCalls) if (!pending.sensitive) checkPlacement(pending, prover);
          // Relative paths in the other files are placed in the data folder: a move anywhere but inside it is reported where it happens.
          for (const call of directoryChanges) {
            const target = call.args?.[0];
            const proof = target && target.type !== 'SpreadElement' ? absolute.prove(target) : undefined;
            if (proof && !proof.climbs && isInside(proof.folder, DATA_ROOT)) continue;
            const path = proof ? `'${shownPlace(proof)}'` : 'a folder the gate cannot place';
            report(context, rule, { node: target ?? call.node, messageId: 'changesDirectory', data: { path, callee: calleeLabel(context.sourceCode, call), folder: '' } });
          }
          for (const value of chdirValues) report(context, rule, { node: value, messageId: 'changesDirectory', data: { path: 'a folder the gate cannot place', callee: 'process.chdir, handed on as a value', folder: '' } });
          // `prepare(ctx)` in another file that sets `ctx.dataDir = os.homedir()`: reported where the folder moves, unless it stays inside.
          for (const write of dataDirWrites) {
            // Built from a dataDir (`opts.dataDir = path.join(ctx.dataDir, 'x')`) it stays where that one is.
            // Also a with body's own `dataDir` (`with (ctx) { dataDir = path.join(dataDir, 'x') }`).
            const fromDataDir = (node: AnyNode) => (node.type === 'MemberExpression' && memberName(node, resolver.folder) === 'dataDir') || (node.type === 'Identifier' && node.name === 'dataDir' && enclosingWithObjects(node, findVariable(context.sourceCode.getScope(node as never), 'dataDir')).length > 0);
            if (write.value && descendants(write.value, fromDataDir).length > 0) continue;
            const proof = write.value && absolute.prove(write.value);
            if (proof && !proof.climbs && isInside(proof.folder, DATA_ROOT)) continue;
            const path = proof ? `'${shownPlace(proof)}'` : 'a folder the gate cannot place';
            const target = write.target === write.node.left ? context.sourceCode.getText(write.target as never) : `${context.sourceCode.getText(write.target as never)}.dataDir`;
            report(context, rule, { node: write.node, messageId: 'movesDataFolder', data: { path, target: target.slice(0, 40) } });
          }
        },
      } as Rule.RuleListener,
    );
  },
});

/** The paths an fs function named `name` is given, each placed, with how it is walked and whether it is written. */
function placedTargets(resolver: Resolver, prover: PathProver, name: string, args: AnyNode[]): { arg: AnyNode; proof: PathProof | undefined; how?: string; writes?: boolean }[] {
  const options = args[1] && unwrap(args[1]);
  const option = (key: string) => (options?.type === 'ObjectExpression' ? options.properties.find((p: AnyNode) => p.type === 'Property' && plainKeyName(p.key, p.computed) === key)?.value : undefined);
  const recursive = option('recursive') !== undefined && resolver.folder.fold(option('recursive'))?.value === true;
  if (GLOBS.has(name)) return args.length === 0 ? [] : [{ arg: args[0], proof: globProof(prover, resolver, args[0], option('cwd')), how: 'a glob' }];
  // An options object first (`tar.c({ cwd, file }, files)`, archivers): its path options are the paths.
  const first = args[0] && unwrap(args[0]);
  if (first?.type === 'ObjectExpression') {
    return first.properties
      .filter((property: AnyNode) => property.type === 'Property' && OPTION_PATHS.has(plainKeyName(property.key, property.computed) ?? ''))
      .map((property: AnyNode) => {
        const key = plainKeyName(property.key, property.computed)!;
        const writes = OUTPUT_OPTIONS.has(key) || (key === 'cwd' && EXTRACTORS.has(name));
        return { arg: property.value, proof: prover.prove(property.value), writes };
      });
  }
  const paths = TWO_PATHS.has(name) ? args.slice(0, 2) : args.slice(0, 1);
  return paths.map((arg: AnyNode, i: number) => {
    const proof = arg.type === 'SpreadElement' ? undefined : prover.prove(arg);
    const writes = WRITERS.has(name) || (i === 1 && TWO_PATHS.has(name)) || (i === 0 && /^(?:rename|move)(?:Sync)?$/.test(name));
    return { arg, proof: proof && recursive ? { ...proof, open: true } : proof, how: recursive ? 'recursively' : undefined, writes };
  });
}

/** `fs.globSync ? … : …`, `if (fs.cpSync)`, `fs.rmSync && …`, `typeof fs.glob`: only asks whether the function exists. */
function isPresenceTest(node: AnyNode, parent: AnyNode | null | undefined): boolean {
  if (!parent) return false;
  if (parent.type === 'ConditionalExpression' || parent.type === 'IfStatement') return parent.test === node;
  if (parent.type === 'LogicalExpression') return parent.operator === '&&' && parent.left === node;
  return parent.type === 'UnaryExpression' && (parent.operator === 'typeof' || parent.operator === '!');
}

/** Options naming where an archiver or similar reads and writes (node-tar's `cwd`/`C`, `file`/`f`; `dest`, `path`…). */
const OPTION_PATHS = new Set(['cwd', 'C', 'file', 'f', 'path', 'dest', 'destination', 'dir', 'root', 'output']);
const OUTPUT_OPTIONS = new Set(['file', 'f', 'dest', 'destination', 'output']);
/** Calls that write into their `cwd` (node-tar's extract). */
const EXTRACTORS = new Set(['x', 'extract']);

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

/** A /proc environment file is the environment read by another door: reported with env, not with credentials on disk. */
function sensitiveMessage(reason: string): 'environmentFile' | 'sensitivePath' {
  return reason === PROCESS_ENVIRONMENT ? 'environmentFile' : 'sensitivePath';
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
