/**
 * The consent screen `warden install` and `update` show before anything is
 * copied: what the plugin is and who vouches for it, every capability it
 * asks for as a sentence, the combinations worth a second look, and what the
 * review found. Then the answer: a prompt on a terminal, `--yes` or
 * `--grant <capability>…` in scripts, and otherwise no install ("consent
 * needed", exit 1).
 */
import { createInterface } from 'node:readline/promises';
import pc from 'picocolors';
import { inert } from '../analyzer/inert-text.js';
import { type Atom, beyond, describeAtom, describeTier, parseGrants } from '../host/install/capabilities.js';
import type { Consent, InstallPlan } from '../host/install/installer.js';
import { describeEntry } from '../host/registry/blocklist.js';
import { RefusedError } from './errors.js';

export interface ConsentFlags {
  yes?: boolean;
  grant?: string[];
  acceptBlocked?: boolean;
}

function sourceLine(plan: InstallPlan): string {
  const { source } = plan;
  if (source.kind === 'registry') return `the registry ${inert(source.registry)} (${inert(source.target)}, sha256 ${source.sha256.slice(0, 12)}…)`;
  if (source.kind === 'file') return `${inert(source.path)} (sha256 ${source.sha256.slice(0, 12)}…${plan.target ? `, matches the registry's ${inert(plan.target.path)}` : ', not a registry target'})`;
  return `the folder ${inert(source.path)}`;
}

/**
 * The screen, as lines (written to stdout: it is what the command is for). Everything the plugin, its manifest or a
 * registry supplied goes through `inert` before our own colours are added, so no text can redraw the screen.
 */
export function consentScreen(plan: InstallPlan): string[] {
  const lines: string[] = [];
  const id = pc.bold(inert(plan.id));
  const version = inert(plan.version);
  const verb = !plan.previous
    ? `Install ${id} ${version}`
    : plan.previous.version === plan.version
      ? `Reinstall ${id} ${version} (the installed copy differs from its record, or from these bytes)`
      : `Update ${id} ${inert(plan.previous.version)} → ${version}`;
  lines.push(verb, `  from       ${sourceLine(plan)}`, `  tier       ${pc.bold(plan.tier)}: ${inert(describeTier(plan.tier, plan.publisher))}`, `  publisher  ${inert(plan.publisher)}`);
  if (plan.target?.forced) lines.push(`  ${pc.yellow('!')} the registry admitted it over its policy: ${inert(plan.target.forced.reason)}`);
  if (plan.requested.length === 0) {
    lines.push('  It asks for no capabilities: it can keep its own data and talk to the app, nothing more.');
  } else {
    lines.push('  It asks to:');
    for (const atom of plan.requested) {
      const kept = plan.alreadyGranted.includes(atom) ? pc.dim(' (granted before)') : plan.previous ? pc.yellow(' (new)') : '';
      lines.push(`    • ${inert(describeAtom(atom))}${kept}  ${pc.dim(inert(atom))}`);
    }
  }
  if (plan.dangers.length > 0) {
    lines.push('  Be aware:');
    for (const danger of plan.dangers) lines.push(`    ${pc.yellow('!')} ${inert(danger)}`);
  }
  for (const entry of plan.softBlocks) lines.push(`  ${pc.yellow('!')} ${inert(describeEntry(entry))}`);
  if (plan.findings.length > 0) {
    lines.push(`  The review found (shown for ${plan.tier} plugins):`);
    for (const f of plan.findings.slice(0, 10)) lines.push(`    ${f.severity.padEnd(8)} ${inert(f.message)} ${pc.dim(`(${inert(f.file)}:${f.line})`)}`);
    if (plan.findings.length > 10) lines.push(`    … and ${plan.findings.length - 10} more (warden analyze shows them all)`);
  }
  for (const warning of plan.warnings) lines.push(`  ${pc.yellow('!')} ${inert(warning)}`);
  return lines;
}

/** What needs the user's yes: a fresh install, everything; an update, only what it asks beyond the old grant. */
export function needsConsent(plan: InstallPlan): Atom[] {
  return plan.previous ? beyond(plan.requested, plan.alreadyGranted) : plan.requested;
}

/** The user's answer; throws "consent needed" when there is no way to ask and no flag answered. */
export async function askConsent(plan: InstallPlan, flags: ConsentFlags): Promise<Consent> {
  const keepDespiteBlocks = flags.acceptBlocked === true;
  if (flags.grant && flags.grant.length > 0) {
    const granted = parseGrants(flags.grant, plan.requested, plan.id);
    return { granted: [...new Set([...plan.alreadyGranted, ...granted])], how: 'grant', keepDespiteBlocks };
  }
  if (flags.yes) return { granted: plan.requested, how: 'yes', keepDespiteBlocks };
  const fresh = needsConsent(plan);
  if (plan.previous && fresh.length === 0 && plan.softBlocks.length === 0) return { granted: plan.requested, how: 'update', keepDespiteBlocks };
  if (process.stdin.isTTY && process.stdout.isTTY) {
    const question = plan.softBlocks.length > 0 ? 'Install it despite the blocklist entry, with everything listed above? [y/N] ' : `${plan.previous ? 'Update' : 'Install'} it and allow everything listed above? [y/N] `;
    const prompt = createInterface({ input: process.stdin, output: process.stdout });
    const answer = (await prompt.question(question)).trim().toLowerCase();
    prompt.close();
    if (answer !== 'y' && answer !== 'yes') throw new RefusedError('not installed: you said no');
    return { granted: plan.requested, how: 'prompt', keepDespiteBlocks: true };
  }
  const caps = fresh.length > 0 ? ` (${inert(fresh.join(' '))})` : '';
  throw new RefusedError(`consent needed: run again with --yes to allow everything listed, or --grant <capability>… for part of it${caps}`);
}
