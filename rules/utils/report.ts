/**
 * The single way Warden rules report. In an author's editor it behaves like any
 * ESLint report (honouring the rule's `minSeverity` option and the capabilities
 * the nearest package.json declares); inside the gate, a capture collects
 * every raw report with its message id and data, so the analyzer can apply the
 * design's severity policy itself.
 */
import type { Rule } from 'eslint';
import type { AnyNode } from './ast.js';
import { declaredCapabilities } from './manifest.js';
import { severityRank, type FindingKind, type Severity, type WardenRule } from '../meta.js';

export interface RawReport {
  ruleId: string;
  messageId: string;
  data: Record<string, string>;
  kind: FindingKind;
  message: string;
  loc: { line: number; column: number; endLine: number; endColumn: number };
  /** For findings inside evaluated constant code: the inner finding, already adjusted. */
  inner?: RawReport;
}

const captures: RawReport[][] = [];

/** Runs `fn` (a synchronous lint) and returns every report Warden rules made during it. */
export function captureReports<T>(fn: () => T): { result: T; reports: RawReport[] } {
  const sink: RawReport[] = [];
  captures.push(sink);
  try {
    return { result: fn(), reports: sink };
  } finally {
    captures.pop();
  }
}

export interface ReportDescriptor {
  node: AnyNode;
  messageId: string;
  data?: Record<string, string>;
  inner?: RawReport;
}

export function interpolate(template: string, data: Record<string, string>): string {
  return template.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (match, key: string) => (key in data ? data[key] : match));
}

export function report(context: Rule.RuleContext, rule: WardenRule, descriptor: ReportDescriptor): void {
  const data = descriptor.data ?? {};
  const kind = rule.meta.warden.findings[descriptor.messageId];
  const sink = captures[captures.length - 1];
  if (sink) {
    const loc = descriptor.node.loc ?? locOfRange(context.sourceCode, descriptor.node.range!);
    sink.push({
      ruleId: context.id.replace(/^warden\//, ''),
      messageId: descriptor.messageId,
      data,
      kind,
      message: interpolate(rule.meta.messages[descriptor.messageId], data),
      loc: { line: loc.start.line, column: loc.start.column + 1, endLine: loc.end.line, endColumn: loc.end.column + 1 },
      inner: descriptor.inner,
    });
    return;
  }
  // A finding inside evaluated code weighs what the inner finding weighs.
  const weighed = descriptor.inner ?? { kind, data };
  if (severityRank(editorSeverity(context, weighed.kind, weighed.data)) > severityRank(minSeverity(context))) return;
  context.report({ node: descriptor.node as never, messageId: descriptor.messageId, data });
}

/**
 * The gate's parser gives nodes a `range` but no `loc` (one object fewer per
 * position, for every node of every file): the place of a reported node is
 * worked out from its range, as ESLint's own `loc` would give it.
 */
function locOfRange(sourceCode: Rule.RuleContext['sourceCode'], [start, end]: [number, number]): NonNullable<AnyNode['loc']> {
  return { start: sourceCode.getLocFromIndex(start), end: sourceCode.getLocFromIndex(end) };
}

function minSeverity(context: Rule.RuleContext): Severity {
  return (context.options[0] as { minSeverity?: Severity } | undefined)?.minSeverity ?? 'medium';
}

/** In the editor, a capability the author's manifest declares is only `low`, as in the gate. */
function editorSeverity(context: Rule.RuleContext, kind: FindingKind, data: Record<string, string>): Severity {
  if (!kind.capability || severityRank(kind.severity) === 0) return kind.severity;
  return declaredCapabilities(context.filename).covers(kind.capability, data) ? 'low' : kind.severity;
}
