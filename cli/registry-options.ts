/**
 * The options every command that consults a registry or reads installed
 * plugins shares, and how they turn into a registry configuration:
 * `--registry <url|dir>` with `--trusted-root <root.json>`; without them,
 * the registry the plugins folder was last installed from (remembered with
 * its pinned root). A folder registry given without a root is trusted on
 * first use (its `1.root.json`), and the command says so.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import ms from 'ms';
import pc from 'picocolors';
import { InstalledPlugins } from '../host/install/records.js';
import type { RegistryClient, RegistryOptions, RegistryStatus } from '../host/registry/client.js';
import { METADATA_DIR } from '../host/registry/layout.js';
import { ago } from '../host/trust.js';
import { notRegular, readRegularFileSync } from '../analyzer/fast-fs.js';
import { UsageError } from './errors.js';

export interface RegistryFlags {
  registry?: string;
  trustedRoot?: string;
  expiredGrace?: string;
}

export interface TrustCliOptions extends RegistryFlags {
  pluginsDir: string;
  dataDir: string;
}

export function addPluginsOptions(command: Command, pluginsDefault = 'plugins'): Command {
  return command
    .option('--plugins-dir <dir>', 'the plugins folder', pluginsDefault)
    .option('--data-dir <dir>', 'plugin data, audit log, analysis cache and registry state', '.warden');
}

export function addRegistryOptions(command: Command): Command {
  return command
    .option('--registry <url|dir>', 'the registry (a TUF repository): an http(s) URL or a folder')
    .option('--trusted-root <file>', "the registry's root.json to pin (default: remembered, or a folder's 1.root.json on first use)")
    .option('--expired-grace <duration>', 'let community and unregistered plugins start this long after the metadata expired (e.g. 2h)');
}

/** A duration such as `90d`, `2h`, `30s`, in milliseconds. */
export function parseDuration(value: string, flag: string): number {
  const parsed = ms(value as ms.StringValue);
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 0) throw new UsageError(`${flag} ${JSON.stringify(value)}: expected a duration such as 30s, 2h or 90d`);
  return parsed;
}

function isUrl(value: string): boolean {
  return /^https?:\/\//.test(value);
}

function readRoot(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readRegularFileSync(file).toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`cannot read the trusted root ${file}${notRegular(error)} (a registry's root.json)`);
  }
}

/** Which registry the command uses, and the root it pins; undefined when there is none. */
export function registryConfig(options: RegistryFlags, store: InstalledPlugins | undefined): RegistryOptions | undefined {
  const remembered = store?.rememberedRegistry();
  const grace = options.expiredGrace !== undefined ? { expiryGraceMs: parseDuration(options.expiredGrace, '--expired-grace') } : {};
  if (options.registry === undefined) {
    if (options.trustedRoot !== undefined) throw new UsageError('--trusted-root needs --registry');
    return remembered ? { url: remembered.url, trustedRoot: remembered.trustedRoot, ...grace } : undefined;
  }
  const url = isUrl(options.registry) ? options.registry : resolve(options.registry);
  if (!isUrl(url) && !existsSync(join(url, METADATA_DIR))) throw new UsageError(`not a registry: ${options.registry} (no ${METADATA_DIR}/ folder; an http(s) URL or a registry folder)`);
  if (options.trustedRoot !== undefined) return { url, trustedRoot: readRoot(options.trustedRoot), ...grace };
  if (remembered?.url === url) return { url, trustedRoot: remembered.trustedRoot, ...grace };
  if (isUrl(url)) throw new UsageError(`--registry ${url}: give the registry's root with --trusted-root FILE (obtained from its operator)`);
  const first = join(url, METADATA_DIR, '1.root.json');
  if (!existsSync(first)) throw new UsageError(`not a registry: ${options.registry} (no ${METADATA_DIR}/1.root.json)`);
  process.stderr.write(`${pc.yellow('note:')} trusting ${options.registry}'s root keys on first use; pin them with --trusted-root\n`);
  return { url, trustedRoot: readRoot(first), ...grace };
}

/** Opens and refreshes the registry for a one-shot command; a failed refresh is a warning when stored metadata remains. */
export async function openRegistry(config: RegistryOptions | undefined, dataDir: string): Promise<RegistryClient | undefined> {
  if (!config) return undefined;
  // The registry client (tuf-js) is loaded only when there is a registry to open.
  const { RegistryClient } = await import('../host/registry/client.js');
  const client = await RegistryClient.open({ ...config, watch: false }, join(dataDir, 'registry'));
  const outcome = await client.refresh();
  if (!outcome.ok || client.status().ignoredRoles.length > 0) process.stderr.write(`${pc.yellow('warning:')} ${describeStatus(client.status())}\n`);
  return client;
}

/** One line on the registry's state: fresh, stale, offline, refused. */
export function describeStatus(status: RegistryStatus, now = Date.now()): string {
  const verified = status.verifiedAt ? `using metadata verified ${ago(status.verifiedAt, now)}` : 'no verified metadata yet';
  const expiry = status.expires ? (status.expired ? `, expired ${ago(status.expires, now)}${status.inGrace ? ' (within the grace period)' : ''}` : '') : '';
  const ignored = status.ignoredRoles.map((role) => `; role ${role}: its plugins get no tier`).join('');
  return status.lastError ? `${status.lastError}; ${verified}${expiry}${ignored}` : `registry ${status.url}: ${verified}${expiry}${ignored}`;
}

export function storeFor(options: { pluginsDir: string }): InstalledPlugins {
  return new InstalledPlugins(resolve(options.pluginsDir));
}
