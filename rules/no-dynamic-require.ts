/**
 * Module loads whose specifier cannot be known before run time: whatever the
 * gate cannot name it cannot judge, so `require(x)`, `import(x)`,
 * `createRequire(…)(x)`, `module.require(x)` and the rest are critical. The
 * exception is a literal relative prefix that stays inside the plugin
 * (`'./locales/' + lang + '.json'`, `` `./plugins/${name}.js` ``): low.
 * Specifiers that do fold are the module rules' business, not this one's.
 */
import type { Rule } from 'eslint';
import { posix } from 'node:path';
import { defineRule } from './meta.js';
import { PLUGIN_ROOT } from './utils/markers.js';
import { moduleLoadListeners } from './utils/modules.js';
import { report } from './utils/report.js';
import { literalPrefix } from './utils/load-records.js';
import { Resolver, resolverFor } from './utils/resolve.js';
import type { AnyNode } from './utils/ast.js';
import { combineListeners } from './utils/listeners.js';
import { isOwnLocation } from './utils/module-builtin.js';

const rule = defineRule<'unresolvable' | 'localPrefix' | 'outside' | 'climbsOut' | 'blobUrl' | 'foreignRequire'>({
  name: 'no-dynamic-require',
  description: 'Reports require/import() of module names that cannot be known before run time.',
  messages: {
    unresolvable: 'Loads a module whose name is only known at run time ({{via}}), so it could be any module.',
    localPrefix: "Loads a module chosen at run time from inside the plugin ('{{prefix}}…').",
    outside: "Loads '{{specifier}}', code from outside the plugin ({{where}}) that the gate has not read.",
    climbsOut: "Loads a module through '{{specifier}}', which climbs out of the plugin's folder to code the gate has not read.",
    foreignRequire: 'Creates a require for {{where}}, not for this file, so what it loads is resolved from a place the gate has not read.',
    blobUrl: "Loads the blob: URL '{{specifier}}', code made at run time that the gate cannot read.",
  },
  findings: {
    unresolvable: { category: 'dynamic-import', severity: 'critical' },
    localPrefix: { category: 'dynamic-import', severity: 'low' },
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
    return combineListeners({ CallExpression: checkCreateRequire } as Rule.RuleListener, moduleLoadListeners(context, (load) => {
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
        report(context, rule, { node: load.node, messageId: 'localPrefix', data: { prefix } });
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
