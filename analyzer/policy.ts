/**
 * What each tier does with findings of each severity (the design's default
 * table), a policy file that overrides any cells, and the decision with
 * reasons a person can read.
 */
import { notRegular, readFile } from './fast-fs.js';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { SEVERITIES, type Severity } from '../rules/meta.js';
import { UsageError } from '../cli/errors.js';
import validatePolicyFile from './generated/policy-validator.js';
import { TIERS, type Decision, type Finding, type Policy, type PolicyAction, type Tier } from './types.js';

export const defaultPolicy: Policy = {
  tiers: {
    official: { critical: 'warn', high: 'warn', medium: 'show', low: 'hidden', info: 'hidden' },
    trusted: { critical: 'block', high: 'warn', medium: 'show', low: 'show', info: 'show' },
    community: { critical: 'block', high: 'block', medium: 'warn', low: 'show', info: 'show' },
    unregistered: { critical: 'block', high: 'block', medium: 'warn', low: 'show', info: 'show' },
  },
};

const ACTIONS: PolicyAction[] = ['block', 'warn', 'show', 'hidden'];

type PolicyFile = { tiers?: Partial<Record<Tier, Partial<Record<Severity, PolicyAction>>>> };
/** analyzer/policy.schema.json, compiled at build time (scripts/compile-validators.mjs). */
const validatePolicy = validatePolicyFile as unknown as ValidateFunction<PolicyFile>;

/** The default policy with the file's cells laid over it. */
export async function loadPolicy(file: string): Promise<Policy> {
  const text = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new UsageError(`cannot read policy ${file}${notRegular(error)}`);
  });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`invalid policy ${file}: not valid JSON (${(error as Error).message})`);
  }
  if (!validatePolicy(data)) {
    const error = validatePolicy.errors![0];
    const where = error.instancePath.split('/').slice(1).join('.') || '(root)';
    const detail = error.keyword === 'enum' ? `must be one of ${ACTIONS.join(', ')}` : error.keyword === 'additionalProperties' ? `has unknown key "${String(error.params.additionalProperty)}"` : error.message;
    throw new UsageError(`invalid policy ${file}: "${where}" ${detail}`);
  }
  return mergePolicy(defaultPolicy, data);
}

export function mergePolicy(base: Policy, overrides: PolicyFile): Policy {
  return { tiers: Object.fromEntries(TIERS.map((tier) => [tier, { ...base.tiers[tier], ...overrides.tiers?.[tier] }])) as Policy['tiers'] };
}

export function actionFor(policy: Policy, tier: Tier, severity: Severity): PolicyAction {
  return policy.tiers[tier][severity];
}

/**
 * `manifest` findings say the host cannot load the plugin at all (no entry
 * module, a Warden version it does not support): they block for every tier,
 * whatever a policy says, because the host refuses such a plugin anyway.
 */
export function isUnloadable(finding: Finding): boolean {
  // The `manifest` check's findings: a missing entry module, an engines.warden range this host is not in.
  return finding.ruleId === 'manifest';
}

/** What the policy does with this one finding for the tier. */
export function actionOf(policy: Policy, tier: Tier, finding: Finding): PolicyAction {
  return isUnloadable(finding) ? 'block' : actionFor(policy, tier, finding.severity);
}

/** The findings the policy shows for the tier: all but those it hides. */
export function visibleFindings(findings: Finding[], tier: Tier, policy: Policy): Finding[] {
  return findings.filter((finding) => actionOf(policy, tier, finding) !== 'hidden');
}

export function countBySeverity(findings: Finding[]): Map<Severity, number> {
  const counts = new Map<Severity, number>();
  for (const severity of SEVERITIES) {
    const n = findings.filter((finding) => finding.severity === severity).length;
    if (n > 0) counts.set(severity, n);
  }
  return counts;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** How many findings a reason names before "and N more". */
const NAMED_PER_REASON = 3;

/** `Loads 'fs', which reads and writes files (no-filesystem at index.js:4:12)` */
export function describeFinding(finding: Finding): string {
  return `${finding.message.replace(/\.$/, '')} (${finding.ruleId} at ${finding.file}:${finding.symbol ?? `${finding.line}:${finding.column}`})`;
}

/** `<what>: <finding>; <finding>; and 2 more`: a reason names the findings it rests on. */
function reasonFor(what: string, findings: Finding[]): string {
  const named = findings.slice(0, NAMED_PER_REASON).map(describeFinding);
  const more = findings.length - named.length;
  return `${what}: ${named.join('; ')}${more > 0 ? `; and ${more} more` : ''}`;
}

/** The reasons a plugin cannot be loaded whatever its tier (what the host refuses a development plugin for, too). */
export function unloadableReasons(findings: Finding[]): string[] {
  const unloadable = findings.filter(isUnloadable);
  return unloadable.length === 0 ? [] : [reasonFor('the host cannot load it, whatever its tier', unloadable)];
}

export function decide(findings: Finding[], tier: Tier, policy: Policy = defaultPolicy): Decision {
  const blocking = unloadableReasons(findings);
  const warning: string[] = [];
  const judged = findings.filter((finding) => !isUnloadable(finding));
  for (const severity of countBySeverity(judged).keys()) {
    const action = actionFor(policy, tier, severity);
    const these = judged.filter((finding) => finding.severity === severity);
    const counted = plural(these.length, `${severity} finding`);
    const one = these.length === 1;
    if (action === 'block') blocking.push(reasonFor(`${counted} ${one ? 'blocks' : 'block'} loading for ${tier} plugins`, these));
    if (action === 'warn') warning.push(reasonFor(`${counted} ${one ? 'needs' : 'need'} a warning before loading for ${tier} plugins`, these));
  }
  if (blocking.length > 0) return { action: 'block', reasons: [...blocking, ...warning] };
  if (warning.length > 0) return { action: 'warn', reasons: warning };
  return { action: 'allow', reasons: [`no finding blocks or warns for ${tier} plugins`] };
}
