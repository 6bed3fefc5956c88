/**
 * When a plugin's process starts: its manifest's `activationEvents`
 * (`onStartup`, `onCommand:<id>`, `onEvent:<name>`); without any, on first
 * use of a command it contributes (as VS Code does since 1.74).
 */
import type { Manifest } from '../analyzer/types.js';

export interface ActivationPlan {
  onStartup: boolean;
  commands: Set<string>;
  events: Set<string>;
}

export function activationPlan(manifest: Manifest): ActivationPlan {
  const contributed = (manifest.contributes?.commands ?? []).map((c) => c.command);
  const plan: ActivationPlan = { onStartup: false, commands: new Set(contributed), events: new Set() };
  for (const event of manifest.activationEvents ?? []) {
    if (event === 'onStartup') plan.onStartup = true;
    else if (event.startsWith('onCommand:')) plan.commands.add(event.slice('onCommand:'.length));
    else if (event.startsWith('onEvent:')) plan.events.add(event.slice('onEvent:'.length));
  }
  return plan;
}
