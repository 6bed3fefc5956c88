/**
 * Where a file-system path lies, as far as the gate can prove it: the folder
 * it certainly starts in and whether an unknown rest follows. A declaration
 * of `capabilities.filesystem` covers a use only where this folder lies inside
 * what is declared (manifest.ts), so what the gate cannot place is never
 * covered.
 *
 * Folders are written as the declarations are expanded: `~` is the home
 * folder, `$data` the plugin's data folder (the process's working directory,
 * and what `ctx.dataDir` names), PLUGIN_ROOT its own package. An unknown
 * segment joined onto a proven folder leaves the path open below it; one that
 * is not a name a directory listing gave (`for (const f of readdirSync(dir))`,
 * `entry.name`) may hold `..` and climb out, which `climbs` records: inside
 * the folders every plugin is granted that is the sandbox's to stop, but no
 * declaration covers it. A known `..` after an unknown part, a spread of
 * unknown segments, or a climb above the folder leaves nothing proven.
 */
import { posix } from 'node:path';
import type { Scope } from 'eslint';
import type { AnyNode } from './ast.js';
import { climbWrappers, descendants, isFunctionNode, isWithin, isWriteTarget, plainKeyName, runtimeParams, unwrap } from './ast.js';
import { argumentAt } from './local-functions.js';
import { DATA_ROOT, HOME, PLUGIN_ROOT } from './markers.js';
import { Resolver, memberName } from './resolve.js';
import { bindingOf, findVariable, type ScopeOf } from './scope.js';
import { exportedValues } from './exported-functions.js';

export interface PathProof {
  /** The folder (or file) the path certainly lies in: `~/Documents`, `$data/inbox`, `/etc/hosts`. */
  folder: string;
  /** Something unknown follows `folder`: a segment, a glob, a recursive walk. */
  open: boolean;
  /** Some unknown segment is not a listed name, so it may climb out of `folder`. */
  climbs?: boolean;
}

const PATH_FUNCTIONS = /^path(?:\/posix|\/win32)?:(?:posix\.|win32\.)?(join|resolve|dirname)$/;
const MAX_DEPTH = 6;
/** Calls that write into the object they are given first. */
const REFLECTIVE_WRITES = new Set(['Object.assign', 'Object.defineProperty', 'Object.defineProperties', 'Object.setPrototypeOf', 'Reflect.set', 'Reflect.defineProperty', 'Reflect.setPrototypeOf', 'Reflect.deleteProperty']);
/** Array methods whose result holds only elements of the array they are called on. */
const SUBLISTS = new Set(['filter', 'sort', 'slice', 'reverse', 'toSorted', 'toReversed']);

export class PathProver {
  private absoluteProver: PathProver | undefined;
  /** A variable whose rewrites are being proven, with the place assumed for what it held before. */
  private readonly assumed = new Map<Scope.Variable, PathProof>();
  private writes: { dataDir: boolean; thisKeys: Set<string | undefined> } | undefined;

  /** `relativeIsData`: the working directory is still the data folder (no `process.chdir` anywhere). */
  constructor(
    private readonly resolver: Resolver,
    private readonly scopeOf: ScopeOf,
    private readonly relativeIsData: boolean,
    /** A call that lists a folder (`fs.readdirSync(dir)`), whose results are single names. */
    private readonly isListing: (call: AnyNode) => boolean,
  ) {}

  prove(input: AnyNode, depth = 0): PathProof | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const node = unwrap(input);
    // Joined here rather than folded: a climb above the home folder must not lose where it started.
    const pathFunction = node.type === 'CallExpression' ? PATH_FUNCTIONS.exec(Resolver.nameOf(this.resolver.resolve(node.callee)) ?? '')?.[1] : undefined;
    if (pathFunction === 'dirname') return node.arguments.length === 1 ? this.parentOf(node.arguments[0], depth) : undefined;
    if (pathFunction) return pathFunction === 'resolve' ? this.resolved(node.arguments, depth) : this.joined(node.arguments, '/', depth);
    // A Buffer, typed array or URL held in a variable is a path only while nothing writes into it (`b.write('/srv/…')`, `u.pathname = …`).
    const held = node.type === 'Identifier' ? this.resolver.aliasedExpression(node) : undefined;
    const mutable = held && mutablePathValue(this.resolver, held.node);
    if (mutable && !this.resolver.unwritten.isUnwritten(node, mutable)) return undefined;
    const whole = this.foldPath(node);
    if (whole !== undefined) return this.place(whole, false);
    if (this.isDataDir(node)) return { folder: DATA_ROOT, open: false };
    if (node.type === 'Identifier') {
      const variable = findVariable(this.scopeOf(node), node.name);
      const assumed = variable && this.assumed.get(variable);
      if (assumed) return assumed;
      if (held) return this.prove(held.node, depth + 1);
      const rebound = variable && this.reboundPlace(variable, depth);
      if (rebound) return rebound;
      const source = this.resolver.destructuredSource(node);
      if (source?.keys.length === 1 && source.keys[0] === 'dataDir' && this.isHostObject(unwrap(source.node))) return { folder: DATA_ROOT, open: false };
      const promised = this.promisedValue(node);
      if (promised) return this.prove(promised, depth + 1);
      return this.isDataDirParameter(node) ? { folder: DATA_ROOT, open: false } : undefined;
    }
    // `env.dir` of a literal the file keeps to itself holds what the literal was given.
    const stored = node.type === 'MemberExpression' ? this.resolver.literalValue(node) : undefined;
    if (stored) return this.prove(stored, depth + 1);
    const field = node.type === 'MemberExpression' ? this.constructorField(node, depth) : undefined;
    if (field) return field;
    if (node.type === 'CallExpression') return this.returnedPlace(node, depth);
    if (node.type === 'BinaryExpression' && node.operator === '+') return this.joined(concatOperands(node), '', depth);
    if (node.type === 'TemplateLiteral') {
      return this.joined(templateParts(node), '', depth);
    }
    return undefined;
  }

  /**
   * A `let`/`var` written more than once holds one of the values written: `let dir = __dirname; dir = path.join(dir,
   * 'templates')`. It is placed where every write is: the writes that do not read it are proven, their common folder
   * is assumed for it, and each write that reads it (which may run any number of times) must stay inside that folder.
   */
  private reboundPlace(variable: Scope.Variable, depth: number): PathProof | undefined {
    if (variable.defs.length !== 1 || variable.defs[0].type !== 'Variable' || this.assumed.has(variable)) return undefined;
    const written: AnyNode[] = [];
    for (const reference of variable.references) {
      if (!reference.isWrite()) continue;
      const { identifier, writeExpr } = reference as unknown as { identifier: AnyNode; writeExpr?: AnyNode | null };
      const parent = identifier.parent;
      const declared = parent?.type === 'VariableDeclarator' && parent.id === identifier && parent.parent?.parent?.type !== 'ForInStatement' && parent.parent?.parent?.type !== 'ForOfStatement';
      const assigned = parent?.type === 'AssignmentExpression' && parent.operator === '=' && parent.left === identifier;
      if (!(declared || assigned) || !writeExpr) return undefined;
      written.push(writeExpr);
    }
    if (written.length < 2) return undefined;
    const readsItself = (expression: AnyNode) => variable.references.some((ref) => !ref.isWrite() && isWithin(ref.identifier as AnyNode, expression));
    const base = mergedPlace(written.filter((expression) => !readsItself(expression)).map((expression) => this.prove(expression, depth + 1)));
    if (!base) return undefined;
    let { open, climbs = false } = base;
    this.assumed.set(variable, base);
    try {
      for (const expression of written.filter(readsItself)) {
        const next = this.prove(expression, depth + 1);
        if (!next || !isInside(next.folder, base.folder)) return undefined;
        open ||= next.open || next.folder !== base.folder;
        climbs ||= next.climbs ?? false;
      }
    } finally {
      this.assumed.delete(variable);
    }
    return climbs ? { folder: base.folder, open, climbs } : { folder: base.folder, open };
  }

  /**
   * `this.dir` in a method of a class the file declares, where the constructor's one write of it stores a parameter
   * (`constructor(dir) { this.dir = dir; }`) and every use of the class is a `new` the file makes: placed where every
   * such `new` puts that argument (`new Scanner(ctx.dataDir)`). Any other write of a `dir` member in the file, a field
   * of that name, or the class handed on or exported leaves it unplaced.
   */
  private constructorField(member: AnyNode, depth: number): PathProof | undefined {
    if (unwrap(member.object).type !== 'ThisExpression') return undefined;
    const key = memberName(member, this.resolver.folder);
    let fn: AnyNode | undefined;
    let holder: AnyNode | undefined;
    for (let current = member.parent; current; current = current.parent) {
      if (!fn && (current.type === 'FunctionExpression' || current.type === 'FunctionDeclaration')) fn = current;
      if (current.type === 'ClassDeclaration') {
        holder = current;
        break;
      }
    }
    if (key === undefined || !holder?.id || fn?.parent?.type !== 'MethodDefinition' || fn.parent.static || fn.parent.parent !== holder.body) return undefined;
    const constructor = holder.body.body.find((definition: AnyNode) => definition.type === 'MethodDefinition' && definition.kind === 'constructor');
    if (!constructor || holder.body.body.some((definition: AnyNode) => definition.type === 'PropertyDefinition' && plainKeyName(definition.key, definition.computed) === key)) return undefined;
    let program: AnyNode = holder;
    while (program.parent) program = program.parent;
    const writes = descendants(program, (node) => node.type === 'MemberExpression' && isWriteTarget(node) && (memberName(node, this.resolver.folder) ?? key) === key);
    const [write] = writes;
    const assignment = write?.parent;
    if (writes.length !== 1 || unwrap(write.object).type !== 'ThisExpression' || assignment?.type !== 'AssignmentExpression' || assignment.operator !== '=' || assignment.parent?.parent !== constructor.value.body) return undefined;
    const value = unwrap(assignment.right);
    const index = value.type === 'Identifier' ? runtimeParams(constructor.value).findIndex((param: AnyNode) => param.type === 'Identifier' && param.name === value.name) : -1;
    const parameter = index >= 0 ? findVariable(this.scopeOf(value), value.name) : undefined;
    if (!parameter || parameter.defs[0]?.type !== 'Parameter' || parameter.references.some((reference) => reference.isWrite()) || this.resolver.functions.usesArguments(constructor.value)) return undefined;
    // The class's own scope declares its name again, for its body: uses inside the class and around it both count.
    const own = this.scopeOf(holder);
    const scopes = own.type === 'class' && own.upper ? [own, own.upper] : [own];
    const uses = scopes.flatMap((scope) => scope.set.get(holder!.id.name)?.references ?? []);
    const passed: (AnyNode | undefined)[] = [];
    for (const use of uses) {
      const { node: name, parent: construction } = climbWrappers(use.identifier as AnyNode);
      if (construction?.type !== 'NewExpression' || construction.callee !== name) return undefined;
      const argument = argumentAt({ call: construction, args: construction.arguments }, index);
      if (!argument.known) return undefined;
      passed.push(argument.node);
    }
    return passed.length ? mergedPlace(passed.map((argument) => (argument ? this.prove(argument, depth + 1) : undefined))) : undefined;
  }

  /**
   * Where a path the file cannot place comes from another module of the plugin: `logFile(ctx)` or `paths(ctx).state`
   * (also through a `const` holding the call), a function imported from a relative specifier, handed only host
   * objects. The answer, `'./lib/where#logFile'` or `'./lib/init#paths.state'`, is matched by the analyzer against
   * what that module's exports return (dataExportKeys).
   */
  importedPlace(input: AnyNode): string | undefined {
    let node = unwrap(input);
    let member: string | undefined;
    if (node.type === 'MemberExpression') {
      member = memberName(node, this.resolver.folder);
      if (member === undefined) return undefined;
      node = unwrap(node.object);
    }
    const alias = node.type === 'Identifier' ? this.resolver.aliasedExpression(node) : undefined;
    if (alias) node = unwrap(alias.node);
    if (node.type !== 'CallExpression' || node.arguments.some((argument: AnyNode) => !this.isHostObject(unwrap(argument)))) return undefined;
    const callee = this.resolver.resolve(node.callee);
    if (callee?.module === undefined || !callee.module.startsWith('.') || callee.path.length !== 1) return undefined;
    return `${callee.module}#${callee.path[0]}${member === undefined ? '' : `.${member}`}`;
  }

  /**
   * The exports of this file whose value is proven inside the data folder when each parameter is a host object:
   * `exports.logFile = (ctx) => path.join(ctx.dataDir, 'activity.log')` gives `logFile`, and a returned object
   * literal its members (`paths.state`). Functions only (a returned value, not a stored one), never a generator.
   */
  dataExportKeys(program: AnyNode): string[] {
    const keys: string[] = [];
    const inData = (expression: AnyNode) => {
      const proof = this.prove(expression);
      return proof !== undefined && !proof.climbs && isInside(proof.folder, DATA_ROOT);
    };
    for (const [name, value] of exportedValues(program, this.scopeOf)) {
      if (name === '') continue; // the module itself: what another file reads is one of its keys
      const named = unwrap(value);
      const fn = named.type === 'Identifier' ? unwrap(this.resolver.aliasedExpression(named)?.node ?? named) : named;
      if (!['ArrowFunctionExpression', 'FunctionExpression', 'FunctionDeclaration'].includes(fn.type) || fn.generator || fn.async) continue;
      const returned = this.resolver.functions.returnedExpressions(fn);
      if (!returned?.length) continue;
      if (returned.every(inData)) keys.push(name);
      const literals = returned.map(unwrap);
      if (!literals.every((literal) => literal.type === 'ObjectExpression')) continue;
      for (const property of literals[0].properties as AnyNode[]) {
        const key = property.type === 'Property' && property.kind === 'init' ? plainKeyName(property.key, property.computed) : undefined;
        const values = literals.map((literal) => literal.properties.find((other: AnyNode) => other.type === 'Property' && plainKeyName(other.key, other.computed) === key)?.value);
        if (key !== undefined && values.every((member) => member !== undefined && inData(member))) keys.push(`${name}.${key}`);
      }
    }
    return keys;
  }

  /** A call of a function declared in this file: placed where every value it returns is (`stateFile(ctx)` returning `path.join(ctx.dataDir, 's.json')`). */
  private returnedPlace(call: AnyNode, depth: number): PathProof | undefined {
    const fn = this.resolver.calledFunction(call);
    if (!fn || fn.async || fn.generator) return undefined;
    const returned = this.resolver.functions.returnedExpressions(fn);
    return returned ? mergedPlace(returned.map((expression) => this.prove(expression, depth + 1))) : undefined;
  }

  /** The path a string, a `file:` URL or a `Buffer.from(…)` of one certainly is. */
  foldPath(node: AnyNode): string | undefined {
    const text = this.resolver.folder.foldString(node);
    if (text !== undefined) return text;
    const url = this.resolver.folder.foldUrl(node);
    if (url?.protocol === 'file:') return decodeURIComponent(url.pathname);
    // fs functions take a Buffer or Uint8Array of the path's bytes too.
    const inner = unwrap(node);
    const name = inner.type === 'CallExpression' || inner.type === 'NewExpression' ? Resolver.nameOf(this.resolver.resolve(inner.callee)) : undefined;
    if (name !== 'Buffer.from' && name !== 'Uint8Array' && name !== 'Uint8Array.from' && name !== 'buffer:Buffer.from') return undefined;
    const value = inner.arguments[0] && this.resolver.folder.fold(inner.arguments[0])?.value;
    if (typeof value === 'string' && inner.arguments.length === 1) return value;
    return Array.isArray(value) && value.every((byte) => Number.isInteger(byte) && byte >= 0 && byte < 256) ? Buffer.from(value as number[]).toString('latin1') : undefined;
  }

  /**
   * `path.resolve(…)` as Node runs it: from the working directory, each absolute part starts the path again. An
   * unknown part may itself be absolute (`os.homedir() + x`) and discard all before it, so it is placed only where it
   * is shown relative: a listed name, or a string whose known start is relative (`'tpl-' + name`).
   */
  private resolved(parts: AnyNode[], depth: number): PathProof | undefined {
    if (parts.some((part) => part.type === 'SpreadElement')) return undefined;
    let [known, open, climbs] = ['', false, false];
    for (const part of parts) {
      const text = this.foldPath(part);
      if (text !== undefined && isAbsolutePath(text)) [known, open, climbs] = [text, false, false];
      else if (text !== undefined) {
        if (open && climbsUp(text)) return undefined;
        if (!open) known = known === '' ? text : `${known}/${text}`;
      } else {
        const absolute = this.absolute().prove(part, depth + 1);
        if (absolute) [known, open, climbs] = [absolute.folder, absolute.open, absolute.climbs ?? false];
        else if (this.isShownRelative(part)) [open, climbs] = [true, climbs || !this.isListedName(part)];
        else return undefined;
      }
    }
    const placed = this.place(known === '' ? '.' : known, open);
    return placed && climbs ? { ...placed, climbs } : placed;
  }

  /** This prover with relative paths left unplaced: what it proves is absolute. */
  private absolute(): PathProver {
    if (!this.relativeIsData) return this;
    this.absoluteProver ??= new PathProver(this.resolver, this.scopeOf, false, this.isListing);
    return this.absoluteProver;
  }

  /** An unknown part that cannot be absolute: a listed name, or `'a/' + x`, `` `a-${x}` `` with a relative known start. */
  private isShownRelative(input: AnyNode): boolean {
    const node = unwrap(input);
    if (this.isListedName(node)) return true;
    const start = node.type === 'BinaryExpression' && node.operator === '+' ? this.foldPath(concatOperands(node)[0]) : node.type === 'TemplateLiteral' ? node.quasis[0].value.cooked : undefined;
    return typeof start === 'string' && start !== '' && !isAbsolutePath(start);
  }

  /**
   * `path.dirname(p)`: the folder above where `p` is proven. Above an unknown rest it may be the proven folder's own
   * parent (the rest may be empty), so `path.dirname(path.join(ctx.dataDir, name))` is not in the data folder, while
   * `path.dirname(path.join(ctx.dataDir, 'cache', 'recent.json'))` is `$data/cache`.
   */
  private parentOf(input: AnyNode, depth: number): PathProof | undefined {
    const proof = this.prove(input, depth + 1);
    const parent = proof && posix.dirname(proof.folder);
    // Above a marker (`$data`, `~`) is a place the markers do not name: not the working directory that `.` would be.
    return parent === undefined || parent === '.' ? undefined : { ...proof!, folder: parent };
  }

  /** `parts` joined (`/` for path.join, which only joins an absolute part; nothing for `+` and templates): the known start, placed, and whether more follows. */
  private joined(all: AnyNode[], separator: string, depth: number): PathProof | undefined {
    // A template's empty first quasi (`${dir}/a`) starts nothing.
    const parts = separator === '' && all.length > 1 && this.foldPath(all[0]) === '' ? all.slice(1) : all;
    if (parts.length === 0 || parts.some((part) => part.type === 'SpreadElement')) return undefined;
    const first = this.foldPath(parts[0]) === undefined ? this.prove(parts[0], depth + 1) : undefined;
    if (first === undefined && this.foldPath(parts[0]) === undefined) return undefined;
    let known = first ? first.folder : this.foldPath(parts[0])!;
    let open = first?.open ?? false;
    let climbs = first?.climbs ?? false;
    for (const part of parts.slice(1)) {
      const text = this.foldPath(part);
      if (text === undefined) {
        open = true;
        climbs ||= !this.isListedName(part);
        continue;
      }
      // After an unknown part, a known `..` climbs out of whatever that part was.
      if (open && climbsUp(text)) return undefined;
      if (!open) known = separator === '/' ? `${known}/${text}` : known + text;
    }
    // `dir + name` with an unknown name: only the folders written out before it are known.
    if (open && separator === '') known = known.slice(0, Math.max(known.lastIndexOf('/'), 0)) || (known.startsWith('/') ? '/' : known.startsWith(HOME) ? HOME : '');
    const placed = known === '' ? (open ? undefined : this.place(known, false)) : this.place(known, open);
    return placed && climbs ? { ...placed, climbs } : placed;
  }

  /**
   * One name a directory listing gave (`f` of `for (const f of readdirSync(dir))`, `entry.name`, a variable holding
   * one), or an element of a constant list of relative names: neither can climb out of the folder it is joined to.
   */
  private isListedName(input: AnyNode, depth = 0): boolean {
    if (depth > MAX_DEPTH) return false;
    const node = unwrap(input);
    if (node.type === 'MemberExpression') return memberName(node, this.resolver.folder) === 'name' && this.isListedName(node.object, depth + 1);
    if (node.type !== 'Identifier') return false;
    const list = this.resolver.iteratedArray(node);
    if (list) return this.isListingResult(list, depth + 1) || this.holdsOnlyRelativeNames(list);
    const alias = this.resolver.aliasedExpression(node);
    return alias !== undefined && this.isListedName(alias.node, depth + 1);
  }

  /**
   * A list that folds to constant relative paths none of which climbs (`const TEMPLATES = ['daily.md', 'week/plan.md']`,
   * never changed). As with a listing's names, no segment may be empty, `.` or `..`: an edge segment such as `.` would
   * become `..` beside the text around it (`` `${dir}/${name}./x` ``, `` `${a}${b}` ``).
   */
  private holdsOnlyRelativeNames(list: AnyNode): boolean {
    const value = this.resolver.folder.fold(list)?.value;
    return Array.isArray(value) && value.length > 0 && value.every((name) => typeof name === 'string' && !isAbsolutePath(name) && name.split(/[\\/]/).every((segment) => segment !== '' && segment !== '.' && segment !== '..'));
  }

  /** What a listing returned, awaited, held in a variable, or filtered and sorted. */
  private isListingResult(input: AnyNode, depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    const node = unwrap(input);
    if (node.type === 'AwaitExpression') return this.isListingResult(node.argument, depth + 1);
    if (node.type === 'Identifier') {
      const alias = this.resolver.aliasedExpression(node);
      return alias !== undefined && this.isListingResult(alias.node, depth + 1);
    }
    if (node.type !== 'CallExpression') return false;
    if (this.isListing(node)) return true;
    const callee = unwrap(node.callee);
    return callee.type === 'MemberExpression' && SUBLISTS.has(memberName(callee, this.resolver.folder) ?? '') && this.isListingResult(callee.object, depth + 1);
  }

  /** A folded path placed under the folder it starts in; a relative one is in the working directory. */
  private place(path: string, open: boolean): PathProof | undefined {
    const text = path.replace(/\\/g, '/');
    for (const base of [PLUGIN_ROOT, DATA_ROOT, HOME]) {
      if (text !== base && !text.startsWith(`${base}/`)) continue;
      const rest = posix.normalize(`.${text.slice(base.length)}`);
      // Climbing above the base leaves a path the gate cannot place, but above home is somewhere from the root: `~/../../etc/shadow` is `/etc/shadow` for a home two levels deep.
      if (rest === '..' || rest.startsWith('../')) return base === HOME ? { folder: posix.normalize(`/${rest.replace(/^(?:\.\.\/?)+/, '')}`).replace(/(.)\/$/, '$1'), open: true } : undefined;
      return { folder: rest === '.' ? base : `${base}/${rest}`, open };
    }
    if (text.startsWith('/')) return { folder: posix.normalize(text).replace(/(.)\/$/, '$1'), open };
    if (/^[a-z]:\//i.test(text) || /^[%$]/.test(text)) return { folder: text, open };
    if (!this.relativeIsData) return undefined;
    return this.place(`${DATA_ROOT}/${text}`, open);
  }

  /** `ctx.dataDir`, `this.ctx.dataDir`, `context.dataDir`: the folder the host gives the plugin, on an object the gate did not build, while the file writes no host object's `dataDir`. */
  private isDataDir(node: AnyNode): boolean {
    return node.type === 'MemberExpression' && memberName(node, this.resolver.folder) === 'dataDir' && this.isHostObject(unwrap(node.object)) && !this.hostWrites(node).dataDir;
  }

  /**
   * What the file writes of the host's objects: the context object is an ordinary one, so `ctx.dataDir = os.homedir()`,
   * `ctx[key] = …`, `Object.assign(ctx, …)` or `Reflect.defineProperty(this.ctx, …)` move its data folder; and the `this`
   * members set from anything but a host object (`this.ctx = { dataDir: home }`) are no longer the host's. Handing the
   * object to other code is not followed: a helper in another file that writes it is not seen.
   */
  private hostWrites(anyNode: AnyNode): { dataDir: boolean; thisKeys: Set<string | undefined> } {
    if (this.writes) return this.writes;
    let scope = this.scopeOf(anyNode);
    while (scope.upper) scope = scope.upper;
    const targets = descendants(scope.block as AnyNode, (node) => ((node.type === 'MemberExpression' || node.type === 'Identifier') && isWriteTarget(node)) || node.type === 'CallExpression' || (node.type === 'PropertyDefinition' && !node.static));
    // Assumed unwritten while it is worked out; `this.a = this.b` needs `b`'s answer, so it is repeated until nothing changes.
    const writes = { dataDir: false, thisKeys: new Set<string | undefined>() };
    this.writes = writes;
    for (let size = -1; size !== writes.thisKeys.size; ) {
      size = writes.thisKeys.size;
      for (const node of targets) {
        if (node.type === 'CallExpression') {
          if (REFLECTIVE_WRITES.has(Resolver.nameOf(this.resolver.resolve(node.callee)) ?? '') && node.arguments[0] && this.isHostObject(unwrap(node.arguments[0]))) writes.dataDir = true;
          continue;
        }
        if (node.type === 'Identifier') {
          // `with (ctx) { dataDir = home }` writes the object's member.
          if (node.name === 'dataDir' && this.resolver.mayBeWithMember(node)) writes.dataDir = true;
          continue;
        }
        if (node.type === 'PropertyDefinition') {
          // A class field is a `this` member set when the instance is made (one without a value starts undefined, which places nothing).
          if (node.value && !this.isHostObject(unwrap(node.value))) writes.thisKeys.add(node.computed ? this.resolver.folder.foldString(node.key) : plainKeyName(node.key, false));
          continue;
        }
        const key = memberName(node, this.resolver.folder);
        const object = unwrap(node.object);
        if ((key === 'dataDir' || key === undefined) && this.isHostObject(object)) writes.dataDir = true;
        if (object.type !== 'ThisExpression') continue;
        const { node: target, parent } = climbWrappers(node);
        const fromHost = parent?.type === 'AssignmentExpression' && parent.operator === '=' && parent.left === target && this.isHostObject(unwrap(parent.right));
        if (!fromHost) writes.thisKeys.add(key);
      }
    }
    return writes;
  }

  /**
   * The value a `.then` reaction's parameter is given: `Promise.resolve(v)`'s `v`, or what the reaction before it in
   * the chain returns (`Promise.resolve(__dirname).then((d) => path.join(d, 'a.json')).then((p) => readFile(p))`).
   */
  private promisedValue(identifier: AnyNode): AnyNode | undefined {
    const variable = findVariable(this.scopeOf(identifier), identifier.name);
    const definition = variable?.defs.length === 1 && variable.defs[0].type === 'Parameter' ? variable.defs[0] : undefined;
    const fn = definition?.node as AnyNode | undefined;
    if (!fn || !isFunctionNode(fn) || fn.params.length !== 1 || fn.params[0] !== (definition!.name as unknown) || !this.resolver.functions.isOnlyCalledWhereHanded(fn)) return undefined;
    // A reaction that writes its parameter (`d = '/etc'`) no longer holds what the promise gave it.
    if (variable!.references.some((reference) => reference.isWrite())) return undefined;
    const call = climbWrappers(fn).parent;
    const callee = call?.type === 'CallExpression' && call.arguments[0] === climbWrappers(fn).node ? unwrap(call.callee) : undefined;
    if (callee?.type !== 'MemberExpression' || memberName(callee, this.resolver.folder) !== 'then') return undefined;
    return this.settledValue(unwrap(callee.object));
  }

  /**
   * What a promise expression settles to, when it is `Promise.resolve(v)` or a `.then` whose reaction returns one
   * expression. The `.then` must be a real promise's (the chain starts at `Promise.resolve`): any other object's `then`
   * calls its callbacks with what it likes. It must take no rejection handler, whose return would settle it too.
   */
  private settledValue(promise: AnyNode): AnyNode | undefined {
    if (promise.type !== 'CallExpression') return undefined;
    if (this.isPromiseResolve(promise)) return promise.arguments[0];
    const callee = unwrap(promise.callee);
    const reaction = promise.arguments.length === 1 ? unwrap(promise.arguments[0]) : undefined;
    if (callee.type !== 'MemberExpression' || memberName(callee, this.resolver.folder) !== 'then' || !reaction || !isFunctionNode(reaction) || reaction.async || reaction.generator) return undefined;
    if (!this.isPromiseChain(unwrap(callee.object))) return undefined;
    if (reaction.body.type !== 'BlockStatement') return reaction.body;
    const statements = reaction.body.body;
    return statements.length === 1 && statements[0].type === 'ReturnStatement' ? statements[0].argument ?? undefined : undefined;
  }

  /** A promise made by `Promise.resolve(…)`, or by a `.then`, `.catch` or `.finally` of one. */
  private isPromiseChain(node: AnyNode, depth = 0): boolean {
    if (node.type !== 'CallExpression' || depth > MAX_DEPTH) return false;
    if (this.isPromiseResolve(node)) return true;
    const callee = unwrap(node.callee);
    const method = callee.type === 'MemberExpression' ? memberName(callee, this.resolver.folder) : undefined;
    return (method === 'then' || method === 'catch' || method === 'finally') && this.isPromiseChain(unwrap(callee.object), depth + 1);
  }

  private isPromiseResolve(call: AnyNode): boolean {
    return Resolver.nameOf(this.resolver.resolve(call.callee)) === 'Promise.resolve';
  }

  /** `dataDir` destructured straight from a parameter (`activate({ dataDir })`), whose object is judged as `ctx` is. */
  private isDataDirParameter(node: AnyNode): boolean {
    const variable = findVariable(this.scopeOf(node), node.name);
    const def = variable?.defs.length === 1 ? (variable.defs[0] as unknown as { type: string; node: AnyNode; name: AnyNode }) : undefined;
    const property = def?.name.parent;
    if (def?.type !== 'Parameter' || variable!.references.some((ref) => ref.isWrite())) return false;
    if (property?.type !== 'Property' || property.value !== def.name || plainKeyName(property.key, property.computed) !== 'dataDir') return false;
    const index = property.parent ? runtimeParams(def.node).indexOf(property.parent) : -1;
    if (index < 0 || this.resolver.functions.usesArguments(def.node)) return false;
    // A function the file calls itself gets what those calls pass, as for a plain parameter.
    const sites = this.resolver.functions.callSites(def.node);
    return !sites?.length || sites.every((site) => {
      const argument = argumentAt(site, index);
      return argument.known && argument.node !== undefined && this.isHostObject(unwrap(argument.node), 1);
    });
  }

  /** An object the plugin did not make itself: a parameter (the `ctx` of `activate`), a property of `this`, or a variable set once from one. */
  private isHostObject(node: AnyNode, depth = 0): boolean {
    if (depth > MAX_DEPTH) return false;
    if (node.type === 'MemberExpression') {
      if (unwrap(node.object).type !== 'ThisExpression') return false;
      const { thisKeys } = this.hostWrites(node);
      return !thisKeys.has(undefined) && !thisKeys.has(memberName(node, this.resolver.folder));
    }
    if (node.type !== 'Identifier') return false;
    const alias = this.resolver.aliasedExpression(node);
    if (alias) return this.isHostObject(unwrap(alias.node), depth + 1);
    // `ctx = { ...ctx, dataDir: os.homedir() }`, `arguments[0] = …`: a parameter written in the file is no longer what the host passed.
    if (!this.resolver.isUnchangedParameter(node)) return false;
    // A function the file calls itself gets what those calls pass: `read({ dataDir: home })` is no host object.
    const passed = this.resolver.parameterArguments(node);
    return passed === undefined || passed.every((argument) => argument !== undefined && this.isHostObject(unwrap(argument), depth + 1));
  }
}

/** The place every one of `proofs` lies in: their deepest common folder, open when they differ; nothing when one is unproven or they share no base. */
function mergedPlace(proofs: (PathProof | undefined)[]): PathProof | undefined {
  if (proofs.length === 0 || proofs.some((proof) => proof === undefined)) return undefined;
  const [first, ...rest] = proofs as PathProof[];
  let folder = first.folder;
  let open = first.open;
  let climbs = first.climbs ?? false;
  for (const proof of rest) {
    while (!isInside(proof.folder, folder)) {
      const parent = posix.dirname(folder);
      if (parent === folder) return undefined;
      folder = parent;
    }
    open ||= proof.open || proof.folder !== folder;
    climbs ||= proof.climbs ?? false;
  }
  if (folder !== first.folder) open = true;
  // Proofs that share only the root or the home folder prove nothing a declaration could cover.
  if (folder === '/' || folder === '.' || folder === HOME) return undefined;
  return climbs ? { folder, open, climbs } : { folder, open };
}

/** How a message shows where a proof places a path: the folder, with `/…` when an unknown rest follows. */
export function shownPlace(proof: PathProof): string {
  return `${proof.folder}${proof.open ? '/…' : ''}`;
}

/** A template literal's text and expressions in order, each text as a string literal (`a${b}c` is `'a'`, `b`, `'c'`). */
export function templateParts(template: AnyNode): AnyNode[] {
  return template.quasis.flatMap((quasi: AnyNode, i: number) => [{ type: 'Literal', value: quasi.value.cooked } as AnyNode, ...(i < template.expressions.length ? [template.expressions[i]] : [])]);
}

/** `folder` is `base` or lies below it. */
export function isInside(folder: string, base: string): boolean {
  return folder === base || folder.startsWith(base.endsWith('/') ? base : `${base}/`);
}

/** An absolute path as folds write them: from the root, a drive, home (`~`), the data folder or an environment variable. */
function isAbsolutePath(text: string): boolean {
  return /^(?:[/\\]|[a-z]:[/\\]|~(?:[/\\]|$)|[%$])/i.test(text);
}

/** A `..` segment anywhere in `text`. */
function climbsUp(text: string): boolean {
  return /(?:^|[/\\])\.\.(?:[/\\]|$)/.test(text);
}

/** `Buffer.from(…)`, `new Uint8Array(…)`, `new URL(…)`: a path value whose contents can be overwritten after it is made, as an empty one of its kind. */
function mutablePathValue(resolver: Resolver, input: AnyNode): object | undefined {
  const node = unwrap(input);
  if (node.type !== 'CallExpression' && node.type !== 'NewExpression') return undefined;
  const name = Resolver.nameOf(resolver.resolve(node.callee)) ?? '';
  if (/^(?:buffer:)?Buffer\.(?:from|alloc|allocUnsafe|concat)$|^Uint8Array(?:\.from|\.of)?$/.test(name)) return Buffer.alloc(0);
  return name === 'URL' || name === 'url:URL' || name === 'url:pathToFileURL' ? {} : undefined;
}

/** Stands for a part of a path that could not be folded (`path.join(dir, '.env')` is `*\/.env`), as sensitive-paths.ts reads it. */
const UNKNOWN_PART = '*';

/**
 * What a path built partly at run time can be said to be: each unknown part as `*` when it starts with known text
 * (`/proc/${pid}/environ` is `/proc/*\/environ`), and the known tail under an unknown folder
 * (`join(base, '.ssh/id_rsa')` is `*\/.ssh/id_rsa`).
 */
export function partlyKnownPaths(resolver: Resolver, input: AnyNode): string[] {
  return [...new Set(builtExpressions(resolver, input).flatMap((node) => partlyKnownPathsOf(resolver, node)))];
}

/** How many names and returns `builtExpressions` follows: `const p = where(pid)` with `where` returning a template. */
const MAX_BUILT_HOPS = 3;

/**
 * What an argument was built by: itself, what a name holds when that is its only write (`const p = '/proc/' + pid +
 * '/environ'`), and what a local function it calls returns (`where(pid)`, `function where(p) { return \`/proc/${p}…\` }`).
 */
function builtExpressions(resolver: Resolver, input: AnyNode, hops = 0): AnyNode[] {
  const node = unwrap(input);
  if (hops >= MAX_BUILT_HOPS) return [node];
  if (node.type === 'Identifier') {
    const held = bindingOf(node, resolver.scopeOf, (key) => plainKeyName(key, false));
    return held.kind === 'value' && held.path.length === 0 ? builtExpressions(resolver, held.init, hops + 1) : [node];
  }
  const fn = node.type === 'CallExpression' ? resolver.calledFunction(node) : undefined;
  const returned = fn ? resolver.functions.returnedExpressions(fn) : undefined;
  return returned?.length ? returned.flatMap((expression) => builtExpressions(resolver, expression, hops + 1)) : [node];
}

function partlyKnownPathsOf(resolver: Resolver, node: AnyNode): string[] {
  const fold = (part: AnyNode) => resolver.folder.foldString(part);
  let parts: (string | undefined)[] | undefined;
  if (node.type === 'CallExpression' && /^path(\/posix|\/win32)?:(posix\.|win32\.)?(join|resolve)$/.test(Resolver.nameOf(resolver.resolve(node.callee)) ?? '')) {
    parts = node.arguments.map(fold);
  } else if (node.type === 'BinaryExpression' && node.operator === '+') {
    parts = concatOperands(node).map(fold);
  } else if (node.type === 'TemplateLiteral') {
    parts = node.quasis.flatMap((quasi: AnyNode, i: number) => [quasi.value.cooked as string, ...(i < node.expressions.length ? [fold(node.expressions[i])] : [])]);
  }
  const lastUnknown = parts ? parts.lastIndexOf(undefined) : -1;
  if (!parts || lastUnknown < 0) return [];
  const separator = node.type === 'CallExpression' ? '/' : '';
  const known = parts.slice(lastUnknown + 1) as string[];
  const shapes = parts[0] ? [parts.map((part) => part ?? UNKNOWN_PART).join(separator)] : [];
  if (known.length > 0) shapes.push(`${UNKNOWN_PART}${separator}${known.join(separator)}`);
  return shapes;
}

/** `a + b + c` parses as `(a + b) + c`: its operands in order. */
export function concatOperands(node: AnyNode): AnyNode[] {
  const inner = unwrap(node);
  return inner.type === 'BinaryExpression' && inner.operator === '+' ? [...concatOperands(inner.left), inner.right] : [inner];
}
