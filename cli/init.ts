/**
 * `warden init [dir]`: scaffolds a plugin that passes the gate as it is — a
 * manifest (merged into the package.json `npm init` made, if there is one),
 * an entry module typed against `warden/api`, an `eslint.config.mjs` with
 * Warden's rules (an .mjs file, so it works in CommonJS and ESM packages
 * alike), and a test that runs the plugin in a real host with
 * `warden/testing` under node's test runner. It never overwrites a file: if
 * one it would write exists, it says which and changes nothing.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { WARDEN_VERSION } from '../analyzer/warden-package.js';
import { makeFolders } from '../analyzer/folders.js';
import { UsageError } from './errors.js';

interface InitOptions {
  publisher?: string;
}

type PackageJson = Record<string, unknown> & { scripts?: Record<string, string>; type?: string };

const NPM_INIT_TEST = /no test specified/;

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('scaffold a plugin: manifest, typed entry module, eslint.config.mjs and a test using warden/testing')
    .argument('[dir]', 'the plugin folder (created if missing)', '.')
    .option('--publisher <id>', 'your publisher id (lowercase letters, digits and dashes)')
    .action((dir: string, options: InitOptions) => {
      init(dir, options);
    });
}

function init(dir: string, options: InitOptions): void {
  const root = resolve(dir);
  if (existsSync(root) && !statSync(root).isDirectory()) throw new UsageError(`init: ${dir} is not a folder`);
  const manifestPath = join(root, 'package.json');
  const existing = existsSync(manifestPath) ? readPackageJson(manifestPath) : {};
  const name = npmName(typeof existing.name === 'string' ? existing.name : basename(root));
  const publisher = options.publisher ?? (typeof existing.publisher === 'string' ? existing.publisher : 'local');
  if (!/^[a-z0-9][a-z0-9-]*$/.test(publisher)) throw new UsageError(`init: --publisher must be lowercase letters, digits and dashes, not ${JSON.stringify(publisher)}`);
  const esm = existing.type === 'module';
  const command = `${name.replace(/^@[^/]+\//, '')}.sayHello`;
  const files: Record<string, string> = {
    'index.js': esm ? entryModule(command) : entryCommonJs(command),
    'eslint.config.mjs': ESLINT_CONFIG,
    'test/plugin.test.mjs': testFile(command),
  };
  const taken = Object.keys(files).filter((file) => existsSync(join(root, file)));
  if (typeof existing.main === 'string' && existing.main !== 'index.js' && existsSync(join(root, existing.main))) taken.push(existing.main);
  if (taken.length > 0) throw new UsageError(`init: ${taken.join(', ')} already exist${taken.length === 1 ? 's' : ''} in ${dir}; nothing was changed`);

  const manifest: PackageJson = {
    ...existing,
    name,
    publisher,
    version: typeof existing.version === 'string' ? existing.version : '0.1.0',
    main: 'index.js',
    engines: { ...(existing.engines as object | undefined), warden: `^${WARDEN_VERSION}` },
    contributes: { commands: [{ command, title: 'Say hello' }] },
    // What `npm pack` ships (and so what users install): the plugin, not its tests or tooling.
    files: Array.isArray(existing.files) ? existing.files : ['index.js'],
    scripts: {
      ...existing.scripts,
      ...(existing.scripts?.test === undefined || NPM_INIT_TEST.test(existing.scripts.test) ? { test: 'node --test' } : {}),
      lint: existing.scripts?.lint ?? 'eslint .',
    },
  };
  try {
    makeFolders(join(root, 'test'));
  } catch (error) {
    throw new UsageError(`init: cannot make ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)}); nothing was changed`);
  }
  for (const [file, text] of Object.entries(files)) writeFileSync(join(root, file), text);
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);

  const lines = [`Scaffolded ${publisher}.${name} in ${dir}: package.json, ${Object.keys(files).join(', ')}`];
  if (!existsSync(join(root, 'node_modules', 'warden')) || !existsSync(join(root, 'node_modules', 'eslint'))) {
    lines.push('Next: install the tools beside it (see docs/authors.md): npm install --save-dev eslint <path to warden-*.tgz>');
  }
  lines.push('Then: npx eslint .   npm test   npx warden analyze .   npx warden dev .');
  process.stdout.write(`${lines.join('\n')}\n`);
}

function readPackageJson(path: string): PackageJson {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new Error('not an object');
    return data as PackageJson;
  } catch (error) {
    throw new UsageError(`init: ${path} is not valid JSON (${(error as Error).message}); nothing was changed`);
  }
}

/** A folder name as an npm package name: lowercase, with what npm refuses replaced by dashes. */
function npmName(name: string): string {
  if (/^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/.test(name)) return name;
  return name.toLowerCase().replace(/[^a-z0-9-._~]+/g, '-').replace(/^[-._]+/, '') || 'my-plugin';
}

const ESLINT_CONFIG = `// Warden's gate rules in your editor and CI. An .mjs file, so it works whatever "type" package.json says.
import warden from 'warden/eslint-plugin';

export default [warden.configs.recommended];
`;

const activateBody = (command: string) => `  ctx.subscriptions.push(
    ctx.commands.register('${command}', async (name = 'world') => {
      const text = \`Hello, \${name}!\`;
      await ctx.window.showMessage(text);
      return text;
    }),
  );`;

function entryCommonJs(command: string): string {
  return `// @ts-check
'use strict';

/**
 * Called when one of the plugin's commands is first used. \`ctx\` is its only door to the app:
 * every call is checked against what package.json declares under "capabilities".
 * @param {import('warden/api').PluginContext} ctx
 */
exports.activate = function activate(ctx) {
${activateBody(command)}
};
`;
}

function entryModule(command: string): string {
  return `// @ts-check

/**
 * Called when one of the plugin's commands is first used. \`ctx\` is its only door to the app:
 * every call is checked against what package.json declares under "capabilities".
 * @param {import('warden/api').PluginContext} ctx
 */
export function activate(ctx) {
${activateBody(command)}
}
`;
}

function testFile(command: string): string {
  return `// Runs the plugin in a real Warden host: through the gate, in its own sandboxed process.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startPlugin } from 'warden/testing';

let plugin;
before(async () => {
  plugin = await startPlugin('.');
});
after(() => plugin.stop());

test('the gate finds nothing to report', () => {
  assert.deepEqual(plugin.findings, []);
});

test('${command} greets by name and shows the greeting', async () => {
  assert.equal(await plugin.run('${command}', 'Ada'), 'Hello, Ada!');
  assert.deepEqual(plugin.messages.at(-1), { level: 'info', text: 'Hello, Ada!' });
  assert.deepEqual(plugin.denials, []);
});
`;
}
