/**
 * `--format stylish`: reads like ESLint's stylish output — findings grouped
 * by file in aligned columns (`line:col  severity  message  category (capability)
 * rule-id`), a code frame under each, a count, and a verdict line naming the
 * tier. Files no entry point reaches are grouped at the end. Findings the
 * policy hides for the tier are counted, not listed.
 */
import { codeFrameColumns } from '@babel/code-frame';
import { createColors } from 'picocolors';
import { SEVERITIES, type Severity } from '../../rules/meta.js';
import { contextRange } from '../excerpts.js';
import { actionFor, countBySeverity, defaultPolicy, visibleFindings } from '../policy.js';
import type { Decision, Finding, PluginAnalysis, Policy } from '../types.js';

export interface StylishOptions {
  color: boolean;
  policy?: Policy;
}

type Colors = ReturnType<typeof createColors>;

export function formatStylish(analyses: PluginAnalysis[], options: StylishOptions): string {
  const c = createColors(options.color);
  const policy = options.policy ?? defaultPolicy;
  const sections = analyses.map((analysis) => pluginSection(analysis, policy, c));
  if (analyses.length > 1) sections.push(summaryLines(analyses, options));
  return `${sections.join('\n\n')}\n`;
}

const VERB = { block: 'blocked', warn: 'warned', allow: 'allowed' } as const;

function pluginSection(analysis: PluginAnalysis, policy: Policy, c: Colors): string {
  const visible = visibleFindings(analysis.findings, analysis.tier, policy);
  const hidden = analysis.findings.length - visible.length;
  const { plugin } = analysis;
  const out = [c.bold(`${analysis.source}`) + c.dim(`  ${plugin.id}@${plugin.version}`)];
  // Files no entry point reaches come last, under their own heading: their findings are already one severity lower.
  const groups = [...groupByFile(visible)];
  const reachable = groups.filter(([, findings]) => findings[0].reachable);
  const unreachable = groups.filter(([, findings]) => !findings[0].reachable);
  for (const [file, findings] of [...reachable, ...unreachable]) {
    if (file === unreachable[0]?.[0]) out.push('', c.dim('Not reachable from any entry point (main, exports, bin, lifecycle scripts); each finding is one severity lower:'));
    out.push('', c.underline(file));
    const rows = findings.map((finding) => [
      `${finding.line}:${finding.column}`,
      finding.severity,
      finding.message,
      categoryLabel(finding),
      finding.ruleId,
    ]);
    const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i].length)));
    findings.forEach((finding, index) => {
      const [where, severity, message, category, ruleId] = rows[index];
      out.push(
        `  ${c.dim(where.padEnd(widths[0]))}  ${paint(finding.severity, c)(severity.padEnd(widths[1]))}  ${message.padEnd(widths[2])}  ${c.cyan(category.padEnd(widths[3]))}  ${c.dim(ruleId)}`,
      );
      const frame = codeFrame(analysis.sourceLines[file], finding, c.isColorSupported);
      if (frame) out.push(indent(frame, 4));
    });
  }
  out.push('', countLine(visible, hidden, analysis.tier, c), verdictLine(analysis, visible, policy, c));
  for (const reason of analysis.decision.reasons) out.push(c.dim(`  ${reason}`));
  return out.join('\n');
}

function countLine(visible: Finding[], hidden: number, tier: string, c: Colors): string {
  const hiddenNote = hidden > 0 ? `, ${hidden} hidden by the ${tier} policy` : '';
  if (visible.length === 0) return c.green(`✔ no findings${hiddenNote}`);
  return c.bold(`✖ ${visible.length} finding${visible.length === 1 ? '' : 's'} (${severityList(visible)})${hiddenNote}`);
}

/** `blocked for community: 2 critical, 1 high` */
function verdictLine(analysis: PluginAnalysis, visible: Finding[], policy: Policy, c: Colors): string {
  // Name what decided: the findings whose action is the verdict's (block or warn), or everything shown when allowed.
  const action = analysis.decision.action;
  const named = action === 'allow' ? visible : visible.filter((finding) => actionFor(policy, analysis.tier, finding.severity) === action);
  const verdict = `${VERB[action]} for ${analysis.tier}: ${named.length === 0 ? 'no findings' : severityList(named)}`;
  return c.bold(tone(action, c)(verdict));
}

/** One line per plugin: verdict, id, path, counts. */
export function summaryLines(analyses: PluginAnalysis[], options: StylishOptions): string {
  const c = createColors(options.color);
  return analyses.map((analysis) => summaryLine(analysis, options.policy ?? defaultPolicy, c)).join('\n');
}

function summaryLine(analysis: PluginAnalysis, policy: Policy, c: Colors): string {
  const visible = visibleFindings(analysis.findings, analysis.tier, policy);
  const action = analysis.decision.action;
  return `${tone(action, c)(VERB[action].padEnd(7))}  ${analysis.plugin.id}@${analysis.plugin.version}  ${analysis.source}  ${visible.length === 0 ? 'no findings' : severityList(visible)}`;
}

function tone(action: Decision['action'], c: Colors): (text: string) => string {
  return action === 'block' ? c.red : action === 'warn' ? c.yellow : c.green;
}

function severityList(findings: Finding[]): string {
  return [...countBySeverity(findings)].map(([severity, n]) => `${n} ${severity}`).join(', ');
}

function paint(severity: Severity, c: Colors): (text: string) => string {
  return [c.red, c.red, c.yellow, c.blue, c.dim][SEVERITIES.indexOf(severity)];
}

function groupByFile(findings: Finding[]): Map<string, Finding[]> {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) groups.set(finding.file, [...(groups.get(finding.file) ?? []), finding]);
  return groups;
}

const MAX_LINE = 160;

/** The kept lines around a finding as a code frame; a very long (minified) line is shown as a window around the column. */
function codeFrame(lines: Record<number, string> | undefined, finding: Finding, color: boolean): string | undefined {
  const line = lines?.[finding.line];
  if (line === undefined) return undefined;
  if (line.length > MAX_LINE) {
    const start = Math.max(0, finding.column - 1 - MAX_LINE / 2);
    const window = line.slice(start, start + MAX_LINE);
    const endColumn = finding.endLine === finding.line ? Math.min(finding.endColumn - start, window.length + 1) : window.length + 1;
    const frame = codeFrameColumns(window, { start: { line: finding.line, column: finding.column - start }, end: { line: finding.line, column: endColumn } }, frameOptions(color, finding.line));
    return start > 0 ? `${frame}\n  (column ${finding.column} of a ${line.length}-character line)` : frame;
  }
  const { first, last, text } = contextRange(lines!, finding);
  const end = finding.endLine <= last ? { line: finding.endLine, column: finding.endColumn } : undefined;
  return codeFrameColumns(text, { start: { line: finding.line, column: finding.column }, end }, frameOptions(color, first));
}

/** `startLine` (absolute line numbers for a slice of a file) is in @babel/code-frame 7.25+, not yet in its type definitions. */
function frameOptions(color: boolean, startLine: number): Parameters<typeof codeFrameColumns>[2] {
  return { highlightCode: color, forceColor: color, startLine } as Parameters<typeof codeFrameColumns>[2];
}

function indent(text: string, spaces: number): string {
  return text
    .split('\n')
    .map((line) => ' '.repeat(spaces) + line)
    .join('\n');
}

/** `network`, or `child-process (childProcess)` when the capability is named differently. */
function categoryLabel(finding: Finding): string {
  const capability = finding.capability;
  return capability && capability !== finding.category ? `${finding.category} (${capability})` : finding.category;
}
