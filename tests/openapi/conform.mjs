// Drives two real `smdl serve` (one with --no-auth, one with a tokens file)
// through every route and checks each answer against engine/server/openapi.json:
// the status is one the operation documents, the Content-Type one it
// documents for that status, the body valid against the schema (Ajv, JSON
// Schema 2020-12, as OpenAPI 3.1 uses), the required headers present and
// valid. Every operation of the document must be called at least once.
//
// node conform.mjs DOC SOURCE_DIR NODE_MODULES_DIR
// with OPEN_URL, AUTH_URL, DESK_TOKEN (role: service_desk) and ADMIN_TOKEN (admin)
// in the environment.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';

const [docPath, sourceDir, modulesDir] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(modulesDir), 'package.json'));
const Ajv2020 = require('ajv/dist/2020');

const doc = JSON.parse(readFileSync(docPath, 'utf8'));
const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const OPEN = env('OPEN_URL');
const AUTH = env('AUTH_URL');
const DESK = env('DESK_TOKEN');
const ADMIN = env('ADMIN_TOKEN');

// ------------------------------------------------------------ the document
const ajv = new Ajv2020({
  strict: false,
  allErrors: true,
  formats: { 'date-time': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/ },
});
// Component schemas keep their '#/components/...' references, resolved
// against this id; schemas elsewhere in the document are rewritten to it.
ajv.addSchema({ $id: 'openapi.json', components: { schemas: doc.components?.schemas ?? {} } });
const rebase = (node) => {
  if (Array.isArray(node)) return node.map(rebase);
  if (node && typeof node === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(node))
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `openapi.json${v}` : rebase(v);
    return out;
  }
  return node;
};
const compiled = new Map();
const validator = (schema) => {
  const key = JSON.stringify(schema);
  if (!compiled.has(key)) compiled.set(key, ajv.compile(rebase(schema)));
  return compiled.get(key);
};
const deref = (obj) => {
  let o = obj;
  for (let i = 0; o && o.$ref && i < 10; ++i) {
    const parts = o.$ref.replace(/^#\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    o = parts.reduce((at, p) => (at ? at[p] : undefined), doc);
    if (!o) throw new Error(`unresolved reference ${obj.$ref}`);
  }
  return o;
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const operations = [];
for (const [template, item] of Object.entries(doc.paths ?? {})) {
  const re = new RegExp('^' + template.replace(/[.]/g, '[.]').replace(/\{[^}]+\}/g, '[^/]+') + '$');
  for (const m of METHODS)
    if (item[m]) operations.push({ key: `${m.toUpperCase()} ${template}`, method: m.toUpperCase(), template, re, op: item[m] });
}
const findOperation = (method, requestPath) => {
  let p = requestPath.split('?')[0];
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  const m = method === 'HEAD' ? 'GET' : method;
  return operations.find((o) => o.method === m && o.re.test(p));
};

// ------------------------------------------------------------ checking
let passed = 0;
let failed = 0;
const called = new Map(); // operation key -> set of statuses seen
const problems = [];

function check(name, res, text, documented, problemsOut) {
  const status = String(res.status);
  const responses = documented.responses;
  let response = responses[status] ?? responses[`${status[0]}XX`] ?? responses.default;
  if (!response) {
    problemsOut.push(`status ${status} is not documented (${Object.keys(responses).join(', ')})`);
    return;
  }
  response = deref(response);
  for (const [hname, h0] of Object.entries(response.headers ?? {})) {
    const h = deref(h0);
    const value = res.headers.get(hname);
    if (value === null) {
      if (h.required) problemsOut.push(`header ${hname} is missing`);
      continue;
    }
    if (h.schema) {
      const v = validator(h.schema);
      if (!v(value)) problemsOut.push(`header ${hname}: ${JSON.stringify(value)} ${ajv.errorsText(v.errors)}`);
    }
  }
  const content = response.content ?? {};
  const type = (res.headers.get('content-type') ?? '').split(';')[0].trim();
  if (Object.keys(content).length === 0) {
    if (text.length) problemsOut.push(`a body where the document has none: ${text.slice(0, 200)}`);
    return;
  }
  const media = content[type];
  if (!media) {
    problemsOut.push(`Content-Type ${type || '(none)'} is not documented (${Object.keys(content).join(', ')})`);
    return;
  }
  if (!media.schema) return;
  let body = text;
  if (/json$/.test(type)) {
    try {
      body = JSON.parse(text);
    } catch (e) {
      problemsOut.push(`the body is not JSON: ${text.slice(0, 200)}`);
      return;
    }
  }
  const v = validator(media.schema);
  if (!v(body)) problemsOut.push(`the body does not match the schema: ${ajv.errorsText(v.errors)}; body: ${text.slice(0, 300)}`);
}

// A request written as is on a socket, for what fetch cannot send (a POST
// without Content-Length); answers an object like fetch's Response.
function raw(base, head) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(head));
    const chunks = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const all = Buffer.concat(chunks).toString('utf8');
      const split = all.indexOf('\r\n\r\n');
      const lines = all.slice(0, split).split('\r\n');
      const headers = new Map();
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      const body = all.slice(split + 4);
      resolve({
        status: Number(lines[0].split(' ')[1]),
        headers: { get: (n) => headers.get(n.toLowerCase()) ?? null },
        text: async () => body,
      });
    });
  });
}

// call(step): sends one request, checks the answer against the document
// (or against `against`, a response object for answers no operation
// documents), then step.expect (a status) and step.then(res, json).
async function call(step) {
  const base = step.auth ? AUTH : OPEN;
  const headers = { ...(step.headers ?? {}) };
  if (step.token) headers.Authorization = `Bearer ${step.token}`;
  let body;
  if (step.body !== undefined) {
    if (typeof step.body === 'string') body = step.body;
    else if (step.body instanceof Uint8Array) body = step.body;
    else body = JSON.stringify(step.body);
    if (!('Content-Type' in headers) && !(step.body instanceof Uint8Array)) headers['Content-Type'] = 'application/json';
  }
  const shown = step.path.length > 80 ? `${step.path.slice(0, 77)}...` : step.path;
  const name = `${step.method} ${shown}${step.auth ? ' (tokens)' : ''}${step.note ? ` [${step.note}]` : ''}`;
  const found = [];
  let res;
  let text = '';
  try {
    res = step.raw
      ? await raw(base, step.raw)
      : await fetch(base + step.path, { method: step.method, headers, body });
    text = await res.text();
  } catch (e) {
    failed++;
    problems.push(`${name}: no answer (${e.cause?.code ?? e.message})`);
    console.log(`FAIL ${name}: no answer (${e.cause?.code ?? e.message})`);
    return {};
  }
  if (step.expect !== undefined && res.status !== step.expect)
    found.push(`expected ${step.expect}, got ${res.status}: ${text.slice(0, 300)}`);
  const operation = step.against ? null : findOperation(step.method, step.path);
  if (step.method === 'HEAD') {
    if (text.length) found.push('HEAD answered with a body');
  } else if (step.against) {
    check(name, res, text, { responses: { [String(res.status)]: step.against } }, found);
  } else if (!operation) {
    found.push('no operation of the document matches');
  } else {
    check(name, res, text, operation.op, found);
  }
  if (operation && step.method !== 'HEAD') {
    if (!called.has(operation.key)) called.set(operation.key, new Set());
    called.get(operation.key).add(String(res.status));
  }
  // Every answer carries Cache-Control: no-store.
  if (res.headers.get('cache-control') !== 'no-store')
    found.push(`Cache-Control is ${res.headers.get('cache-control')}, not no-store`);
  let json;
  try {
    json = JSON.parse(text);
  } catch {}
  if (step.then && found.length === 0) {
    try {
      step.then(res, json);
    } catch (e) {
      found.push(e.message);
    }
  }
  if (found.length) {
    failed++;
    for (const f of found) problems.push(`${name}: ${f}`);
    console.log(`FAIL ${name} -> ${res.status}\n     ${found.join('\n     ')}`);
  } else {
    passed++;
    console.log(`ok   ${name} -> ${res.status}`);
  }
  return { res, json, text };
}

const canonical = (v) =>
  Array.isArray(v) ? v.map(canonical)
    : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])])) : v;
const expectEq = (what, got, want) => {
  if (JSON.stringify(canonical(got)) !== JSON.stringify(canonical(want))) throw new Error(`${what}: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
};

// ------------------------------------------------------------ definitions
const read = (p) => readFileSync(path.join(sourceDir, p), 'utf8');
const SITE = 'module site;\nimport iso20000.incident;\n';
const GATE = `module gate;
role cab, change_manager, security_officer;
record Gate { title: string; }
process gate_flow for Gate {
  initial state open {
    on approve requires cab | change_manager, security_officer -> done;
    on pass requires cab -> done;
  }
  final state done;
}
// A parallel state: its records carry the leaf of each region ("active").
record Pair { title: string; }
process pair_flow for Pair {
  initial parallel state both {
    state left { initial state l1 { on go -> l2; } final state l2; }
    state right { initial state r1 { on go_right -> r2; } final state r2; }
    on done -> finished;
  }
  final state finished;
}
`;
const DEPLOY = {
  modules: [
    { path: 'acme/policies.smdl', source: read('examples/acme/policies.smdl') },
    { path: 'acme/change_policies.smdl', source: read('examples/acme/change_policies.smdl') },
    { path: 'site.smdl', source: SITE },
    { path: 'gate.smdl', source: GATE },
    { path: 'acme/tests.smdl', source: read('examples/acme/tests.smdl') },
  ],
};
const INCIDENT = { type: 'Incident', fields: { title: 'Checkout slow', service: 'shop' } };
const MAJOR = { type: 'Incident', fields: { title: 'Checkout down', service: 'shop', impact: 'high', urgency: 'high' } };
const noRoute = doc.components?.responses?.NoRoute;
const notAllowed = doc.components?.responses?.MethodNotAllowed;

// ------------------------------------------------------------ the open server
await call({ method: 'GET', path: '/healthz', expect: 200 });
await call({ method: 'HEAD', path: '/healthz', expect: 200 });
await call({ method: 'GET', path: '/metrics', expect: 200 });
await call({ method: 'GET', path: '/v1/openapi.json', expect: 200 });
await call({ method: 'GET', path: '/v1/definitions', expect: 200, then: (r, j) => expectEq('deploys', j, []) });
await call({ method: 'GET', path: '/v1/definitions/current', expect: 404, note: 'nothing deployed' });
await call({ method: 'GET', path: '/v1/records?type=Incident', expect: 409, note: 'nothing deployed' });
await call({ method: 'POST', path: '/v1/records', body: INCIDENT, expect: 409, note: 'nothing deployed' });
await call({ method: 'GET', path: '/v1/records', expect: 200, then: (r, j) => expectEq('page', j, { records: [], next: null }) });
await call({ method: 'GET', path: '/v1/verify', expect: 200, note: 'empty' });

await call({ method: 'POST', path: '/v1/deploy', body: DEPLOY, expect: 201,
  then: (r, j) => expectEq('test_modules', j.test_modules, ['acme.tests']) });
await call({ method: 'POST', path: '/v1/deploy', body: DEPLOY, expect: 200,
  then: (r, j) => { expectEq('unchanged', j.unchanged, true); expectEq('overrides', j.overrides.length > 0, true); } });
await call({ method: 'POST', path: '/v1/deploy', body: {}, expect: 422 });
await call({ method: 'POST', path: '/v1/deploy', body: { modules: [{ path: 'x.smdl' }] }, expect: 422 });
await call({
  method: 'POST', path: '/v1/deploy', expect: 422, note: 'diagnostics',
  body: { modules: [{ path: 'bad.smdl', source: 'module bad;\nimport nothing.here;\n' }] },
  then: (r, j) => expectEq('reason', j.reason, 'definitions_have_errors'),
});
await call({ method: 'POST', path: '/v1/deploy', body: '{}', headers: { 'Content-Type': 'text/plain' }, expect: 415 });
await call({ method: 'POST', path: '/v1/deploy', body: '{"modules":', expect: 400 });
await call({ method: 'GET', path: '/v1/definitions', expect: 200 });
await call({ method: 'GET', path: '/v1/definitions/current', expect: 200, then: (r, j) => expectEq('current', j.current, true) });
await call({ method: 'GET', path: '/v1/definitions/1', expect: 200 });
await call({ method: 'GET', path: '/v1/definitions/0', expect: 400, then: (r, j) => expectEq('reason', j.reason, 'bad_path') });
await call({ method: 'GET', path: '/v1/definitions/9', expect: 404 });
await call({ method: 'GET', path: '/v1/definitions/abc', expect: 400 });
await call({ method: 'GET', path: '/v1/definitions/a%20b', expect: 400 });
await call({ method: 'GET', path: '/v1/definitions/1/diff/1', expect: 200 });
await call({ method: 'GET', path: '/v1/definitions/1/diff/9', expect: 404 });
await call({ method: 'GET', path: '/v1/definitions/current/diff/1', expect: 400 });

await call({
  method: 'POST', path: '/v1/records', body: INCIDENT, expect: 201,
  then: (r, j) => {
    expectEq('Location', r.headers.get('location'), '/v1/records/Incident-1');
    expectEq('ETag', r.headers.get('etag'), '"1"');
    expectEq('id', j.id, 'Incident-1');
  },
});
await call({ method: 'POST', path: '/v1/records', body: MAJOR, expect: 201, then: (r, j) => expectEq('id', j.id, 'Incident-2') });
await call({ method: 'POST', path: '/v1/records', body: { type: 'Gate', fields: { title: 'g' } }, expect: 201,
  then: (r, j) => expectEq('no sla', 'sla' in j, false) });
await call({ method: 'POST', path: '/v1/records', body: { type: 'Incident', fields: { title: 't' } }, expect: 422,
  then: (r, j) => expectEq('field', j.field, 'service') });
await call({ method: 'POST', path: '/v1/records', body: { type: 'Incident', x: 1 }, expect: 422 });
await call({ method: 'POST', path: '/v1/records', body: { type: 'Incident', fields: [] }, expect: 422 });
await call({ method: 'POST', path: '/v1/records', body: { type: 'Nope' }, expect: 404 });
await call({ method: 'POST', path: '/v1/records', body: '{"type":', expect: 400 });
await call({ method: 'POST', path: '/v1/records', body: '{}', headers: { 'Content-Type': 'text/plain' }, expect: 415 });
await call({ method: 'POST', path: '/v1/records', body: 'x'.repeat(1100000), expect: 413,
  then: (r, j) => expectEq('reason', j.reason, 'too_large') });
await call({ method: 'POST', path: '/v1/records', note: 'no Content-Length', expect: 400,
  raw: 'POST /v1/records HTTP/1.1\r\nHost: smdl\r\nConnection: close\r\n\r\n',
  then: (r, j) => expectEq('reason', j.reason, 'bad_request') });

await call({ method: 'GET', path: '/v1/records', expect: 200, then: (r, j) => expectEq('count', j.records.length, 3) });
await call({ method: 'POST', path: '/v1/deploy', expect: 409, note: 'drops Gate',
  body: { modules: DEPLOY.modules.filter((m) => m.path !== 'gate.smdl') },
  then: (r, j) => expectEq('reason', j.reason, 'rejected') });
await call({ method: 'GET', path: '/v1/records/', expect: 200, note: 'trailing slash' });
const page = await call({ method: 'GET', path: '/v1/records?type=Incident&limit=1', expect: 200,
  then: (r, j) => expectEq('next', typeof j.next, 'string') });
if (page.json?.next)
  await call({ method: 'GET', path: `/v1/records?type=Incident&limit=1&after=${page.json.next}`, expect: 200 });
await call({ method: 'GET', path: '/v1/records?type=Incident&where=priority%20%3D%3D%20Priority.p1', expect: 200,
  then: (r, j) => expectEq('ids', j.records.map((x) => x.id), ['Incident-2']) });
await call({ method: 'GET', path: '/v1/records?type=Incident&state=nope', expect: 404 });
await call({ method: 'GET', path: '/v1/records?type=Nope', expect: 404 });
await call({ method: 'GET', path: '/v1/records?where=x', expect: 422 });
await call({ method: 'GET', path: '/v1/records?type=Incident&after=Nope-3', expect: 422 });
await call({ method: 'GET', path: '/v1/records?limit=0', expect: 400 });
await call({ method: 'GET', path: '/v1/records?foo=1', expect: 400 });

await call({ method: 'GET', path: '/v1/records/Incident-1', expect: 200, then: (r) => expectEq('ETag', r.headers.get('etag'), '"1"') });
await call({ method: 'HEAD', path: '/v1/records/Incident-1', expect: 200 });
await call({ method: 'GET', path: '/v1/records/Incident-1', headers: { 'If-None-Match': '"1"' }, expect: 304 });
await call({ method: 'GET', path: '/v1/records/Incident-1', headers: { 'If-None-Match': 'W/"1"' }, expect: 304 });
await call({ method: 'GET', path: '/v1/records/Incident-1', headers: { 'If-None-Match': '"7", "1"' }, expect: 304 });
await call({ method: 'GET', path: '/v1/records/Incident-1', headers: { 'If-None-Match': '*' }, expect: 304 });
await call({ method: 'GET', path: '/v1/records/Incident-1', headers: { 'If-None-Match': '"7"' }, expect: 200 });
await call({ method: 'GET', path: '/v1/records/Gate-1', expect: 200 });
// Records in a parallel state, and their history, as the contract says.
await call({ method: 'POST', path: '/v1/records', body: { type: 'Pair', fields: { title: 'p' } }, expect: 201,
  then: (r, j) => { expectEq('state', j.state, 'both'); expectEq('active', j.active, ['l1', 'r1']); } });
await call({ method: 'POST', path: '/v1/records/Pair-1/events/go', body: {}, expect: 200,
  then: (r, j) => { expectEq('state', j.state, 'r1'); expectEq('active', j.active, ['l2', 'r1']); } });
await call({ method: 'GET', path: '/v1/records/Pair-1/history', expect: 200,
  then: (r, j) => expectEq('active', j[j.length - 1].active, ['l2', 'r1']) });
await call({ method: 'GET', path: '/v1/records/Nope-1', expect: 404 });
await call({ method: 'GET', path: '/v1/records/a%20b', expect: 400 });

const fire = (id, event, body, extra = {}) => ({ method: 'POST', path: `/v1/records/${id}/events/${event}`, body, ...extra });
await call(fire('Incident-1', 'assign', { to: 'alice' }, { headers: { 'If-Match': '"1"' }, expect: 200,
  then: (r, j) => { expectEq('state', j.state, 'in_progress'); expectEq('ETag', r.headers.get('etag'), '"2"'); } }));
await call(fire('Incident-1', 'assign', { to: 'bob' }, { headers: { 'If-Match': '"1"' }, expect: 412,
  then: (r, j) => expectEq('version', j.version, 2) }));
await call(fire('Incident-1', 'assign', { to: 'bob' }, { headers: { 'If-Match': 'abc' }, expect: 400 }));
await call(fire('Incident-1', 'resolve', { note: '' }, { expect: 409, then: (r, j) => expectEq('reason', j.reason, 'guard_false') }));
await call(fire('Incident-1', 'resolve', { note: 'cache flushed' }, { headers: { 'Idempotency-Key': 'k1' }, expect: 200 }));
await call(fire('Incident-1', 'resolve', { note: 'again' }, { headers: { 'Idempotency-Key': 'k1' }, expect: 200,
  note: 'repeated key', then: (r, j) => expectEq('resolution', j.fields.resolution, 'cache flushed') }));
await call({ method: 'POST', path: '/v1/records', body: INCIDENT, headers: { 'Idempotency-Key': 'k1' }, expect: 422,
  note: 'key of a fire' });
await call(fire('Incident-1', 'resolve', {}, { headers: { 'Idempotency-Key': 'a b' }, expect: 400 }));
await call(fire('Incident-1', 'resolve', {}, { headers: { 'Idempotency-Key': 'k'.repeat(201) }, expect: 400 }));
await call(fire('Incident-1', 'assign', { to: 'bob' }, { expect: 409,
  then: (r, j) => expectEq('reason', j.reason, 'event_not_accepted') }));
await call(fire('Incident-1', 'nope', {}, { expect: 422, then: (r, j) => expectEq('reason', j.reason, 'unknown_event') }));
await call(fire('Incident-1', 'reopen', [1], { expect: 422 }));
await call(fire('Incident-1', 'reopen', '{"x":', { expect: 400 }));
await call(fire('Incident-1', 'reopen', '{}', { headers: { 'Content-Type': 'text/plain' }, expect: 415 }));
await call(fire('Incident-2', 'assign', {}, { expect: 422, then: (r, j) => expectEq('parameter', j.parameter, 'to') }));
await call(fire('Incident-2', 'assign', { to: 5 }, { expect: 422 }));
await call(fire('Incident-2', 'assign', { to: 'carol' }, { expect: 409, note: 'major: no manager yet',
  then: (r, j) => expectEq('reason', j.reason, 'guard_false') }));
await call(fire('Incident-2', 'appoint_manager', {}, { expect: 403, note: 'local is no major incident manager',
  then: (r, j) => { expectEq('reason', j.reason, 'missing_role');
    expectEq('required_roles', j.required_roles, ['major_incident_manager']); expectEq('state', j.state, 'major_incident'); } }));
await call(fire('Incident-1', 'confirm', new Uint8Array(0), { expect: 200, note: 'empty body',
  then: (r, j) => expectEq('state', j.state, 'closed') }));
await call(fire('Nope-1', 'assign', { to: 'x' }, { expect: 404 }));
await call(fire('Incident-1', 'a%20b', {}, { expect: 400 }));

await call({ method: 'GET', path: '/v1/records/Incident-1/history', expect: 200,
  then: (r, j) => expectEq('kinds', j.map((e) => e.kind), ['create', 'event', 'event', 'event']) });
await call({ method: 'GET', path: '/v1/records/Nope-1/history', expect: 404 });
await call({ method: 'GET', path: '/v1/records/Incident-2/sla', expect: 200 });
await call({ method: 'GET', path: '/v1/records/Incident-1/sla', expect: 200 });
await call({ method: 'GET', path: '/v1/records/Gate-1/sla', expect: 404 });
await call({ method: 'GET', path: '/v1/records/Incident-2/sla/resolution', expect: 200 });
await call({ method: 'GET', path: '/v1/records/Incident-2/sla/major_review', expect: 200 });
await call({ method: 'GET', path: '/v1/records/Incident-2/sla/nope', expect: 404 });

await call({ method: 'GET', path: '/v1/report', expect: 200 });
await call({ method: 'GET', path: '/v1/report?type=Incident&by=priority', expect: 200, then: (r, j) => expectEq('by', j.by, 'priority') });
await call({ method: 'GET', path: '/v1/report?type=Nope', expect: 404 });
await call({ method: 'GET', path: '/v1/report?colour=red', expect: 400 });
await call({ method: 'GET', path: '/v1/timers', expect: 200 });
await call({ method: 'GET', path: '/v1/outbox', expect: 200, then: (r, j) => { if (j.length < 2) throw new Error('fewer than 2 messages'); } });
await call({ method: 'GET', path: '/v1/outbox?limit=1', expect: 200, then: (r, j) => expectEq('count', j.length, 1) });
await call({ method: 'GET', path: '/v1/outbox?limit=0', expect: 400 });
await call({ method: 'POST', path: '/v1/outbox/ack', body: { through: 1 }, expect: 200 });
await call({ method: 'POST', path: '/v1/outbox/ack', body: { through: -1 }, expect: 422 });
await call({ method: 'POST', path: '/v1/outbox/ack', body: '{}', headers: { 'Content-Type': 'text/plain' }, expect: 415 });
await call({ method: 'GET', path: '/v1/verify', expect: 200 });
await call({ method: 'GET', path: '/v1/webhooks', expect: 200 });
await call({ method: 'GET', path: '/v1/webhooks', headers: { 'Idempotency-Key': 'a b' }, expect: 400 });
await call({ method: 'POST', path: '/v1/webhooks/nobody/redeliver', body: {}, expect: 404 });
await call({ method: 'POST', path: '/v1/webhooks/nobody/redeliver', body: {}, headers: { 'Content-Type': 'text/plain' }, expect: 415 });

// Answers no operation documents: unknown paths and methods.
await call({ method: 'GET', path: '/v1/nothing', expect: 404, against: noRoute });
await call({ method: 'GET', path: '/v2/records', expect: 404, against: noRoute });
await call({ method: 'DELETE', path: '/v1/records/Incident-1', expect: 405, against: notAllowed,
  then: (r) => expectEq('Allow', r.headers.get('allow'), 'GET') });
await call({ method: 'PUT', path: '/v1/records', body: {}, expect: 405, against: notAllowed,
  then: (r) => expectEq('Allow', r.headers.get('allow'), 'GET, POST') });
await call({ method: 'GET', path: '/v1/deploy', expect: 405, against: notAllowed });
await call({ method: 'HEAD', path: '/v1/deploy', expect: 405 });
await call({ method: 'GET', path: `/v1/records/${'a'.repeat(8200)}`, expect: 414, note: 'a long target',
  against: { description: 'Any problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
  then: (r, j) => expectEq('reason', j.reason, 'uri_too_long') });

// ------------------------------------------------------------ the server with tokens
// Every operation: without a token, open ones answer and the others 401.
const sample = { id: 'Nope-1', event: 'assign', name: 'resolution', version: 'current', from: '1', to: '2' };
for (const o of operations) {
  const p = o.template.replace(/\{([^}]+)\}/g, (m, k) => sample[k] ?? 'x');
  const open = Array.isArray(o.op.security) && o.op.security.length === 0;
  await call({
    method: o.method, path: p, auth: true, note: 'no token', body: o.method === 'POST' ? {} : undefined,
    then: (r) => {
      if (open && r.status === 401) throw new Error('an open route asked for a token');
      if (!open && r.status !== 401) throw new Error(`expected 401 without a token, got ${r.status}`);
      if (!open) expectEq('WWW-Authenticate', r.headers.get('www-authenticate'), 'Bearer realm="smdl"');
    },
  });
}
await call({ method: 'GET', path: '/v1/records', auth: true, token: 'not-a-token', expect: 401,
  then: (r) => expectEq('WWW-Authenticate', r.headers.get('www-authenticate'), 'Bearer realm="smdl", error="invalid_token"') });
await call({ method: 'POST', path: '/v1/deploy', auth: true, token: DESK, body: DEPLOY, expect: 403,
  then: (r, j) => expectEq('required_roles', j.required_roles, ['admin']) });
await call({ method: 'GET', path: '/v1/verify', auth: true, token: DESK, expect: 403 });
await call({ method: 'POST', path: '/v1/outbox/ack', auth: true, token: DESK, body: { through: 1 }, expect: 403 });
await call({ method: 'POST', path: '/v1/webhooks/nobody/redeliver', auth: true, token: DESK, body: {}, expect: 403 });
await call({ method: 'POST', path: '/v1/deploy', auth: true, token: ADMIN, body: DEPLOY, expect: 201 });
await call({ method: 'POST', path: '/v1/records', auth: true, token: DESK, body: { type: 'Gate', fields: { title: 'g' } },
  expect: 201, then: (r, j) => expectEq('created_by', j.created_by, 'alice') });
await call({ ...fire('Gate-1', 'pass', {}), auth: true, token: DESK, expect: 403,
  then: (r, j) => { expectEq('required_roles', j.required_roles, ['cab']); expectEq('state', j.state, 'open'); } });
await call({ ...fire('Gate-1', 'approve', {}), auth: true, token: DESK, expect: 403,
  then: (r, j) => expectEq('required_roles', j.required_roles, ['cab or change_manager', 'security_officer']) });
await call({ method: 'GET', path: '/v1/verify', auth: true, token: ADMIN, expect: 200 });

// ------------------------------------------------------------ coverage
for (const o of operations) {
  if (!called.has(o.key)) {
    failed++;
    problems.push(`${o.key}: never called`);
    console.log(`FAIL ${o.key}: never called`);
  }
}
console.log('\nstatuses seen, by operation (documented but not seen in brackets):');
for (const o of operations) {
  const seen = [...(called.get(o.key) ?? [])].sort();
  const unseen = Object.keys(o.op.responses).filter((s) => !seen.includes(s) && !(s.endsWith('XX') && seen.some((x) => x[0] === s[0])));
  console.log(`  ${o.key}: ${seen.join(' ')}${unseen.length ? `  [${unseen.join(' ')}]` : ''}`);
}
if (problems.length) {
  console.log('\nproblems:');
  for (const p of problems) console.log(`  ${p}`);
}
console.log(`\nconformance: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
