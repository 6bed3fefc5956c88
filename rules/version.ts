/**
 * Bumped whenever a rule changes what it reports, so cached results are not
 * reused. Its own module so the analyzer's cache can read it without loading
 * the rules and their parser.
 */
export const RULES_VERSION = '31';
