/**
 * `ctx.user.profile()`: what the embedding app chose to tell plugins about
 * its user. Only these fields ever cross, as short strings, whatever else the
 * app's object holds: never paths, tokens or anything a plugin could use to
 * find its way around the machine.
 */
import type { UserProfile } from '../api/protocol.js';

const FIELDS = ['displayName', 'locale'] as const;
const MAX_LENGTH = 100;

export function shareableProfile(profile: Record<string, unknown> | undefined): UserProfile {
  const shared: UserProfile = {};
  for (const field of FIELDS) {
    const value = profile?.[field];
    if (typeof value === 'string' && value.length > 0) shared[field] = value.slice(0, MAX_LENGTH);
  }
  return shared;
}
