/**
 * `warden install <id>[@range] | <file.tgz> | <folder>` and `warden update
 * [<id>]`: plan (resolve, verify, blocklist, gate), show the consent screen,
 * ask, then copy atomically with an install record. An update that asks
 * for more than was granted is installed but waits, not started, until the
 * user approves the difference (`warden grant <id> --all`).
 */
import type { Command } from 'commander';
import pc from 'picocolors';
import { loadPolicy } from '../analyzer/policy.js';
import { removeTempDirsOnSignal } from '../analyzer/temp-dirs.js';
import type { Policy } from '../analyzer/types.js';
import { describeAtom } from '../host/install/capabilities.js';
import { commitInstall, type InstallContext, type InstallPlan, type InstallSpec, parseSpec, planInstall } from '../host/install/installer.js';
import type { InstalledPlugins } from '../host/install/records.js';
import { askConsent, type ConsentFlags, consentScreen, needsConsent } from './consent.js';
import { RefusedError, UsageError } from './errors.js';
import { addPluginsOptions, addRegistryOptions, openRegistry, registryConfig, storeFor, type TrustCliOptions } from './registry-options.js';

interface InstallOptions extends TrustCliOptions, ConsentFlags {
  policy?: string;
}

export function registerInstall(program: Command): void {
  const install = program
    .command('install <plugin>')
    .description('install a plugin (registry id[@range], .tgz or folder) after showing what it asks for and getting your consent')
    .option('-y, --yes', 'consent to everything it asks for')
    .option('--grant <capability...>', 'consent to these capabilities only (e.g. network:api.example.com filesystem.read:$home/Music)')
    .option('--accept-blocked', 'install despite a soft blocklist entry (recorded)')
    .option('--policy <file>', 'tier × severity policy file');
  addRegistryOptions(addPluginsOptions(install)).action(async (spec: string, options: InstallOptions) => {
    removeTempDirsOnSignal();
    const context = await installContext(options);
    const plan = await planInstall(parseSpec(spec), context);
    try {
      await consentAndCommit(plan, options, context.store);
    } finally {
      await plan.close();
    }
  });

  const update = program
    .command('update [id]')
    .description('update installed plugins from the registry; one that asks for more waits for your approval')
    .option('-y, --yes', 'approve what new versions ask for beyond their grant')
    .option('--policy <file>', 'tier × severity policy file');
  addRegistryOptions(addPluginsOptions(update)).action(async (id: string | undefined, options: InstallOptions) => {
    removeTempDirsOnSignal();
    const context = await installContext(options);
    const { records } = context.store.list();
    const chosen = id === undefined ? records.filter((r) => r.source.kind === 'registry') : records.filter((r) => r.id === id);
    if (id !== undefined && chosen.length === 0) throw new UsageError(`${id} is not installed in ${context.store.pluginsDir}`);
    if (!context.registry) throw new UsageError('no registry to update from: give --registry URL|DIR');
    let updated = 0;
    for (const record of chosen) {
      const newest = context.registry.view?.resolve(record.id, `>${record.version}`);
      if (!newest) continue;
      const plan = await planInstall({ kind: 'registry', id: record.id, range: newest.version } satisfies InstallSpec, context);
      try {
        await updateOne(plan, options, context.store);
        updated += 1;
      } finally {
        await plan.close();
      }
    }
    if (updated === 0) process.stdout.write(`${pc.green('✔')} everything is up to date\n`);
  });
}

async function installContext(options: InstallOptions): Promise<InstallContext & { store: InstalledPlugins }> {
  const store = storeFor(options);
  const config = registryConfig(options, store);
  const policy: Policy | undefined = options.policy !== undefined ? await loadPolicy(options.policy) : undefined;
  const registry = await openRegistry(config, options.dataDir);
  if (config) store.rememberRegistry({ url: config.url, trustedRoot: config.trustedRoot as Record<string, unknown> });
  return { store, dataDir: options.dataDir, ...(registry ? { registry } : {}), ...(policy ? { policy } : {}) };
}

function showRefusals(plan: InstallPlan): void {
  if (plan.refusals.length === 0) return;
  for (const reason of plan.refusals) process.stderr.write(`${pc.red('✖')} ${reason}\n`);
  throw new RefusedError(`${plan.id} ${plan.version} is not installed: ${plan.refusals[0]}`);
}

async function consentAndCommit(plan: InstallPlan, flags: ConsentFlags, store: InstalledPlugins): Promise<void> {
  process.stdout.write(`${consentScreen(plan).join('\n')}\n`);
  showRefusals(plan);
  if (plan.unchanged) {
    process.stdout.write(`${pc.green('✔')} ${plan.id} ${plan.version} is already installed\n`);
    return;
  }
  const consent = await askConsent(plan, flags);
  const record = commitInstall(plan, consent, store);
  const granted = record.grant && Object.keys(record.grant).length > 0 ? `, granted: ${needsConsentSummary(plan, consent.granted)}` : '';
  process.stdout.write(`${pc.green('✔')} installed ${plan.id} ${plan.version} (${plan.tier})${granted}\n`);
}

function needsConsentSummary(plan: InstallPlan, granted: string[]): string {
  const denied = plan.requested.filter((atom) => !granted.includes(atom));
  return `${granted.join(' ')}${denied.length > 0 ? `; not granted: ${denied.join(' ')}` : ''}`;
}

async function updateOne(plan: InstallPlan, flags: ConsentFlags, store: InstalledPlugins): Promise<void> {
  process.stdout.write(`${consentScreen(plan).join('\n')}\n`);
  showRefusals(plan);
  const more = needsConsent(plan);
  if (more.length > 0 && !flags.yes) {
    commitInstall(plan, { granted: plan.alreadyGranted, how: 'update', keepDespiteBlocks: false, awaitApproval: true }, store);
    process.stdout.write(
      `${pc.yellow('!')} installed ${plan.id} ${plan.version} but not enabled: it asks for more than you granted (${more.map(describeAtom).join('; ')})\n` +
        `  approve with: warden grant ${plan.id} --all   (or keep ${plan.previous?.version ?? 'the old version'}'s grant: warden revoke ${plan.id} ${more.join(' ')})\n`,
    );
    return;
  }
  const consent = await askConsent(plan, { ...flags, yes: flags.yes || more.length === 0 });
  commitInstall(plan, { ...consent, how: 'update' }, store);
  process.stdout.write(`${pc.green('✔')} updated ${plan.id} to ${plan.version}\n`);
}
