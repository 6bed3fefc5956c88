import { describe, expect, it } from 'vitest';
import { isInteropHelperCall } from '../../../rules/utils/interop-helpers.js';
import { probe } from './probe.js';

/** Whether the last expression of `code`, a call, is an interop helper applied to its module. */
const helperCall = (code: string) => probe(code, (resolver, expression) => isInteropHelperCall(expression, resolver), { sourceType: 'commonjs', filename: 'a.js' });

const TS_IMPORT_DEFAULT = 'var __importDefault = (this && this.__importDefault) || function (mod) {\n  return (mod && mod.__esModule) ? mod : { "default": mod };\n};\n';
const TS_IMPORT_STAR = `var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
  if (k2 === undefined) k2 = k;
  var desc = Object.getOwnPropertyDescriptor(m, k);
  if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) { desc = { enumerable: true, get: function() { return m[k]; } }; }
  Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) { if (k2 === undefined) k2 = k; o[k2] = m[k]; }));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) { Object.defineProperty(o, "default", { enumerable: true, value: v }); }) : function(o, v) { o["default"] = v; });
var __importStar = (this && this.__importStar) || (function () {
  var ownKeys = function(o) {
    ownKeys = Object.getOwnPropertyNames || function (o) { var ar = []; for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k; return ar; };
    return ownKeys(o);
  };
  return function (mod) {
    if (mod && mod.__esModule) return mod;
    var result = {};
    if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
    __setModuleDefault(result, mod);
    return result;
  };
})();
`;
const BABEL_WILDCARD = `function _getRequireWildcardCache(e) { if ("function" != typeof WeakMap) return null; var r = new WeakMap(), t = new WeakMap(); return (_getRequireWildcardCache = function (e) { return e ? t : r; })(e); }
function _interopRequireWildcard(e, r) { if (!r && e && e.__esModule) return e; if (null === e || "object" != typeof e && "function" != typeof e) return { default: e }; var t = _getRequireWildcardCache(r); if (t && t.has(e)) return t.get(e); var n = { __proto__: null }, a = Object.defineProperty && Object.getOwnPropertyDescriptor; for (var u in e) if ("default" !== u && {}.hasOwnProperty.call(e, u)) { var i = a ? Object.getOwnPropertyDescriptor(e, u) : null; i && (i.get || i.set) ? Object.defineProperty(n, u, i) : n[u] = e[u]; } return n.default = e, t && t.set(e, n), n; }
`;

describe('module-interop helpers', () => {
  it('recognises the helpers TypeScript, Babel and tslib emit, in their generated shapes', () => {
    expect(helperCall(`${TS_IMPORT_DEFAULT}__importDefault(require("fs"));`)).toBe(true);
    expect(helperCall(`${TS_IMPORT_STAR}__importStar(require("child_process"));`)).toBe(true);
    expect(helperCall('function _interopRequireDefault(e) { return e && e.__esModule ? e : { default: e }; }\n_interopRequireDefault(require("crypto"));')).toBe(true);
    expect(helperCall(`${BABEL_WILDCARD}_interopRequireWildcard(require("fs"));`)).toBe(true);
    expect(helperCall(`${BABEL_WILDCARD}_interopRequireWildcard(require("fs"), !0);`)).toBe(true);
    expect(helperCall('const tslib_1 = require("tslib");\ntslib_1.__importStar(require("fs"));')).toBe(true);
  });

  it('refuses a function that only bears the name: it calls other code, writes outside itself, or is given more than the module', () => {
    expect(helperCall('function __importDefault(mod) { leak(mod); return mod; }\n__importDefault(require("fs"));')).toBe(false);
    expect(helperCall('function __importDefault(mod) { globalThis.kept = mod; return mod; }\n__importDefault(require("fs"));')).toBe(false);
    expect(helperCall('let kept;\nfunction __importDefault(mod) { kept = mod; return mod; }\n__importDefault(require("fs"));')).toBe(false);
    expect(helperCall('function __importDefault(mod) { Object.defineProperty(globalThis, "k", { value: mod }); return mod; }\n__importDefault(require("fs"));')).toBe(false);
    expect(helperCall('function __importDefault(mod, sink) { sink.k = mod; return mod; }\n__importDefault(require("fs"), bus);')).toBe(false);
    expect(helperCall('function __importDefault(mod, f) { return f(mod); }\n__importDefault(require("fs"), 1);')).toBe(false);
    // Under another name, a function that does not hand back its argument is no helper, however plain.
    expect(helperCall('function wrap(m) { return { m }; }\nwrap(require("fs"));')).toBe(false);
    // A helper the file does not declare, or one from a package that is not a helper runtime.
    expect(helperCall('__importDefault(require("fs"));')).toBe(false);
    expect(helperCall('var __toESM = (mod) => __copyProps({}, mod);\n__toESM(require("fs"));')).toBe(false);
    expect(helperCall('const h = require("./helpers");\nh.__importStar(require("fs"));')).toBe(false);
  });
});
