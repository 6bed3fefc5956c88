/**
 * Network access: loading a socket, HTTP or DNS module or a client library
 * around them, and using the network globals (`fetch`, `WebSocket`,
 * `XMLHttpRequest`, `EventSource`, `navigator.sendBeacon`) reached any way
 * the resolver follows (`globalThis.fetch`, `window['fe'+'tch']`, aliases,
 * `.call`/`Reflect.apply`). When the address folds to a literal URL its
 * hostname goes in `data.host`, so the gate can compare it with the hosts the
 * manifest declares.
 */
import type { Rule } from 'eslint';
import type { AnyNode } from './utils/ast.js';
import { defineRule } from './meta.js';
import { combineListeners } from './utils/listeners.js';
import { packageLoadListeners } from './utils/modules.js';
import { report } from './utils/report.js';
import { resolverFor } from './utils/resolve.js';

const PACKAGES = new Map(
  [
    'net', 'tls', 'http', 'https', 'http2', 'dgram', 'dns',
    'axios', 'node-fetch', 'cross-fetch', 'isomorphic-fetch', 'make-fetch-happen', 'minipass-fetch', 'got', 'ky', 'undici',
    'ws', 'isomorphic-ws', 'websocket', 'faye-websocket', 'request', 'superagent', 'needle', 'phin', 'bent', 'simple-get',
    'follow-redirects', 'urllib', 'ofetch', 'xmlhttprequest', 'eventsource', 'socket.io-client', 'engine.io-client',
    'ssh2', 'basic-ftp', 'ftp', 'nodemailer', 'mqtt', 'socks', '@grpc/grpc-js',
  ].map((name) => [name, true]),
);

/** Globals that send or receive over the network; the value says which argument holds the address. */
const GLOBALS = new Map<string, number | undefined>([
  ['fetch', 0],
  ['WebSocket', 0],
  ['EventSource', 0],
  ['navigator.sendBeacon', 0],
  // The address of an XMLHttpRequest is given later, to `open`.
  ['XMLHttpRequest', undefined],
]);

const rule = defineRule<'module' | 'global'>({
  name: 'no-network',
  description: 'Reports network access: socket/HTTP/DNS modules and their client libraries, fetch, WebSocket and the other network globals.',
  messages: {
    module: "Loads '{{module}}', which talks to the network directly instead of through ctx.net.fetch.",
    global: "Uses '{{name}}' to reach {{target}} directly instead of through ctx.net.fetch.",
  },
  findings: {
    module: { category: 'network', severity: 'high', capability: 'network' },
    global: { category: 'network', severity: 'high', capability: 'network' },
  },
  create(context) {
    const resolver = resolverFor(context);
    const globalName = (node: AnyNode): string | undefined => {
      const ref = resolver.resolve(node);
      const name = ref && ref.module === undefined ? ref.path.join('.') : undefined;
      return name !== undefined && GLOBALS.has(name) ? name : undefined;
    };
    const onCall = (node: AnyNode) => {
      const call = resolver.normalizeCall(node);
      const name = call.callee ? globalName(call.calleeNode) : undefined;
      if (name) {
        const index = GLOBALS.get(name);
        const address = index === undefined ? undefined : call.args?.[index];
        const host = (address && resolver.folder.foldUrl(address)?.hostname) || undefined;
        const data: Record<string, string> = { name, target: host ? `'${host}'` : 'an address not known before run time' };
        if (host) data.host = host;
        report(context, rule, { node, messageId: 'global', data });
      }
    };
    return combineListeners(
      packageLoadListeners(context, PACKAGES, (load, name) =>
        report(context, rule, { node: load.node, messageId: 'module', data: { module: name } }),
      ),
      { CallExpression: onCall, NewExpression: onCall } as Rule.RuleListener,
    );
  },
});

export default rule;
