/** `--format json`: exactly the documented report shape, one object for one plugin, an array for several. */
import type { AnalysisReport, PluginAnalysis } from '../types.js';

export function toReport(analysis: PluginAnalysis): AnalysisReport {
  const { schemaVersion, plugin, tier, decision, findings, stats } = analysis;
  return {
    schemaVersion,
    plugin: { id: plugin.id, name: plugin.name, publisher: plugin.publisher, version: plugin.version },
    tier,
    decision: { action: decision.action, reasons: [...decision.reasons] },
    findings: findings.map(({ ruleId, category, severity, capability, file, line, column, endLine, endColumn, message, symbol, reachable }) => ({
      ruleId,
      category,
      severity,
      capability,
      file,
      line,
      column,
      endLine,
      endColumn,
      message,
      ...(symbol === undefined ? {} : { symbol }),
      reachable,
    })),
    stats: { files: stats.files, bytes: stats.bytes, durationMs: stats.durationMs, cached: stats.cached },
  };
}

export function formatJson(analyses: PluginAnalysis[]): string {
  const reports = analyses.map(toReport);
  return `${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`;
}
