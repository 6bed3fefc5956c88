/**
 * What each tier does with findings of each severity (the design's default
 * table), a policy file that overrides any cells, and the decision with
 * reasons a person can read.
 */
import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { SEVERITIES, type Severity } from '../rules/meta.js';
import { UsageError } from '../cli/errors.js';
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

const policySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    tiers: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(
        TIERS.map((tier) => [tier, { type: 'object', additionalProperties: false, properties: Object.fromEntries(SEVERITIES.map((s) => [s, { enum: ACTIONS }])) }]),
      ),
    },
  },
};

type PolicyFile = { tiers?: Partial<Record<Tier, Partial<Record<Severity, PolicyAction>>>> };
const validatePolicy = new Ajv2020({ strict: true }).compile<PolicyFile>(policySchema);

/** The default policy with the file's cells laid over it. */
export async function loadPolicy(file: string): Promise<Policy> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new UsageError(`cannot read policy ${file}`);
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

/** The findings the policy shows for the tier: all but those it hides. */
export function visibleFindings(findings: Finding[], tier: Tier, policy: Policy): Finding[] {
  return findings.filter((finding) => actionFor(policy, tier, finding.severity) !== 'hidden');
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

export function decide(findings: Finding[], tier: Tier, policy: Policy = defaultPolicy): Decision {
  const blocking: string[] = [];
  const warning: string[] = [];
  for (const [severity, n] of countBySeverity(findings)) {
    const action = actionFor(policy, tier, severity);
    const counted = plural(n, `${severity} finding`);
    if (action === 'block') blocking.push(`${counted} ${n === 1 ? 'blocks' : 'block'} loading for ${tier} plugins`);
    if (action === 'warn') warning.push(`${counted} ${n === 1 ? 'needs' : 'need'} a warning before loading for ${tier} plugins`);
  }
  if (blocking.length > 0) return { action: 'block', reasons: [...blocking, ...warning] };
  if (warning.length > 0) return { action: 'warn', reasons: warning };
  return { action: 'allow', reasons: [`no finding blocks or warns for ${tier} plugins`] };
}
