/**
 * `warden enable ID` / `warden disable ID`: turn a plugin back on (after the
 * supervisor disabled it, or after `disable`) or off by hand. With a host
 * running on the data folder, the host itself does it (through its lock's
 * control socket), at once; with none, the switch is recorded in the folder
 * for the next host. Either way it is in the audit log.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { AuditLog } from '../host/audit.js';
import { sendControl, type SwitchRequest } from '../host/control.js';
import { lockDataFolder } from '../host/data-lock.js';
import { DISABLED_BY_HAND, PluginSwitches } from '../host/plugin-switches.js';
import { UsageError } from './errors.js';

interface SwitchOptions {
  dataDir: string;
}

/** publisher.name, as plugin ids are: checked here because with no host running there is no plugin list to ask. */
const PLUGIN_ID = /^[a-z0-9][a-z0-9._~-]*\.[a-z0-9._~-]+$/i;

export function registerSwitches(program: Command): void {
  for (const command of ['enable', 'disable'] as const) {
    program
      .command(command)
      .description(command === 'enable'
        ? 'turn a plugin back on: one the supervisor disabled after repeated crashes, or one disabled by hand'
        : 'turn a plugin off by hand: stopped now if a host runs, and off across host restarts until `warden enable`')
      .argument('<id>', 'the plugin id (publisher.name)')
      .option('--data-dir <dir>', 'the host data folder', '.warden')
      .action(async (pluginId: string, options: SwitchOptions) => {
        if (!PLUGIN_ID.test(pluginId)) throw new UsageError(`not a plugin id (publisher.name): ${pluginId}`);
        const dataDir = resolve(options.dataDir);
        if (!existsSync(dataDir)) throw new UsageError(`no data folder at ${options.dataDir} (pass --data-dir DIR)`);
        const request: SwitchRequest = { command, pluginId };
        const reply = await sendControl(dataDir, request);
        if (reply && !reply.ok) throw new UsageError(reply.error);
        const message = reply?.ok ? `${reply.message} (by the host running on ${options.dataDir})` : await switchOffline(dataDir, request);
        process.stdout.write(`${pc.green('✔')} ${message}\n`);
      });
  }
}

/** No host holds the folder: take the lock and record the switch for the next host to read. */
async function switchOffline(dataDir: string, { command, pluginId }: SwitchRequest): Promise<string> {
  const lock = await lockDataFolder(dataDir);
  try {
    const switches = PluginSwitches.read(dataDir);
    if (command === 'enable' && !switches.disabled(pluginId)) {
      return `${pluginId} is not disabled by hand in ${dataDir}; one the supervisor disabled is back when a host next starts`;
    }
    if (command === 'disable' && switches.disabled(pluginId)) return `${pluginId} was already disabled`;
    const audit = new AuditLog(join(dataDir, 'audit.log'));
    try {
      audit.append(command === 'enable'
        ? { pluginId, kind: 'enabled', was: switches.disabled(pluginId)!.reason, by: 'user' }
        : { pluginId, kind: 'disabled', reason: DISABLED_BY_HAND, by: 'user' });
    } finally {
      audit.close();
    }
    await (command === 'enable' ? switches.enable(pluginId) : switches.disable(pluginId, DISABLED_BY_HAND));
    return command === 'enable'
      ? `${pluginId} enabled: it runs when a host next starts on ${dataDir}`
      : `${pluginId} disabled: it stays off when a host starts on ${dataDir}, until \`warden enable ${pluginId}\``;
  } finally {
    await lock.release();
  }
}
