/**
 * `warden registry …`: the reviewer's and publisher's tools for a Warden
 * registry (a TUF repository in a folder; serve its metadata/ and targets/).
 *
 *   init <dir>                       keys, root and empty roles
 *   add <dir> <plugin.tgz> --tier …  runs the gate first; refuses what the tier's policy blocks unless --force --reason
 *   block / unblock <dir> <pattern>  the signed blocklist
 *   refresh <dir>                    re-sign snapshot and timestamp (run it well before the timestamp expires)
 *   keygen <name>                    a publisher's key pair
 *   sign <dir> --publisher --key     the publisher signs its staged role; then it is published
 *   rotate-key <dir> <role>          a new key for a role, through a new root version
 *   list <dir>                       what the registry holds
 */
import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import pc from 'picocolors';
import { analyzePlugin } from '../analyzer/analyze.js';
import { reviewedBytes } from '../analyzer/package-source.js';
import { loadPolicy } from '../analyzer/policy.js';
import { manifestRepository } from '../host/registry/blocklist.js';
import { readPublicKey, readSigningKey } from '../host/registry/keys.js';
import { isPublisherId, tierOfRole } from '../host/registry/layout.js';
import { DEFAULT_EXPIRY, type Expiry, type Placement, RegistryRepository, uniformExpiry, writeKeyPair } from '../host/registry/repository.js';
import { RefusedError, UsageError } from './errors.js';
import { parseDuration } from './registry-options.js';

const REGISTRY_TIERS = ['official', 'trusted', 'community'] as const;
const ROTATABLE = ['root', 'targets', 'snapshot', 'timestamp', 'community'] as const;

interface ExpiryFlag {
  expires?: string;
}

function expiryOf(flags: ExpiryFlag): Expiry {
  return flags.expires === undefined ? DEFAULT_EXPIRY : uniformExpiry(parseDuration(flags.expires, '--expires'));
}

const EXPIRES_HELP = 'every role this command signs expires after this (e.g. 2s, 12h, 30d, 50y); default: root 1 y, targets 90 d, snapshot 7 d, timestamp 1 d';

function done(text: string): void {
  process.stdout.write(`${pc.green('✔')} ${text}\n`);
}

export function registerRegistry(program: Command): void {
  const registry = program.command('registry').description('create and maintain a Warden registry (a TUF repository): review, sign, blocklist');
  // Bare `warden registry` lists its commands; a misspelt one is named as such.
  registry.usage('<command> [options]').argument('[command]').action((name: string | undefined) => {
    if (name !== undefined) throw new UsageError(`unknown command 'registry ${name}' (warden registry lists them)`);
    registry.outputHelp();
  });

  registry
    .command('init <dir>')
    .description('create a registry: Ed25519 keys for root, targets, snapshot, timestamp and community, and version 1 of each role')
    .option('--expires <duration>', EXPIRES_HELP)
    .action((dir: string, flags: ExpiryFlag) => {
      const repository = RegistryRepository.init(resolve(dir), expiryOf(flags));
      done(`created the registry in ${dir}: clients pin ${dir}/metadata/1.root.json (root key ${repository.root.signed.roles.root.keyIDs[0].slice(0, 12)}…); keep ${dir}/keys private`);
    });

  registry
    .command('add <dir> <plugin>')
    .description('review and register a plugin tarball (npm pack .tgz) at a tier')
    .addOption(new Option('--tier <tier>', 'official: the registry vouches; trusted: its publisher signs; community: signed after the automated gate').choices(REGISTRY_TIERS).makeOptionMandatory())
    .option('--publisher <id>', 'trusted: the publisher whose key signs it')
    .option('--publisher-key <pub>', "trusted: the publisher's public key (hex, or the .pub file from keygen)")
    .option('--force', 'register it although the gate blocks it at this tier (needs --reason; recorded in the metadata)')
    .option('--reason <text>', 'why --force')
    .option('--policy <file>', 'tier × severity policy file for the gate')
    .option('--expires <duration>', EXPIRES_HELP)
    .action(async (dir: string, tarball: string, flags: ExpiryFlag & { tier: (typeof REGISTRY_TIERS)[number]; publisher?: string; publisherKey?: string; force?: boolean; reason?: string; policy?: string }) => {
      const repository = RegistryRepository.open(resolve(dir));
      if (!/\.(tgz|tar\.gz)$/.test(tarball)) throw new UsageError(`${tarball}: registry targets are npm pack tarballs (.tgz)`);
      if (flags.force && !flags.reason?.trim()) throw new UsageError('--force needs --reason TEXT (it is recorded with the plugin)');
      const placement = placementOf(flags);
      const analysis = await analyzePlugin(tarball, { tier: flags.tier, cache: false, ...(flags.policy ? { policy: await loadPolicy(flags.policy) } : {}) });
      const { plugin, manifest, decision } = analysis;
      if (placement.tier === 'trusted' && plugin.publisher !== placement.publisher) {
        throw new UsageError(`${plugin.id} is published by ${plugin.publisher}, not ${placement.publisher}: a publisher's key vouches for its own plugins only`);
      }
      if (decision.action === 'block') {
        for (const f of analysis.findings.filter((finding) => finding.severity === 'critical' || finding.severity === 'high').slice(0, 10)) {
          process.stderr.write(`  ${f.severity.padEnd(8)} ${f.message} ${pc.dim(`(${f.file}:${f.line})`)}\n`);
        }
        if (!flags.force) throw new RefusedError(`${plugin.id} ${plugin.version} is refused for the ${flags.tier} tier: ${decision.reasons.join('; ')} (warden analyze shows why; --force --reason TEXT overrides, recorded)`);
        process.stderr.write(`${pc.yellow('!')} admitted over the gate's verdict: ${flags.reason}\n`);
      }
      const repositoryUrl = manifestRepository(manifest);
      const custom = {
        id: plugin.id,
        publisher: plugin.publisher,
        name: plugin.name,
        version: plugin.version,
        ...(repositoryUrl ? { repository: repositoryUrl } : {}),
        ...(decision.action === 'block' ? { forced: { reason: flags.reason!, decision: decision.reasons.join('; ') } } : {}),
      };
      const result = repository.addPlugin(reviewedBytes(tarball, analysis.archive!), custom, placement, expiryOf(flags));
      if (result.unchanged) done(`${plugin.id} ${plugin.version} is already registered (${result.role}); nothing changed`);
      else if (result.staged) done(`staged ${plugin.id} ${plugin.version} for ${placement.tier === 'trusted' ? placement.publisher : ''}: the publisher signs it with warden registry sign ${dir} --publisher ${plugin.publisher} --key <their .key>`);
      else done(`registered ${plugin.id} ${plugin.version} as ${tierOfRole(result.role)} (${result.path}) and published it`);
    });

  registry
    .command('block <dir> <pattern>')
    .description('blocklist plugins: an id or id glob (acme.*), publisher:<id>, or repo:<host>/<owner>/* (a whole organisation)')
    .requiredOption('--reason <text>', 'shown to users whose plugin it stops')
    .option('--range <semver>', 'only these versions (e.g. "<1.2.3")')
    .option('--soft', 'users may keep it with explicit consent (recorded)')
    .option('--link <url>', 'where to read more')
    .option('--expires <duration>', EXPIRES_HELP)
    .action((dir: string, pattern: string, flags: ExpiryFlag & { reason: string; range?: string; soft?: boolean; link?: string }) => {
      const repository = RegistryRepository.open(resolve(dir));
      repository.block(
        {
          pattern,
          reason: flags.reason,
          added: new Date().toISOString(),
          ...(flags.range !== undefined ? { range: flags.range } : {}),
          ...(flags.soft ? { soft: true } : {}),
          ...(flags.link !== undefined ? { link: flags.link } : {}),
        },
        expiryOf(flags),
      );
      done(`blocklisted ${pattern}${flags.range ? ` ${flags.range}` : ''}${flags.soft ? ' (soft)' : ''}: ${flags.reason}`);
    });

  registry
    .command('unblock <dir> <pattern>')
    .description('remove the blocklist entries with this pattern')
    .option('--expires <duration>', EXPIRES_HELP)
    .action((dir: string, pattern: string, flags: ExpiryFlag) => {
      const removed = RegistryRepository.open(resolve(dir)).unblock(pattern, expiryOf(flags));
      done(`removed ${removed} blocklist entr${removed === 1 ? 'y' : 'ies'} for ${pattern}`);
    });

  registry
    .command('refresh <dir>')
    .description('re-sign snapshot and timestamp with fresh expiry (clients refuse stale metadata: run this on a schedule)')
    .option('--expires <duration>', EXPIRES_HELP)
    .action((dir: string, flags: ExpiryFlag) => {
      const { snapshot, timestamp } = RegistryRepository.open(resolve(dir)).refresh(expiryOf(flags));
      done(`published snapshot v${snapshot}, timestamp v${timestamp}`);
    });

  registry
    .command('keygen <name>')
    .description("make a publisher's Ed25519 key pair: <name>.key (private, keep it) and <name>.pub (give it to the registry)")
    .action((name: string) => {
      const { privateFile, publicFile, keyId } = writeKeyPair(resolve(name));
      done(`wrote ${privateFile} (private) and ${publicFile} (public, key id ${keyId.slice(0, 12)}…)`);
    });

  registry
    .command('sign <dir>')
    .description("sign a publisher's staged role with its private key, then publish it")
    .requiredOption('--publisher <id>', 'the publisher')
    .requiredOption('--key <file>', "the publisher's private key (.key from keygen)")
    .option('--expires <duration>', EXPIRES_HELP)
    .action((dir: string, flags: ExpiryFlag & { publisher: string; key: string }) => {
      const { role, version } = RegistryRepository.open(resolve(dir)).signStaged(flags.publisher, readSigningKey(flags.key), expiryOf(flags));
      done(`signed and published ${role} v${version}`);
    });

  registry
    .command('rotate-key <dir> <role>')
    .description('replace a role key (root, targets, snapshot, timestamp, community); clients follow through a new root version')
    .option('--expires <duration>', EXPIRES_HELP)
    .action((dir: string, role: string, flags: ExpiryFlag) => {
      if (!(ROTATABLE as readonly string[]).includes(role)) throw new UsageError(`rotate-key: role must be one of ${ROTATABLE.join(', ')}`);
      const { keyId, rootVersion } = RegistryRepository.open(resolve(dir)).rotateKey(role as (typeof ROTATABLE)[number], expiryOf(flags));
      done(`new ${role} key ${keyId.slice(0, 12)}… (root v${rootVersion})`);
    });

  registry
    .command('list <dir>')
    .description('the registered plugins by tier, and the blocklist')
    .action((dir: string) => {
      const repository = RegistryRepository.open(resolve(dir));
      for (const { role, target } of repository.targets().sort((a, b) => a.target.path.localeCompare(b.target.path))) {
        process.stdout.write(`${String(tierOfRole(role) ?? role).padEnd(10)} ${target.path}  ${pc.dim(`sha256 ${target.hashes.sha256.slice(0, 12)}… ${target.length} B`)}\n`);
      }
      for (const entry of repository.blocklist().entries) {
        process.stdout.write(`${pc.red('blocked'.padEnd(10))} ${entry.pattern}${entry.range ? ` ${entry.range}` : ''}${entry.soft ? ' (soft)' : ''}: ${entry.reason}\n`);
      }
    });
}

function placementOf(flags: { tier: (typeof REGISTRY_TIERS)[number]; publisher?: string; publisherKey?: string }): Placement {
  if (flags.tier !== 'trusted') {
    if (flags.publisher !== undefined || flags.publisherKey !== undefined) throw new UsageError('--publisher and --publisher-key are for --tier trusted');
    return { tier: flags.tier };
  }
  if (flags.publisher === undefined || flags.publisherKey === undefined) throw new UsageError('--tier trusted needs --publisher ID and --publisher-key PUB');
  if (!isPublisherId(flags.publisher)) throw new UsageError(`--publisher ${flags.publisher}: a publisher id is lower-case letters, digits and dashes`);
  return { tier: 'trusted', publisher: flags.publisher, publisherKey: readPublicKey(flags.publisherKey) };
}
