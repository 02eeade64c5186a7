#!/usr/bin/env node
// Converts the CEL conformance tests shipped in the npm package
// @bufbuild/cel-spec into the JSON Lines corpus under tests/conformance/.
//
// Usage:
//   node tools/conformance/convert.js [--package DIR] [--out DIR]
//                                     [--suites a,b,c] [--ext-suites x,y]
//
//   --package DIR   the installed package (the folder holding its
//                   package.json, e.g. node_modules/@bufbuild/cel-spec), or a
//                   node_modules folder that contains it. Without it the
//                   package is looked up through NODE_PATH and the usual
//                   module resolution.
//   --out DIR       where to write the corpus (default: tests/conformance
//                   next to this script's repository root).
//   --suites LIST   core suites to convert (default: DEFAULT_SUITES below).
//   --ext-suites LIST
//                   suites of the CEL extension libraries, written to
//                   <out>/ext/ (default: DEFAULT_EXT_SUITES below; "none"
//                   for no extension suites).
//   --dry-run       convert and report, but write nothing.
//   --list-skipped  also print each test left out, with its reason.
//
// The upstream tests are cel.expr.conformance.test.SimpleTest messages kept in
// the package in their proto3 JSON form: 64-bit integers are decimal strings,
// bytes are base64, non-finite doubles are the strings "NaN", "Infinity" and
// "-Infinity". The raw JSON form is read directly, so no 64-bit value ever
// passes through a JavaScript number.
//
// Only tests that need no protocol buffer message types are kept; see
// skipReason() for the rules. The script writes one <suite>.jsonl per suite,
// README.md with the counts, and prints a per-suite summary.

"use strict";

const fs = require("fs");
const path = require("path");

const PACKAGE = "@bufbuild/cel-spec";

const DEFAULT_SUITES = [
  "basic",
  "comparisons",
  "conversions",
  "fields",
  "fp_math",
  "integer_math",
  "lists",
  "logic",
  "macros",
  "namespace",
  "parse",
  "plumbing",
  "string",
  "timestamps",
  "type_deductions",
];

const DEFAULT_EXT_SUITES = [
  "bindings_ext",
  "block_ext",
  "encoders_ext",
  "macros2",
  "math_ext",
  "optionals",
  "string_ext",
];

// Suites made only of protocol buffer message tests; listed in the README so
// that every upstream suite is accounted for.
const PROTO_SUITES = ["dynamic", "enums", "proto2", "proto2_ext", "proto3", "unknowns", "wrappers"];

// ---------------------------------------------------------------------------
// Command line

function parseArgs(argv) {
  const opts = {
    pkg: null,
    out: path.resolve(__dirname, "..", "..", "tests", "conformance"),
    suites: DEFAULT_SUITES,
    extSuites: DEFAULT_EXT_SUITES,
    dryRun: false,
    listSkipped: false,
  };
  const list = (s) => (s === "none" || s === "" ? [] : s.split(",").map((x) => x.trim()).filter(Boolean));
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`missing value for ${a}`);
      return argv[++i];
    };
    if (a === "--package") opts.pkg = next();
    else if (a === "--out") opts.out = path.resolve(next());
    else if (a === "--suites") opts.suites = list(next());
    else if (a === "--ext-suites") opts.extSuites = list(next());
    else if (a === "--dry-run") opts.dryRun = true;
    else if (a === "--list-skipped") opts.listSkipped = true;
    else if (a === "-h" || a === "--help") usage(null);
    else usage(`unknown argument: ${a}`);
  }
  return opts;
}

function usage(err) {
  const text =
    "usage: node tools/conformance/convert.js [--package DIR] [--out DIR] " +
    "[--suites a,b] [--ext-suites x,y|none] [--dry-run] [--list-skipped]";
  if (err) {
    console.error(`convert.js: ${err}`);
    console.error(text);
    process.exit(2);
  }
  console.log(text);
  process.exit(0);
}

// Finds the package folder (the one holding its package.json).
function locatePackage(pkgArg) {
  const candidates = [];
  if (pkgArg) {
    const p = path.resolve(pkgArg);
    candidates.push(p, path.join(p, "@bufbuild", "cel-spec"), path.join(p, "node_modules", "@bufbuild", "cel-spec"));
  }
  for (const c of candidates) {
    const pj = path.join(c, "package.json");
    if (fs.existsSync(pj) && JSON.parse(fs.readFileSync(pj, "utf8")).name === PACKAGE) return c;
  }
  if (pkgArg) throw new Error(`${PACKAGE} not found at ${pkgArg}`);
  const extra = (process.env.NODE_PATH || "").split(path.delimiter).filter(Boolean);
  let pj;
  try {
    pj = require.resolve(`${PACKAGE}/package.json`, { paths: [...extra, process.cwd(), __dirname] });
  } catch (e) {
    // Older export maps may not expose package.json; fall back to the data
    // module and walk up to the package root.
    let mod;
    try {
      mod = require.resolve(`${PACKAGE}/testdata/conformance.js`, { paths: [...extra, process.cwd(), __dirname] });
    } catch (e2) {
      throw new Error(`${PACKAGE} not found: install it (npm install --prefix DIR ${PACKAGE}) and pass --package DIR/node_modules/${PACKAGE}, or set NODE_PATH=DIR/node_modules`);
    }
    let dir = path.dirname(mod);
    while (!fs.existsSync(path.join(dir, "package.json")) || JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).name !== PACKAGE) {
      const up = path.dirname(dir);
      if (up === dir) throw new Error(`cannot find the root of ${PACKAGE}`);
      dir = up;
    }
    return dir;
  }
  return path.dirname(pj);
}

function loadConformance(pkgDir) {
  const meta = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
  const candidates = [
    path.join(pkgDir, "dist", "cjs", "testdata", "conformance.js"),
    path.join(pkgDir, "dist", "esm", "testdata", "conformance.js"),
  ];
  const file = candidates.find((f) => fs.existsSync(f));
  if (!file) throw new Error(`no testdata/conformance.js in ${pkgDir}`);
  const data = require(file).tests;
  if (!data || !Array.isArray(data.suites)) throw new Error(`unexpected layout of ${file}`);
  return { meta, data };
}

// ---------------------------------------------------------------------------
// Conversion

class Skip extends Error {
  constructor(reason, detail) {
    super(`${reason}: ${detail}`);
    this.reason = reason;
    this.detail = detail;
  }
}

const has = (o, k) => o !== null && typeof o === "object" && Object.prototype.hasOwnProperty.call(o, k);

const PRIMITIVES = {
  BOOL: "bool",
  INT64: "int",
  UINT64: "uint",
  DOUBLE: "double",
  STRING: "string",
  BYTES: "bytes",
};

const WELL_KNOWN = { TIMESTAMP: "timestamp", DURATION: "duration" };

// Message names that CEL itself treats as built-in types.
const TIMESTAMP = "google.protobuf.Timestamp";
const DURATION = "google.protobuf.Duration";

// Builtin type names that may appear as type values.
const TYPE_NAMES = new Set([
  "int",
  "uint",
  "double",
  "bool",
  "string",
  "bytes",
  "null_type",
  "list",
  "map",
  "type",
  TIMESTAMP,
  DURATION,
]);

// cel.expr.Type (proto3 JSON) -> CEL type name.
function typeName(t) {
  if (has(t, "primitive")) {
    const n = PRIMITIVES[t.primitive];
    if (!n) throw new Error(`unknown primitive type ${t.primitive}`);
    return n;
  }
  if (has(t, "null")) return "null_type";
  if (has(t, "dyn")) return "dyn";
  if (has(t, "listType")) return `list(${typeName(t.listType.elemType)})`;
  if (has(t, "mapType")) return `map(${typeName(t.mapType.keyType)}, ${typeName(t.mapType.valueType)})`;
  if (has(t, "wellKnown")) {
    const n = WELL_KNOWN[t.wellKnown];
    if (!n) throw new Skip("proto_type_env", `well-known type ${t.wellKnown}`);
    return n;
  }
  if (has(t, "type")) {
    const inner = t.type && Object.keys(t.type).length ? typeName(t.type) : null;
    return inner ? `type(${inner})` : "type";
  }
  if (has(t, "typeParam")) return t.typeParam;
  if (has(t, "messageType")) {
    // CEL's own timestamp and duration types are declared by message name.
    if (t.messageType === TIMESTAMP) return "timestamp";
    if (t.messageType === DURATION) return "duration";
    throw new Skip("proto_type_env", `message type ${t.messageType}`);
  }
  if (has(t, "wrapper")) throw new Skip("proto_type_env", `wrapper type ${t.wrapper}`);
  if (has(t, "abstractType")) {
    const ps = (t.abstractType.parameterTypes || []).map(typeName);
    return ps.length ? `${t.abstractType.name}(${ps.join(", ")})` : t.abstractType.name;
  }
  throw new Error(`unsupported type ${JSON.stringify(t)}`);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function exactInteger(v, signed) {
  // proto3 JSON writes 64-bit integers as decimal strings; accept a bigint
  // too, and a JS number only when it is a safe integer.
  let s;
  if (typeof v === "string") s = v;
  else if (typeof v === "bigint") s = v.toString();
  else if (typeof v === "number" && Number.isSafeInteger(v)) s = String(v);
  else throw new Error(`inexact integer ${String(v)}`);
  if (!/^-?\d+$/.test(s)) throw new Error(`bad integer ${s}`);
  const b = BigInt(s);
  if (signed ? b < INT64_MIN || b > INT64_MAX : b < 0n || b > UINT64_MAX) throw new Error(`integer out of range ${s}`);
  return b.toString();
}

function exactDouble(v) {
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "NaN";
    if (v === Infinity) return "Infinity";
    if (v === -Infinity) return "-Infinity";
    return v;
  }
  if (v === "NaN" || v === "Infinity" || v === "-Infinity") return v;
  if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) return exactDouble(Number(v));
  throw new Error(`bad double ${String(v)}`);
}

function canonicalBase64(s) {
  const buf = Buffer.from(s, s.includes("-") || s.includes("_") ? "base64url" : "base64");
  return buf.toString("base64");
}

// Drops trailing zeros of a fraction, and the dot when nothing is left.
function trimFraction(frac) {
  const f = (frac || "").replace(/0+$/, "");
  return f ? `.${f}` : "";
}

function canonicalTimestamp(s) {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) throw new Error(`bad timestamp ${s}`);
  if (m[3] !== "Z") {
    // proto3 JSON always writes UTC; convert other offsets anyway.
    const ms = Date.parse(`${m[1]}${m[3]}`);
    const base = new Date(ms).toISOString().slice(0, 19);
    return `${base}${trimFraction(m[2])}Z`;
  }
  return `${m[1]}${trimFraction(m[2])}Z`;
}

function canonicalDuration(s) {
  const m = /^(-?)(\d+)(?:\.(\d{1,9}))?s$/.exec(s);
  if (!m) throw new Error(`bad duration ${s}`);
  const secs = BigInt(m[2]).toString();
  const frac = trimFraction(m[3]);
  const neg = m[1] && (secs !== "0" || frac) ? "-" : "";
  return `${neg}${secs}${frac}s`;
}

// cel.expr.Value (proto3 JSON) -> typed value. ctx is "binding" or "value"
// and names the skip reason when a message is met.
function typedValue(v, ctx) {
  if (v === null || typeof v !== "object") throw new Error(`bad ${ctx}`);
  if (has(v, "nullValue")) return { null: null };
  if (has(v, "boolValue")) return { bool: v.boolValue === true };
  if (has(v, "int64Value")) return { int: exactInteger(v.int64Value, true) };
  if (has(v, "uint64Value")) return { uint: exactInteger(v.uint64Value, false) };
  if (has(v, "doubleValue")) return { double: exactDouble(v.doubleValue) };
  if (has(v, "stringValue")) return { string: v.stringValue };
  if (has(v, "bytesValue")) return { bytes: canonicalBase64(v.bytesValue) };
  if (has(v, "listValue")) return { list: (v.listValue.values || []).map((x) => typedValue(x, ctx)) };
  if (has(v, "mapValue")) {
    return {
      map: (v.mapValue.entries || []).map((e) => [typedValue(e.key, ctx), typedValue(e.value, ctx)]),
    };
  }
  if (has(v, "typeValue")) {
    if (!TYPE_NAMES.has(v.typeValue)) throw new Skip(`proto_${ctx}`, `type value ${v.typeValue}`);
    return { type: v.typeValue };
  }
  if (has(v, "enumValue")) throw new Skip(`proto_${ctx}`, `enum value of ${v.enumValue.type}`);
  if (has(v, "objectValue")) {
    const t = String(v.objectValue["@type"] || "").replace(/^.*\//, "");
    if (t === TIMESTAMP) return { timestamp: canonicalTimestamp(v.objectValue.value) };
    if (t === DURATION) return { duration: canonicalDuration(v.objectValue.value) };
    throw new Skip(`proto_${ctx}`, `message value ${t}`);
  }
  throw new Error(`unsupported ${ctx}: ${JSON.stringify(v)}`);
}

// Names in an expression that can only refer to protocol buffer messages,
// enums or their fields. Timestamp and Duration may appear as type names
// (type(t) == google.protobuf.Timestamp) but not as message literals.
const PROTO_EXPR = [
  /\bcel\.expr\.conformance\b/,
  /\bproto[23]\b/,
  /\b(?:Nested)?TestAllTypes\b/,
  /\bTestRequired\w*/,
  /\bGlobalEnum\b/,
  /\bNested(?:Enum|Message)\b/,
  /\bgoogle\.protobuf\.(?!(?:Timestamp|Duration)\b(?!\s*\{))\w+/,
  /\bgoogle\.protobuf\.(?:Timestamp|Duration)\s*\{/,
];

function protoInExpr(expr) {
  for (const re of PROTO_EXPR) {
    const m = re.exec(expr);
    if (m) return m[0];
  }
  return null;
}

// Returns a skip reason for a test, or null when it can be converted. The
// first rule that applies names the reason.
function skipReason(o) {
  if (o.container) return ["container", o.container];
  if (has(o, "unknown") || has(o, "anyUnknowns")) return ["unknown", "expects an unknown result"];
  for (const [k, b] of Object.entries(o.bindings || {})) {
    if (has(b, "unknown")) return ["unknown", `binding ${k} is unknown`];
  }
  if (o.checkOnly) return ["check_only", "checks types without evaluating"];
  if (o.disableMacros) return ["disable_macros", "needs macros disabled"];
  if (o.locale) return ["locale", o.locale];
  const p = protoInExpr(o.expr);
  if (p) return ["proto_expr", p];
  return null;
}

// Converts one upstream test; throws Skip for tests left out.
function convertTest(suite, section, o) {
  const early = skipReason(o);
  if (early) throw new Skip(early[0], early[1]);

  const out = { suite, section, name: o.name || o.expr.replace(/\s+/g, " ").trim(), expr: o.expr, check: !o.disableCheck };

  const types = {};
  for (const d of o.typeEnv || []) {
    if (has(d, "function")) throw new Skip("function_decl", `declares function ${d.name}`);
    if (!has(d, "ident")) throw new Error(`unsupported declaration ${JSON.stringify(d)}`);
    types[d.name] = typeName(d.ident.type);
  }

  const vars = {};
  for (const [k, b] of Object.entries(o.bindings || {})) {
    if (has(b, "value")) vars[k] = typedValue(b.value, "binding");
    else if (has(b, "error")) throw new Skip("error_binding", `binding ${k} is an error`);
    else throw new Error(`unsupported binding ${k}: ${JSON.stringify(b)}`);
  }
  if (Object.keys(vars).length) out.vars = vars;
  if (Object.keys(types).length) out.types = types;

  let resultType = null;
  if (has(o, "value")) out.expect = { value: typedValue(o.value, "value") };
  else if (has(o, "typedResult")) {
    const tr = o.typedResult;
    out.expect = { value: has(tr, "result") ? typedValue(tr.result, "value") : { bool: true } };
    if (has(tr, "deducedType")) {
      try {
        resultType = typeName(tr.deducedType);
      } catch (e) {
        if (e instanceof Skip) throw new Skip("proto_value", e.detail);
        throw e;
      }
    }
  } else if (has(o, "evalError")) {
    const msgs = (o.evalError.errors || []).map((e) => e.message || "").filter(Boolean);
    out.expect = { error: msgs.join("; ") };
  } else if (has(o, "anyEvalErrors")) out.expect = { error: "" };
  else out.expect = { value: { bool: true } }; // SimpleTest: no matcher means true
  if (resultType !== null) out.result_type = resultType;
  return out;
}

function convertOrSkip(suite, section, o) {
  try {
    return { test: convertTest(suite, section, o) };
  } catch (e) {
    if (e instanceof Skip) return { skip: e };
    throw new Error(`${suite}/${section}/${o.name}: ${e.message}`);
  }
}

// ---------------------------------------------------------------------------
// Output

// JSON text of a double: the shortest form that reads back as the same
// double, always with a fraction or an exponent so that no JSON reader takes
// it for an integer (-0.0 keeps its sign; 2^63 is 9.223372036854776e+18).
function doubleJson(v) {
  if (!Number.isFinite(v)) throw new Error("non-finite number in output");
  if (Object.is(v, -0)) return "-0.0";
  let s = JSON.stringify(v);
  if (/^-?\d+$/.test(s)) s = Math.abs(v) < 2 ** 53 ? `${s}.0` : v.toExponential();
  if (Number(s) !== v) throw new Error(`double ${s} does not read back`);
  return s;
}

// JSON text of a converted test. The only numbers in it are doubles.
function toJson(v) {
  if (v === null) return "null";
  if (typeof v === "number") return doubleJson(v);
  if (typeof v === "string" || typeof v === "boolean") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(toJson).join(",")}]`;
  return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(",")}}`;
}

const REASON_TEXT = {
  container: "sets a container for name resolution",
  unknown: "expects unknown results",
  check_only: "type check only, no evaluation",
  disable_macros: "parses with macros disabled",
  locale: "sets a locale",
  proto_expr: "expression names protobuf messages, enums or fields",
  proto_type_env: "declares variables of protobuf message or wrapper types",
  proto_binding: "binds protobuf messages or enums",
  proto_value: "expects protobuf messages, enums or their types",
  function_decl: "declares custom functions",
  error_binding: "binds an error value",
};

function convertSuite(data, name) {
  const suite = data.suites.find((s) => s.name === name);
  if (!suite) throw new Error(`no suite named ${name} upstream`);
  const lines = [];
  const skipped = {};
  const skippedTests = [];
  let total = 0;
  const one = (section, o) => {
    total++;
    const r = convertOrSkip(name, section, o);
    if (r.test) lines.push(toJson(r.test));
    else {
      skipped[r.skip.reason] = (skipped[r.skip.reason] || 0) + 1;
      skippedTests.push(`${name}/${section}/${o.name}: ${r.skip.reason}: ${r.skip.detail}`);
    }
  };
  for (const sec of suite.suites || []) for (const t of sec.tests || []) one(sec.name, t.original);
  for (const t of suite.tests || []) one("", t.original);
  const nskip = Object.values(skipped).reduce((a, b) => a + b, 0);
  if (nskip + lines.length !== total) throw new Error(`${name}: counts do not add up`);
  return { name, total, lines, skipped, nskip, skippedTests };
}

function upstreamTotal(data, name) {
  const s = data.suites.find((x) => x.name === name);
  if (!s) return 0;
  return (s.suites || []).reduce((n, sec) => n + (sec.tests || []).length, 0) + (s.tests || []).length;
}

function reasonsText(skipped) {
  const ks = Object.keys(skipped).sort((a, b) => skipped[b] - skipped[a] || a.localeCompare(b));
  return ks.length ? ks.map((k) => `${k} ${skipped[k]}`).join(", ") : "";
}

function table(results) {
  const rows = ["| suite | upstream | converted | skipped | skip reasons |", "| --- | ---: | ---: | ---: | --- |"];
  let t = 0, c = 0, s = 0;
  for (const r of results) {
    rows.push(`| ${r.name} | ${r.total} | ${r.lines.length} | ${r.nskip} | ${reasonsText(r.skipped)} |`);
    t += r.total;
    c += r.lines.length;
    s += r.nskip;
  }
  rows.push(`| **total** | ${t} | ${c} | ${s} | |`);
  return rows.join("\n");
}

function readme(meta, core, ext, data) {
  const protoRows = PROTO_SUITES.filter((n) => data.suites.some((s) => s.name === n))
    .map((n) => `| ${n} | ${upstreamTotal(data, n)} |`)
    .join("\n");
  const reasons = Object.entries(REASON_TEXT)
    .map(([k, v]) => `| \`${k}\` | ${v} |`)
    .join("\n");
  return `# CEL conformance corpus

This folder holds the official conformance tests of the Common Expression
Language (CEL) specification, converted to JSON Lines so that smdl's CEL
engine can be tested against them without a protocol buffer runtime.

The tests come from the npm package \`${meta.name}\` version ${meta.version},
which carries the test files of the CEL specification (cel-spec
${meta.upstreamCelSpecRef || "(version not recorded)"}) as data. Only tests that need no protocol buffer
message types are kept: a test is left out when its expression, variables,
type environment or expected value involves a message type
(\`google.protobuf.*\` wrappers, \`Any\`, \`Struct\`, \`Value\`,
\`ListValue\`, the \`cel.expr.conformance\` test messages and enums), when
it sets a container, or when it expects unknown results. Timestamps and
durations are CEL built-in types and are kept, even where upstream declares
them by their message names \`google.protobuf.Timestamp\` and
\`google.protobuf.Duration\`. The parser and checker tests that the package
derives from cel-go are not part of the corpus.

The upstream license (Apache-2.0) is in [LICENSE](LICENSE).

## Regenerating

From the repository root:

\`\`\`sh
npm install --prefix /tmp/celspec ${meta.name}@${meta.version}
node tools/conformance/convert.js --package /tmp/celspec/node_modules/${meta.name}
node tools/conformance/check.js
\`\`\`

\`convert.js\` needs nothing but Node.js and the package (\`NODE_PATH\`
pointing at a \`node_modules\` folder that holds the package works in place of
\`--package\`). It rewrites the \`.jsonl\` files and this README, whose
tables it counts, and prints a per-suite summary; \`--dry-run\` converts
without writing and \`--list-skipped\` names every test left out and why.
\`check.js\` checks that every line of the corpus follows the format below.
The LICENSE file is kept by hand.

## Files

- \`<suite>.jsonl\`: the core language suites, one test per line.
- \`ext/<suite>.jsonl\`: suites of the CEL extension libraries (string, math,
  encoders, bindings, block, optional values, two-variable comprehensions).
  An implementation without those libraries should expect them to fail.

## Line format

Each line is one JSON object:

\`\`\`json
{"suite":"basic","section":"self_eval_zeroish","name":"self_eval_int_zero","expr":"0","check":true,"expect":{"value":{"int":"0"}}}
\`\`\`

| key | meaning |
| --- | --- |
| \`suite\` | upstream test file name |
| \`section\` | upstream section name |
| \`name\` | upstream test name (unique within its section, but for a few upstream duplicates in \`string_ext\`) |
| \`expr\` | the CEL expression |
| \`check\` | \`false\` when the upstream test disables type checking (\`disable_check\`): evaluate without checking (\`types\` may still be given) |
| \`vars\` | optional: variable bindings, name to typed value |
| \`types\` | optional: declared variable types, name to CEL type name: \`int\`, \`uint\`, \`double\`, \`bool\`, \`string\`, \`bytes\`, \`null_type\`, \`dyn\`, \`type\`, \`timestamp\`, \`duration\`, \`list(int)\`, \`map(string, dyn)\` |
| \`expect\` | \`{"value": <typed value>}\`, or \`{"error": "<message>"}\` for an evaluation error (the upstream message when it gives one, else \`""\`; messages differ between implementations, so match on the presence of an error) |
| \`result_type\` | optional: the type the checker is expected to deduce, as a CEL type name |

An upstream test that names no expected result expects \`true\`; such tests
are written with \`{"value": {"bool": true}}\`. A test that accepts any of
several errors is written with \`{"error": ""}\`.

Typed values are tagged so that the encoding is unambiguous:

| CEL type | encoding |
| --- | --- |
| null | \`{"null": null}\` |
| bool | \`{"bool": true}\` |
| int | \`{"int": "-9223372036854775808"}\`: a decimal string, exact int64 |
| uint | \`{"uint": "18446744073709551615"}\`: a decimal string, exact uint64 |
| double | \`{"double": 1.5}\`: a JSON number, always written with a fraction or an exponent (\`1.0\`, \`9.223372036854776e+18\`) in the shortest form that reads back as the same double; \`"NaN"\`, \`"Infinity"\`, \`"-Infinity"\` for non-finite values; negative zero is written \`-0.0\` |
| string | \`{"string": "text"}\` |
| bytes | \`{"bytes": "AP8="}\`: standard base64 with padding |
| list | \`{"list": [<typed value>, ...]}\` |
| map | \`{"map": [[<typed key>, <typed value>], ...]}\`: entries in upstream order; map equality ignores order |
| timestamp | \`{"timestamp": "2009-02-13T23:31:30Z"}\`: RFC 3339 in UTC; fractional seconds only when nonzero, without trailing zeros |
| duration | \`{"duration": "3600s"}\`: seconds with an optional fraction, without trailing zeros, e.g. \`"1.5s"\`, \`"-0.000000001s"\` |
| type | \`{"type": "int"}\`: \`int\`, \`uint\`, \`double\`, \`bool\`, \`string\`, \`bytes\`, \`null_type\`, \`list\`, \`map\`, \`type\`, \`google.protobuf.Timestamp\`, \`google.protobuf.Duration\` |

Upstream, a double result matches when equal, and any NaN matches any NaN.

## Counts

Core suites:

${table(core)}

Extension suites (\`ext/\`):

${ext.length ? table(ext) : "(none converted)"}

Upstream suites left out whole, as every test in them is about protocol
buffer messages:

| suite | upstream tests |
| --- | ---: |
${protoRows}

Skip reasons (the first that applies is counted):

| reason | the upstream test |
| --- | --- |
${reasons}
`;
}

function main() {
  const opts = parseArgs(process.argv);
  const pkgDir = locatePackage(opts.pkg);
  const { meta, data } = loadConformance(pkgDir);

  const known = new Set([...DEFAULT_SUITES, ...DEFAULT_EXT_SUITES, ...PROTO_SUITES]);
  for (const s of data.suites) {
    if (!known.has(s.name)) console.error(`note: upstream suite ${s.name} is new; it is not converted by default`);
  }

  const core = opts.suites.map((n) => convertSuite(data, n));
  const ext = opts.extSuites.map((n) => convertSuite(data, n));
  for (const r of [...core, ...ext]) {
    for (const k of Object.keys(r.skipped)) if (!REASON_TEXT[k]) throw new Error(`undocumented skip reason ${k}`);
  }

  if (!opts.dryRun) {
    fs.mkdirSync(opts.out, { recursive: true });
    for (const r of core) fs.writeFileSync(path.join(opts.out, `${r.name}.jsonl`), r.lines.map((l) => l + "\n").join(""));
    if (ext.length) {
      fs.mkdirSync(path.join(opts.out, "ext"), { recursive: true });
      for (const r of ext) fs.writeFileSync(path.join(opts.out, "ext", `${r.name}.jsonl`), r.lines.map((l) => l + "\n").join(""));
    }
    fs.writeFileSync(path.join(opts.out, "README.md"), readme(meta, core, ext, data));
  }

  if (opts.listSkipped) for (const r of [...core, ...ext]) for (const l of r.skippedTests) console.log(`skipped ${l}`);

  const pad = (s, n) => String(s).padEnd(n);
  const lpad = (s, n) => String(s).padStart(n);
  console.log(`${meta.name} ${meta.version} (cel-spec ${meta.upstreamCelSpecRef || "?"})`);
  console.log(`${pad("suite", 16)}${lpad("upstream", 9)}${lpad("converted", 10)}${lpad("skipped", 8)}  reasons`);
  let t = 0, c = 0, s = 0;
  for (const r of [...core, ...ext]) {
    const label = ext.includes(r) ? `ext/${r.name}` : r.name;
    console.log(`${pad(label, 16)}${lpad(r.total, 9)}${lpad(r.lines.length, 10)}${lpad(r.nskip, 8)}  ${reasonsText(r.skipped)}`);
    t += r.total;
    c += r.lines.length;
    s += r.nskip;
  }
  console.log(`${pad("total", 16)}${lpad(t, 9)}${lpad(c, 10)}${lpad(s, 8)}`);
  if (!opts.dryRun) console.log(`wrote ${opts.out}`);
}

try {
  main();
} catch (e) {
  console.error(`convert.js: ${e.message}`);
  process.exit(1);
}
