/**
 * Warden as people get it: its own `npm pack` tarball installed into a new
 * folder from the npm registry, then used as the guides say.
 *
 * - An author: `npm init -y`, install eslint and the tarball, `warden init`,
 *   `npx eslint .`, `npm test` (the scaffolded test uses warden/testing),
 *   `npx warden analyze .` — allowed, with zero findings.
 * - An app that only embeds the host: no eslint, no typescript installed,
 *   and the host still runs a plugin through the gate.
 *
 * Needs `npm run build` and the registry (or npm's cache); without them it
 * skips, saying why. The gate reads only what would ship and what npm installs
 * with the plugin, so the devDependencies (eslint, warden itself) are not read.
 * Timings are printed, not asserted.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../analyzer/helpers.js';

const TIMEOUT = 240_000;
let tarball: string | undefined;
let unavailable = '';

function sh(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: 'utf8', timeout: TIMEOUT, env: { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false', ...env } });
}

/** `npm install` from the registry (npm's cache first); undefined when it worked, else why it could not. */
function install(cwd: string, packages: string[], dev: boolean): string | undefined {
  const result = sh('npm', ['install', ...(dev ? ['--save-dev'] : []), '--no-audit', '--no-fund', '--prefer-offline', ...packages], cwd);
  if (result.status === 0) return undefined;
  return `npm install failed (no registry here?): ${(result.stderr || String(result.error)).split('\n').find((line) => /ERR|error/.test(line)) ?? result.stderr}`;
}

beforeAll(() => {
  if (!existsSync(join(REPO, 'dist/bin/warden.js'))) {
    unavailable = 'dist/ is not built (npm run build)';
    return;
  }
  const out = tempDir('warden-pack-');
  const pack = sh('npm', ['pack', '--ignore-scripts', '--pack-destination', out, '--silent'], REPO);
  if (pack.status !== 0) {
    unavailable = `npm pack failed: ${pack.stderr}`;
    return;
  }
  tarball = join(out, pack.stdout.trim().split('\n').at(-1)!);
}, TIMEOUT);

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(path) : entry.isFile() ? statSync(path).size : 0;
  }
  return total;
}

describe('from the npm pack tarball', () => {
  it('an author: npm init, install, warden init, eslint, npm test, warden analyze', (context) => {
    if (unavailable) context.skip(unavailable);
    const dir = join(tempDir('warden-author-'), 'my-plugin');
    mkdirSync(dir);
    expect(sh('npm', ['init', '-y'], dir).status).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).type).toBe('commonjs');
    const { version: eslintVersion } = JSON.parse(readFileSync(join(REPO, 'node_modules/eslint/package.json'), 'utf8')) as { version: string };
    const failed = install(dir, [`eslint@${eslintVersion}`, tarball!], true);
    if (failed) context.skip(failed);

    const init = sh(join(dir, 'node_modules/.bin/warden'), ['init', '--publisher', 'ada'], dir);
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);

    const lint = sh(join(dir, 'node_modules/.bin/eslint'), ['.'], dir);
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
    // The rules really run: an undeclared child_process is reported by Warden's rule.
    writeFileSync(join(dir, 'bad.js'), "require('child_process').exec('ls');\n");
    const bad = sh(join(dir, 'node_modules/.bin/eslint'), ['bad.js'], dir);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/warden\/no-child-process/);
    sh('rm', ['bad.js'], dir);

    const test = sh('npm', ['test'], dir);
    expect(test.stdout).toMatch(/ok \d+ - my-plugin\.sayHello greets by name and shows the greeting/);

    const started = performance.now();
    const analyze = sh(join(dir, 'node_modules/.bin/warden'), ['analyze', '.', '--format', 'json'], dir);
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    const report = JSON.parse(analyze.stdout) as { decision: { action: string }; findings: { file: string }[]; stats: { files: number } };
    console.log(`npx warden analyze . on the scaffold: ${seconds} s, ${report.stats.files} files, ${report.findings.length} findings, ${report.decision.action}`);
    expect(report.findings).toEqual([]);
    expect(report.decision.action).toBe('allow');
    expect(analyze.status).toBe(0);
    expect(test.status).toBe(0);
  }, TIMEOUT);

  it('an app that only embeds the host installs neither eslint nor typescript, and runs plugins', (context) => {
    if (unavailable) context.skip(unavailable);
    const dir = tempDir('warden-app-');
    expect(sh('npm', ['init', '-y'], dir).status).toBe(0);
    const failed = install(dir, [tarball!], false);
    if (failed) context.skip(failed);
    for (const name of ['eslint', 'typescript', '@typescript-eslint/parser', '@typescript-eslint/typescript-estree']) {
      expect(existsSync(join(dir, 'node_modules', name)), `${name} installed`).toBe(false);
    }
    console.log(`an embedding app's node_modules: ${(folderBytes(join(dir, 'node_modules')) / 1048576).toFixed(1)} MB`);

    cpSync(join(REPO, 'sample-plugins/hello-world'), join(dir, 'plugins/hello-world'), { recursive: true });
    // A declaration file never runs: shipping one does not need the TypeScript peers (the plugin still loads).
    writeFileSync(join(dir, 'plugins/hello-world/index.d.ts'), 'export declare function activate(ctx: unknown): void;\n');
    mkdirSync(join(dir, 'ts-plugin/src'), { recursive: true });
    writeFileSync(join(dir, 'ts-plugin/package.json'), JSON.stringify({ name: 'ts', publisher: 'acme', version: '1.0.0', main: 'src/index.ts', engines: { warden: '^0.1.0' } }));
    writeFileSync(join(dir, 'ts-plugin/src/index.ts'), 'export function activate(ctx: unknown): void {}\n');
    writeFileSync(
      join(dir, 'app.mjs'),
      `import { createHost } from 'warden';
import { analyzePlugin } from 'warden/analyzer';
const host = createHost({ pluginsDir: './plugins', dataDir: './.warden' });
await host.start();
console.log(await host.executeCommand('hello.sayHello', 'app'));
await host.stop();
const ts = await analyzePlugin('./ts-plugin', { cache: false });
console.log(JSON.stringify(ts.findings.map((f) => [f.file, f.severity, f.message])));
`,
    );
    const app = sh(process.execPath, ['app.mjs'], dir);
    expect(app.stderr).not.toMatch(/Error/);
    const [greeting, findings] = app.stdout.trim().split('\n');
    expect(greeting).toBe('Hello, app!');
    expect(JSON.parse(findings)).toEqual([['src/index.ts', 'critical', expect.stringMatching(/optional peer dependencies typescript and @typescript-eslint\/parser, which are not installed/)]]);
  }, TIMEOUT);
});
