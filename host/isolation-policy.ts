/**
 * Which isolation level a plugin needs and whether it can have it. The host
 * runs every plugin with the strongest level the machine offers (or the one
 * the embedding app chose), and refuses to start one whose requirement is
 * above that, saying what is missing and how to get it.
 */
import type { Tier } from '../analyzer/types.js';
import { type IsolationLevel, type MachineSupport, isolationRank } from './platform.js';

/** Without a choice by the app: installed plugins the registry has not reviewed or vouched for need namespaces. */
const DEFAULT_REQUIREMENT: Partial<Record<Tier, IsolationLevel>> = { community: 'namespaces', unregistered: 'namespaces' };

export function requiredIsolation(plugin: { tier: Tier; dev: boolean }, required: IsolationLevel | undefined): IsolationLevel | undefined {
  if (required !== undefined) return required;
  // A development plugin is its author's own code, run to work on it.
  return plugin.dev ? undefined : DEFAULT_REQUIREMENT[plugin.tier];
}

/** Why a plugin that needs `required` cannot run with `used` here, or undefined when it can. */
export function isolationProblem(required: IsolationLevel | undefined, used: IsolationLevel, support: MachineSupport): string | undefined {
  if (required === undefined || isolationRank(used) >= isolationRank(required)) return undefined;
  const available = support.levels[0];
  const why =
    isolationRank(available) >= isolationRank(required)
      ? `the host was told to run plugins with isolation "${used}"`
      : support.missing[required === 'strict' ? 'strict' : 'namespaces'];
  return `it requires isolation "${required}" but runs with "${used}" here: ${why}`;
}

/**
 * A WASM plugin runs in a worker of the host: WebAssembly's sandbox, with no ambient authority, stands where a process
 * and its namespaces stand for JavaScript, so the tiers' default requirement does not apply to it. An app that asks for
 * process isolation explicitly gets it: the module then runs in a sandboxed plugin process, at the host's level.
 */
export function wasmRequiredIsolation(required: IsolationLevel | undefined): IsolationLevel | undefined {
  return required === 'none' ? undefined : required;
}
