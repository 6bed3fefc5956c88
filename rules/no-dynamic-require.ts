/**
 * Module loads whose specifier cannot be known before run time: whatever the
 * gate cannot name it cannot judge, so `require(x)`, `import(x)`,
 * `createRequire(…)(x)`, `module.require(x)` and the rest are critical. The
 * exception is a literal relative prefix that stays inside the plugin
 * (`'./locales/' + lang + '.json'`, `` `./plugins/${name}.js` ``): low,
 * unless the rest after it is a path computed from a place (`__dirname`,
 * `ctx.dataDir`, `path.relative(…)`): such a rest is made to climb out with
 * `..`, to the data folder the plugin can write among others.
 * Specifiers that do fold are the module rules' business, not this one's.
 */
import type { Rule } from 'eslint';
import { posix } from 'node:path';
import { defineRule } from './meta.js';
import { PLUGIN_ROOT } from './utils/markers.js';
import { moduleLoadListeners } from './utils/modules.js';
import { report } from './utils/report.js';
import { literalPrefix } from './utils/load-records.js';
import { memberName, Resolver, resolverFor } from './utils/resolve.js';
import { childNodes, isFunctionNode, unwrap, type AnyNode } from './utils/ast.js';
import { IMPORT_META } from './utils/markers.js';
import { combineListeners } from './utils/listeners.js';
import { isOwnLocation } from './utils/module-builtin.js';
import { partlyKnownPaths } from './utils/path-proof.js';

/** fs functions that put content in a file, by the index of the argument naming the file written. */
const FILE_WRITERS = new Map<string, number>(
  [...['writeFile', 'appendFile', 'createWriteStream', 'outputFile'].map((name) => [name, 0] as const), ...['copyFile', 'cp', 'rename', 'copy', 'move'].map((name) => [name, 1] as const)].flatMap(([name, index]) => [[name, index], [`${name}Sync`, index]]),
);
const WRITING_MODULES = new Set(['fs', 'fs/promises', 'graceful-fs', 'fs-extra']);
/** What Node loads as code: a module or a native addon. */
const CODE_FILE = /\.(?:[cm]?js|node)$/i;

const rule = defineRule<'unresolvable' | 'localPrefix' | 'stagedCode' | 'placeRest' | 'outside' | 'climbsOut' | 'blobUrl' | 'foreignRequire'>({
  name: 'no-dynamic-require',
  description: 'Reports require/import() of module names that cannot be known before run time.',
  messages: {
    unresolvable: 'Loads a module whose name is only known at run time ({{via}}), so it could be any module.',
    localPrefix: "Loads a module chosen at run time from inside the plugin ('{{prefix}}…').",
    stagedCode: "Loads a module through '{{prefix}}' followed by a path known only at run time, in a file that writes code files ({{written}}): the rest can climb (`../`) to that code, which the gate never read.",
    placeRest: "Loads a module through '{{prefix}}' followed by a path computed from {{place}}, which can climb out of the plugin's folder (`../`) to code the gate has not read, such as a file the plugin wrote to its data folder.",
    outside: "Loads '{{specifier}}', code from outside the plugin ({{where}}) that the gate has not read.",
    climbsOut: "Loads a module through '{{specifier}}', which climbs out of the plugin's folder to code the gate has not read.",
    foreignRequire: 'Creates a require for {{where}}, not for this file, so what it loads is resolved from a place the gate has not read.',
    blobUrl: "Loads the blob: URL '{{specifier}}', code made at run time that the gate cannot read.",
  },
  findings: {
    unresolvable: { category: 'dynamic-import', severity: 'critical' },
    localPrefix: { category: 'dynamic-import', severity: 'low' },
    stagedCode: { category: 'dynamic-import', severity: 'critical' },
    placeRest: { category: 'dynamic-import', severity: 'critical' },
    outside: { category: 'dynamic-import', severity: 'critical' },
    climbsOut: { category: 'dynamic-import', severity: 'critical' },
    blobUrl: { category: 'dynamic-import', severity: 'critical' },
    foreignRequire: { category: 'dynamic-import', severity: 'critical' },
  },
  create(context) {
    const resolver = resolverFor(context);
    /** `createRequire(base)`: a require made for this file is ordinary; one for any other place loads from there. */
    const checkCreateRequire = (node: AnyNode) => {
      const call = resolver.normalizeCall(node);
      const base = call.args?.[0];
      if (Resolver.nameOf(call.callee) !== 'module:createRequire' || (base && isOwnLocation(resolver, base))) return;
      const folded = base && (resolver.folder.foldUrl(base)?.href ?? resolver.folder.foldString(base));
      report(context, rule, { node, messageId: 'foreignRequire', data: { where: folded === undefined ? 'a place only known at run time' : `'${shorten(folded)}'` } });
    };
    /** Code files this file writes (`path.join(ctx.dataDir, 'messages.js')`), and its loads through a local prefix. */
    const codeWrites: string[] = [];
    const prefixLoads: { node: AnyNode; prefix: string }[] = [];
    const noteCodeWrite = (node: AnyNode) => {
      const callee = resolver.normalizeCall(node).callee;
      const index = callee?.module !== undefined && WRITING_MODULES.has(callee.module.replace(/^node:/, '')) ? FILE_WRITERS.get(callee.path[callee.path.length - 1]) : undefined;
      const target = index === undefined ? undefined : resolver.normalizeCall(node).args?.[index];
      if (!target) return;
      const folded = resolver.folder.foldString(target);
      const written = (folded === undefined ? partlyKnownPaths(resolver, target) : [folded]).find((path) => CODE_FILE.test(path));
      if (written !== undefined) codeWrites.push(`'${shorten(written)}'`);
    };
    const reportPrefixLoads = () => {
      for (const { node, prefix } of prefixLoads) {
        if (codeWrites.length) report(context, rule, { node, messageId: 'stagedCode', data: { prefix, written: codeWrites.slice(0, 2).join(', ') } });
        else report(context, rule, { node, messageId: 'localPrefix', data: { prefix } });
      }
    };
    const listeners = { CallExpression: (node: AnyNode) => { checkCreateRequire(node); noteCodeWrite(node); }, 'Program:exit': reportPrefixLoads };
    return combineListeners(listeners as Rule.RuleListener, moduleLoadListeners(context, (load) => {
      if (load.specifier !== undefined) {
        const specifier = load.specifier;
        if (/^blob:/i.test(specifier)) report(context, rule, { node: load.node, messageId: 'blobUrl', data: { specifier: shorten(specifier) } });
        const where = outsideOf(specifier);
        if (where) report(context, rule, { node: load.node, messageId: 'outside', data: { specifier: shorten(specifier), where } });
        else if (climbsOut(resolver.filename, specifier)) report(context, rule, { node: load.node, messageId: 'climbsOut', data: { specifier: shorten(specifier) } });
        return;
      }
      const prefix = load.specifierNode && literalPrefix(resolver, load.specifierNode);
      // Only whole segments count: `'..' + x` may be `..x`, a name in this folder.
      const segments = prefix?.slice(0, prefix.lastIndexOf('/') + 1);
      if (segments && (climbsOut(resolver.filename, segments) || outsideOf(segments))) {
        report(context, rule, { node: load.node, messageId: 'climbsOut', data: { specifier: `${shorten(prefix!)}…` } });
      } else if (prefix !== undefined && staysInside(prefix)) {
        const place = placeIn(resolver, load.specifierNode!, new Set());
        if (place) report(context, rule, { node: load.node, messageId: 'placeRest', data: { prefix, place } });
        else prefixLoads.push({ node: load.node, prefix });
      } else {
        report(context, rule, { node: load.node, messageId: 'unresolvable', data: { via: load.via } });
      }
    }));
  },
});

/** Why a folded specifier names code outside the plugin: an absolute path or `file:` URL not under its root, a network URL. */
function outsideOf(specifier: string): string | undefined {
  if (/^https?:/i.test(specifier)) return 'a network address';
  let path: string | undefined;
  if (/^file:/i.test(specifier)) path = URL.canParse(specifier) ? decodeURIComponent(new URL(specifier).pathname) : specifier;
  else if (/^(?:\/|[a-z]:[\\/]|\\\\)/i.test(specifier)) path = specifier;
  if (path === undefined) return undefined;
  const normal = posix.normalize(path.replace(/\\/g, '/'));
  return normal.startsWith(`${PLUGIN_ROOT}/`) ? undefined : 'an absolute path';
}

/**
 * True when a relative specifier (`../../x`) or a folded path under the plugin's root
 * leaves the plugin's folder from the file that loads it. The file's path is
 * relative to the plugin root in the gate; an editor's absolute path tells nothing.
 */
function climbsOut(filename: string, specifier: string): boolean {
  const file = filename.split('\\').join('/');
  if (!file || posix.isAbsolute(file) || file.startsWith('..')) return false;
  const from = posix.dirname(posix.join(PLUGIN_ROOT, file));
  let target: string;
  if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '..') target = posix.join(from, specifier);
  else if (specifier.startsWith('/')) target = posix.normalize(specifier);
  else return false;
  return target !== PLUGIN_ROOT && !target.startsWith(`${PLUGIN_ROOT}/`);
}

/** Path functions whose result is one name, not a path: a rest made by them cannot climb. */
const NAME_ONLY = new Set(['basename', 'extname']);
const PLACE_NAMES = new Set(['__dirname', '__filename']);

/**
 * What place the expression's value is computed from, if any: `__dirname`, `import.meta`, `process.cwd()`, a
 * `dataDir` member, `os.homedir()` or `os.tmpdir()`, or a path function (`path.relative`, `path.join`,
 * `fileURLToPath`, `require.resolve`) whatever it is given. Single-write variables are followed to their value.
 */
function placeIn(resolver: Resolver, input: AnyNode, seen: Set<AnyNode>): string | undefined {
  const node = unwrap(input);
  if (seen.has(node) || seen.size > 64) return undefined;
  seen.add(node);
  if (node.type === 'Identifier') {
    const name = Resolver.nameOf(resolver.resolve(node));
    if (name !== undefined && PLACE_NAMES.has(name)) return name;
    const alias = resolver.aliasedExpression(node);
    return alias && placeIn(resolver, alias.node, seen);
  }
  if (node.type === 'MetaProperty') return 'import.meta';
  if (node.type === 'MemberExpression' && memberName(node, resolver.folder) === 'dataDir') return 'the data folder (dataDir)';
  if (node.type === 'CallExpression') {
    const name = Resolver.nameOf(resolver.resolve(node.callee));
    const pathFunction = name && /^path:(?:(?:posix|win32)\.)?(\w+)$/.exec(name)?.[1];
    if (pathFunction && !NAME_ONLY.has(pathFunction)) return `path.${pathFunction}`;
    if (name === 'url:fileURLToPath' || name === 'process.cwd' || name === 'os:homedir' || name === 'os:tmpdir' || name === 'require.resolve' || name === `${IMPORT_META}.resolve`) return `${name.replace(/^(\w+):/, '$1.').replace(IMPORT_META, 'import.meta')}()`;
  }
  // Inside a nested function is that function's business, not this value's.
  for (const child of childNodes(node)) if (!isFunctionNode(child)) {
    const place = placeIn(resolver, child, seen);
    if (place) return place;
  }
  return undefined;
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/**
 * `./locales/` stays inside the plugin; `../`, `./a/../../`, `/abs/` and bare
 * package names do not. (The unknown rest could still climb out with `..`:
 * that is why the finding is low, not nothing — the sandbox's read grant is
 * the boundary that holds.)
 */
function staysInside(prefix: string): boolean {
  if (!prefix.startsWith('./')) return false;
  let depth = 0;
  for (const segment of prefix.split('/')) {
    if (segment === '..') depth--;
    else if (segment !== '' && segment !== '.') depth++;
    if (depth < 0) return false;
  }
  return true;
}

export default rule;
