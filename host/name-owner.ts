/**
 * Who a dotted name (a command id, an event name) belongs to among the loaded plugins: the plugin with the longest
 * id the name starts with, followed by a dot. So `acme.tools.sync.unlock` is `acme.tools.sync`'s, not `acme.tools`'s,
 * although both ids prefix it — the one shared answer for commands and events.
 */
export function nameOwner(name: string, ids: Iterable<string>): string | undefined {
  let owner: string | undefined;
  for (const id of ids) if (name.startsWith(`${id}.`) && (owner === undefined || id.length > owner.length)) owner = id;
  return owner;
}
