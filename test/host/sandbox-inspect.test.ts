/**
 * `--inspect-plugin`: the plugin process starts with the inspector waiting for
 * a debugger, reachable from the host, and says plainly what sandboxing this
 * Node cannot keep while inspecting. Run `npx tsc -p tsconfig.json` first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { launch } from '../../host/launcher.js';
import { grantFromManifest } from '../../host/permissions.js';
import { nodeRuntime } from '../../host/platform.js';
import { FIXTURES, TEST_LIMITS } from '../fixtures/host/harness.js';
import { LEVELS, skipped, titled } from '../fixtures/host/matrix.js';

describe.each(LEVELS)('isolation $name', (level) => {
  it.skipIf(skipped(level))(titled('starts the plugin process with the inspector listening, and warns when the permission model must be dropped', level), async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'warden-inspect-'));
    const lines: string[] = [];
    const grant = grantFromManifest(undefined, { pluginRoot: join(FIXTURES, 'ctx-user'), dataDir: tmp, home: tmp });
    let child: ReturnType<typeof launch>['child'] | undefined;
    try {
      const listening = new Promise<string>((resolve) => {
        ({ child } = launch({
          ...TEST_LIMITS,
          grant,
          dataDir: tmp,
          isolation: level.value,
          inspect: true,
          onLine: (_stream, line) => {
            lines.push(line);
            if (line.startsWith('Debugger listening on ws://127.0.0.1:')) resolve(line);
          },
        }));
      });
      const url = new URL((await listening).split(' ').at(-1)!.replace('ws:', 'http:'));
      // The host can reach it: the inspector answers its HTTP discovery endpoint.
      const targets = (await (await fetch(`http://${url.host}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
      expect(targets[0].webSocketDebuggerUrl).toContain(url.host);
      if (!nodeRuntime().flags.has('--allow-inspector')) {
        expect(lines[0]).toMatch(/^\[warden\] inspecting: .* runs WITHOUT filesystem, process, worker and addon restrictions/);
      }
    } finally {
      child?.kill('SIGKILL');
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
