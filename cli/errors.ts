/**
 * User mistakes (bad paths, invalid manifests, corrupt archives, unknown flags)
 * are `UsageError`s: the CLI prints their message as one line and exits 2,
 * never a stack trace. Anything else is a bug and is reported as such.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Refused by policy or by the user's missing consent (a blocklisted plugin, a review that blocks): exit 1, one line. */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';
}

export const EXIT = { ok: 0, blocked: 1, usage: 2 } as const;
