/**
 * Network access: loading a socket, HTTP or DNS module or a client library
 * around them, and using the network globals (`fetch`, `WebSocket`,
 * `XMLHttpRequest`, `EventSource`, `navigator.sendBeacon`) reached any way
 * the resolver follows (`globalThis.fetch`, `window['fe'+'tch']`, aliases,
 * `.call`/`Reflect.apply`), and process's lists of its live handles, which
 * hand out its sockets. When the address folds to a literal URL its
 * hostname goes in `data.host` and the message. No declaration lowers these:
 * a declared host is one the host's broker (`ctx.net.fetch`) may reach, and
 * the sandbox gives the plugin no socket of its own.
 */
import type { Rule } from 'eslint';
import type { AnyNode } from './utils/ast.js';
import { unwrap } from './utils/ast.js';
import { defineRule } from './meta.js';
import { combineListeners } from './utils/listeners.js';
import { packageLoadListeners } from './utils/modules.js';
import { packageName } from './utils/specifiers.js';
import { report } from './utils/report.js';
import { DYNAMIC, RESULT, Resolver, resolverFor } from './utils/resolve.js';

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

/**
 * process's internal lists of its live handles and requests: the host's own sockets and pipes, servers and child
 * processes among them. Each hands out its class (`.constructor` is `net.Socket`), which connects anywhere.
 */
const HANDLE_LISTS = new Set(['process._getActiveHandles', 'process._getActiveRequests']);
/** Pure helpers of network modules: they compute, they do not connect. */
const OFFLINE = new Set(['net.isIP', 'net.isIPv4', 'net.isIPv6', 'http.validateHeaderName', 'http.validateHeaderValue']);
/** Methods of what a network call returned (a request, a socket) that send data. */
const SENDERS = new Set(['write', 'end', 'send', 'connect']);

const rule = defineRule<'module' | 'global' | 'call' | 'handles'>({
  name: 'no-network',
  description: 'Reports network access: socket/HTTP/DNS modules and their client libraries, fetch, WebSocket and the other network globals.',
  messages: {
    module: "Loads '{{module}}', which talks to the network directly instead of through ctx.net.fetch.",
    global: "Uses '{{name}}' to reach {{target}} directly instead of through ctx.net.fetch.",
    call: "Calls {{name}}, which reaches {{target}} directly instead of through ctx.net.fetch.",
    handles: "Calls {{name}}(), which hands out the process's live sockets, servers and child processes: their classes (net.Socket among them) reach the network directly instead of through ctx.net.fetch.",
  },
  // The sandbox has no sockets: declaring a host lets the plugin use it through ctx.net.fetch, never directly.
  findings: {
    module: { category: 'network', severity: 'high', capability: 'network', grantable: false },
    global: { category: 'network', severity: 'high', capability: 'network', grantable: false },
    call: { category: 'network', severity: 'high', capability: 'network', grantable: false },
    handles: { category: 'network', severity: 'high', capability: 'network', grantable: false },
  },
  create(context) {
    const resolver = resolverFor(context);
    const globalName = (node: AnyNode): string | undefined => {
      const ref = resolver.resolve(node);
      const name = ref && ref.module === undefined ? ref.path.join('.') : undefined;
      return name !== undefined && GLOBALS.has(name) ? name : undefined;
    };
    const target = (host: string | undefined): Record<string, string> => (host ? { target: `'${host}'`, host } : { target: 'an address not known before run time' });
    const onCall = (node: AnyNode) => {
      const call = resolver.normalizeCall(node);
      const name = call.callee ? globalName(call.calleeNode) : undefined;
      if (name) {
        const index = GLOBALS.get(name);
        const address = index === undefined ? undefined : call.args?.[index];
        report(context, rule, { node, messageId: 'global', data: { name, ...target(address && hostOf(resolver, address)) } });
        return;
      }
      const callee = call.callee;
      const called = Resolver.nameOf(callee);
      if (called !== undefined && HANDLE_LISTS.has(called)) {
        report(context, rule, { node, messageId: 'handles', data: { name: called } });
        return;
      }
      // Each call of a network module's functions (and each send on what they return) is where data leaves.
      if (callee?.module === undefined || callee.module === DYNAMIC || !PACKAGES.has(packageName(callee.module))) return;
      const marker = callee.path.findIndex((step) => step.startsWith('%'));
      if (marker >= 0 && !(callee.path[marker] === RESULT && SENDERS.has(callee.path[callee.path.length - 1]))) return;
      const label = [packageName(callee.module), ...callee.path.filter((step) => !step.startsWith('%'))].join('.').replace(`.${DYNAMIC}`, '[…]');
      if (OFFLINE.has(label)) return;
      const address = marker < 0 ? call.args?.[0] : undefined;
      report(context, rule, { node, messageId: 'call', data: { name: label, ...target(address && hostOf(resolver, address)) } });
    };
    return combineListeners(
      packageLoadListeners(context, PACKAGES, (load, name) =>
        report(context, rule, { node: load.node, messageId: 'module', data: { module: name } }),
      ),
      { CallExpression: onCall, NewExpression: onCall } as Rule.RuleListener,
    );
  },
});

/** The host an address argument names: a URL (string, template, `new URL`) or request options with `hostname`/`host`. */
function hostOf(resolver: Resolver, address: AnyNode): string | undefined {
  const url = resolver.folder.foldUrl(address);
  if (url) return url.hostname || undefined;
  const node = unwrap(address);
  const options = node.type === 'Identifier' ? resolver.aliasedExpression(node)?.node : node;
  if (!options || unwrap(options).type !== 'ObjectExpression') return undefined;
  for (const property of unwrap(options).properties) {
    if (property.type !== 'Property' || property.computed) continue;
    const key = property.key.name ?? property.key.value;
    if (key !== 'hostname' && key !== 'host') continue;
    const host = resolver.folder.foldString(property.value);
    if (host) return host.replace(/:\d+$/, '');
  }
  return undefined;
}

export default rule;
