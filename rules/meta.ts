/**
 * The vocabulary every Warden finding is written in (see DESIGN.md), and the
 * shape of a Warden rule. A rule's `meta.warden.findings` maps each of its
 * message ids to the category, default severity and capability of the finding
 * it reports, so the gate, the SARIF writer and the docs read them from one place.
 */
import type { Rule } from 'eslint';

export const CATEGORIES = [
  'dynamic-code',
  'child-process',
  'network',
  'filesystem',
  'env',
  'obfuscation',
  'dynamic-import',
  'native-code',
  'install-script',
  'runtime-tampering',
  'suppression',
  'manifest',
  'unanalyzable',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Most severe first. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CAPABILITIES = ['network', 'filesystem', 'env', 'childProcess', 'worker', 'nativeAddons'] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface FindingKind {
  category: Category;
  severity: Severity;
  /** Set when the finding is a use of a capability a manifest can declare. */
  capability?: Capability;
  /**
   * False when no declaration can grant this use, so declaring the capability does not lower it: a plugin's
   * sandbox has no sockets, and declaring network hosts authorizes the host's broker (`ctx.net.fetch`), not a socket.
   */
  grantable?: false;
}

export interface WardenRuleMeta extends Rule.RuleMetaData {
  type: 'problem';
  docs: { description: string; url: string; recommended: boolean };
  messages: Record<string, string>;
  warden: { findings: Record<string, FindingKind> };
}

export interface WardenRule extends Rule.RuleModule {
  meta: WardenRuleMeta;
}

export const DOCS_BASE = 'https://github.com/warden-host/warden/blob/main/docs/rules.md';

/**
 * The one option every Warden rule takes: the least severe finding it reports
 * in ESLint (the plugin's configs set it; the gate captures everything).
 */
const MIN_SEVERITY_SCHEMA: Rule.RuleMetaData['schema'] = [
  {
    type: 'object',
    properties: { minSeverity: { enum: [...SEVERITIES] } },
    additionalProperties: false,
  },
];

/** Ties a rule's messages and finding kinds together at compile time. */
export function defineRule<Id extends string>(rule: {
  name: string;
  description: string;
  messages: Record<Id, string>;
  findings: Record<Id, FindingKind>;
  create: Rule.RuleModule['create'];
}): WardenRule {
  return {
    meta: {
      type: 'problem',
      docs: { description: rule.description, url: `${DOCS_BASE}#${rule.name}`, recommended: true },
      messages: rule.messages,
      schema: MIN_SEVERITY_SCHEMA,
      warden: { findings: rule.findings },
    },
    create: rule.create,
  };
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** The more severe of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) <= severityRank(b) ? a : b;
}

/** A rule's message with its `{{ placeholders }}` filled, as ESLint fills them. */
export function interpolate(template: string, data: Record<string, string>): string {
  return template.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (match, key: string) => (key in data ? data[key] : match));
}
