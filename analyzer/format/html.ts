/**
 * `--format html`: one self-contained page for reviewers — per plugin the
 * verdict and the reasons, the capabilities it declares beside those its
 * code uses, and the findings by severity with their code frames (and, when
 * the analysis says so, whether any entry point can reach them). Styles and
 * the small severity filter are inline; the page's Content-Security-Policy
 * allows exactly those two blocks (by hash) and nothing else, so it makes no
 * request of any kind and no text from a plugin can run as script.
 */
import { createHash } from 'node:crypto';
import { CAPABILITIES, SEVERITIES, type Capability, type Severity } from '../../rules/meta.js';
import type { DeclaredCapabilities } from '../../rules/utils/manifest.js';
import { defaultPolicy, visibleFindings } from '../policy.js';
import type { Finding, PluginAnalysis, Policy } from '../types.js';
import { WARDEN_VERSION } from '../warden-package.js';
import { codeFrame } from './code-frame.js';
import { categoryLabel, listedFindings } from './stylish.js';

export interface HtmlOptions {
  policy?: Policy;
  quiet?: boolean;
}

/** Every piece of text put in the page goes through here. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const VERB = { block: 'blocked', warn: 'warned', allow: 'allowed' } as const;

const STYLE = `
:root { font: 15px/1.45 system-ui, sans-serif; color: #1d1d1f; background: #fafafa; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.5rem; margin: 0.5rem 0; }
h2 { font-size: 1.2rem; margin: 0 0 0.25rem; }
h3 { font-size: 1rem; margin: 1.25rem 0 0.5rem; }
code, pre { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
.plugin { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 1rem 1.25rem; margin: 1rem 0; }
.verdict { display: inline-block; font-weight: 700; padding: 0.1rem 0.6rem; border-radius: 4px; color: #fff; }
.verdict-block { background: #b00020; } .verdict-warn { background: #a15c00; } .verdict-allow { background: #1b7f3b; }
.reasons { margin: 0.5rem 0; padding-left: 1.25rem; color: #444; }
table { border-collapse: collapse; }
th, td { text-align: left; padding: 0.25rem 0.75rem 0.25rem 0; vertical-align: top; border-bottom: 1px solid #eee; }
.undeclared { color: #b00020; font-weight: 600; }
.finding { border-left: 4px solid #999; padding: 0.25rem 0 0.25rem 0.75rem; margin: 0.75rem 0; }
.finding > header { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: baseline; }
.finding p { margin: 0.25rem 0; }
.sev { font-weight: 700; text-transform: uppercase; font-size: 0.8rem; padding: 0 0.4rem; border-radius: 3px; color: #fff; }
.sev-critical { background: #7a0016; } .sev-high { background: #d32f2f; } .sev-medium { background: #b26a00; }
.sev-low { background: #1565c0; } .sev-info { background: #607d8b; }
.finding[data-severity="critical"] { border-color: #7a0016; } .finding[data-severity="high"] { border-color: #d32f2f; }
.finding[data-severity="medium"] { border-color: #b26a00; } .finding[data-severity="low"] { border-color: #1565c0; }
.rule, .category { color: #555; }
.unreachable { color: #555; border: 1px dashed #999; padding: 0 0.4rem; border-radius: 3px; font-size: 0.8rem; }
.reachable { color: #7a0016; border: 1px solid #7a0016; padding: 0 0.4rem; border-radius: 3px; font-size: 0.8rem; }
pre.frame { background: #f4f4f4; padding: 0.5rem 0.75rem; overflow-x: auto; border-radius: 4px; margin: 0.25rem 0; }
#filters { border: 1px solid #ddd; border-radius: 8px; padding: 0.5rem 1rem; display: flex; flex-wrap: wrap; gap: 1rem; }
.note { color: #555; }
[hidden] { display: none !important; }
`;

/** Shows and hides findings (and empty severity groups) by the checked severities. */
const SCRIPT = `
const boxes = [...document.querySelectorAll('#filters input[data-severity]')];
function apply() {
  const shown = new Set(boxes.filter((box) => box.checked).map((box) => box.dataset.severity));
  for (const item of document.querySelectorAll('.finding, .severity-group')) item.hidden = !shown.has(item.dataset.severity);
  document.getElementById('shown-count').textContent = String(document.querySelectorAll('.finding:not([hidden])').length);
}
for (const box of boxes) box.addEventListener('change', apply);
apply();
`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

export function formatHtml(analyses: PluginAnalysis[], options: HtmlOptions = {}): string {
  const listed = analyses.map((analysis) => listedFindings(analysis, options));
  const all = listed.flat();
  const counts = SEVERITIES.map((severity) => [severity, all.filter((finding) => finding.severity === severity).length] as const);
  const csp = `default-src 'none'; style-src ${hash(STYLE)}; script-src ${hash(SCRIPT)}; img-src 'none'; form-action 'none'; base-uri 'none'`;
  const title = analyses.length === 1 ? `Warden: ${analyses[0].plugin.id}@${analyses[0].plugin.version} ${VERB[analyses[0].decision.action]}` : `Warden: ${analyses.length} plugins`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Warden report</h1>
<p class="note" id="overview">${escapeHtml(overview(analyses))} · Warden ${escapeHtml(WARDEN_VERSION)}</p>
<fieldset id="filters"><legend>Show severities (<span id="shown-count">${all.length}</span> findings shown)</legend>
${counts.map(([severity, n]) => `<label><input type="checkbox" data-severity="${severity}" checked> ${severity} (${n})</label>`).join('\n')}
</fieldset>
</header>
<main>
${analyses.map((analysis, index) => pluginSection(analysis, listed[index], options)).join('\n')}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function overview(analyses: PluginAnalysis[]): string {
  const verdicts = (['block', 'warn', 'allow'] as const)
    .map((action) => [action, analyses.filter((analysis) => analysis.decision.action === action).length] as const)
    .filter(([, n]) => n > 0)
    .map(([action, n]) => `${n} ${VERB[action]}`);
  return `${analyses.length} plugin${analyses.length === 1 ? '' : 's'}: ${verdicts.join(', ')}`;
}

function pluginSection(analysis: PluginAnalysis, listed: Finding[], options: HtmlOptions): string {
  const { plugin, decision } = analysis;
  const visible = visibleFindings(analysis.findings, analysis.tier, options.policy ?? defaultPolicy);
  const notes = [
    listed.length < visible.length ? `${visible.length - listed.length} more not listed (--quiet)` : '',
    analysis.findings.length > visible.length ? `${analysis.findings.length - visible.length} hidden by the ${analysis.tier} policy` : '',
  ].filter(Boolean);
  return `<section class="plugin" data-verdict="${decision.action}">
<h2>${escapeHtml(`${plugin.id}@${plugin.version}`)} <span class="verdict verdict-${decision.action}">${VERB[decision.action]} for ${escapeHtml(analysis.tier)}</span></h2>
<p class="note">${escapeHtml(analysis.source)} · ${analysis.stats.files} files, ${analysis.stats.bytes} bytes</p>
<ul class="reasons">${decision.reasons.map((reason) => `<li>${escapeHtml(reason)}</li>`).join('')}</ul>
<h3>Capabilities: declared and used</h3>
${capabilityTable(analysis.manifest.capabilities, analysis.findings)}
<h3>Findings (${listed.length})</h3>
${SEVERITIES.map((severity) => severityGroup(severity, listed.filter((finding) => finding.severity === severity), analysis)).join('')}
${listed.length === 0 ? '<p class="note">No findings listed.</p>' : ''}
${notes.length > 0 ? `<p class="note">${escapeHtml(notes.join(', '))}</p>` : ''}
</section>`;
}

function severityGroup(severity: Severity, findings: Finding[], analysis: PluginAnalysis): string {
  if (findings.length === 0) return '';
  return `<details open class="severity-group" data-severity="${severity}"><summary>${severity} (${findings.length})</summary>
${findings.map((finding) => findingItem(finding, analysis)).join('\n')}
</details>`;
}

/** `reachable` arrives with the module graph (absent until the analysis computes it). */
type WithReach = Finding & { reachable?: boolean };

function findingItem(finding: WithReach, analysis: PluginAnalysis): string {
  const frame = codeFrame(analysis.sourceLines[finding.file], finding, { color: false });
  const reach = finding.reachable === undefined ? '' : finding.reachable ? '<span class="reachable">reachable</span>' : '<span class="unreachable">unreachable from every entry point</span>';
  return `<article class="finding" data-severity="${finding.severity}" data-reachable="${finding.reachable ?? 'unknown'}">
<header><span class="sev sev-${finding.severity}">${finding.severity}</span> <code>${escapeHtml(`${finding.file}:${finding.line}:${finding.column}`)}</code> <span class="category">${escapeHtml(categoryLabel(finding))}</span> <span class="rule">${escapeHtml(finding.ruleId)}</span> ${reach}</header>
<p class="message">${escapeHtml(finding.message)}</p>
${frame ? `<pre class="frame">${escapeHtml(frame)}</pre>` : ''}
</article>`;
}

/** One row per capability the manifest declares or the code uses. */
function capabilityTable(declared: DeclaredCapabilities | undefined, findings: Finding[]): string {
  const rows = CAPABILITIES.map((capability) => {
    const declaration = describeDeclaration(capability, declared);
    const uses = findings.filter((finding) => finding.capability === capability);
    if (declaration === undefined && uses.length === 0) return '';
    const undeclared = uses.filter((finding) => finding.severity !== 'low' && finding.severity !== 'info');
    const used = uses.length === 0 ? 'not used' : `${uses.length} use${uses.length === 1 ? '' : 's'}${undeclared.length > 0 ? `, <span class="undeclared">${undeclared.length} beyond the declaration</span>` : ''}`;
    return `<tr data-capability="${capability}"><td><code>${capability}</code></td><td>${escapeHtml(declaration ?? 'not declared')}</td><td>${used}</td></tr>`;
  }).join('');
  if (rows === '') return '<p class="note">Declares no capability and uses none the gate can see.</p>';
  return `<table class="capabilities"><thead><tr><th>capability</th><th>declared</th><th>used</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function describeDeclaration(capability: Capability, declared: DeclaredCapabilities | undefined): string | undefined {
  const value = (declared as Record<string, unknown> | undefined)?.[capability];
  if (value === undefined || value === false) return undefined;
  if (value === true) return 'yes';
  if (Array.isArray(value)) return value.join(', ');
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value as Record<string, unknown>)
      .map(([key, list]) => `${key}: ${Array.isArray(list) ? list.join(', ') : String(list)}`)
      .join('; ');
  }
  return String(value);
}
