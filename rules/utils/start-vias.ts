/**
 * How a file is started as code of its own (see started-files.ts). Kept apart
 * from the listeners so the analyzer's driver can tell a started file's load
 * record from a module load without loading the parser and the resolver.
 */

/**
 * How the file is started: a worker thread, `fork`, a Node binary (or any program but a shell) run with it, a
 * cluster worker, or a shell, which reads the file as a shell script whatever its name. `script` starts no file
 * but a package.json script by its name (`node --run build`, `npm run build`): the specifier is that name.
 */
export type StartVia = 'worker' | 'fork' | 'node' | 'cluster' | 'shell' | 'script';

const START_VIAS: ReadonlySet<string> = new Set<StartVia>(['worker', 'fork', 'node', 'cluster', 'shell', 'script']);

/** A load record of a started file: a path to resolve from the working directory, not a module specifier. */
export function isStart(via: string): via is StartVia {
  return START_VIAS.has(via);
}
