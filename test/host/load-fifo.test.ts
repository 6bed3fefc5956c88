/**
 * The host's own reads of a plugin's files at load (the hash re-check of every file the gate read, and a WASM
 * module's bytes where it runs) never wait on a FIFO swapped in after the gate read the folder: such a file has
 * changed, and the plugin is refused in one line. Each host runs in a child process with a timeout, because the
 * break is a hang (a FIFO opened in the thread pool, which Node joins at exit, or on the host's own thread).
 * Needs `npm run build` (the host runs from dist/).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');
let work: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'warden-load-fifo-'));
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

/**
 * Starts a host on `pluginsDir`, replaces `file` by a FIFO (after start, or from configFor: after the host's hash
 * check, before the module is read), runs `command`, stops. Prints the answer or the refusal.
 */
function runHost(pluginsDir: string, file: string, command: string, when: 'after start' | 'in configFor'): ReturnType<typeof spawnSync> {
  const script = [
    "import { execFileSync } from 'node:child_process';",
    "import { rmSync } from 'node:fs';",
    `const { createHost } = await import(${JSON.stringify(join(REPO, 'dist/host/index.js'))});`,
    `const toFifo = () => { rmSync(${JSON.stringify(file)}); execFileSync('mkfifo', [${JSON.stringify(file)}]); };`,
    `const host = createHost({ pluginsDir: ${JSON.stringify(pluginsDir)}, dataDir: ${JSON.stringify(join(work, 'data'))}, limits: { activateTimeoutMs: 5000 },`,
    `  ${when === 'in configFor' ? 'configFor: () => { toFifo(); return {}; },' : ''} });`,
    'await host.start();',
    when === 'after start' ? 'toFifo();' : '',
    `try { console.log('answer', await host.executeCommand(${JSON.stringify(command)}, 'abc')); } catch (error) { console.log('refused:', error.message); }`,
    'await host.stop();',
  ].join('\n');
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
}

describe('a plugin file swapped for a FIFO after the gate read it', () => {
  it('is a changed file for a JavaScript plugin: refused, the host not held', () => {
    const dir = join(work, 'plugins/js');
    mkdirSync(dir, { recursive: true });
    const manifest = { name: 'js', publisher: 'test', version: '1.0.0', main: 'index.js', engines: { warden: '^0.1.0' }, contributes: { commands: [{ command: 'js.run', title: 'Run' }] } };
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest));
    writeFileSync(join(dir, 'index.js'), "module.exports.activate = (ctx) => ctx.commands.registerCommand('js.run', () => 1);\n");
    const run = runHost(join(work, 'plugins'), join(dir, 'index.js'), 'js.run', 'after start');
    expect(run.signal, 'the host was still running after 20 s').toBeNull();
    expect(run.stdout).toMatch(/refused: .*files changed since the gate read them: index\.js/);
    expect(run.status, String(run.stderr)).toBe(0);
  });

  it.each(['after start', 'in configFor'] as const)('is refused for a WASM plugin in a worker of the host, swapped %s', (when) => {
    cpSync(join(REPO, 'sample-plugins/hello-wasm'), join(work, 'plugins/hello-wasm'), { recursive: true });
    const run = runHost(join(work, 'plugins'), join(work, 'plugins/hello-wasm/build/plugin.wasm'), 'hello-wasm.vowels', when);
    expect(run.signal, 'the host was still running after 20 s').toBeNull();
    expect(run.stdout).toMatch(when === 'after start' ? /refused: .*files changed since the gate read them: build\/plugin\.wasm/ : /refused: .*plugin\.wasm is not a regular file/);
    expect(run.status, String(run.stderr)).toBe(0);
  });
});
