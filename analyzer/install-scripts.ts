/**
 * Lifecycle scripts npm runs at install. Any of them is worth a reviewer's
 * look (high); one that fetches, decodes or evaluates code is the classic
 * supply-chain payload (critical).
 */
import type { RawReport } from '../rules/utils/report.js';
import { isDangerousCommand } from '../rules/utils/commands.js';
import { checkReport, keyLocation } from './checks.js';

const LIFECYCLE_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'] as const;

/** A lifecycle script that downloads, decodes or evaluates code (see rules/utils/commands.ts). */
export const isDangerousScript = isDangerousCommand;

/** Reports for one package.json's text (already known to parse for the root; bundled ones may not). */
export function installScriptReports(text: string): RawReport[] {
  let scripts: unknown;
  try {
    scripts = (JSON.parse(text) as { scripts?: unknown }).scripts;
  } catch {
    return [];
  }
  if (!scripts || typeof scripts !== 'object') return [];
  const reports: RawReport[] = [];
  for (const script of LIFECYCLE_SCRIPTS) {
    const command = (scripts as Record<string, unknown>)[script];
    if (typeof command !== 'string') continue;
    const messageId = isDangerousScript(command) ? 'dangerous' : 'script';
    reports.push(checkReport('install-script', messageId, { script, command }, keyLocation(text, script)));
  }
  return reports;
}
