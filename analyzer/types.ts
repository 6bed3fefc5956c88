/**
 * The analyzer's public data: findings, decisions and reports, exactly as
 * `warden analyze --format json` prints them (see README) plus the content
 * hashes the host records so that what runs is what the gate saw.
 */
import type { Capability, Category, Severity } from '../rules/meta.js';
import type { DeclaredCapabilities } from '../rules/utils/manifest.js';

export type { Capability, Category, Severity, DeclaredCapabilities };

export const TIERS = ['official', 'trusted', 'community', 'unregistered'] as const;
export type Tier = (typeof TIERS)[number];

export interface Finding {
  ruleId: string;
  category: Category;
  severity: Severity;
  capability: Capability | null;
  /** Relative to the plugin root, with forward slashes. */
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  /** For a WebAssembly module, which has no lines: the import or export the finding is about (`module::name`). */
  symbol?: string;
  /** False when no entry point can load the file and the module graph has no load it cannot resolve; the severity is then one lower. */
  reachable: boolean;
}

/** What the policy does with a finding of a given severity for a given tier. */
export type PolicyAction = 'block' | 'warn' | 'show' | 'hidden';

export interface Policy {
  tiers: Record<Tier, Record<Severity, PolicyAction>>;
}

export interface Decision {
  action: 'allow' | 'warn' | 'block';
  reasons: string[];
}

export interface PluginIdentity {
  id: string;
  name: string;
  publisher: string;
  version: string;
}

export interface Manifest {
  name: string;
  publisher: string;
  version: string;
  main: string;
  engines: { warden: string; [engine: string]: string };
  activationEvents?: string[];
  contributes?: { commands?: { command: string; title: string }[] };
  capabilities?: DeclaredCapabilities;
  repository?: string | { type?: string; url: string };
  scripts?: Record<string, string>;
  warden?: { ignores?: string[] };
  [field: string]: unknown;
}

export interface AnalysisStats {
  files: number;
  bytes: number;
  durationMs: number;
  /** How many files' results came from the cache. */
  cached: number;
}

export interface AnalysisReport {
  schemaVersion: 1;
  plugin: PluginIdentity;
  tier: Tier;
  decision: Decision;
  findings: Finding[];
  stats: AnalysisStats;
}

/** What the host keeps beyond the printed report. */
export interface PluginAnalysis extends AnalysisReport {
  manifest: Manifest;
  /** sha256 (hex) of every analyzed file, keyed by path relative to the plugin root. */
  hashes: Record<string, string>;
  /** The folder or archive analyzed, as the caller named it. */
  source: string;
  /** For an archive: the sha256 and length of the very bytes analyzed (the user's file may change afterwards). */
  archive?: { sha256: string; length: number };
  /** Source lines near findings (file → line number → text), for code frames once a tarball's files are gone. */
  sourceLines: Record<string, Record<number, string>>;
}
