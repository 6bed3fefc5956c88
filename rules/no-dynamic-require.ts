/**
 * Module loads whose specifier cannot be known before run time: whatever the
 * gate cannot name it cannot judge, so `require(x)`, `import(x)`,
 * `createRequire(…)(x)`, `module.require(x)` and the rest are critical. The
 * exception is a literal relative prefix that stays inside the plugin
 * (`'./locales/' + lang + '.json'`, `` `./plugins/${name}.js` ``): low.
 * Specifiers that do fold are the module rules' business, not this one's.
 */
import { defineRule } from './meta.js';
import { moduleLoadListeners } from './utils/modules.js';
import { report } from './utils/report.js';
import { literalPrefix } from './utils/load-records.js';
import { resolverFor } from './utils/resolve.js';

const rule = defineRule<'unresolvable' | 'localPrefix'>({
  name: 'no-dynamic-require',
  description: 'Reports require/import() of module names that cannot be known before run time.',
  messages: {
    unresolvable: 'Loads a module whose name is only known at run time ({{via}}), so it could be any module.',
    localPrefix: "Loads a module chosen at run time from inside the plugin ('{{prefix}}…').",
  },
  findings: {
    unresolvable: { category: 'dynamic-import', severity: 'critical' },
    localPrefix: { category: 'dynamic-import', severity: 'low' },
  },
  create(context) {
    const resolver = resolverFor(context);
    return moduleLoadListeners(context, (load) => {
      if (load.specifier !== undefined) return;
      const prefix = load.specifierNode && literalPrefix(resolver, load.specifierNode);
      if (prefix !== undefined && staysInside(prefix)) {
        report(context, rule, { node: load.node, messageId: 'localPrefix', data: { prefix } });
      } else {
        report(context, rule, { node: load.node, messageId: 'unresolvable', data: { via: load.via } });
      }
    });
  },
});

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
