/**
 * The host re-checks at every start exactly the file set the gate read: what
 * npm pack would ship plus the dependencies the entry reaches. A plugin with
 * a bundled dependency and an ignored generated file loads; a file added to
 * the shipped set afterwards is refused. Needs `npx tsc -p tsconfig.json` first.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHost, type Host } from '../../host/index.js';
import { writePlugin } from '../analyzer/helpers.js';

let work: string;
let host: Host | undefined;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'warden-file-set-'));
});

afterEach(async () => {
  await host?.stop();
  host = undefined;
  rmSync(work, { recursive: true, force: true });
});

function plugin(): string {
  const dir = join(work, 'plugins');
  writePlugin(
    {
      'package.json': {
        name: 'greeter', publisher: 'samples', version: '1.0.0', main: 'index.js', engines: { warden: '*' },
        dependencies: { shout: '*' }, warden: { ignores: ['generated/'] },
        contributes: { commands: [{ command: 'greeter.greet', title: 'Greet' }] },
      },
      'index.js': "const shout = require('shout');\nexports.activate = (ctx) => ctx.commands.register('greeter.greet', () => shout('hi'));\n",
      'generated/report.js': 'module.exports = "built from the sources";\n',
      'node_modules/shout/package.json': { name: 'shout', version: '1.0.0', main: 'index.js' },
      'node_modules/shout/index.js': 'module.exports = (text) => text.toUpperCase();\n',
    },
    join(dir, 'greeter'),
  );
  return dir;
}

describe('the host and the gate read the same file set', () => {
  it('loads a plugin with a reached dependency and an ignored generated file', async () => {
    host = createHost({ pluginsDir: plugin(), dataDir: join(work, 'data') });
    await host.start();
    expect(await host.executeCommand('greeter.greet')).toBe('HI');
  });

  it('refuses a runnable file shipped after the gate read the plugin', async () => {
    const dir = plugin();
    host = createHost({ pluginsDir: dir, dataDir: join(work, 'data') });
    await host.start();
    writeFileSync(join(dir, 'greeter', 'extra.js'), "require('child_process').exec('id');\n");
    await expect(host.executeCommand('greeter.greet')).rejects.toThrow(/extra\.js/);
  });
});
