/**
 * The single way Warden rules report. In an author's editor it behaves like any
 * ESLint report (honouring the rule's `minSeverity` option and the capabilities
 * the nearest package.json declares); inside the gate, a capture collects
 * every raw report with its message id and data, so the analyzer can apply the
 * design's severity policy itself.
 */
import type { Rule } from 'eslint';
import type { AnyNode } from './ast.js';
import { insideShim } from './bundler-shims.js';
import { declaredCapabilities } from './manifest.js';
import { interpolate, severityRank, type FindingKind, type Severity, type WardenRule } from '../meta.js';

export interface RawReport {
  ruleId: string;
  messageId: string;
  data: Record<string, string>;
  kind: FindingKind;
  message: string;
  loc: { line: number; column: number; endLine: number; endColumn: number };
  /** Where a finding without lines is (a WebAssembly import, `module::name`). */
  symbol?: string;
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

export function report(context: Rule.RuleContext, rule: WardenRule, descriptor: ReportDescriptor): void {
  // A bundler's generated shim hands on require or the global object by design; what it stands for is followed instead.
  if (insideShim(context.sourceCode, descriptor.node)) return;
  const data = descriptor.data ?? {};
  const kind = rule.meta.warden.findings[descriptor.messageId];
  const sink = captures[captures.length - 1];
  if (sink) {
    sink.push(rawReport(context, rule, descriptor));
    return;
  }
  // A finding inside evaluated code weighs what the inner finding weighs.
  const weighed = descriptor.inner ?? { kind, data };
  if (severityRank(editorSeverity(context, weighed.kind, weighed.data)) > severityRank(minSeverity(context))) return;
  context.report({ node: descriptor.node as never, messageId: descriptor.messageId, data });
}

/** The report as the gate records it, made but not reported: for a finding the analyzer decides across files (load-records.ts). */
export function rawReport(context: Rule.RuleContext, rule: WardenRule, descriptor: ReportDescriptor): RawReport {
  const data = descriptor.data ?? {};
  const loc = locOf(context, descriptor.node);
  return {
    ruleId: context.id.replace(/^warden\//, ''),
    messageId: descriptor.messageId,
    data,
    kind: rule.meta.warden.findings[descriptor.messageId],
    message: interpolate(rule.meta.messages[descriptor.messageId], data),
    loc: { line: loc.start.line, column: loc.start.column + 1, endLine: loc.end.line, endColumn: loc.end.column + 1 },
    inner: descriptor.inner,
  };
}

/**
 * Where a node is. The gate's parser gives JavaScript nodes a `range` but no
 * `loc` (one object fewer per position, for every node of every file): then
 * the place is worked out from the range, as ESLint's own `loc` would give it.
 */
export function locOf(context: Rule.RuleContext, node: AnyNode): NonNullable<AnyNode['loc']> {
  if (node.loc) return node.loc;
  const [start, end] = node.range!;
  return { start: context.sourceCode.getLocFromIndex(start), end: context.sourceCode.getLocFromIndex(end) };
}

function minSeverity(context: Rule.RuleContext): Severity {
  return (context.options[0] as { minSeverity?: Severity } | undefined)?.minSeverity ?? 'medium';
}

/** In the editor, a capability the author's manifest declares is only `low`, as in the gate. */
function editorSeverity(context: Rule.RuleContext, kind: FindingKind, data: Record<string, string>): Severity {
  if (!kind.capability || severityRank(kind.severity) === 0) return kind.severity;
  return declaredCapabilities(context.filename).covers(kind, data) ? 'low' : kind.severity;
}
