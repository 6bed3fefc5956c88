/**
 * The suite decides colour for itself. picocolors colours a pipe whenever `CI` or `FORCE_COLOR` is set, and the
 * processes the tests start inherit this environment, so a CI machine would colour the output the tests read.
 * A test about colour passes these variables explicitly.
 */
delete process.env.CI;
delete process.env.FORCE_COLOR;
