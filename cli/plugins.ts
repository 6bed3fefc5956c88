/**
 * The installed plugins, from the user's chair: `warden list [--json]`,
 * `warden uninstall <id> [--purge]`, and `warden grant` / `warden revoke`,
 * which rewrite the consent in the install record (a running host follows
 * the record and restarts the plugin with the new grant).
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { inert, inertJson } from '../analyzer/inert-text.js';
import { sendControl } from '../host/control.js';
import { createHost } from '../host/index.js';
import { type Atom, atomsOf, beyond, capabilitiesOf, describeAtom, parseGrants } from '../host/install/capabilities.js';
import type { InstalledPlugins, InstallRecord } from '../host/install/records.js';
import type { PluginInfo } from '../host/host.js';
import type { Manifest } from '../analyzer/types.js';
import { isKept, keptEntry, manifestRepository } from '../host/registry/blocklist.js';
import { addPluginsOptions, addRegistryOptions, describeStatus, openRegistry, registryConfig, storeFor, type TrustCliOptions } from './registry-options.js';
import { UsageError } from './errors.js';

interface ListOptions extends TrustCliOptions {
  json?: boolean;
}

export interface ListedPlugin {
  id: string;
  version: string;
  tier: string;
  /** `enabled` (may start), `awaiting-approval`, `blocked`, or the host's state of it. */
  status: string;
  granted: Atom[];
  /** Why it is blocked or waiting. */
  reasons: string[];
  installed: boolean;
  source: string;
  /** `process` (JavaScript, a sandboxed process of its own) or `worker` (WebAssembly, a worker thread of the host); absent when it could not be loaded. */
  runsIn?: 'process' | 'worker';
  lastActivity: string | null;
}

export function registerPlugins(program: Command): void {
  const list = program.command('list').description('installed plugins: tier, status, what they may do, when they last did something').option('--json', 'one JSON object per plugin, in an array');
  addRegistryOptions(addPluginsOptions(list)).action(async (options: ListOptions) => {
    const store = storeFor(options);
    if (!existsSync(store.pluginsDir)) throw new UsageError(`plugins folder not found: ${options.pluginsDir}`);
    const { infos, refusals, status } = (await pluginsOfRunningHost(options.dataDir)) ?? (await judgePlugins(store, options));
    const records = new Map(store.list().records.map((record) => [record.id, record]));
    const activity = lastActivity(join(resolve(options.dataDir), 'audit.log'));
    const listed = infos.map((info) => toListed(info, records.get(info.id), activity.get(info.id)));
    // Installed plugins the host could not even load (a file changed, the manifest gone) are listed with the reason.
    for (const record of records.values()) {
      if (infos.some((info) => info.id === record.id)) continue;
      listed.push({ ...unloaded(record), lastActivity: activity.get(record.id) ?? null, reasons: refusals.get(record.id) ?? ['it could not be loaded'] });
    }
    listed.sort((a, b) => a.id.localeCompare(b.id));
    if (status) process.stderr.write(`${pc.dim(status)}\n`);
    if (options.json) {
      process.stdout.write(`${inertJson(listed, 2)}\n`);
      return;
    }
    if (listed.length === 0) process.stdout.write(`no plugins in ${options.pluginsDir}\n`);
    for (const plugin of listed) process.stdout.write(`${formatListed(plugin)}\n`);
  });

  const uninstall = program.command('uninstall <id>').description('remove an installed plugin').option('--purge', 'also delete its data folder');
  addPluginsOptions(uninstall).action((id: string, options: TrustCliOptions & { purge?: boolean }) => {
    const store = storeFor(options);
    const record = store.remove(id);
    if (!record) throw new UsageError(`${id} is not installed in ${options.pluginsDir}`);
    if (options.purge) rmSync(join(resolve(options.dataDir), 'plugins', id), { recursive: true, force: true });
    process.stdout.write(`${pc.green('✔')} uninstalled ${id} ${record.version}${options.purge ? ' and deleted its data' : ''}\n`);
  });

  const grant = program
    .command('grant <id> [capability...]')
    .description('allow an installed plugin a capability it asks for; a running host restarts it with the new grant')
    .option('--all', 'everything it asks for (approves an update waiting for approval)')
    .option('--keep-blocked', 'keep it despite a soft blocklist entry (recorded)');
  addRegistryOptions(addPluginsOptions(grant)).action(async (id: string, capabilities: string[], options: TrustCliOptions & { all?: boolean; keepBlocked?: boolean }) => {
    const store = storeFor(options);
    const record = installed(store, id);
    const requested = atomsOf(installedManifest(store, record).capabilities);
    if (!options.all && !options.keepBlocked && capabilities.length === 0) throw new UsageError(`name what to grant (${requested.join(' ') || 'it asks for nothing'}), or --all`);
    const added = options.all ? requested : parseGrants(capabilities, requested, id);
    const granted = [...new Set([...atomsOf(record.grant), ...added])];
    const next: InstallRecord = { ...record, grant: capabilitiesOf(granted), consent: { at: new Date().toISOString(), how: 'grant' } };
    const pending = beyond(record.awaitingApproval?.atoms ?? [], granted);
    if (record.awaitingApproval) {
      if (pending.length === 0) delete next.awaitingApproval;
      else next.awaitingApproval = { ...record.awaitingApproval, atoms: pending };
    }
    if (options.keepBlocked) next.keptDespite = await softEntriesToKeep(store, record, options);
    store.commit(next);
    const now = added.map(describeAtom).join('; ');
    process.stdout.write(`${pc.green('✔')} ${id} may now ${now || 'run despite the soft blocklist entry'}${next.awaitingApproval ? pc.yellow(` (still waiting for: ${next.awaitingApproval.atoms.join(' ')})`) : ''}\n`);
  });

  const revoke = program.command('revoke <id> <capability...>').description('take a capability back; a running host restarts the plugin without it');
  addPluginsOptions(revoke).action((id: string, capabilities: string[], options: TrustCliOptions) => {
    const store = storeFor(options);
    const record = installed(store, id);
    const requested = atomsOf(installedManifest(store, record).capabilities);
    const removed = parseGrants(capabilities, requested, id);
    const granted = atomsOf(record.grant).filter((atom) => !removed.includes(atom));
    const next: InstallRecord = { ...record, grant: capabilitiesOf(granted), consent: { at: new Date().toISOString(), how: 'revoke' } };
    if (record.awaitingApproval) {
      // Declining what an update asked for lets it run without it.
      const pending = record.awaitingApproval.atoms.filter((atom) => !removed.includes(atom));
      if (pending.length === 0) delete next.awaitingApproval;
      else next.awaitingApproval = { ...record.awaitingApproval, atoms: pending };
    }
    store.commit(next);
    process.stdout.write(`${pc.green('✔')} ${id} may no longer ${removed.map(describeAtom).join('; ')}\n`);
  });
}

function installed(store: InstalledPlugins, id: string): InstallRecord {
  const record = store.get(id);
  if (!record) throw new UsageError(`${id} is not installed in ${store.pluginsDir}`);
  return record;
}

function installedManifest(store: InstalledPlugins, record: InstallRecord): Manifest {
  return JSON.parse(readFileSync(join(store.folderOf(record), 'package.json'), 'utf8')) as Manifest;
}

async function softEntriesToKeep(store: InstalledPlugins, record: InstallRecord, options: TrustCliOptions): Promise<InstallRecord['keptDespite']> {
  const registry = await openRegistry(registryConfig(options, store), options.dataDir);
  const view = registry?.view;
  if (!view) throw new UsageError('--keep-blocked needs the registry whose blocklist names it (give --registry)');
  const manifest = installedManifest(store, record);
  const entries = view.blocked({ id: record.id, publisher: manifest.publisher, version: record.version, repositories: [manifestRepository(manifest)] }).filter((entry) => entry.soft);
  if (entries.length === 0) throw new UsageError(`no soft blocklist entry names ${record.id}`);
  const at = new Date().toISOString();
  return [...(record.keptDespite ?? []), ...entries.filter((entry) => !isKept(record.keptDespite, entry)).map((entry) => keptEntry(entry, at))];
}

function toListed(info: PluginInfo, record: InstallRecord | undefined, activity: string | undefined): ListedPlugin {
  const reasons = info.state === 'blocked' && info.lastError ? info.lastError.split('; ') : [];
  const status = record?.awaitingApproval ? 'awaiting-approval' : info.state === 'inactive' ? 'enabled' : info.state;
  return {
    id: info.id,
    version: info.version,
    tier: info.tier,
    status,
    granted: record ? atomsOf(record.grant) : atomsOf(info.capabilities),
    reasons,
    installed: record !== undefined,
    source: record ? sourceOf(record) : `folder ${info.root} (not installed: its manifest is its grant)`,
    runsIn: info.runsIn,
    lastActivity: activity ?? null,
  };
}

function unloaded(record: InstallRecord): Omit<ListedPlugin, 'lastActivity' | 'reasons'> {
  return { id: record.id, version: record.version, tier: record.tier, status: 'blocked', granted: atomsOf(record.grant), installed: true, source: sourceOf(record) };
}

function sourceOf(record: InstallRecord): string {
  return record.source.kind === 'registry' ? `registry ${record.source.target}` : `${record.source.kind} ${record.source.path}`;
}

/** One plugin's lines; what its manifest, record or the audit log supplied is printed through `inert`. */
function formatListed(plugin: ListedPlugin): string {
  const text = inert(plugin.status);
  const status = plugin.status === 'enabled' ? pc.green(text) : plugin.status === 'blocked' ? pc.red(text) : pc.yellow(text);
  const where = plugin.runsIn === 'worker' ? '  WebAssembly, in a worker of the host' : '';
  const lines = [`${pc.bold(inert(plugin.id))} ${inert(plugin.version)}  ${inert(plugin.tier)}  ${status}${where}  ${pc.dim(plugin.lastActivity ? `last active ${inert(plugin.lastActivity)}` : 'never run')}`];
  lines.push(`  may: ${plugin.granted.length > 0 ? inert(plugin.granted.map(describeAtom).join('; ')) : 'nothing beyond its own data'}`);
  for (const reason of plugin.reasons) lines.push(`  ${pc.red('✖')} ${inert(reason)}`);
  if (!plugin.installed) lines.push(pc.dim(`  ${inert(plugin.source)}`));
  return lines.join('\n');
}

/** Audit entries that are a plugin doing something (its calls, starts, crashes, denials), not the host judging it. */
const ACTIVITY = new Set(['call', 'activated', 'crashed', 'denied', 'process.start']);
/** Only the log's tail is read: "last active" is about recent things, and a long log must not slow `list` down. */
const TAIL_BYTES = 4 * 1024 * 1024;

function lastActivity(logPath: string): Map<string, string> {
  const last = new Map<string, string>();
  if (!existsSync(logPath)) return last;
  const size = statSync(logPath).size;
  const start = Math.max(0, size - TAIL_BYTES);
  const buffer = Buffer.alloc(size - start);
  const fd = openSync(logPath, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, start);
  } finally {
    closeSync(fd);
  }
  for (const line of buffer.toString('utf8').split('\n')) {
    try {
      const entry = JSON.parse(line) as { pluginId?: string; kind?: string; time?: string };
      if (entry.pluginId && entry.time && entry.kind && ACTIVITY.has(entry.kind)) last.set(entry.pluginId, entry.time);
    } catch {
      // the first line of a tail is usually cut
    }
  }
  return last;
}

interface Judged {
  infos: PluginInfo[];
  /** Why plugins the host could not load were refused. */
  refusals: Map<string, string[]>;
  /** The registry's state, when one was consulted. */
  status?: string;
}

/** A host running on the data folder holds its lock: it is asked for what it has, with their live states. */
async function pluginsOfRunningHost(dataDir: string): Promise<Judged | undefined> {
  const reply = await sendControl(resolve(dataDir), { command: 'plugins' });
  if (!reply) return undefined;
  if (!reply.ok) throw new UsageError(reply.error);
  return { infos: reply.plugins ?? [], refusals: new Map(), status: 'states from the host running on this data folder' };
}

/** No host runs: judge every plugin (gate, trust, integrity) as one would at start, and start none. */
async function judgePlugins(store: InstalledPlugins, options: ListOptions): Promise<Judged> {
  const registry = registryConfig(options, store);
  const host = createHost({ pluginsDir: store.pluginsDir, dataDir: options.dataDir, startPlugins: false, ...(registry ? { registry: { ...registry, watch: false } } : {}) });
  const judged: Judged = { infos: [], refusals: new Map() };
  host.on('registry', (event) => {
    judged.status = describeStatus(event);
  });
  host.on('blocked', ({ pluginId, reasons }) => judged.refusals.set(pluginId, reasons));
  await host.start();
  judged.infos = host.plugins();
  await host.stop();
  return judged;
}
