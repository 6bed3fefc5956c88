// Break: a module that calls its own command through commands_execute blocks its worker for good, and the heartbeat,
// answered "for it" while a host function is in flight, never stops it. Expected: the module is stopped (a deadlock
// is a module that stops answering) and restarted, or the call is refused.
// Run: node repro/reentrant-deadlock.mjs [process]
import { join } from 'node:path';
import { attackPlugin, createHost } from './lib.mjs';
const isolation = process.argv[2] === 'process' ? { requireIsolation: 'strict' } : {};
const { work, dir } = attackPlugin();
const host = createHost({ devPaths: [dir], dataDir: join(work, 'data'), limits: { heartbeatMs: 300, callTimeoutMs: 3000 }, ...isolation });
const crashes = [];
host.on('crashed', (e) => crashes.push(e.reason));
await host.start();
console.log('echo:', JSON.stringify(await host.executeCommand('attack.echo', 1)));
let t = Date.now();
console.log('reenter:', await host.executeCommand('attack.reenter').catch((e) => e.message), `${Date.now() - t} ms`);
await new Promise((r) => setTimeout(r, 3000)); // ten heartbeats
t = Date.now();
console.log('echo after:', await host.executeCommand('attack.echo', 2).then(JSON.stringify, (e) => e.message), `${Date.now() - t} ms`);
console.log('state:', host.plugins()[0].state, 'restarts:', host.plugins()[0].restarts, 'crashes:', crashes);
t = Date.now();
await host.stop();
console.log(`stop took ${Date.now() - t} ms`);
