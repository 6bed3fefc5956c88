/**
 * Raw reports + the manifest's declared capabilities + the module graph →
 * findings with the design's severities: a capability used and declared is
 * `low` (unless no declaration can grant that use: raw network), otherwise the rule's severity stands. A file no entry point can
 * reach (and no unresolved load might) is one severity lower, never below
 * `medium` for dynamic code; a file a lifecycle script runs is run at install,
 * outside the sandbox, so what is high there is critical. A report from code
 * evaluated out of a constant string takes the inner rule's identity, at the
 * place the string is evaluated.
 */
import { SEVERITIES, severityRank, type Severity } from '../rules/meta.js';
import { declarationCovers, type DeclaredCapabilities } from '../rules/utils/manifest.js';
import type { RawReport } from '../rules/utils/report.js';
import type { Finding } from './types.js';

export interface FileReports {
  file: string;
  reports: RawReport[];
  /** Some entry point can load the file (or the graph cannot rule it out). */
  reachable: boolean;
  /** A lifecycle script can load the file. */
  atInstall?: boolean;
}

export const EVALUATED_PREFIX = 'in code evaluated here: ';

export function assess(files: FileReports[], declared: DeclaredCapabilities | undefined): Finding[] {
  const findings = files.flatMap((file) => file.reports.map((report) => toFinding(file, report, declared)));
  return findings.sort(byLocation);
}

function toFinding({ file, reachable, atInstall }: FileReports, outer: RawReport, declared: DeclaredCapabilities | undefined): Finding {
  let source = outer;
  while (source.inner) source = source.inner;
  const { kind } = source;
  const capability = kind.capability ?? null;
  let severity = declarationCovers(declared, kind, source.data) ? declaredSeverity(kind.severity) : kind.severity;
  if (atInstall && severity === 'high') severity = 'critical';
  else if (!reachable) severity = lowered(severity, kind.category);
  return {
    ruleId: source.ruleId,
    category: kind.category,
    severity,
    capability,
    file,
    ...outer.loc,
    message: source === outer ? outer.message : EVALUATED_PREFIX + source.message,
    ...(outer.symbol === undefined ? {} : { symbol: outer.symbol }),
    reachable,
  };
}

/** A use the manifest declares is only shown (critical stays critical; info stays info). */
function declaredSeverity(severity: Severity): Severity {
  return severity === 'critical' || severity === 'info' ? severity : 'low';
}

/** One step less severe; dynamic code never drops below medium. */
function lowered(severity: Severity, category: string): Severity {
  const next = SEVERITIES[Math.min(severityRank(severity) + 1, SEVERITIES.length - 1)];
  return category === 'dynamic-code' && severityRank(severity) <= severityRank('medium') && severityRank(next) > severityRank('medium') ? 'medium' : next;
}

function byLocation(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.column - b.column || (a.symbol ?? '').localeCompare(b.symbol ?? '') || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
}
