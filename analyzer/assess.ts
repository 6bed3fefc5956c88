/**
 * Raw reports + the manifest's declared capabilities → findings with the
 * design's severities: a capability used and declared is `low`; used but
 * undeclared is at least `high`; `critical` and `info` are kept as they are.
 * A report from code evaluated out of a constant string takes the inner
 * rule's identity, at the place the string is evaluated.
 */
import { maxSeverity, type Severity } from '../rules/meta.js';
import { capabilityCovers, type DeclaredCapabilities } from '../rules/utils/manifest.js';
import type { RawReport } from '../rules/utils/report.js';
import type { Finding } from './types.js';

export interface FileReports {
  file: string;
  reports: RawReport[];
}

export const EVALUATED_PREFIX = 'in code evaluated here: ';

export function assess(files: FileReports[], declared: DeclaredCapabilities | undefined): Finding[] {
  const findings = files.flatMap(({ file, reports }) => reports.map((report) => toFinding(file, report, declared)));
  return findings.sort(byLocation);
}

function toFinding(file: string, outer: RawReport, declared: DeclaredCapabilities | undefined): Finding {
  let source = outer;
  while (source.inner) source = source.inner;
  const { kind } = source;
  const capability = kind.capability ?? null;
  return {
    ruleId: source.ruleId,
    category: kind.category,
    severity: capability ? severityOfUse(kind.severity, capabilityCovers(declared, capability, source.data)) : kind.severity,
    capability,
    file,
    ...outer.loc,
    message: source === outer ? outer.message : EVALUATED_PREFIX + source.message,
  };
}

function severityOfUse(severity: Severity, declared: boolean): Severity {
  if (severity === 'critical' || severity === 'info') return severity;
  return declared ? 'low' : maxSeverity(severity, 'high');
}

function byLocation(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0);
}
