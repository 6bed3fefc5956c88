/**
 * warden/testing as a plugin author uses it: a real host, the plugin in its
 * sandboxed process, and what the host saw to assert on. Needs `npm run build`.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPlugin } from '../../testing/index.js';

const SAMPLES = resolve(import.meta.dirname, '../../sample-plugins');
const work = mkdtempSync(join(tmpdir(), 'warden-testing-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('warden/testing', () => {
  it('runs a command and records the message it showed; the gate found nothing', async () => {
    const plugin = await startPlugin(join(SAMPLES, 'hello-world'));
    try {
      expect(plugin.id).toBe('samples.hello-world');
      expect(plugin.findings).toEqual([]);
      expect(plugin.decision.action).toBe('allow');
      expect(await plugin.run('hello.sayHello', 'Ada')).toBe('Hello, Ada!');
      expect(plugin.messages).toEqual([{ level: 'info', text: 'Hello, Ada!' }]);
      expect(plugin.audit().some((entry) => entry.kind === 'call' && entry.method === 'window/showMessage')).toBe(true);
    } finally {
      await plugin.stop();
    }
  });

  it('shows what ctx.storage holds, as the host stores it', async () => {
    const plugin = await startPlugin(join(SAMPLES, 'notes'));
    try {
      await plugin.run('notes.add', 'buy milk');
      await plugin.run('notes.add', 'call Bob');
      const { notes } = (await plugin.storage()) as { notes: { text: string }[] };
      expect(notes.map((note) => note.text)).toEqual(['buy milk', 'call Bob']);
    } finally {
      await plugin.stop();
    }
  });

  it('records denials: the broker refuses a fetch the grant does not allow, and the sandbox a read outside it', async () => {
    const plugin = await startPlugin(join(SAMPLES, 'sneaky'));
    try {
      const results = await plugin.run<string[]>('sneaky.sync');
      expect(results[0]).toMatch(/passwd: ERR_ACCESS_DENIED/);
      expect(plugin.denials).toEqual([expect.stringMatching(/exfil\.example/)]);
    } finally {
      await plugin.stop();
    }
  });

  it('grants what the test says, not what the manifest declares', async () => {
    const root = join(work, 'weather');
    cpSync(join(SAMPLES, 'weather'), root, { recursive: true });
    const plugin = await startPlugin(root, { capabilities: {} });
    try {
      await plugin.run('weather.now').catch(() => undefined);
      expect(plugin.denials.join(' ')).toMatch(/net/);
    } finally {
      await plugin.stop();
    }
  });

  it('throws a plain error for a plugin the host cannot load', async () => {
    const root = join(work, 'broken');
    cpSync(join(SAMPLES, 'hello-world'), root, { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'broken', publisher: 'acme', version: '1.0.0', main: 'gone.js', engines: { warden: '^0.1.0' } }));
    await expect(startPlugin(root)).rejects.toThrow(/cannot be loaded: the host cannot load it.*"gone\.js" is not in the package/);
  });
});
