/**
 * no-native-code: reaching native code, which no JavaScript-level review or
 * permission check can see into. The private binding loaders of `process` are
 * critical; loading an addon (`.node` file or a loader package) is a use of
 * the `nativeAddons` capability. Shipped binaries are found by the analyzer.
 */
import type { Rule } from 'eslint';
import { defineRule } from './meta.js';
import type { AnyNode } from './utils/ast.js';
import { combineListeners } from './utils/listeners.js';
import { moduleLoadListeners, packageName } from './utils/modules.js';
import { report } from './utils/report.js';
import { resolverFor } from './utils/resolve.js';

const PROCESS_BINDINGS = new Set(['binding', '_linkedBinding', 'dlopen']);
const ADDON_LOADERS = new Set(['bindings', 'node-gyp-build', 'node-pre-gyp', '@mapbox/node-pre-gyp', 'prebuild-install']);

const rule = defineRule({
  name: 'no-native-code',
  description: "Disallow process's internal binding loaders and loading native addons without declaring nativeAddons.",
  messages: {
    processBinding: 'process.{{name}}() loads native code directly, outside the module system and its checks.',
    addonFile: "Loads the native addon '{{specifier}}', compiled code that cannot be reviewed as JavaScript.",
    addonLoader: "Loads '{{specifier}}', a package that finds and loads native addons.",
  },
  findings: {
    processBinding: { category: 'native-code', severity: 'critical' },
    addonFile: { category: 'native-code', severity: 'high', capability: 'nativeAddons' },
    addonLoader: { category: 'native-code', severity: 'high', capability: 'nativeAddons' },
  },
  create(context) {
    const resolver = resolverFor(context);
    const checkCall = (node: AnyNode) => {
      const callee = resolver.normalizeCall(node).callee;
      if (!callee || callee.module !== undefined || callee.path.length !== 2 || callee.path[0] !== 'process') return;
      if (PROCESS_BINDINGS.has(callee.path[1])) report(context, rule, { node, messageId: 'processBinding', data: { name: callee.path[1] } });
    };
    return combineListeners(
      { CallExpression: checkCall } as Rule.RuleListener,
      moduleLoadListeners(context, (load) => {
        const specifier = load.specifier;
        if (specifier === undefined) return;
        if (/\.node$/i.test(specifier)) report(context, rule, { node: load.node, messageId: 'addonFile', data: { specifier } });
        else if (ADDON_LOADERS.has(packageName(specifier))) report(context, rule, { node: load.node, messageId: 'addonLoader', data: { specifier } });
      }),
    );
  },
});

export default rule;
