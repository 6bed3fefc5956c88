/**
 * Module loads whose specifier cannot be known before run time: whatever the
 * gate cannot name it cannot judge, so `require(x)`, `import(x)`,
 * `createRequire(…)(x)`, `module.require(x)` and the rest are critical. The
 * exception is a literal relative prefix that stays inside the plugin
 * (`'./locales/' + lang + '.json'`, `` `./plugins/${name}.js` ``): low.
 * Specifiers that do fold are the module rules' business, not this one's.
 */
import { posix } from 'node:path';
import { defineRule } from './meta.js';
import { PLUGIN_ROOT } from './utils/fold.js';
import { moduleLoadListeners } from './utils/modules.js';
import { report } from './utils/report.js';
import { literalPrefix } from './utils/load-records.js';
import { resolverFor } from './utils/resolve.js';

const rule = defineRule<'unresolvable' | 'localPrefix' | 'outside' | 'blobUrl'>({
  name: 'no-dynamic-require',
  description: 'Reports require/import() of module names that cannot be known before run time.',
  messages: {
    unresolvable: 'Loads a module whose name is only known at run time ({{via}}), so it could be any module.',
    localPrefix: "Loads a module chosen at run time from inside the plugin ('{{prefix}}…').",
    outside: "Loads '{{specifier}}', code from outside the plugin ({{where}}) that the gate has not read.",
    blobUrl: "Loads the blob: URL '{{specifier}}', code made at run time that the gate cannot read.",
  },
  findings: {
    unresolvable: { category: 'dynamic-import', severity: 'critical' },
    localPrefix: { category: 'dynamic-import', severity: 'low' },
    outside: { category: 'dynamic-import', severity: 'critical' },
    blobUrl: { category: 'dynamic-import', severity: 'critical' },
  },
  create(context) {
    const resolver = resolverFor(context);
    return moduleLoadListeners(context, (load) => {
      if (load.specifier !== undefined) {
        const specifier = load.specifier;
        if (/^blob:/i.test(specifier)) report(context, rule, { node: load.node, messageId: 'blobUrl', data: { specifier: shorten(specifier) } });
        const where = outsideOf(specifier);
        if (where) report(context, rule, { node: load.node, messageId: 'outside', data: { specifier: shorten(specifier), where } });
        return;
      }
      const prefix = load.specifierNode && literalPrefix(resolver, load.specifierNode);
      if (prefix !== undefined && staysInside(prefix)) {
        report(context, rule, { node: load.node, messageId: 'localPrefix', data: { prefix } });
      } else {
        report(context, rule, { node: load.node, messageId: 'unresolvable', data: { via: load.via } });
      }
    });
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
