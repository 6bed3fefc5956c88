/**
 * no-dynamic-code: strings turned into code. Evaluating a non-constant string
 * or reaching `eval`/`Function` indirectly is critical; a direct evaluation of
 * a compile-time constant is linted as code instead, so its findings are the
 * findings of what it runs (and `Function('return this')()` stays quiet).
 */
import type { Rule } from 'eslint';
import * as espree from 'espree';
import { defineRule } from './meta.js';
import { childNodes, unwrap, type AnyNode } from './utils/ast.js';
import { capabilityRoot } from './utils/capability-roots.js';
import { codeSinkOf, stringTimerOf, type CodeSink } from './utils/code-sinks.js';
import { evaluatedPath } from './utils/evaluated-values.js';
import { lintEvaluatedCode } from './utils/embedded.js';
import { convertsKnownly } from './utils/fold.js';
import { combineListeners } from './utils/listeners.js';
import { moduleLoadListeners } from './utils/modules.js';
import { report, type RawReport } from './utils/report.js';
import { findVariable } from './utils/scope.js';
import { FUNCTION_CONSTRUCTORS } from './utils/markers.js';
import { Resolver, resolverFor, type Ref } from './utils/resolve.js';

const WASM_COMPILERS = new Set(['compile', 'instantiate', 'Module', 'compileStreaming', 'instantiateStreaming']);
const FUNCTION_KEYWORDS: Record<string, string> = {
  Function: 'function',
  AsyncFunction: 'async function',
  GeneratorFunction: 'function*',
  AsyncGeneratorFunction: 'async function*',
};

/** The name a body's own `this` is read under when `.call`/`.apply` hands it a root. */
const HANDED_THIS = '$this';
/** Two readings of one body report the same finding at places that differ by the parameter list's length. */
const reportKey = (report: RawReport) => `${report.ruleId}\0${report.messageId}\0${report.message}`;

const rule = defineRule({
  name: 'no-dynamic-code',
  description: 'Disallow turning strings into code (eval, Function, vm, Module._compile, eval workers, WebAssembly).',
  messages: {
    nonConstant: '{{name}} runs a string that is not a compile-time constant, so what it executes cannot be reviewed.',
    indirect:
      '{{name}} is reached indirectly (alias, computed key, global object, constructor chain, .call/.apply or Reflect); hiding code evaluation is critical whatever the code.',
    evaluatedCode: 'Code run by {{name}}: {{message}}',
    inspectorMethod:
      '{{name}} is not an inspector method known to run no code: through it the debugger can run code (breakpoint conditions, evaluations, script edits) that the gate cannot review.',
    evaluatesToRoot: "{{name}} evaluates '{{code}}' to reach {{root}} without naming it in the file.",
    stringTimer: '{{name}} is given a string instead of a function: a browser would run it as code, Node refuses it (ERR_INVALID_ARG_TYPE).',
    unanalyzableCode: '{{name}} runs a constant string that Warden cannot parse or that nests too deeply, so it cannot vouch for it.',
    vmModule: "Loads the 'vm' module, which compiles and runs code at run time.",
    webAssembly: 'WebAssembly.{{name}} compiles WebAssembly bytes into native code at run time.',
    evalWorker: 'Starts a Worker with eval: true, which runs a string as code in a new thread.',
  },
  findings: {
    nonConstant: { category: 'dynamic-code', severity: 'critical' },
    indirect: { category: 'dynamic-code', severity: 'critical' },
    inspectorMethod: { category: 'dynamic-code', severity: 'critical' },
    // The gate takes the category and severity of the inner finding instead.
    evaluatedCode: { category: 'dynamic-code', severity: 'high' },
    evaluatesToRoot: { category: 'dynamic-code', severity: 'critical' },
    stringTimer: { category: 'dynamic-code', severity: 'info' },
    unanalyzableCode: { category: 'dynamic-code', severity: 'high' },
    vmModule: { category: 'dynamic-code', severity: 'high' },
    webAssembly: { category: 'dynamic-code', severity: 'high' },
    evalWorker: { category: 'dynamic-code', severity: 'critical' },
  },
  create(context) {
    const resolver = resolverFor(context);

    /** The source a sink runs when every piece of it is a constant; null when some piece is not. */
    const constantSource = (sink: CodeSink): string | null | undefined => {
      if (!sink.code) return sink.call.args ? undefined : null;
      const folded = [...sink.params, sink.code].map((piece) => resolver.folder.fold(piece));
      if (folded.some((piece) => piece === undefined)) return null;
      const values = folded.map((piece) => piece!.value);
      const body = values[values.length - 1];
      // eval of a non-string returns it unchanged: nothing runs.
      if (sink.kind === 'eval' && typeof body !== 'string') return undefined;
      // Function and the rest turn each piece into a string: an object's own `toString` would write the code.
      if (!values.every((value) => convertsKnownly(value))) return null;
      if (sink.kind !== 'function') return String(body);
      return `(${FUNCTION_KEYWORDS[sink.name]} (${values.slice(0, -1).map(String).join(',')}) {\n${String(body)}\n})`;
    };

    const checkSink = (node: AnyNode, sink: CodeSink) => {
      const source = constantSource(sink);
      const data = { name: sink.name };
      if ((sink.kind === 'eval' || sink.kind === 'function') && !sink.direct) report(context, rule, { node, messageId: 'indirect', data });
      else if (sink.unlisted) report(context, rule, { node, messageId: 'inspectorMethod', data });
      else if (source === null) report(context, rule, { node, messageId: 'nonConstant', data });
      if (typeof source !== 'string') return;
      // A Function body that only returns a name is followed as that value in this file instead (`Function('return this')()`).
      if (checkEvaluatedRoot(node, sink)) return;
      const inner = lintEvaluatedCode(source, sink.asFunctionBody && sink.kind !== 'function');
      if (!inner) {
        // `new err.constructor('Could not open')`: text that is no JavaScript runs nothing, and x need not be a function.
        if (!sink.unknownReceiver) report(context, rule, { node, messageId: 'unanalyzableCode', data });
        return;
      }
      for (const finding of [...inner, ...handedRootReports(node, sink, inner)]) {
        report(context, rule, { node, messageId: 'evaluatedCode', data: { name: sink.name, message: finding.message }, inner: finding });
      }
    };

    /**
     * A Function's parameters hold what the call passes, which the body's own reading does not see:
     * `new Function('req', body)(require)` hands Node's require over under a parameter's name. When the Function is
     * called at once (also by `.call`/`.apply`) with a capability root spelled as a name or a chain of names
     * (`require`, `process.mainModule`), the body is read again with what receives it set to it: a parameter, a rest
     * parameter (`'...a'`), a destructured one handed an object literal (`'{ r }'` given `{ r: require }`), the body's
     * own `arguments`, or its own `this` (`.call(require)`). What only that reading finds is reported too.
     */
    const handedRootReports = (node: AnyNode, sink: CodeSink, withParameters: RawReport[]): RawReport[] => {
      const invocation = sink.kind === 'function' ? invocationOf(context, node) : undefined;
      const list = parameterList(sink);
      if (!invocation || list === undefined) return [];
      const args = invocation.args;
      const rootText = (argument: AnyNode | undefined): string | undefined => {
        const text = argument === undefined || argument.type === 'SpreadElement' ? '' : context.sourceCode.getText(argument as never);
        return /^[A-Za-z_$][\w$.]*$/.test(text) && capabilityRoot(resolver.resolve(argument!)) ? text : undefined;
      };
      // A constant argument, spelled for the body (`'child_process'`, `1`).
      const constantText = (argument: AnyNode): string | undefined => {
        const value = argument.type === 'SpreadElement' ? undefined : resolver.folder.fold(argument)?.value;
        return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? JSON.stringify(value) : undefined;
      };
      const valueText = (argument: AnyNode): string | undefined => {
        const text = argument.type === 'SpreadElement' ? '' : context.sourceCode.getText(argument as never);
        return /^[A-Za-z_$][\w$.]*$/.test(text) ? text : constantText(argument);
      };
      const texts = args.map(valueText);
      const handsRoot = (from: number) => texts.slice(from).every((text) => text !== undefined) && args.slice(from).some((argument) => rootText(argument) !== undefined);
      const bindings: string[] = [];
      const kept: string[] = [];
      let handed = false;
      list.params.forEach((param, index) => {
        const argument = args[index];
        const root = rootText(argument);
        if (param.type === 'Identifier' && root !== undefined) {
          // A parameter of the root's own name is left unbound: the body's name is then the root itself.
          if (param.name !== root) bindings.push(`var ${param.name} = ${root};\n`);
        } else if (param.type === 'RestElement' && param.argument.type === 'Identifier' && handsRoot(index)) {
          bindings.push(`var ${param.argument.name} = [${texts.slice(index).join(', ')}];\n`);
        } else if (param.type === 'Identifier' && argument && constantText(argument) !== undefined) {
          // A constant handed beside a root (`F('r', 'n', 'return r(n)')(require, 'child_process')`) is what the body loads.
          bindings.push(`var ${param.name} = ${constantText(argument)};\n`);
          return;
        } else if (!(param.type === 'ObjectPattern' && argument && unwrap(argument).type === 'ObjectExpression' && destructuredRoots(param, unwrap(argument), rootText, bindings))) {
          kept.push(list.text.slice(param.range![0], param.range![1]));
          return;
        }
        handed = true;
      });
      if (/\barguments\b/.test(list.body) && handsRoot(0)) {
        bindings.push(`var arguments = [${texts.join(', ')}];\n`);
        handed = true;
      }
      // `.call(require)` makes the root the body's own `this`.
      const selfRoot = rootText(invocation.self);
      const body = selfRoot === undefined ? list.body : withThisAs(list.body, HANDED_THIS);
      if (selfRoot !== undefined && body !== undefined && body !== list.body) {
        bindings.push(`var ${HANDED_THIS} = ${selfRoot};\n`);
        handed = true;
      }
      if (!handed) return [];
      const source = `(${FUNCTION_KEYWORDS[sink.name]} (${kept.join(',')}) {\n${bindings.join('')}${body ?? list.body}\n})`;
      const seen = new Set(withParameters.map(reportKey));
      return (lintEvaluatedCode(source, false) ?? []).filter((report) => !seen.has(reportKey(report)));
    };

    /** A Function's parameter list, parsed, and its body: undefined when either is not constant or the list is no JavaScript. */
    const parameterList = (sink: CodeSink): { params: AnyNode[]; text: string; body: string } | undefined => {
      const pieces = [...sink.params, sink.code!].map((piece) => resolver.folder.foldString(piece));
      if (pieces.includes(undefined)) return undefined;
      const body = pieces.pop()!;
      const text = `(function (${pieces.join(',')}) {})`;
      try {
        const program = espree.parse(text, { ecmaVersion: 'latest', range: true }) as unknown as AnyNode;
        return { params: program.body[0].expression.params, text, body };
      } catch {
        return undefined;
      }
    };

    /** The names a Function's parameter list binds directly, however the list is split across its arguments (`'a, b'`, `'a', 'b'`, `'...rest'`). */
    const parameterNames = (sink: CodeSink): string[] =>
      (parameterList(sink)?.params ?? []).map((param) => (param.type === 'RestElement' ? param.argument : param.type === 'AssignmentPattern' ? param.left : param)).filter((param) => param.type === 'Identifier').map((param) => param.name as string);

    /**
     * `eval('pro' + 'cess')`, `Function('return require')`: code that only names a capability
     * root hands it over unnamed (the resolver follows the result as that root). The global
     * object alone is the bundlers' `Function('return this')()` idiom, followed like any root.
     */
    const checkEvaluatedRoot = (node: AnyNode, sink: CodeSink): boolean => {
      if (!sink.code || (sink.kind === 'vm' && sink.name !== 'vm.runInThisContext' && sink.name !== 'vm.Script')) return false;
      const code = resolver.folder.foldString(sink.code);
      const params = new Set(parameterNames(sink));
      const path = code === undefined ? undefined : evaluatedPath(code, sink.kind === 'function', sink.kind !== 'eval');
      if (path && params.has(path[0])) return false;
      // `process.mainModule` is `module`: the path is normalised as the resolver would.
      const ref = path?.reduce<Ref>((holder, key) => Resolver.member(holder, key), { path: [] });
      const root = ref && ref.path.length > 0 ? capabilityRoot(ref) : undefined;
      if (root) report(context, rule, { node, messageId: 'evaluatesToRoot', data: { name: sink.name, code: code!.trim().slice(0, 60), root: `'${root.label}'` } });
      return path !== undefined && sink.kind === 'function';
    };

    /** `import('data:text/javascript,…')`: the decoded module is read like a constant `eval` body, as a module. */
    const checkDataUrl = (node: AnyNode, url: string) => {
      const decoded = decodeDataUrl(url);
      const data = { name: 'import(data:…)' };
      if (!decoded || decoded.kind === 'other') return;
      if (decoded.kind === 'wasm') {
        report(context, rule, { node, messageId: 'webAssembly', data: { name: 'import(data:application/wasm…)' } });
        return;
      }
      const inner = lintEvaluatedCode(decoded.source, false, 'module');
      if (!inner) {
        report(context, rule, { node, messageId: 'unanalyzableCode', data });
        return;
      }
      for (const finding of inner) report(context, rule, { node, messageId: 'evaluatedCode', data: { name: data.name, message: finding.message }, inner: finding });
    };

    const checkCall = (node: AnyNode) => {
      const sink = codeSinkOf(context, node);
      if (sink) {
        checkSink(node, sink);
        return;
      }
      const timer = stringTimerOf(context, node);
      if (timer) report(context, rule, { node, messageId: 'stringTimer', data: { name: timer } });
      const call = resolver.normalizeCall(node);
      const callee = call.callee;
      if (callee?.module === undefined && callee?.path.length === 2 && callee.path[0] === 'WebAssembly' && WASM_COMPILERS.has(callee.path[1])) {
        report(context, rule, { node, messageId: 'webAssembly', data: { name: callee.path[1] } });
      }
      if (call.isNew && callee?.module === 'worker_threads' && callee.path.join('.') === 'Worker' && evalOption(call.args?.[1])) {
        report(context, rule, { node, messageId: 'evalWorker' });
      }
    };

    /**
     * ``Function`return process` `` calls Function with the template's strings: the text becomes code.
     * Never the plain spelling, so it is indirect whatever the text; a text without substitutions is read as code too.
     */
    function checkTaggedTemplate(node: AnyNode) {
      const tag = resolver.resolve(node.tag);
      const name = tag?.module === undefined && tag?.path.length === 1 ? tag.path[0] : undefined;
      if (name === undefined || !(FUNCTION_CONSTRUCTORS.has(name) || name === 'eval')) return;
      if (name === 'eval') return; // eval of the strings array returns it unchanged
      report(context, rule, { node, messageId: 'indirect', data: { name } });
      if (node.quasi.expressions.length) return;
      const inner = lintEvaluatedCode(node.quasi.quasis.map((quasi: AnyNode) => quasi.value.cooked).join(''), true);
      for (const finding of inner ?? []) report(context, rule, { node, messageId: 'evaluatedCode', data: { name, message: finding.message }, inner: finding });
    }

    /** True when a Worker's options may turn `eval` on. */
    const evalOption = (options: AnyNode | undefined): boolean => {
      if (!options) return false;
      const folded = resolver.folder.fold(options)?.value as Record<string, unknown> | undefined;
      if (folded && typeof folded === 'object') return Object.hasOwn(folded, 'eval') && Boolean(folded.eval);
      return options.type === 'ObjectExpression' && options.properties.some((p: AnyNode) => p.type !== 'Property' || p.computed || keyName(p) === 'eval');
    };

    return combineListeners(
      { CallExpression: checkCall, NewExpression: checkCall, TaggedTemplateExpression: checkTaggedTemplate } as Rule.RuleListener,
      moduleLoadListeners(context, (load) => {
        if (load.specifier === 'vm') report(context, rule, { node: load.node, messageId: 'vmModule' });
        else if (load.specifier?.startsWith('data:')) checkDataUrl(load.node, load.specifier);
      }),
    );
  },
});

/**
 * The arguments a built function is run with, and the `this` it is given: `F(…)(a)`, `F(…).call(t, a)`,
 * `F(…).apply(t, [a])`, or the one call of the constant that holds it (`const boot = F(…); boot(a)`).
 */
function invocationOf(context: Rule.RuleContext, node: AnyNode): { args: AnyNode[]; self?: AnyNode } | undefined {
  const parent = node.parent;
  if (parent?.type === 'VariableDeclarator' && parent.init === node && parent.id.type === 'Identifier') {
    const variable = findVariable(context.sourceCode.getScope(parent.id as never), parent.id.name);
    const reads = variable?.references.filter((reference) => reference.isRead()) ?? [];
    const writes = variable?.references.filter((reference) => reference.isWrite()).length;
    return writes === 1 && reads.length === 1 ? invocationOf(context, reads[0].identifier as unknown as AnyNode) : undefined;
  }
  if (parent?.type === 'CallExpression' && parent.callee === node) return { args: parent.arguments };
  const method = parent?.type === 'MemberExpression' && parent.object === node && !parent.computed ? parent.property.name : undefined;
  const call = parent?.parent;
  if ((method !== 'call' && method !== 'apply') || call?.type !== 'CallExpression' || call.callee !== parent) return undefined;
  const self = call.arguments[0] as AnyNode | undefined;
  if (method === 'call') return { args: call.arguments.slice(1), self };
  const list = call.arguments[1] && unwrap(call.arguments[1]);
  if (!call.arguments[1]) return { args: [], self };
  return list?.type === 'ArrayExpression' && list.elements.every((element: AnyNode | null) => element) ? { args: list.elements, self } : undefined;
}

/**
 * A Function body with its own `this` (not a nested function's) spelled as `name`: what `.call(root)` binds it to.
 * Undefined when the body is no JavaScript.
 */
function withThisAs(body: string, name: string): string | undefined {
  let program: AnyNode;
  try {
    program = espree.parse(`(function () {\n${body}\n})`, { ecmaVersion: 'latest', range: true }) as unknown as AnyNode;
  } catch {
    return undefined;
  }
  const ranges: [number, number][] = [];
  const visit = (node: AnyNode, own: boolean): void => {
    if (node.type === 'ThisExpression' && own) ranges.push(node.range!);
    for (const child of childNodes(node)) visit(child, own && (child.type === 'ArrowFunctionExpression' || !(child.type.startsWith('Function') || child.type.startsWith('Class'))));
  };
  visit(program.body[0].expression.body, true);
  const offset = '(function () {\n'.length;
  return ranges.reduceRight((text, [start, end]) => text.slice(0, start - offset) + name + text.slice(end - offset), body);
}

/**
 * `{ r, load: l }` handed `{ r: require, load: x }`: a binding for each name the pattern takes by a plain key from a
 * property holding a root; false (nothing bound) when it takes none.
 */
function destructuredRoots(pattern: AnyNode, literal: AnyNode, rootText: (node: AnyNode) => string | undefined, bindings: string[]): boolean {
  const before = bindings.length;
  for (const property of pattern.properties) {
    const target = property.type === 'Property' && !property.computed ? (property.value.type === 'AssignmentPattern' ? property.value.left : property.value) : undefined;
    const key = target?.type === 'Identifier' ? keyName(property) : undefined;
    const source = key === undefined ? undefined : literal.properties.find((candidate: AnyNode) => candidate.type === 'Property' && !candidate.computed && keyName(candidate) === key);
    const root = source && rootText(source.value);
    if (root !== undefined) bindings.push(`var ${target.name} = ${root};\n`);
  }
  return bindings.length > before;
}

function keyName(property: AnyNode): string | undefined {
  return property.key.type === 'Identifier' ? property.key.name : String(property.key.value);
}

/** The source a `data:` URL holds, when its media type is JavaScript (or WebAssembly); undefined when it is not a valid data URL. */
function decodeDataUrl(url: string): { kind: 'code'; source: string } | { kind: 'wasm' } | { kind: 'other' } | undefined {
  const match = /^data:([^,]*),([\s\S]*)$/i.exec(url);
  if (!match) return undefined;
  const [, header, payload] = match;
  const parts = header.toLowerCase().split(';').map((part) => part.trim());
  const mime = parts[0] || 'text/plain';
  if (mime === 'application/wasm') return { kind: 'wasm' };
  if (!/^(?:text|application)\/(?:javascript|ecmascript|x-javascript)$/.test(mime)) return { kind: 'other' };
  try {
    return { kind: 'code', source: parts.includes('base64') ? Buffer.from(payload, 'base64').toString('utf8') : decodeURIComponent(payload) };
  } catch {
    return undefined;
  }
}

export default rule;
