/**
 * How much the gate is willing to read. Archives beyond these limits are
 * refused whole; a source file beyond `maxLintBytes` is reported as
 * unanalyzable rather than read (typescript's own 9 MB bundle fits).
 */
export interface Limits {
  /** Entries in an archive. */
  maxEntries: number;
  /** Bytes of one archive entry. */
  maxEntryBytes: number;
  /** Bytes of all archive entries together. */
  maxTotalBytes: number;
  /** Bytes of one source file the linter will parse. */
  maxLintBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxEntries: 20_000,
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
  maxLintBytes: 24 * 1024 * 1024,
};
