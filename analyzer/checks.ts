/**
 * The gate's own checks, beside the ESLint rules: lifecycle scripts, shipped
 * native binaries, files the gate cannot read, and the manifest. Each is
 * described with the same metadata as a rule (messages, category, severity,
 * capability) so assessment, SARIF and the docs treat both alike.
 */
import { interpolate, type FindingKind, type WardenRuleMeta } from '../rules/meta.js';
import type { RawReport } from '../rules/utils/report.js';
import { WARDEN_HOMEPAGE } from './warden-package.js';

export interface Check {
  meta: WardenRuleMeta;
}

function defineCheck<Id extends string>(name: string, description: string, messages: Record<Id, string>, findings: Record<Id, FindingKind>): Check {
  return {
    meta: {
      type: 'problem',
      docs: { description, url: `${WARDEN_HOMEPAGE}/blob/main/docs/reviewers.md#${name}`, recommended: true },
      messages,
      warden: { findings },
    },
  };
}

export const CHECKS = {
  'install-script': defineCheck(
    'install-script',
    'package.json lifecycle scripts that npm runs at install (preinstall, install, postinstall, preprepare, prepare, postprepare, prepublish, dependencies and its pre/post, prepack, postpack, and node-gyp builds)',
    {
      script: 'Lifecycle script "{{script}}" runs at install: {{command}}',
      readScript: 'Lifecycle script "{{script}}" runs at install, outside any sandbox, only code the gate read, which does nothing dangerous: {{command}}',
      dangerous: 'Lifecycle script "{{script}}" downloads, decodes or evaluates code at install: {{command}}',
      dangerousEntry: 'Lifecycle script "{{script}}" runs {{entry}} at install, outside any sandbox, and that code does something dangerous: {{command}}',
      filesAtInstall: 'Lifecycle script "{{script}}" runs {{entry}} at install, outside any sandbox, and that code uses the file system with the user\'s rights, its relative paths in the package folder: {{command}}',
      bundledPrepare: 'Lifecycle script "{{script}}" of a bundled dependency, which npm does not run when installing it: {{command}}',
      nodeGyp: 'binding.gyp makes npm run "node-gyp rebuild" at install, compiling native code',
    },
    {
      script: { category: 'install-script', severity: 'high' },
      readScript: { category: 'install-script', severity: 'medium' },
      dangerous: { category: 'install-script', severity: 'critical' },
      dangerousEntry: { category: 'install-script', severity: 'critical' },
      filesAtInstall: { category: 'install-script', severity: 'high' },
      bundledPrepare: { category: 'install-script', severity: 'info' },
      nodeGyp: { category: 'install-script', severity: 'high', capability: 'nativeAddons' },
    },
  ),
  'shell-script': defineCheck(
    'shell-script',
    'Shipped files the plugin hands to a shell, which reads them as shell scripts whatever they are named, and package.json scripts it runs by name',
    {
      dangerous: 'Is run as a shell script (by {{from}}), and its line `{{line}}` downloads, decodes or evaluates code',
      dangerousScript: 'The package.json script "{{script}}" is run by {{from}}, and it downloads, decodes or evaluates code: {{command}}',
    },
    { dangerous: { category: 'child-process', severity: 'critical' }, dangerousScript: { category: 'child-process', severity: 'critical' } },
  ),
  'native-binary': defineCheck(
    'native-binary',
    'Shipped native binaries (.node addons, ELF, Mach-O, PE) that run outside the JavaScript the gate reads',
    { binary: 'Shipped native binary ({{format}}): its code cannot be analyzed' },
    { binary: { category: 'native-code', severity: 'high', capability: 'nativeAddons' } },
  ),
  unanalyzable: defineCheck(
    'unanalyzable',
    'Files the gate cannot read: unparsable, beyond the size it reads, or reached through a symlink that leaves the plugin',
    {
      parseError: 'The gate cannot parse this file, so it cannot vouch for it: {{reason}}',
      tooLarge: 'The file is {{size}} bytes, beyond the {{limit}} bytes the gate reads, so it cannot vouch for it',
      escapingLink: 'Symlink points outside the plugin ({{target}}); whatever it points at would run unanalyzed',
      failed: 'The gate failed while reading this file, so it cannot vouch for it: {{reason}}',
      notJavaScript: 'Loaded as code, but not JavaScript, so Node would refuse to run it: {{reason}}',
      invalidWasm: 'The WebAssembly module does not validate, so the gate cannot vouch for it: {{reason}}',
    },
    {
      parseError: { category: 'unanalyzable', severity: 'critical' },
      tooLarge: { category: 'unanalyzable', severity: 'critical' },
      escapingLink: { category: 'unanalyzable', severity: 'critical' },
      failed: { category: 'unanalyzable', severity: 'critical' },
      notJavaScript: { category: 'unanalyzable', severity: 'info' },
      invalidWasm: { category: 'unanalyzable', severity: 'critical' },
    },
  ),
  manifest: defineCheck(
    'manifest',
    'Manifest fields that validate but cannot work as declared: the host refuses such a plugin whatever its tier, so they block for every tier',
    {
      mainMissing: 'The entry module "{{main}}" is not in the package, so the host cannot load it',
      enginesMismatch: 'It requires Warden {{range}} (engines.warden in package.json) but this is Warden {{version}}, so the host refuses to load it',
      commandExportMissing: 'The command "{{command}}" has no exported function "{{export}}" in the WebAssembly module, so the host cannot run it',
    },
    {
      mainMissing: { category: 'manifest', severity: 'critical' },
      enginesMismatch: { category: 'manifest', severity: 'critical' },
      commandExportMissing: { category: 'manifest', severity: 'critical' },
    },
  ),
  'unread-dependency': defineCheck(
    'unread-dependency',
    'Dependencies npm installs from a URL, a git repository, a folder outside the plugin or a tarball it ships: code no registry published and the gate has not read, whose lifecycle scripts npm runs at install',
    {
      url: 'The {{field}} entry "{{name}}" comes from {{spec}}: npm downloads it at install and runs its lifecycle scripts, code no registry published and the gate has not read',
      git: 'The {{field}} entry "{{name}}" comes from the git repository {{spec}}: npm clones it at install and runs its prepare and install scripts, code the gate has not read',
      outside: 'The {{field}} entry "{{name}}" comes from {{spec}}, outside the plugin: npm installs whatever is there at install, code the gate has not read',
      tarball: 'The {{field}} entry "{{name}}" comes from {{spec}}, a tarball the plugin ships: npm unpacks it at install and runs its lifecycle scripts, code the gate has not read',
      notShipped: "Loads '{{name}}', which the gate cannot find in the plugin: Node would look for it in folders above the plugin, code the gate has not read (the sandbox refuses to read there unless a filesystem grant reaches it)",
    },
    {
      url: { category: 'install-script', severity: 'high' },
      git: { category: 'install-script', severity: 'high' },
      outside: { category: 'install-script', severity: 'high' },
      tarball: { category: 'install-script', severity: 'high' },
      notShipped: { category: 'dynamic-import', severity: 'medium' },
    },
  ),
  'polluting-data': defineCheck(
    'polluting-data',
    'Shipped JSON holding a "__proto__" key or a "constructor.prototype" pair, which any ordinary merge of the parsed data turns into a change of Object.prototype',
    { pollutingKey: 'Holds the key "{{path}}": merged or assigned into an object, the parsed data changes Object.prototype for all code in the process' },
    { pollutingKey: { category: 'runtime-tampering', severity: 'high' } },
  ),
  'dev-dependency': defineCheck(
    'dev-dependency',
    'Loads of packages package.json lists only in devDependencies: npm does not install them with the plugin',
    {
      devDependency: "Loads '{{name}}', which package.json lists only in devDependencies: npm does not install it with the plugin, so the gate does not read it",
      devDependencyPresent: "Loads '{{name}}', which package.json lists only in devDependencies, yet it is installed here: it would run from this folder unread, since the gate never reads devDependencies",
    },
    {
      devDependency: { category: 'manifest', severity: 'medium' },
      devDependencyPresent: { category: 'manifest', severity: 'high' },
    },
  ),
  'wasm-import': defineCheck(
    'wasm-import',
    "A WebAssembly plugin's imports: the whole of what the module can ask the host for, each mapped to the capability it uses",
    {
      network: 'Imports {{import}}, a request the host makes for it through the broker (the network capability)',
      wasiFilesystem: 'Imports the WASI file function {{import}}: it reaches only the folders a filesystem grant preopens (none without one)',
      wasiClock: 'Imports the WASI clock function {{import}}: the module can read the time',
      wasiRandom: 'Imports {{import}}: the module can read random bytes',
      wasiEnvironment: 'Imports {{import}}: the host gives a WASM plugin no arguments and no environment variables',
      wasiProcess: 'Imports the WASI process function {{import}}: it can end or yield only its own call',
      unknownImport: 'Imports {{import}} ({{kind}}), which is neither a Warden or Extism host function nor WASI: the host cannot link it, and the gate cannot say what power it asks for',
    },
    {
      network: { category: 'network', severity: 'high', capability: 'network' },
      wasiFilesystem: { category: 'filesystem', severity: 'info', capability: 'filesystem' },
      wasiClock: { category: 'native-code', severity: 'info' },
      wasiRandom: { category: 'native-code', severity: 'info' },
      wasiEnvironment: { category: 'env', severity: 'info' },
      wasiProcess: { category: 'native-code', severity: 'info' },
      unknownImport: { category: 'native-code', severity: 'critical' },
    },
  ),
} satisfies Record<string, Check>;

export type CheckId = keyof typeof CHECKS;

export interface Location {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

const START: Location = { line: 1, column: 1, endLine: 1, endColumn: 1 };

export function checkReport(ruleId: CheckId, messageId: string, data: Record<string, string>, loc: Location = START): RawReport {
  const meta = CHECKS[ruleId].meta;
  return { ruleId, messageId, data, kind: meta.warden.findings[messageId], message: interpolate(meta.messages[messageId], data), loc };
}

/**
 * Where `"key":` appears in the JSON text, for a path of keys (`['engines',
 * 'warden']` looks for `"warden":` after `"engines":`). The last occurrence of
 * the first key wins, as in JSON.parse.
 */
export function keyLocation(text: string, key: string | string[]): Location {
  const [first, ...rest] = Array.isArray(key) ? key : [key];
  let index = text.search(new RegExp(`"${first}"\\s*:(?![\\s\\S]*"${first}"\\s*:)`));
  let found = first;
  for (const inner of rest) {
    if (index < 0) break;
    const next = text.slice(index).search(new RegExp(`"${inner}"\\s*:`));
    if (next < 0) break;
    index += next;
    found = inner;
  }
  if (index < 0) return START;
  const before = text.slice(0, index).split('\n');
  const line = before.length;
  const column = before[before.length - 1].length + 1;
  return { line, column, endLine: line, endColumn: column + found.length + 2 };
}
