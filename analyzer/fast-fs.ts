/**
 * `readFile` and `stat` through Node's callback API. On Node 20,
 * `fs/promises.readFile` opens a FileHandle and reads in chunks through
 * several promise round-trips; the callback version does the same work in
 * one native request (three times faster on the bench corpus's small files).
 * The gate's sources are read synchronously (analyze.ts says why); these are
 * for the reads that stay asynchronous: manifests, the cache record.
 */
import { readFile as readFileCallback, stat as statCallback } from 'node:fs';
import { promisify } from 'node:util';

export const readFile = promisify(readFileCallback);
export const stat = promisify(statCallback);
