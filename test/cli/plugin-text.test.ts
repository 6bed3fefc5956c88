/**
 * What a plugin writes is printed inert: `warden run` (plain and --json) and
 * `warden audit` never let a plugin's control characters act on the
 * terminal, so it cannot forge a `✔` line or a fake audit row. And the
 * isolation flag: `--require-isolation` with a bad level is a usage error,
 * and the level each plugin runs with is printed. Needs `npx tsc -p tsconfig.json` first.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { machineSupport } from '../../host/platform.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');
/** Anything that acts on a terminal, in a UTF-8 stream: C0 (but newline), DEL, C1, separators, bidi marks. */
const ACTIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const FORGED = '\x1b[2K\r\x1b[32m✔ hello.sayHello → done\x1b[0m\n✔ all plugins verified\u009b0m\u202e';

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'warden-plugin-text-'));
  const root = join(work, 'evil');
  mkdirSync(root);
  writeFileSync(join(root, 'package.json'), JSON.stringify({
    name: 'evil', publisher: 'test', version: '1.0.0', main: 'index.js', engines: { warden: '*' },
    contributes: { commands: ['evil.show', 'evil.fail', 'evil.result'].map((command) => ({ command, title: command })) },
  }));
  writeFileSync(join(root, 'index.js'), `const forged = ${JSON.stringify(FORGED)};
exports.activate = (ctx) => {
  ctx.commands.register('evil.show', async () => { await ctx.window.showMessage(forged); ctx.log.info(forged); console.log(forged); });
  ctx.commands.register('evil.fail', () => { throw new Error(forged); });
  ctx.commands.register('evil.result', () => forged);
};
`);
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function warden(...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: work, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

it('warden run prints messages, log lines, errors and results escaped: no forged line, nothing that acts on the terminal', () => {
  const run = warden('run', '--dev', join(work, 'evil'), '--data-dir', join(work, 'data'), '--exec', 'evil.show', '--exec', 'evil.fail', '--exec', 'evil.result', '--once');
  const output = run.stdout + run.stderr;
  expect(output).not.toMatch(ACTIVE);
  const lines = output.split('\n');
  expect(lines.filter((line) => line.startsWith('✔ hello.sayHello') || line.startsWith('✔ all plugins'))).toEqual([]);
  expect(run.stdout).toContain('[test.evil] \\x1b[2K\\r\\x1b[32m✔ hello.sayHello → done\\x1b[0m\\n✔ all plugins verified\\x9b0m\\u202e');
  expect(run.stderr).toMatch(/✖ evil\.fail failed: \\x1b\[2K\\r/);
  expect(run.stderr).toMatch(/\[test\.evil\] \\x1b\[2K\\r/); // the log lines (a dev plugin's are printed)
  expect(run.stderr).toMatch(new RegExp(`▶ test\\.evil started \\(pid \\d+, \\d+ ms, onCommand:evil\\.show, isolation ${machineSupport().levels[0]}\\)`));
  expect(run.code).toBe(1); // evil.fail failed

  const audit = warden('audit', '--log', join(work, 'data', 'audit.log'));
  expect(audit.stdout).not.toMatch(ACTIVE);
  expect(audit.stdout.trim().split('\n').every((line) => line.startsWith('#'))).toBe(true);
  const json = warden('audit', '--log', join(work, 'data', 'audit.log'), '--json');
  expect(json.stdout).not.toMatch(ACTIVE);
  expect(json.stdout.trim().split('\n').map((line) => JSON.parse(line).seq)).toEqual(audit.stdout.trim().split('\n').map((_, i) => i + 1));
});

it('warden run --json stays inert JSON and names the isolation level', () => {
  const run = warden('run', '--dev', join(work, 'evil'), '--data-dir', join(work, 'data'), '--exec', 'evil.result', '--json', '--once');
  expect(run.stdout).not.toMatch(ACTIVE);
  const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event: string; isolation?: string; result?: string });
  expect(events.find((event) => event.event === 'activated')?.isolation).toBe(machineSupport().levels[0]);
  expect(events.find((event) => event.event === 'result')?.result).toBe(FORGED);
});

it('--require-isolation with a level that does not exist is a usage error; one above this machine refuses the plugin', () => {
  const bad = warden('run', '--dev', join(work, 'evil'), '--data-dir', join(work, 'data'), '--require-isolation', 'paranoid', '--once');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toBe('warden: --require-isolation: "paranoid" is not an isolation level (strict, namespaces, none)\n');
  const strict = warden('run', '--dev', join(work, 'evil'), '--data-dir', join(work, 'data'), '--require-isolation', 'strict', '--exec', 'evil.result', '--once');
  if (machineSupport().levels[0] === 'strict') {
    expect(strict.code).toBe(0);
  } else {
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/✖ refused test\.evil: it requires isolation "strict"/);
  }
});
