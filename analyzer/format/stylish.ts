/**
 * `--format stylish`: reads like ESLint's stylish output — findings grouped
 * by file in aligned columns (`line:col  severity  message  category
 * rule-id`), one code frame per location, a count, and a verdict line naming
 * the tier with the reasons (each names the findings it rests on). Given a
 * width (the terminal's), messages wrap inside their column and rule ids are
 * never broken; on a terminal too narrow for columns each finding is a
 * header line with its message below. Several plugins end with one aligned
 * line each and a totals line. Files no entry point reaches are grouped at
 * the end. Findings the policy hides for the tier are counted, not listed.
 */
import { createColors } from 'picocolors';
import type { Severity } from '../../rules/meta.js';
import { inert } from '../inert-text.js';
import { actionOf, countBySeverity, defaultPolicy, visibleFindings } from '../policy.js';
import type { Decision, Finding, PluginAnalysis, Policy } from '../types.js';
import { codeFrame } from './code-frame.js';
import { hangingWrap, visibleLength, wrap } from './text-layout.js';

export interface StylishOptions {
  color: boolean;
  policy?: Policy;
  /** Columns to fit (the terminal's); without one nothing is wrapped, as ESLint does for a pipe. */
  width?: number;
  /** List only the findings that block (the rest are counted). */
  quiet?: boolean;
}

type Colors = ReturnType<typeof createColors>;

/**
 * Every piece of text that comes from the plugin (messages quote its code,
 * file names, source lines, its id and version) reaches the report through
 * here: the one place where it is made safe for a terminal.
 */
function pluginText(text: string): string {
  return inert(text);
}

export function formatStylish(analyses: PluginAnalysis[], options: StylishOptions): string {
  const c = createColors(options.color);
  const sections = analyses.map((analysis) => pluginSection(analysis, options, c));
  if (analyses.length > 1) sections.push(summaryLines(analyses, options));
  return `${sections.join('\n\n')}\n`;
}

const VERB = { block: 'blocked', warn: 'warned', allow: 'allowed' } as const;

/** Below this many columns for the message, each finding is stacked: header line, message under it. */
const MIN_MESSAGE_COLUMNS = 30;

/** The findings a report lists: what the policy shows, and with `quiet` only what blocks. */
export function listedFindings(analysis: PluginAnalysis, options: { policy?: Policy; quiet?: boolean }): Finding[] {
  const policy = options.policy ?? defaultPolicy;
  const visible = visibleFindings(analysis.findings, analysis.tier, policy);
  return options.quiet ? visible.filter((finding) => actionOf(policy, analysis.tier, finding) === 'block') : visible;
}

function pluginSection(analysis: PluginAnalysis, options: StylishOptions, c: Colors): string {
  const policy = options.policy ?? defaultPolicy;
  const visible = visibleFindings(analysis.findings, analysis.tier, policy);
  const listed = listedFindings(analysis, options);
  const { plugin } = analysis;
  const source = pluginText(analysis.source);
  const id = pluginText(`${plugin.id}@${plugin.version}`);
  const oneLine = source.length + 2 + id.length <= (options.width ?? Infinity);
  const out = [c.bold(source) + (oneLine ? c.dim(`  ${id}`) : `\n${c.dim(id)}`)];
  // Files no entry point reaches come last, under their own heading: their findings are already one severity lower.
  const groups = [...groupBy(listed, (finding) => finding.file)];
  const reachable = groups.filter(([, findings]) => findings[0].reachable !== false);
  const unreachable = groups.filter(([, findings]) => findings[0].reachable === false);
  for (const [file, findings] of [...reachable, ...unreachable]) {
    if (file === unreachable[0]?.[0]) {
      out.push('', c.dim(hangingWrap('Not reachable from any entry point (main, exports, bin, lifecycle scripts); each finding is one severity lower:', options.width, 0, 2)));
    }
    out.push('', c.underline(pluginText(file)), ...fileRows(findings, analysis.sourceLines[file], options, c));
  }
  const notes = [
    listed.length < visible.length ? `${visible.length - listed.length} not listed (--quiet)` : '',
    analysis.findings.length > visible.length ? `${analysis.findings.length - visible.length} hidden by the ${analysis.tier} policy` : '',
  ].filter(Boolean);
  out.push('', countLine(visible, notes, c, options.width), verdictLine(analysis, visible, policy, c, options.width));
  for (const reason of analysis.decision.reasons) out.push(c.dim(hangingWrap(pluginText(reason), options.width, 2, 4)));
  return out.join('\n');
}

interface Row {
  finding: Finding;
  where: string;
  message: string;
  label: string;
}

/** One file's findings as aligned rows, a code frame after the last finding at each location. */
function fileRows(findings: Finding[], lines: Record<number, string> | undefined, options: StylishOptions, c: Colors): string[] {
  const lineWidth = Math.max(...findings.map((f) => String(f.line).length));
  const rows: Row[] = findings.map((finding) => ({
    finding,
    // A WebAssembly finding is located by its import (`module::name`): a module has no lines.
    where: finding.symbol === undefined ? `${String(finding.line).padStart(lineWidth)}:${finding.column}` : pluginText(finding.symbol),
    message: pluginText(finding.message.replace(/\.$/, '')),
    label: categoryLabel(finding),
  }));
  const widths = {
    where: Math.max(...rows.map((row) => row.where.length)),
    severity: Math.max(...findings.map((f) => f.severity.length)),
    message: Math.max(...rows.map((row) => row.message.length)),
    label: Math.max(...rows.map((row) => row.label.length)),
  };
  const before = 2 + widths.where + 2 + widths.severity + 2;
  const after = 2 + widths.label + 2 + Math.max(...findings.map((f) => f.ruleId.length));
  const room = options.width === undefined ? widths.message : options.width - before - after;
  const stacked = room < MIN_MESSAGE_COLUMNS;
  const messageWidth = Math.min(widths.message, room);
  const out: string[] = [];
  rows.forEach((row, index) => {
    const { finding } = row;
    const where = c.dim(row.where.padEnd(widths.where));
    const severity = paint(finding.severity, c)(finding.severity) + ' '.repeat(widths.severity - finding.severity.length);
    const label = c.cyan(row.label.padEnd(widths.label));
    if (stacked) {
      // Header first (the rule id whole), the category beside it when it fits, then the message under it.
      const header = `  ${row.where.padEnd(widths.where)}  ${finding.severity.padEnd(widths.severity)}  ${finding.ruleId}`;
      const fits = header.length + 2 + row.label.length <= (options.width ?? Infinity);
      out.push(`  ${where}  ${severity}  ${c.dim(finding.ruleId)}${fits ? `  ${c.cyan(row.label)}` : ''}`);
      if (!fits) out.push(`    ${c.cyan(row.label)}`);
      out.push(hangingWrap(row.message, options.width, 4, 4));
    } else {
      const [first, ...rest] = options.width === undefined ? [row.message] : wrap(row.message, messageWidth);
      out.push(`  ${where}  ${severity}  ${first.padEnd(messageWidth)}  ${label}  ${c.dim(finding.ruleId)}`, ...rest.map((line) => ' '.repeat(before) + line));
    }
    const next = rows[index + 1]?.finding;
    if (next && sameLocation(finding, next)) return;
    const frame = codeFrame(lines, finding, { color: c.isColorSupported, width: options.width === undefined ? undefined : options.width - 4 });
    // The frame's source lines were made inert before framing: the frame's own colours and line breaks stay.
    if (frame) out.push(indent(frame, 4));
  });
  return out;
}

function sameLocation(a: Finding, b: Finding): boolean {
  return a.symbol === b.symbol && a.line === b.line && a.column === b.column && a.endLine === b.endLine && a.endColumn === b.endColumn;
}

function countLine(visible: Finding[], notes: string[], c: Colors, width: number | undefined): string {
  const suffix = notes.map((note) => `, ${note}`).join('');
  if (visible.length === 0) return paintedWrap(`✔ no findings${suffix}`, width, 2, c.green);
  return paintedWrap(`✖ ${plural(visible.length, 'finding')} (${severityList(visible)})${suffix}`, width, 2, c.bold);
}

/** `blocked for community: 2 critical, 1 high` */
function verdictLine(analysis: PluginAnalysis, visible: Finding[], policy: Policy, c: Colors, width: number | undefined): string {
  // Name what decided: the findings whose action is the verdict's (block or warn), or everything shown when allowed.
  const action = analysis.decision.action;
  const named = action === 'allow' ? visible : visible.filter((finding) => actionOf(policy, analysis.tier, finding) === action);
  const verdict = `${VERB[action]} for ${analysis.tier}: ${named.length === 0 ? 'no findings' : severityList(named)}`;
  return paintedWrap(verdict, width, 2, (line) => c.bold(tone(action, c)(line)));
}

/** `text` wrapped to `width` (continuation lines indented by `hang`), each line painted on its own. */
function paintedWrap(text: string, width: number | undefined, hang: number, paintLine: (line: string) => string): string {
  return hangingWrap(text, width, 0, hang).split('\n').map(paintLine).join('\n');
}

/** One aligned line per plugin (verdict, id, path, counts), then the totals. */
export function summaryLines(analyses: PluginAnalysis[], options: StylishOptions): string {
  const c = createColors(options.color);
  const policy = options.policy ?? defaultPolicy;
  const rows = analyses.map((analysis) => {
    const visible = visibleFindings(analysis.findings, analysis.tier, policy);
    return {
      action: analysis.decision.action,
      cells: [VERB[analysis.decision.action], pluginText(`${analysis.plugin.id}@${analysis.plugin.version}`), pluginText(analysis.source), visible.length === 0 ? 'no findings' : severityList(visible)],
      visible,
    };
  });
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => visibleLength(row.cells[i]))));
  const tableWidth = widths.reduce((sum, width) => sum + width, 0) + 6;
  const width = options.width;
  // Aligned columns where they fit; else each plugin stacked (verdict and id, then its path and counts), wrapped.
  // The path is never cut, as in the report's header: a reader copies it, and the terminal wraps it whole.
  const lines = rows.map(({ action, cells }) => {
    const [verdict, id, source, counts] = cells;
    if (width === undefined || tableWidth <= width) return `${tone(action, c)(verdict.padEnd(widths[0]))}  ${id.padEnd(widths[1])}  ${source.padEnd(widths[2])}  ${counts}`;
    return [`${tone(action, c)(verdict)} ${hangingWrap(id, width - verdict.length - 1, 0, 2).replace(/\n/g, `\n${' '.repeat(verdict.length + 1)}`)}`, `  ${source}`, hangingWrap(counts, width, 2, 4)].join('\n');
  });
  return [...lines, totalsLine(rows.map((row) => row.action), rows.flatMap((row) => row.visible), c, width)].join('\n');
}

/** `✖ 9 findings in 3 plugins (4 critical, 5 high): 1 blocked, 1 warned, 1 allowed` */
function totalsLine(actions: Decision['action'][], findings: Finding[], c: Colors, width: number | undefined): string {
  const verdicts = (['block', 'warn', 'allow'] as const).filter((action) => actions.includes(action)).map((action) => `${actions.filter((a) => a === action).length} ${VERB[action]}`);
  const counts = findings.length === 0 ? 'no findings' : `${plural(findings.length, 'finding')} (${severityList(findings)})`;
  const worst = actions.includes('block') ? 'block' : actions.includes('warn') ? 'warn' : 'allow';
  return paintedWrap(`${worst === 'allow' ? '✔' : '✖'} ${counts} in ${plural(actions.length, 'plugin')}: ${verdicts.join(', ')}`, width, 2, (line) => c.bold(tone(worst, c)(line)));
}

function tone(action: Decision['action'], c: Colors): (text: string) => string {
  return action === 'block' ? c.red : action === 'warn' ? c.yellow : c.green;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function severityList(findings: Finding[]): string {
  return [...countBySeverity(findings)].map(([severity, n]) => `${n} ${severity}`).join(', ');
}

/** Critical stands out from high (white on red), so the two never look alike. */
function paint(severity: Severity, c: Colors): (text: string) => string {
  const styles: Record<Severity, (text: string) => string> = {
    critical: (text) => c.bold(c.bgRed(c.white(text))),
    high: (text) => c.bold(c.red(text)),
    medium: c.yellow,
    low: c.blue,
    info: c.dim,
  };
  return styles[severity];
}

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

function indent(text: string, spaces: number): string {
  return text
    .split('\n')
    .map((line) => ' '.repeat(spaces) + line)
    .join('\n');
}

/** `network`, or `child-process (childProcess)` when the capability is named differently. */
export function categoryLabel(finding: Finding): string {
  const capability = finding.capability;
  return capability && capability !== finding.category ? `${finding.category} (${capability})` : finding.category;
}
