#!/usr/bin/env node
// Checks the JSON Lines conformance corpus written by convert.js: every line
// parses, has the documented keys, and every typed value follows the
// encoding described in tests/conformance/README.md.
//
// Usage: node tools/conformance/check.js [DIR]   (default: tests/conformance)
//
// Prints the number of tests per file and exits non-zero on the first
// malformed file, listing its problems.

"use strict";

const fs = require("fs");
const path = require("path");

const dir = path.resolve(process.argv[2] || path.join(__dirname, "..", "..", "tests", "conformance"));

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const TYPE_VALUES = new Set([
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
  "google.protobuf.Timestamp",
  "google.protobuf.Duration",
]);
const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{0,8}[1-9])?Z$/;
const DURATION_RE = /^-?(?:0|[1-9]\d*)(?:\.\d{0,8}[1-9])?s$/;
const TYPE_NAME_RE = /^[A-Za-z_][A-Za-z0-9_.]*(?:\((?:.*)\))?$/;
const TOP_KEYS = new Set(["suite", "section", "name", "expr", "check", "vars", "types", "expect", "result_type"]);

const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function checkValue(v, where, problems) {
  if (!isObj(v) || Object.keys(v).length !== 1) {
    problems.push(`${where}: a typed value has exactly one key`);
    return;
  }
  const [tag, x] = Object.entries(v)[0];
  const bad = (why) => problems.push(`${where}: ${tag}: ${why}`);
  switch (tag) {
    case "null":
      if (x !== null) bad("must be null");
      break;
    case "bool":
      if (typeof x !== "boolean") bad("must be true or false");
      break;
    case "int":
    case "uint": {
      if (typeof x !== "string" || !/^-?(?:0|[1-9]\d*)$/.test(x) || x === "-0") {
        bad("must be a canonical decimal string");
        break;
      }
      const b = BigInt(x);
      if (tag === "int" ? b < INT64_MIN || b > INT64_MAX : b < 0n || b > UINT64_MAX) bad("out of range");
      break;
    }
    case "double":
      if (typeof x === "string" ? !["NaN", "Infinity", "-Infinity"].includes(x) : typeof x !== "number") bad("must be a number, NaN, Infinity or -Infinity");
      break;
    case "string":
      if (typeof x !== "string") bad("must be a string");
      break;
    case "bytes":
      if (typeof x !== "string" || Buffer.from(x, "base64").toString("base64") !== x) bad("must be canonical base64");
      break;
    case "list":
      if (!Array.isArray(x)) bad("must be an array");
      else x.forEach((e, i) => checkValue(e, `${where}[${i}]`, problems));
      break;
    case "map":
      if (!Array.isArray(x)) bad("must be an array of pairs");
      else
        x.forEach((e, i) => {
          if (!Array.isArray(e) || e.length !== 2) bad(`entry ${i} is not a pair`);
          else {
            checkValue(e[0], `${where}{${i}}.key`, problems);
            checkValue(e[1], `${where}{${i}}.value`, problems);
          }
        });
      break;
    case "timestamp":
      if (typeof x !== "string" || !TIMESTAMP_RE.test(x) || Number.isNaN(Date.parse(x))) bad("must be RFC 3339 UTC");
      break;
    case "duration":
      if (typeof x !== "string" || !DURATION_RE.test(x) || x === "-0s") bad("must be seconds with an optional fraction");
      break;
    case "type":
      if (!TYPE_VALUES.has(x)) bad(`unknown type value ${JSON.stringify(x)}`);
      break;
    default:
      bad("unknown tag");
  }
}

// Doubles must be written with a fraction or an exponent; look at the text.
function checkDoubleText(line, where, problems) {
  const re = /"double":(-?[0-9][0-9.eE+-]*)/g;
  let m;
  while ((m = re.exec(line))) {
    if (!/[.eE]/.test(m[1])) problems.push(`${where}: double ${m[1]} has neither a fraction nor an exponent`);
  }
}

function checkLine(line, where, problems, suiteName) {
  let o;
  try {
    o = JSON.parse(line);
  } catch (e) {
    problems.push(`${where}: not JSON: ${e.message}`);
    return;
  }
  if (!isObj(o)) return problems.push(`${where}: not an object`);
  for (const k of Object.keys(o)) if (!TOP_KEYS.has(k)) problems.push(`${where}: unknown key ${k}`);
  for (const k of ["suite", "section", "name", "expr"]) if (typeof o[k] !== "string") problems.push(`${where}: ${k} must be a string`);
  if (o.suite !== suiteName) problems.push(`${where}: suite ${o.suite} in file ${suiteName}.jsonl`);
  if (typeof o.check !== "boolean") problems.push(`${where}: check must be a boolean`);
  if ("vars" in o) {
    if (!isObj(o.vars)) problems.push(`${where}: vars must be an object`);
    else for (const [k, v] of Object.entries(o.vars)) checkValue(v, `${where}: vars.${k}`, problems);
  }
  if ("types" in o) {
    if (!isObj(o.types)) problems.push(`${where}: types must be an object`);
    else for (const [k, v] of Object.entries(o.types)) if (typeof v !== "string" || !TYPE_NAME_RE.test(v)) problems.push(`${where}: types.${k} is not a type name`);
  }
  if ("result_type" in o && (typeof o.result_type !== "string" || !TYPE_NAME_RE.test(o.result_type))) problems.push(`${where}: result_type is not a type name`);
  const e = o.expect;
  if (!isObj(e) || Object.keys(e).length !== 1) problems.push(`${where}: expect must have one key`);
  else if ("value" in e) checkValue(e.value, `${where}: expect.value`, problems);
  else if ("error" in e) {
    if (typeof e.error !== "string") problems.push(`${where}: expect.error must be a string`);
  } else problems.push(`${where}: expect must be value or error`);
  checkDoubleText(line, where, problems);
}

function files(d) {
  const out = [];
  for (const ent of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, ent.name);
    if (ent.isDirectory()) out.push(...files(p));
    else if (ent.name.endsWith(".jsonl")) out.push(p);
  }
  return out.sort();
}

let total = 0;
let failed = false;
for (const f of files(dir)) {
  const text = fs.readFileSync(f, "utf8");
  const problems = [];
  if (text && !text.endsWith("\n")) problems.push(`${f}: no final newline`);
  const lines = text.split("\n").filter((l, i, a) => !(i === a.length - 1 && l === ""));
  const suiteName = path.basename(f, ".jsonl");
  lines.forEach((l, i) => checkLine(l, `${path.relative(dir, f)}:${i + 1}`, problems, suiteName));
  total += lines.length;
  console.log(`${path.relative(dir, f).padEnd(24)}${String(lines.length).padStart(6)} tests${problems.length ? `  ${problems.length} problems` : ""}`);
  if (problems.length) {
    failed = true;
    for (const p of problems.slice(0, 50)) console.error(`  ${p}`);
  }
}
console.log(`${"total".padEnd(24)}${String(total).padStart(6)} tests`);
process.exit(failed ? 1 : 0);
