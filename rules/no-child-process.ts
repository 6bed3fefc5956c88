/**
 * Loading anything that starts other programs or threads: `child_process`,
 * `cluster` and the wrappers around them (capability `childProcess`), and
 * `worker_threads` and worker pools (capability `worker`). Every spelling of
 * a module load counts (see modules.ts); the finding is at the load site.
 */
import { defineRule } from './meta.js';
import { packageLoadListeners } from './utils/modules.js';
import { report } from './utils/report.js';

type MessageId = 'childProcess' | 'worker';

const PACKAGES = new Map<string, MessageId>([
  ...['child_process', 'cluster', 'execa', 'shelljs', 'cross-spawn', 'cross-spawn-async', 'node-pty', 'spawn-sync', 'spawn-command',
    'child-process-promise', '@npmcli/promise-spawn', 'nano-spawn', 'tinyexec', 'zx', 'foreground-child', 'exec-sh', 'sudo-prompt',
    'node-cmd', 'shell-exec', '@expo/spawn-async'].map((name): [string, MessageId] => [name, 'childProcess']),
  ...['worker_threads', 'web-worker', 'piscina', 'tinypool', 'workerpool', 'threads'].map((name): [string, MessageId] => [name, 'worker']),
]);

const rule = defineRule<MessageId>({
  name: 'no-child-process',
  description: 'Reports loading modules that start processes (child_process, cluster, execa…) or threads (worker_threads…).',
  messages: {
    childProcess: "Loads '{{module}}', which can run other programs with the user's rights.",
    worker: "Loads '{{module}}', which can start threads that run code outside the host's view.",
  },
  findings: {
    childProcess: { category: 'child-process', severity: 'high', capability: 'childProcess' },
    worker: { category: 'child-process', severity: 'high', capability: 'worker' },
  },
  create: (context) =>
    packageLoadListeners(context, PACKAGES, (load, name, messageId) =>
      report(context, rule, { node: load.node, messageId, data: { module: name } }),
    ),
});

export default rule;
