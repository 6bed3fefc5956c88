/** npm-packlist ships no types: the part of its API the gate calls (see files.ts). */
declare module 'npm-packlist' {
  /** The root node of an Arborist tree, as far as npm-packlist reads it. */
  interface PacklistTree {
    path: string;
    package: Record<string, unknown>;
    isProjectRoot: boolean;
    edgesOut: Map<string, unknown>;
  }
  /** The files `npm pack` would include, relative to the tree's path. */
  export default function packlist(tree: PacklistTree, options?: { path?: string }): Promise<string[]>;
}
