/**
 * `--format sarif`: SARIF 2.1.0 for code-scanning UIs. One run per plugin;
 * `tool.driver.rules` describes every Warden rule and the analyzer's own
 * checks from their metadata (the same source the docs use); each finding is
 * one result with its region, a level mapped from its severity, and its
 * category, capability, severity and reachability as properties.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SEVERITIES, type Severity, type WardenRuleMeta } from '../../rules/meta.js';
import { CHECKS } from '../checks.js';
import { contextRange } from '../excerpts.js';
import { isArchivePath } from '../package-source.js';
import type { Finding, PluginAnalysis } from '../types.js';
import { WARDEN_HOMEPAGE, WARDEN_VERSION } from '../warden-package.js';

type Level = 'error' | 'warning' | 'note';

function levelOf(severity: Severity): Level {
  return severity === 'critical' || severity === 'high' ? 'error' : severity === 'medium' ? 'warning' : 'note';
}

function ruleDescriptor([id, meta]: [string, WardenRuleMeta]) {
  const kinds = Object.entries(meta.warden.findings);
  const worst = SEVERITIES.find((severity) => kinds.some(([, kind]) => kind.severity === severity)) ?? 'info';
  const reports = kinds.map(([messageId, kind]) => `- ${kind.severity} (${kind.category}${kind.capability ? `, capability ${kind.capability}` : ''}): ${meta.messages[messageId]}`);
  const description = meta.docs.description.replace(/\.?$/, '.');
  const name = id.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());
  return {
    id,
    // SARIF wants `name` to differ from the opaque `id`, and omitted where it would not.
    ...(name.toLowerCase() === id.toLowerCase() ? {} : { name }),
    shortDescription: { text: description },
    fullDescription: { text: `${description} A capability the manifest declares is reported as low; a file no entry point reaches is one severity lower.` },
    help: { text: `${description}\nWhat it reports:\n${reports.join('\n')}\nSee ${meta.docs.url}`, markdown: `${description}\n\n**What it reports:**\n\n${reports.join('\n')}\n\n[Documentation](${meta.docs.url})` },
    helpUri: meta.docs.url,
    defaultConfiguration: { level: levelOf(worst) },
    properties: {
      categories: [...new Set(kinds.map(([, kind]) => kind.category))],
      capabilities: [...new Set(kinds.flatMap(([, kind]) => (kind.capability ? [kind.capability] : [])))],
      severities: [...new Set(kinds.map(([, kind]) => kind.severity))],
      tags: ['security'],
    },
  };
}

function uriOf(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

/** The code itself, so a viewer without the plugin's files still shows it (a tarball's folder is gone by now). */
function regions(finding: Finding, lines: Record<number, string> | undefined) {
  const region = { startLine: finding.line, startColumn: finding.column, endLine: finding.endLine, endColumn: finding.endColumn };
  const line = lines?.[finding.line];
  if (line === undefined || line.length > 1000) return { region };
  const context = contextRange(lines!, finding);
  const snippet = finding.endLine === finding.line ? line.slice(finding.column - 1, finding.endColumn - 1) : line.slice(finding.column - 1);
  return {
    region: { ...region, snippet: { text: snippet } },
    contextRegion: { startLine: context.first, endLine: context.last, snippet: { text: context.text } },
  };
}

function result(finding: Finding, lines: Record<number, string> | undefined, index: Map<string, number>) {
  return {
    ruleId: finding.ruleId,
    ...(index.has(finding.ruleId) ? { ruleIndex: index.get(finding.ruleId) } : {}),
    level: levelOf(finding.severity),
    message: { text: finding.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: uriOf(finding.file), uriBaseId: 'PLUGINROOT' },
          // A WebAssembly module has no lines: its finding's columns are the import entry's bytes (1-based).
          ...(finding.symbol === undefined ? regions(finding, lines) : { region: { byteOffset: finding.column - 1, byteLength: finding.endColumn - finding.column } }),
        },
        ...(finding.symbol === undefined ? {} : { logicalLocations: [{ name: finding.symbol, fullyQualifiedName: `${finding.file}#${finding.symbol}`, kind: 'function' }] }),
      },
    ],
    properties: { category: finding.category, capability: finding.capability, severity: finding.severity, reachable: finding.reachable },
  };
}

function run(analysis: PluginAnalysis, descriptors: ReturnType<typeof ruleDescriptor>[], index: Map<string, number>) {
  const folder = resolve(analysis.source);
  const isFolder = !isArchivePath(analysis.source);
  return {
    tool: {
      driver: { name: 'Warden', version: WARDEN_VERSION, semanticVersion: WARDEN_VERSION, informationUri: WARDEN_HOMEPAGE, rules: descriptors },
    },
    originalUriBaseIds: {
      PLUGINROOT: isFolder
        ? { uri: `${pathToFileURL(folder).href}/`, description: { text: `The root of plugin ${analysis.plugin.id}.` } }
        : { description: { text: `The package/ folder inside ${analysis.source} (plugin ${analysis.plugin.id}).` } },
    },
    results: analysis.findings.map((finding) => result(finding, analysis.sourceLines[finding.file], index)),
    properties: {
      plugin: analysis.plugin,
      tier: analysis.tier,
      decision: analysis.decision,
    },
  };
}

export async function formatSarif(analyses: PluginAnalysis[]): Promise<string> {
  // The rules' metadata comes with their parser; loaded only when SARIF is asked for.
  const { rules } = await import('../../rules/index.js');
  const all: [string, WardenRuleMeta][] = [...Object.entries(rules), ...Object.entries(CHECKS)].map(([id, rule]) => [id, rule.meta]);
  const descriptors = all.map(ruleDescriptor);
  const index = new Map(all.map(([id], i) => [id, i]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: analyses.map((analysis) => run(analysis, descriptors, index)),
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
