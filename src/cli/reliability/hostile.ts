// `npm run test:hostile [-- --keep-db] [--verbose] [--only <group>]`: sends
// well over 200 crafted, hostile requests to the real server (a child process
// on a scratch database of the local PostgreSQL, loopback only) and checks
// each answer: the expected status class, `extensions.code` on every GraphQL
// error, no INTERNAL_SERVER_ERROR, no stack trace / SQL / file path in any
// body, an answer within 10 s, and the server process still alive. Afterwards
// /healthz, /readyz and a real recommendations query must succeed. Prints a
// table per group and every failure; exits 1 on any failure.
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import {
  ROOT, arg, cleanup, createScratchDb, errorCodes, flag, genericProblems, httpFetch, loadAverage, onCleanup, parseJson,
  postGraphql, rawHttp, runMain, short, startServer, table, waitReady, type Answer, type ServerProcess,
} from "./harness";

interface Expect {
  // Acceptable HTTP statuses.
  status: number[];
  // When set, the answer must carry at least one error and every code must be one of these.
  codes?: string[];
  // When set, the answer must carry no errors.
  ok?: boolean;
  // Errors allowed but only with these codes (no error is fine too).
  maybeCodes?: string[];
  // Node's own answer to malformed HTTP (no JSON body) is acceptable.
  rawOk?: boolean;
  // No HTTP answer at all is acceptable (the client gave up first).
  noAnswerOk?: boolean;
  // A documented oddity answers INTERNAL_SERVER_ERROR.
  allowInternal?: boolean;
}

interface Case {
  group: string;
  name: string;
  send: (s: ServerProcess) => Promise<Answer>;
  expect: Expect;
}

const OK: Expect = { status: [200], ok: true };
const BAD_ARG: Expect = { status: [200], codes: ["BAD_USER_INPUT"] };
const BAD_VAR: Expect = { status: [400], codes: ["BAD_USER_INPUT"] };
const INVALID: Expect = { status: [400], codes: ["GRAPHQL_VALIDATION_FAILED"] };
const PARSE: Expect = { status: [400], codes: ["GRAPHQL_PARSE_FAILED"] };
const BAD_REQ: Expect = { status: [400], codes: ["BAD_REQUEST"] };
// An odd but acceptable input: served, or refused as a bad argument / unknown id.
const SERVED_OR_REFUSED: Expect = { status: [200, 400], maybeCodes: ["BAD_USER_INPUT", "NOT_FOUND", "GRAPHQL_VALIDATION_FAILED"] };
const NODE_400: Expect = { status: [400, 431, 505, 413], rawOk: true, noAnswerOk: false };

const cases: Case[] = [];
const gql = (group: string, name: string, query: string, variables: Record<string, unknown> | undefined, expect: Expect, headers: Record<string, string> = {}) =>
  cases.push({ group, name, send: (s) => postGraphql(s.url, variables === undefined ? { query } : { query, variables }, headers), expect });
const post = (group: string, name: string, body: string | Buffer, expect: Expect, headers: Record<string, string> = { "content-type": "application/json" }) =>
  cases.push({ group, name, send: (s) => httpFetch(s.url, { method: "POST", headers, body }), expect });
const raw = (group: string, name: string, chunks: (string | Buffer)[], expect: Expect, timeoutMs = 5000, gapMs = 0) =>
  cases.push({ group, name, send: (s) => rawHttp(s.port, chunks, timeoutMs, gapMs), expect });
const get = (group: string, name: string, search: string, expect: Expect, headers: Record<string, string> = { "apollo-require-preflight": "1" }, pathname = "/graphql") =>
  cases.push({ group, name, send: (s) => httpFetch(`${s.base}${pathname}${search}`, { method: "GET", headers }), expect });
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64url");
const lit = (s: string) => JSON.stringify(s);

// ------------------------------------------------------------ http / routes
for (const method of ["PUT", "PATCH", "DELETE", "OPTIONS"]) {
  cases.push({ group: "http", name: `${method} /graphql`, send: (s) => httpFetch(s.url, { method, headers: { "content-type": "application/json" }, body: method === "OPTIONS" ? undefined : '{"query":"{ok}"}' }), expect: { status: [405, 204], maybeCodes: ["METHOD_NOT_ALLOWED"] } });
}
cases.push({ group: "http", name: "HEAD /graphql", send: (s) => httpFetch(`${s.url}?query=%7Bok%7D`, { method: "HEAD", headers: { "apollo-require-preflight": "1" } }), expect: { status: [200, 400, 405], rawOk: true } });
get("http", "GET /nope (unknown path)", "", { status: [404], codes: ["NOT_FOUND"] }, {}, "/nope");
get("http", "GET /graphql/../etc/passwd", "", { status: [404], codes: ["NOT_FOUND"] }, {}, "/graphql/%2e%2e/etc/passwd");
get("http", "GET /healthz", "", { status: [200] }, {}, "/healthz");
get("http", "GET /metrics", "", { status: [200], rawOk: true }, {}, "/metrics");
get("http", "GET {ok} with preflight", "?query=%7Bok%7D", OK);
get("http", "GET {ok} without preflight (CSRF)", "?query=%7Bok%7D", BAD_REQ, {});
get("http", "GET mutation (405)", "?query=mutation%7Bok%7D", { status: [405], codes: ["BAD_REQUEST"] });
get("http", "GET recordInteractions mutation (405)", `?query=${encodeURIComponent('mutation { recordInteractions(interactions: [{ userId: "get-user", itemId: "demo-movie-001", type: VIEW }]) { accepted } }')}`, { status: [405], codes: ["BAD_REQUEST"] });
get("http", "GET deleteUser mutation (405)", `?query=${encodeURIComponent('mutation { deleteUser(id: "demo-user-300") { id } }')}`, { status: [405], codes: ["BAD_REQUEST"] });
get("http", "GET mutation hidden behind operationName", `?query=${encodeURIComponent("query Q { ok } mutation M { ok }")}&operationName=M`, { status: [405], codes: ["BAD_REQUEST"] });
get("http", "GET empty query", "?query=", BAD_REQ);
get("http", "GET no query", "", BAD_REQ);
get("http", "GET variables not JSON", "?query=%7Bok%7D&variables=%7Bnope", BAD_REQ);
get("http", "GET extensions not JSON", "?query=%7Bok%7D&extensions=%5B", BAD_REQ);
get("http", "GET malformed percent-encoding", "?query=%zz%7Bok", { status: [400], maybeCodes: ["BAD_REQUEST", "GRAPHQL_PARSE_FAILED"] });
get("http", "GET operationName naming nothing", "?query=%7Bok%7D&operationName=Nope", { status: [400], codes: ["OPERATION_RESOLUTION_FAILURE"] });
get("http", "GET repeated query parameters", "?query=%7Bok%7D&query=%7Bok%7D", { status: [200, 400], maybeCodes: ["BAD_REQUEST"] });
for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/graphql", "application/xml", ""]) {
  post("content-type", `POST content-type ${JSON.stringify(type)}`, '{"query":"{ok}"}', BAD_REQ, type === "" ? {} : { "content-type": type });
}
post("content-type", "application/graphql with preflight header", "{ ok }", BAD_REQ, { "content-type": "application/graphql", "apollo-require-preflight": "1" });
post("content-type", "application/json; charset=utf-16 with UTF-16 bytes", Buffer.from('{"query":"{ok}"}', "utf16le"), { status: [400], maybeCodes: ["BAD_REQUEST"] }, { "content-type": "application/json; charset=utf-16" });
post("content-type", "application/json; charset=latin1", '{"query":"{ok}"}', { status: [200, 400], maybeCodes: ["BAD_REQUEST"] }, { "content-type": "application/json; charset=latin1" });
post("content-type", "application/json-patch+json (not a simple type: preflighted by browsers)", '{"query":"{ok}"}', { status: [200, 400], maybeCodes: ["BAD_REQUEST"] }, { "content-type": "application/json-patch+json" });
post("content-type", "APPLICATION/JSON upper case", '{"query":"{ok}"}', { status: [200, 400], maybeCodes: ["BAD_REQUEST"] }, { "content-type": "APPLICATION/JSON" });
post("content-type", "gzip content-encoding (not supported)", Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), { status: [400, 415], maybeCodes: ["BAD_REQUEST"] }, { "content-type": "application/json", "content-encoding": "gzip" });
post("content-type", "accept: text/html only", '{"query":"{ok}"}', { status: [406], codes: ["BAD_REQUEST"] }, { "content-type": "application/json", accept: "text/html" });
post("content-type", "accept: application/graphql-response+json", '{"query":"{ok}"}', OK, { "content-type": "application/json", accept: "application/graphql-response+json" });
post("content-type", "x-request-id of 1000 characters", '{"query":"{ok}"}', OK, { "content-type": "application/json", "x-request-id": "r".repeat(1000) });

// ------------------------------------------------------------ malformed JSON
const badJson: [string, string][] = [
  ["empty body", ""],
  ["whitespace only", "   \n\t "],
  ["truncated object", '{"query":"{ok}"'],
  ["trailing comma", '{"query":"{ok}",}'],
  ["single quotes", "{'query':'{ok}'}"],
  ["unquoted key", "{query:\"{ok}\"}"],
  ["comment", '{"query":"{ok}" /* hi */}'],
  ["NaN literal", '{"query":"{ok}","variables":{"x":NaN}}'],
  ["Infinity literal", '{"query":"{ok}","variables":{"x":Infinity}}'],
  ["UTF-8 BOM before JSON", '\ufeff{"query":"{ok}"}'],
  ["invalid UTF-8 bytes", "\xff\xfe{\"query\":\"{ok}\"}"],
  ["bare string", '"{ ok }"'],
  ["lone backslash escape", '{"query":"\\x"}'],
  ["control character in string", '{"query":"{ok\u0001}"}'],
  ["just a number", "12345"],
];
for (const [name, body] of badJson) post("json", `malformed JSON: ${name}`, body, BAD_REQ);
const badShapes: [string, string, Expect][] = [
  ["null", "null", BAD_REQ],
  ["true", "true", BAD_REQ],
  ["number", "42", BAD_REQ],
  ["{}", "{}", BAD_REQ],
  ["query: 123", '{"query":123}', BAD_REQ],
  ["query: null", '{"query":null}', BAD_REQ],
  ["query: object", '{"query":{"a":1}}', BAD_REQ],
  ["query: empty string", '{"query":""}', { status: [400], maybeCodes: ["BAD_REQUEST", "GRAPHQL_PARSE_FAILED"] }],
  ["variables: string", '{"query":"{ok}","variables":"x"}', BAD_REQ],
  ["variables: array", '{"query":"{ok}","variables":[1]}', BAD_REQ],
  ["operationName: number", '{"query":"{ok}","operationName":1}', BAD_REQ],
  ["extensions: string", '{"query":"{ok}","extensions":"x"}', BAD_REQ],
  ["__proto__ key", '{"__proto__":{"query":"{ok}"}}', BAD_REQ],
  ["__proto__ in variables", '{"query":"query($id: ID!) { user(id: $id) { id } }","variables":{"__proto__":{"id":"demo-user-001"}}}', { status: [400], codes: ["BAD_USER_INPUT"] }],
  ["constructor in variables", '{"query":"query($id: ID!) { user(id: $id) { id } }","variables":{"id":"constructor","constructor":{"prototype":{"x":1}}}}', OK],
  ["duplicate keys", '{"query":"{nope}","query":"{ok}"}', OK],
  ["1e309 variable (Infinity after parse)", '{"query":"query($f: Int) { items(first: $f) { totalCount } }","variables":{"f":1e309}}', BAD_VAR],
  ["huge integer variable", '{"query":"query($f: Int) { items(first: $f) { totalCount } }","variables":{"f":123456789012345678901234567890}}', { status: [400], codes: ["BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"] }],
];
for (const [name, body, expect] of badShapes) post("json", `JSON shape: ${name}`, body, expect);

// ------------------------------------------------------------ batches
post("batch", "batched array of 2 operations", JSON.stringify([{ query: "{ok}" }, { query: "{ok}" }]), BAD_REQ);
post("batch", "batched array of 500 mutations", JSON.stringify(Array.from({ length: 500 }, () => ({ query: "mutation { ok }" }))), BAD_REQ);
post("batch", "empty array", "[]", BAD_REQ);
post("batch", "array of numbers", "[1,2,3]", BAD_REQ);
post("batch", "deeply nested arrays (100k)", "[".repeat(100_000) + "]".repeat(100_000), { status: [400, 413], maybeCodes: ["BAD_REQUEST"] });
post("batch", "deeply nested objects (100k)", '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000), { status: [400, 413], maybeCodes: ["BAD_REQUEST"] });
gql("batch", "200 operations in one document, no operationName", Array.from({ length: 200 }, (_, i) => `query Q${i} { ok }`).join("\n"), undefined, { status: [400], maybeCodes: ["OPERATION_RESOLUTION_FAILURE", "GRAPHQL_PARSE_FAILED"] });
cases.push({ group: "batch", name: "operationName picks one of 2", send: (s) => postGraphql(s.url, { query: "query A { ok } query B { ok }", operationName: "B" }), expect: OK });
cases.push({ group: "batch", name: "operationName ignored subscription", send: (s) => postGraphql(s.url, { query: "subscription S { ok }", operationName: "S" }), expect: { status: [400], maybeCodes: ["GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST"] } });

// ------------------------------------------------------------ sizes
cases.push({ group: "size", name: "5 MiB body with content-length (413)", send: (s) => httpFetch(s.url, { method: "POST", headers: { "content-type": "application/json" }, body: `{"query":"{ok}","variables":{"x":"${"a".repeat(5 * 1024 * 1024)}"}}` }), expect: { status: [413], codes: ["PAYLOAD_TOO_LARGE"], noAnswerOk: false } });
cases.push({
  group: "size", name: "5 MiB chunked body, no content-length (413)",
  send: (s) => httpFetch(s.url, {
    method: "POST", headers: { "content-type": "application/json" }, duplex: "half",
    body: new ReadableStream({ start(c) { for (let i = 0; i < 80; i++) c.enqueue(new TextEncoder().encode("a".repeat(65536))); c.close(); } }),
  } as RequestInit),
  expect: { status: [413], codes: ["PAYLOAD_TOO_LARGE"], noAnswerOk: true },
});
post("size", "4 MiB - 1 KiB body just under the limit", `{"query":"{ok}","variables":{"x":"${"a".repeat(4 * 1024 * 1024 - 1024)}"}}`, OK);
gql("size", "query of 5000 tokens", `{ ${Array.from({ length: 2500 }, () => "ok").join(" ")} }`, undefined, PARSE);
gql("size", "200 KB comment", `# ${"x".repeat(200_000)}\n{ ok }`, undefined, { status: [200, 400], maybeCodes: ["GRAPHQL_PARSE_FAILED"] });
gql("size", "100 KB string literal argument", `{ item(id: "${"x".repeat(100_000)}") { id } }`, undefined, { status: [200, 400], maybeCodes: ["BAD_USER_INPUT"] });
gql("size", "recordInteractions of 10,001 (over the limit)", "mutation($i: [InteractionInput!]!) { recordInteractions(interactions: $i) { accepted } }",
  { i: Array.from({ length: 10_001 }, (_, k) => ({ userId: "size-user", itemId: "demo-movie-001", type: "VIEW", occurredAt: new Date(Date.UTC(2026, 0, 1) + k * 1000).toISOString() })) }, BAD_ARG);
gql("size", "upsertItems of 1,001 (over the limit)", "mutation($i: [ItemInput!]!) { upsertItems(items: $i) { id } }",
  { i: Array.from({ length: 1001 }, (_, k) => ({ id: `size-item-${k}`, kind: "OTHER", title: "x" })) }, BAD_ARG);
gql("size", "upsertUsers of 1,001 (over the limit)", "mutation($u: [UserInput!]!) { upsertUsers(users: $u) { id } }",
  { u: Array.from({ length: 1001 }, (_, k) => ({ id: `size-user-${k}` })) }, BAD_ARG);
gql("size", "users(ids) with 10,000 ids", "query($ids: [ID!]!) { users(ids: $ids) { id } }", { ids: Array.from({ length: 10_000 }, (_, k) => `u${k}`) }, BAD_ARG);
gql("size", "itemsById with 10,000 ids", "query($ids: [ID!]!) { itemsById(ids: $ids) { id } }", { ids: Array.from({ length: 10_000 }, (_, k) => `i${k}`) }, BAD_ARG);
gql("size", "excludeItems with 5,000 ids", 'query($x: [ID!]) { recommendations(userId: "demo-user-001", filter: { excludeItems: $x }) { rank } }', { x: Array.from({ length: 5000 }, (_, k) => `i${k}`) }, BAD_ARG);
post("size", "attributes JSON nested 100,000 deep", `{"query":"mutation($a: JSON) { upsertUsers(users: [{ id: \\"deep-user\\", attributes: $a }]) { id } }","variables":{"a":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}}`,
  { status: [200, 400], maybeCodes: ["BAD_USER_INPUT"] });
gql("size", "attributes JSON nested 1,000 deep", 'mutation($a: JSON) { upsertUsers(users: [{ id: "deep-user-2", attributes: $a }]) { id } }',
  { a: JSON.parse('{"a":'.repeat(1000) + "1" + "}".repeat(1000)) }, { status: [200, 400], maybeCodes: ["BAD_USER_INPUT"] });
gql("size", "attributes with 50,000 keys", 'mutation($a: JSON) { upsertUsers(users: [{ id: "wide-user", attributes: $a }]) { id } }',
  { a: Object.fromEntries(Array.from({ length: 50_000 }, (_, k) => [`k${k}`, k])) }, { status: [200, 400], maybeCodes: ["BAD_USER_INPUT"] });

// ------------------------------------------------------------ malformed HTTP (raw sockets)
const H = "Host: 127.0.0.1\r\n";
raw("raw-http", "garbage request line", ["GARBAGE\r\n\r\n"], NODE_400);
raw("raw-http", "unknown method FOO", [`FOO /graphql HTTP/1.1\r\n${H}\r\n`], NODE_400);
raw("raw-http", "HTTP/9.9", [`GET /healthz HTTP/9.9\r\n${H}\r\n`], NODE_400);
raw("raw-http", "header line without colon", [`GET /healthz HTTP/1.1\r\n${H}Bad Header\r\n\r\n`], NODE_400);
raw("raw-http", "NUL byte in header value", [`GET /healthz HTTP/1.1\r\n${H}X-A: a\u0000b\r\n\r\n`], NODE_400);
raw("raw-http", "NUL byte in request target", [`GET /graph\u0000ql HTTP/1.1\r\n${H}\r\n`], NODE_400);
raw("raw-http", "content-length not a number", [`POST /graphql HTTP/1.1\r\n${H}Content-Type: application/json\r\nContent-Length: abc\r\n\r\n{}`], NODE_400);
raw("raw-http", "two different content-lengths", [`POST /graphql HTTP/1.1\r\n${H}Content-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{"a":1}`], NODE_400);
raw("raw-http", "content-length and chunked (smuggling)", [`POST /graphql HTTP/1.1\r\n${H}Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`], NODE_400);
raw("raw-http", "invalid chunk size", [`POST /graphql HTTP/1.1\r\n${H}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n{}\r\n0\r\n\r\n`], NODE_400);
raw("raw-http", "negative content-length", [`POST /graphql HTTP/1.1\r\n${H}Content-Type: application/json\r\nContent-Length: -1\r\n\r\n`], NODE_400);
raw("raw-http", "30 KB header (over maxHeaderSize)", [`GET /healthz HTTP/1.1\r\n${H}X-Big: ${"a".repeat(30_000)}\r\n\r\n`], NODE_400);
raw("raw-http", "30 KB URL", [`GET /graphql?query=${"a".repeat(30_000)} HTTP/1.1\r\n${H}\r\n`], NODE_400);
raw("raw-http", "HTTP/1.1 without Host", ["GET /healthz HTTP/1.1\r\n\r\n"], { status: [200, 400], rawOk: true });
raw("raw-http", "HTTP/1.0 request", ["GET /healthz HTTP/1.0\r\n\r\n"], { status: [200], rawOk: true });
raw("raw-http", "absolute-form target", [`GET http://evil.example/healthz HTTP/1.1\r\n${H}\r\n`], { status: [200, 400], rawOk: true });
raw("raw-http", "double-slash path", [`GET //graphql HTTP/1.1\r\n${H}\r\n`], { status: [302, 400, 404], rawOk: true });
raw("raw-http", "three pipelined requests", [`GET /healthz HTTP/1.1\r\n${H}\r\nGET /healthz HTTP/1.1\r\n${H}\r\nGET /healthz HTTP/1.1\r\n${H}Connection: close\r\n\r\n`], { status: [200], rawOk: true });
raw("raw-http", "expect: 100-continue", [`POST /graphql HTTP/1.1\r\n${H}Content-Type: application/json\r\nContent-Length: 15\r\nExpect: 100-continue\r\n\r\n`, '{"query":"{ok}"}'.slice(0, 15)], { status: [100, 200, 400], rawOk: true });
raw("raw-http", "body shorter than content-length, client gives up after 2 s", [`POST /graphql HTTP/1.1\r\n${H}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query"`], { status: [], noAnswerOk: true, rawOk: true }, 2000);
raw("raw-http", "slow headers (one line per 300 ms)", [`GET /healthz HTTP/1.1\r\n`, "Host: 127.0.0.1\r\n", "X-A: 1\r\n", "X-B: 2\r\n", "Connection: close\r\n", "\r\n"], { status: [200], rawOk: true }, 5000, 300);
raw("raw-http", "header with invalid characters in name", [`GET /healthz HTTP/1.1\r\n${H}X(A): 1\r\n\r\n`], NODE_400);
raw("raw-http", "obsolete line folding", [`GET /healthz HTTP/1.1\r\n${H}X-A: 1\r\n  folded\r\n\r\n`], { status: [200, 400], rawOk: true });
raw("raw-http", "5,000 headers", [`GET /healthz HTTP/1.1\r\n${H}${Array.from({ length: 5000 }, (_, i) => `X-${i}: 1\r\n`).join("")}\r\n`], { status: [200, 400, 431], rawOk: true });
raw("raw-http", "valid JSON POST, chunked in 1-byte pieces", [`POST /graphql HTTP/1.1\r\n${H}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`, ...'{"query":"{ok}"}'.split("").map((c) => `1\r\n${c}\r\n`), "0\r\n\r\n"], { status: [200], rawOk: false });
raw("raw-http", "invalid UTF-8 in JSON body", [Buffer.concat([Buffer.from(`POST /graphql HTTP/1.1\r\n${H}Content-Type: application/json\r\nContent-Length: 28\r\nConnection: close\r\n\r\n`), Buffer.from('{"query":"{ item(id: \\"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('")}"')]).subarray(0, undefined)], { status: [200, 400], maybeCodes: ["BAD_REQUEST", "GRAPHQL_PARSE_FAILED", "BAD_USER_INPUT"], rawOk: true });

// ------------------------------------------------------------ query shape: depth, aliases, fragments
let deep = "id";
for (let i = 0; i < 8; i++) deep = `item { similar(first: 1) { ${deep} } }`;
gql("shape", "depth 17 through Item.similar", `{ item(id: "demo-movie-001") { similar(first: 1) { ${deep} } } }`, undefined, INVALID);
gql("shape", "depth through User.interactions.user", `{ user(id: "demo-user-001") { interactions(first: 1) { nodes { user { interactions(first: 1) { nodes { user { interactions(first: 1) { nodes { user { interactions(first: 1) { nodes { user { id } } } } } } } } } } } } } }`, undefined, INVALID);
gql("shape", "selection set nested 1,000 braces", `{ ${"ok { ".repeat(1000)}${"} ".repeat(1000)}}`, undefined, { status: [400], maybeCodes: ["GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"] });
gql("shape", "list literal nested 900 deep", `{ itemsById(ids: ${"[".repeat(900)}"a"${"]".repeat(900)}) { id } }`, undefined, { status: [400], maybeCodes: ["GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED"] });
// graphql-armor leaves introspection out of the depth limit; the answer is small (ofType ends in null).
gql("shape", "introspection nested ofType 15 deep", `{ __schema { types { ${"ofType { ".repeat(15)}name${" }".repeat(15)} } } }`, undefined, { status: [200, 400], maybeCodes: ["GRAPHQL_VALIDATION_FAILED"] });
gql("shape", "16 aliases (limit 15)", `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: ok`).join(" ")} }`, undefined, INVALID);
gql("shape", "15 aliases (at the limit)", `{ ${Array.from({ length: 15 }, (_, i) => `a${i}: ok`).join(" ")} }`, undefined, OK);
gql("shape", "500 aliases of recommendations", `{ ${Array.from({ length: 500 }, (_, i) => `r${i}: recommendations(userId: "demo-user-001") { rank }`).join(" ")} }`, undefined, { status: [400], maybeCodes: ["GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"] });
gql("shape", "aliases hidden in fragments", `{ ...F ...G } fragment F on Query { ${Array.from({ length: 10 }, (_, i) => `f${i}: ok`).join(" ")} } fragment G on Query { ${Array.from({ length: 10 }, (_, i) => `g${i}: ok`).join(" ")} }`, undefined, INVALID);
{
  const levels = 12;
  let doc = "query { ...F0 }\n";
  for (let i = 0; i < levels; i++) doc += `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }\n`;
  doc += `fragment F${levels} on Query { ok }`;
  gql("shape", "fragment bomb 2^12 expansions of a scalar", doc, undefined, { status: [200, 400], maybeCodes: ["GRAPHQL_VALIDATION_FAILED"] });
  let doc2 = "query { ...F0 }\n";
  for (let i = 0; i < 20; i++) doc2 += `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} ...F${i + 1} }\n`;
  doc2 += `fragment F20 on Query { recommendations(userId: "demo-user-001", first: 100) { rank item { id } } }`;
  gql("shape", "fragment bomb 3^20 expansions of recommendations", doc2, undefined, { status: [400], maybeCodes: ["GRAPHQL_VALIDATION_FAILED"] });
}
gql("shape", "circular fragments A -> B -> A", "query { ...A } fragment A on Query { ok ...B } fragment B on Query { ok ...A }", undefined, INVALID);
gql("shape", "self-referencing fragment", "query { ...A } fragment A on Query { ok ...A }", undefined, INVALID);
gql("shape", "circular fragments through a nested field", 'query { item(id: "demo-movie-001") { ...I } } fragment I on Item { id similar { item { ...J } } } fragment J on Item { ...I }', undefined, INVALID);
gql("shape", "unused circular fragments", "query { ok } fragment A on Query { ...B } fragment B on Query { ...A }", undefined, INVALID);
gql("shape", "fragment on unknown type", "query { ...A } fragment A on Nope { ok }", undefined, INVALID);
gql("shape", "60 directives (limit 50)", `{ ok ${"@skip(if: false) ".repeat(60)}}`, undefined, INVALID);
gql("shape", "cost bomb: 100 users x recommendations x similar", 'query($ids: [ID!]!) { users(ids: $ids) { recommendations(first: 100) { item { similar(first: 100) { item { id } } } } } }', { ids: Array.from({ length: 100 }, (_, i) => `demo-user-${String(i + 1).padStart(3, "0")}`) }, INVALID);
gql("shape", "unknown field", "{ nope }", undefined, INVALID);
gql("shape", "missing selection set", '{ item(id: "demo-movie-001") }', undefined, INVALID);
gql("shape", "unknown argument", "{ items(bogus: 1) { totalCount } }", undefined, INVALID);
gql("shape", "unknown enum value", "{ popular(kind: SPACESHIP) { rank } }", undefined, INVALID);
gql("shape", "syntax error", "{ ok ", undefined, PARSE);
gql("shape", "only a comment", "# nothing", undefined, PARSE);
gql("shape", "unterminated string", '{ item(id: "abc) { id } }', undefined, PARSE);
gql("shape", "invalid escape in string", '{ item(id: "\\uZZZZ") { id } }', undefined, PARSE);
// graphql-js 16 accepts control characters inside string literals (the spec does not); the id is then refused or unknown.
gql("shape", "raw control character in string", '{ item(id: "a\u0001b") { id } }', undefined, { status: [200, 400], maybeCodes: ["GRAPHQL_PARSE_FAILED", "BAD_USER_INPUT"] });
gql("shape", "undeclared variable", "{ items(first: $f) { totalCount } }", undefined, INVALID);
gql("shape", "variable of an input type used as output", "query($f: ItemFilter) { items(filter: $f) { totalCount } }", { f: { kind: "NOPE" } }, BAD_VAR);
gql("shape", "required variable missing", "query($id: ID!) { user(id: $id) { id } }", {}, BAD_VAR);
gql("shape", "__typename only", "{ __typename }", undefined, OK);
gql("shape", "subscription operation", "subscription { ok }", undefined, { status: [400], maybeCodes: ["GRAPHQL_VALIDATION_FAILED", "BAD_REQUEST"] });

// ------------------------------------------------------------ first (pagination size)
const listFields: [string, (f: string) => string][] = [
  ["items", (f) => `{ items(first: ${f}) { totalCount } }`],
  ["features", (f) => `{ features(first: ${f}) { totalCount } }`],
  ["recommendations", (f) => `{ recommendations(userId: "demo-user-001", first: ${f}) { rank } }`],
  ["similarItems", (f) => `{ similarItems(itemId: "demo-movie-001", first: ${f}) { rank } }`],
  ["similarUsers", (f) => `{ similarUsers(userId: "demo-user-001", first: ${f}) { score } }`],
  ["popular", (f) => `{ popular(first: ${f}) { rank } }`],
  ["User.interactions", (f) => `{ user(id: "demo-user-001") { interactions(first: ${f}) { totalCount } } }`],
  ["User.recommendations", (f) => `{ user(id: "demo-user-001") { recommendations(first: ${f}) { rank } } }`],
  ["User.similar", (f) => `{ user(id: "demo-user-001") { similar(first: ${f}) { score } } }`],
  ["Item.similar", (f) => `{ item(id: "demo-movie-001") { similar(first: ${f}) { rank } } }`],
];
for (const [field, build] of listFields) {
  const max = field === "features" ? "501" : "101";
  for (const f of ["0", "-1", max, "-2147483648"]) gql("first", `${field}(first: ${f})`, build(f), undefined, BAD_ARG);
  // Large values are refused by the query cost limit at validation (400) before the resolver's own check.
  for (const f of ["1000000", "2147483647"]) gql("first", `${field}(first: ${f})`, build(f), undefined, { status: [200, 400], codes: ["BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"] });
  for (const f of ["2147483648", "1e10", "1.5", '"10"', "NaN", "Infinity"]) gql("first", `${field}(first: ${f}) (not an Int)`, build(f), undefined, INVALID);
}
for (const [v, name] of [["1e10", "1e10"], ["-0.5", "-0.5"], ['"5"', "string"], ["true", "boolean"], ["[5]", "list"], ["1e309", "1e309"]] as const) {
  post("first", `items(first: $f) with variable ${name}`, `{"query":"query($f: Int) { items(first: $f) { totalCount } }","variables":{"f":${v}}}`, { status: [400], codes: ["BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"] });
}
gql("first", "items(first: null) takes the default", "{ items(first: null) { totalCount } }", undefined, { status: [200], maybeCodes: ["BAD_USER_INPUT"] });

// ------------------------------------------------------------ cursors
const cursorFields: [string, (c: string) => string][] = [
  ["items", (c) => `{ items(first: 2, after: ${c}) { totalCount nodes { id } } }`],
  ["features", (c) => `{ features(first: 2, after: ${c}) { nodes { value } } }`],
  ["recommendations", (c) => `{ recommendations(userId: "demo-user-001", first: 2, after: ${c}) { rank } }`],
  ["User.interactions", (c) => `{ user(id: "demo-user-001") { interactions(first: 2, after: ${c}) { nodes { type } } } }`],
];
const badCursors: [string, string][] = [
  ["empty", ""],
  ["not base64", "!!!!"],
  ["600 characters", "A".repeat(600)],
  ["random base64", b64("hello world")],
  ["wrong kind", b64("nope:1")],
  ["kind only", b64("item:")],
  ["JSON garbage", b64("item:{{{")],
  ["negative number", b64("item:-1")],
  ["fraction", b64("item:1.5")],
  ["beyond int4", b64("item:99999999999")],
  ["NUL inside", b64("item:\u00001")],
  ["injection-like", b64("item:1; DROP TABLE items")],
  ["__proto__ object", b64('item:{"__proto__":{"t":1}}')],
  ["rec: -1", b64("rec:-1")],
  ["rec: 1e400", b64("rec:1e400")],
  ["interaction: bad date", b64('interaction:{"t":"not a date","id":"1"}')],
  ["interaction: id not numeric", b64('interaction:{"t":"2026-01-01T00:00:00Z","id":"abc"}')],
  ["interaction: id beyond bigint", b64('interaction:{"t":"2026-01-01T00:00:00Z","id":"99999999999999999999999"}')],
  ["interaction: year 275760", b64('interaction:{"t":"+275760-09-13T00:00:00.000Z","id":"1"}')],
  ["feature: negative count", b64('feature:{"itemCount":-1,"id":1}')],
];
for (const [field, build] of cursorFields) {
  for (const [name, cursor] of badCursors) {
    // A cursor of the right kind with a plausible position may just give an empty or shifted page.
    gql("cursor", `${field}(after: ${name})`, build(lit(cursor)), undefined, { status: [200], maybeCodes: ["BAD_USER_INPUT"] });
  }
}
gql("cursor", "items(after: a cursor from recommendations)", `{ items(after: ${lit(b64("rec:3"))}) { totalCount } }`, undefined, BAD_ARG);
gql("cursor", "items(after: 123) (Int literal)", "{ items(after: 123) { totalCount } }", undefined, INVALID);

// ------------------------------------------------------------ ids
const hostileIds: [string, string][] = [
  ["empty", ""],
  ["blank", "   "],
  ["SQL tautology", "' OR '1'='1"],
  ["SQL drop", "1; DROP TABLE users; --"],
  ["SQL comment", "demo-user-001'--"],
  ["LIKE wildcard", "%"],
  ["backslash", "\\"],
  ["JNDI", "${jndi:ldap://127.0.0.1/x}"],
  ["HTML", "<script>alert(1)</script>"],
  ["path traversal", "../../../../etc/passwd"],
  ["negative number", "-1"],
  ["huge number", "99999999999999999999999"],
  ["NUL", "a\u0000b"],
  ["lone high surrogate", "a\ud800b"],
  ["lone low surrogate", "\udfff"],
  ["RTL override", "\u202eresu-omed"],
  ["zero-width joiner", "demo\u200duser"],
  ["emoji x 100", "😀".repeat(100)],
  ["combining marks", "e\u0301\u0301\u0301\u0301\u0301\u0301\u0301"],
  ["257 characters", "x".repeat(257)],
  ["100,000 characters", "y".repeat(100_000)],
  ["CRLF", "a\r\nSet-Cookie: x=1"],
];
const idFields: [string, string, (id: string) => Record<string, unknown>][] = [
  ["user(id)", "query($v: ID!) { user(id: $v) { id } }", (v) => ({ v })],
  ["item(id)", "query($v: ID!) { item(id: $v) { id } }", (v) => ({ v })],
  ["users(ids)", "query($v: [ID!]!) { users(ids: $v) { id } }", (v) => ({ v: [v, "demo-user-001"] })],
  ["recommendations(userId)", "query($v: ID!) { recommendations(userId: $v, first: 2) { rank strategy } }", (v) => ({ v })],
  ["similarItems(itemId)", "query($v: ID!) { similarItems(itemId: $v, first: 2) { rank } }", (v) => ({ v })],
  ["predictRating(itemId)", 'query($v: ID!) { predictRating(userId: "demo-user-001", itemId: $v) { rating } }', (v) => ({ v })],
  ["predictRating(userId)", 'query($v: ID!) { predictRating(userId: $v, itemId: "demo-movie-001") { rating } }', (v) => ({ v })],
  ["similarUsers(userId)", "query($v: ID!) { similarUsers(userId: $v, first: 2) { score } }", (v) => ({ v })],
  ["deleteUser(id)", "mutation($v: ID!) { deleteUser(id: $v) { id deletedInteractions } }", (v) => ({ v })],
  ["recordInteractions(userId)", 'mutation($v: ID!) { recordInteractions(interactions: [{ userId: $v, itemId: "demo-movie-002", type: VIEW }]) { accepted } }', (v) => ({ v })],
];
for (const [field, query, vars] of idFields) {
  for (const [name, id] of hostileIds) gql("ids", `${field} = ${name}`, query, vars(id), SERVED_OR_REFUSED);
}
gql("ids", "ID variable given as a number", "query($v: ID!) { user(id: $v) { id } }", { v: 123 }, { status: [200], ok: true });
gql("ids", "ID variable given as a float", "query($v: ID!) { user(id: $v) { id } }", { v: 1.5 }, BAD_VAR);
gql("ids", "ID variable given as an object", "query($v: ID!) { user(id: $v) { id } }", { v: { $gt: "" } }, BAD_VAR);
gql("ids", "ID variable given as a list", "query($v: ID!) { user(id: $v) { id } }", { v: ["a"] }, BAD_VAR);
gql("ids", "job(id) not a number", '{ job(id: "abc") { id } }', undefined, SERVED_OR_REFUSED);
gql("ids", "job(id) beyond bigint", '{ job(id: "99999999999999999999999") { id } }', undefined, SERVED_OR_REFUSED);
gql("ids", "job(id) negative", '{ job(id: "-1") { id } }', undefined, SERVED_OR_REFUSED);
gql("ids", "activateModel unknown name and version -1", 'mutation { activateModel(name: "nope", version: -1) { version } }', undefined, { status: [200], codes: ["NOT_FOUND", "BAD_USER_INPUT"] });
gql("ids", "trainModel unknown name (injection-like)", `mutation { trainModel(name: "'; DROP TABLE jobs; --") { id } }`, undefined, BAD_ARG);
for (const [name, v] of [["NUL", "a\u0000b"], ["lone surrogate", "\ud800"], ["10,000 characters", "m".repeat(10_000)]]) {
  gql("ids", `trainModel(name) = ${name}`, "mutation($n: String!) { trainModel(name: $n) { id } }", { n: v }, BAD_ARG);
  gql("ids", `activateModel(name) = ${name}`, "mutation($n: String!) { activateModel(name: $n, version: 1) { version } }", { n: v }, { status: [200], codes: ["BAD_USER_INPUT", "NOT_FOUND"] });
  gql("ids", `rollbackModel(name) = ${name}`, "mutation($n: String!) { rollbackModel(name: $n) { version } }", { n: v }, { status: [200], codes: ["BAD_USER_INPUT", "NOT_FOUND"] });
}
gql("ids", "rollbackModel with nothing to roll back", 'mutation { rollbackModel(name: "nope") { version } }', undefined, { status: [200], codes: ["BAD_USER_INPUT", "NOT_FOUND"] });

// ------------------------------------------------------------ ratings and numbers
const rec = (type: string, value: string) => `mutation { recordInteractions(interactions: [{ userId: "rating-user", itemId: "demo-movie-003", type: ${type}, value: ${value}, occurredAt: "2026-01-02T03:04:05Z" }]) { accepted created updated unchanged } }`;
for (const v of ["-1", "0", "0.49", "5.01", "6", "1e308", "1e309", "-1e309", "-0.0", "1e-320"]) gql("ratings", `RATING value ${v}`, rec("RATING", v), undefined, BAD_ARG);
for (const v of ["NaN", "Infinity", "-Infinity", '"4"', "true", "null"]) gql("ratings", `RATING value ${v} (not a Float)`, rec("RATING", v), undefined, v === "null" ? BAD_ARG : v === "-Infinity" ? PARSE : INVALID);
for (const v of ["0.5", "5", "3.14159265358979"]) gql("ratings", `RATING value ${v} (valid)`, rec("RATING", v), undefined, OK);
gql("ratings", "RATING without a value", 'mutation { recordInteractions(interactions: [{ userId: "rating-user", itemId: "demo-movie-003", type: RATING }]) { accepted } }', undefined, BAD_ARG);
for (const v of ["-1", "1e10", "1e308", "1e309", "3.5e38"]) gql("ratings", `PLAY amount ${v}`, rec("PLAY", v), undefined, BAD_ARG);
for (const v of ["1e-50", "1e-320", "999999999"]) gql("ratings", `PLAY amount ${v} (tiny or large but allowed)`, rec("PLAY", v), undefined, { status: [200], maybeCodes: ["BAD_USER_INPUT"] });
for (const v of ["1e309", "NaN", "-1e309"]) post("ratings", `RATING variable ${v} (raw JSON)`, `{"query":"mutation($v: Float) { recordInteractions(interactions: [{ userId: \\"rating-user\\", itemId: \\"demo-movie-003\\", type: RATING, value: $v }]) { accepted } }","variables":{"v":${v}}}`, v === "NaN" ? BAD_REQ : BAD_VAR);
for (const d of ["-0.1", "1.1", "1e309", "-1e309", "1e-400"]) gql("ratings", `recommendations(diversity: ${d})`, `{ recommendations(userId: "demo-user-001", diversity: ${d}) { rank } }`, undefined, d === "1e-400" ? { status: [200], maybeCodes: ["BAD_USER_INPUT"] } : BAD_ARG);
for (const w of ["-1", "0", "1e309", "1e39"]) gql("ratings", `upsertItems feature weight ${w}`, `mutation { upsertItems(items: [{ id: "weight-item", kind: OTHER, title: "w", features: [{ facet: "genre", value: "Test", weight: ${w} }] }]) { id } }`, undefined, BAD_ARG);
for (const y of ["-2147483648", "2147483647", "0"]) gql("ratings", `upsertItems releaseYear ${y}`, `mutation { upsertItems(items: [{ id: "year-item", kind: OTHER, title: "y", releaseYear: ${y} }]) { id releaseYear } }`, undefined, { status: [200], maybeCodes: ["BAD_USER_INPUT"] });
gql("ratings", "releaseYear filter from > to", "{ items(filter: { releaseYear: { from: 2000, to: 1990 } }) { totalCount } }", undefined, { status: [200], maybeCodes: ["BAD_USER_INPUT"] });
gql("ratings", "releaseYear filter with int4 extremes", "{ items(filter: { releaseYear: { from: -2147483648, to: 2147483647 } }) { totalCount } }", undefined, OK);
gql("ratings", "recommendations filter kinds: []", '{ recommendations(userId: "demo-user-001", filter: { kinds: [] }) { rank } }', undefined, BAD_ARG);
gql("ratings", "recommendations filter feature in all and none", '{ recommendations(userId: "demo-user-001", filter: { features: { all: [{ facet: "genre", value: "Drama" }], none: [{ facet: "genre", value: "Drama" }] } }) { rank } }', undefined, BAD_ARG);
const at = (t: string) => `mutation { recordInteractions(interactions: [{ userId: "date-user", itemId: "demo-movie-004", type: VIEW, occurredAt: ${lit(t)} }]) { accepted } }`;
for (const t of ["yesterday", "2026-13-45T00:00:00Z", "2026-02-30T00:00:00Z", "2026-04-31T12:00:00Z", "2026-01-01T00:00:00", "+275760-09-13T00:00:00Z", "-271821-04-20T00:00:00Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "", "2026-01-01T25:61:61Z"]) {
  // A bad literal is refused at validation (400 GRAPHQL_VALIDATION_FAILED).
  gql("ratings", `occurredAt ${JSON.stringify(t)}`, at(t), undefined, { status: [200, 400], codes: ["BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"] });
}
gql("ratings", "occurredAt as an Int literal", 'mutation { recordInteractions(interactions: [{ userId: "date-user", itemId: "demo-movie-004", type: VIEW, occurredAt: 1700000000 }]) { accepted } }', undefined, { status: [200, 400], codes: ["BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"] });
gql("ratings", "unknown item is NOT_FOUND and writes nothing", 'mutation { recordInteractions(interactions: [{ userId: "nf-user", itemId: "no-such-item", type: VIEW }]) { accepted } }', undefined, { status: [200], codes: ["NOT_FOUND"] });
gql("ratings", "empty interactions list", "mutation { recordInteractions(interactions: []) { accepted } }", undefined, { status: [200], maybeCodes: ["BAD_USER_INPUT"] });
gql("ratings", "10,000 interactions (at the limit)", "mutation($i: [InteractionInput!]!) { recordInteractions(interactions: $i) { accepted created } }",
  { i: Array.from({ length: 10_000 }, (_, k) => ({ userId: `limit-user-${k % 50}`, itemId: `demo-movie-${String((k % 90) + 1).padStart(3, "0")}`, type: "PLAY", value: 1, occurredAt: new Date(Date.UTC(2026, 0, 1) + k * 1000).toISOString() })) }, OK);

// ------------------------------------------------------------ unicode and long strings
const texts: [string, string][] = [
  ["NUL", "a\u0000b"],
  ["lone surrogate", "x\ud83dy"],
  ["RTL override", "\u202egnirts"],
  ["emoji and ZWJ family", "👨‍👩‍👧‍👦🎬"],
  ["LIKE wildcards", "%_\\"],
  ["100,000 characters", "z".repeat(100_000)],
  ["BOM and non-characters", "\ufeff\uffff\ufffe"],
  ["SQL", "'); DELETE FROM items; --"],
];
for (const [name, t] of texts) {
  gql("unicode", `titleContains ${name}`, "query($t: String) { items(filter: { titleContains: $t }) { totalCount } }", { t }, { status: [200], maybeCodes: ["BAD_USER_INPUT"] });
  gql("unicode", `upsertItems title ${name}`, "mutation($t: String!) { upsertItems(items: [{ id: \"uni-item\", kind: BOOK, title: $t }]) { id title } }", { t }, { status: [200], maybeCodes: ["BAD_USER_INPUT"] });
  gql("unicode", `feature facet/value ${name}`, 'query($t: String!) { items(filter: { feature: { facet: $t, value: $t } }) { totalCount } }', { t }, { status: [200], maybeCodes: ["BAD_USER_INPUT"] });
  gql("unicode", `features(facet) ${name}`, "query($t: String) { features(facet: $t) { totalCount } }", { t }, { status: [200], maybeCodes: ["BAD_USER_INPUT"] });
  gql("unicode", `user attributes value ${name}`, 'mutation($a: JSON) { upsertUsers(users: [{ id: "uni-user", attributes: $a }]) { id attributes } }', { a: { note: t } }, { status: [200, 400], maybeCodes: ["BAD_USER_INPUT"] });
}
gql("unicode", "user attributes key with NUL", 'mutation($a: JSON) { upsertUsers(users: [{ id: "uni-user", attributes: $a }]) { id } }', { a: { "k\u0000": 1 } }, { status: [200, 400], codes: ["BAD_USER_INPUT"] });
gql("unicode", "item description 1 MB", 'mutation($d: String) { upsertItems(items: [{ id: "long-item", kind: BOOK, title: "long", description: $d }]) { id } }', { d: "d".repeat(1_000_000) }, { status: [200], maybeCodes: ["BAD_USER_INPUT"] });
gql("unicode", "item with 5,000 features", 'mutation($f: [ItemFeatureInput!]) { upsertItems(items: [{ id: "many-features", kind: BOOK, title: "f", features: $f }]) { id } }', { f: Array.from({ length: 5000 }, (_, k) => ({ facet: "tag", value: `t${k}` })) }, { status: [200], maybeCodes: ["BAD_USER_INPUT"] });
gql("unicode", "GraphQL string literal with \\u0000 escape", '{ item(id: "\\u0000") { id } }', undefined, { status: [200], maybeCodes: ["BAD_USER_INPUT"] });
gql("unicode", "GraphQL block string with RTL and emoji", '{ item(id: """\u202e😀""") { id } }', undefined, OK);
gql("unicode", "duplicate ids within one upsert", 'mutation { upsertItems(items: [{ id: "dup", kind: BOOK, title: "a" }, { id: "dup", kind: GAME, title: "b" }]) { id kind } }', undefined, { status: [200], maybeCodes: ["BAD_USER_INPUT"] });
gql("unicode", "attributes not an object", 'mutation { upsertUsers(users: [{ id: "attr-user", attributes: [1, 2] }]) { id } }', undefined, { status: [200, 400], codes: ["BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"] });

// ------------------------------------------------------------ persisted queries
gql("persisted", "unknown hash", "", undefined, { status: [200], codes: ["PERSISTED_QUERY_NOT_FOUND"] });
cases.pop();
cases.push({ group: "persisted", name: "unknown hash", send: (s) => postGraphql(s.url, { extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } }), expect: { status: [200, 404], codes: ["PERSISTED_QUERY_NOT_FOUND"] } });
cases.push({ group: "persisted", name: "hash not matching the query", send: (s) => postGraphql(s.url, { query: "{ ok }", extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } }), expect: { status: [400], codes: ["BAD_REQUEST"] } });
cases.push({ group: "persisted", name: "persistedQuery version 2", send: (s) => postGraphql(s.url, { extensions: { persistedQuery: { version: 2, sha256Hash: "0".repeat(64) } } }), expect: { status: [400], codes: ["BAD_REQUEST"] } });
cases.push({ group: "persisted", name: "persistedQuery hash not a string", send: (s) => postGraphql(s.url, { extensions: { persistedQuery: { version: 1, sha256Hash: 5 } } }), expect: { status: [200, 400], maybeCodes: ["BAD_REQUEST", "PERSISTED_QUERY_NOT_FOUND"] } });

// ------------------------------------------------------------ running

interface Outcome {
  c: Case;
  a: Answer;
  problems: string[];
}

function judge(c: Case, a: Answer): string[] {
  const e = c.expect;
  const problems: string[] = [];
  if (a.status === null) {
    if (!e.noAnswerOk) problems.push(`no HTTP answer (${a.failure}) after ${a.ms.toFixed(0)} ms`);
    return problems;
  }
  if (a.ms > 10_000) problems.push(`slow: ${a.ms.toFixed(0)} ms`);
  if (!e.status.includes(a.status)) problems.push(`status ${a.status}, expected ${e.status.join("/")}`);
  if (a.status >= 500 && !e.status.includes(a.status)) problems.push(`5xx`);
  const body = parseJson(a.body);
  const codes = errorCodes(body);
  if (!body && !e.rawOk && a.status !== 302 && !(c.group === "http" && /metrics|HEAD/.test(c.name))) problems.push(`body is not JSON: ${short(a.body, 80)}`);
  problems.push(...genericProblems(a, e.allowInternal).filter((p) => !(a.status === null)));
  if (e.codes) {
    if (codes.length === 0) problems.push(`expected an error coded ${e.codes.join("/")}, got none`);
    else if (codes.some((x) => !e.codes!.includes(x!))) problems.push(`codes ${codes.join(",")}, expected ${e.codes.join("/")}`);
  }
  if (e.maybeCodes && codes.some((x) => x !== undefined && !e.maybeCodes!.includes(x) && !(e.allowInternal && x === "INTERNAL_SERVER_ERROR"))) {
    problems.push(`codes ${codes.join(",")}, allowed ${e.maybeCodes.join("/")}`);
  }
  if (e.ok) {
    if (codes.length > 0) problems.push(`expected success, got ${codes.join(",")}: ${short(String(body?.errors?.[0]?.message ?? ""), 100)}`);
    else if (body && (body.data === null || body.data === undefined)) problems.push("expected data");
  }
  return [...new Set(problems)];
}

// Server bugs found by this script and reported (RELIABILITY.md lists them
// with their reproduction). They still fail the run unless --allow-known.
const KNOWN: Record<string, string> = {
  // Fixed on 2026-11-29 (test/integration/hostileRegressions.test.ts): subscriptions,
  // NUL and lone surrogates in ids and filters, out-of-range cursor dates,
  // real overflow of amounts and weights, impossible DateTimes, persisted
  // query version 2. RELIABILITY.md lists them.
};
// Server log lines that come from known bugs (none now).
const KNOWN_LOG = /$^/;
const DOCUMENTED_LOG = /provided sha does not match query/;

// Authentication (MARQUEE_AUTH=on), when the API keys module and its CLI exist.
async function authCases(dbUrl: string): Promise<{ cases: Case[]; note: string; env?: Record<string, string> }> {
  if (!fs.existsSync(path.join(ROOT, "src/auth/apiKeys.ts"))) return { cases: [], note: "skipped: src/auth/apiKeys.ts does not exist" };
  if (!fs.existsSync(path.join(ROOT, "src/cli/keys.ts"))) return { cases: [], note: "skipped: src/cli/keys.ts (npm run keys) does not exist" };
  const made = spawnSync(process.execPath, ["--import", "tsx", "src/cli/keys.ts", "create", "--role", "admin", "--name", "hostile"], {
    cwd: ROOT, env: { ...process.env, DATABASE_URL: dbUrl, MARQUEE_AUTH: "on" }, encoding: "utf8", timeout: 60_000,
  });
  const output = `${made.stdout ?? ""}\n${made.stderr ?? ""}`;
  const key = [...output.matchAll(/[A-Za-z0-9_.~+/=-]{24,}/g)].map((m) => m[0]).filter((t) => !/^[-=]+$/.test(t)).sort((a, b) => b.length - a.length)[0];
  if (made.status !== 0 || !key) return { cases: [], note: `skipped: npm run keys -- create failed (exit ${made.status}): ${short(output, 300)}` };
  const UNAUTH: Expect = { status: [401], codes: ["UNAUTHENTICATED"] };
  const q = '{"query":"{ ok }"}';
  const withAuth = (name: string, authorization: string | undefined, expect: Expect, body = q): Case => ({
    group: "auth", name,
    send: (s) => httpFetch(s.url, { method: "POST", headers: { "content-type": "application/json", ...(authorization === undefined ? {} : { authorization }) }, body }),
    expect,
  });
  const list: Case[] = [
    withAuth("no Authorization header", undefined, UNAUTH),
    withAuth("Bearer with a wrong key", "Bearer mq_wrong_key_0000000000000000", UNAUTH),
    withAuth("Bearer with the key plus one character", `Bearer ${key}x`, UNAUTH),
    withAuth("Bearer with a truncated key", `Bearer ${key.slice(0, -1)}`, UNAUTH),
    withAuth("Bearer and nothing", "Bearer", UNAUTH),
    withAuth("Bearer and a space", "Bearer ", UNAUTH),
    withAuth("Basic scheme", "Basic dXNlcjpwYXNz", UNAUTH),
    withAuth("the key without a scheme", key, UNAUTH),
    withAuth("Bearer with 10,000 characters", `Bearer ${"k".repeat(10_000)}`, UNAUTH),
    withAuth("Bearer with unicode", "Bearer \u00e9\u00e8\u00ea", UNAUTH),
    withAuth("Bearer with SQL", "Bearer ' OR '1'='1", UNAUTH),
    withAuth("two keys in one header", `Bearer ${key}, Bearer ${key}`, { status: [400, 401], codes: ["UNAUTHENTICATED", "BAD_REQUEST"] }),
    withAuth("no key, mutation", undefined, UNAUTH, '{"query":"mutation { recordInteractions(interactions: [{ userId: \\"auth-user\\", itemId: \\"demo-movie-001\\", type: VIEW }]) { accepted } }"}'),
    withAuth("no key, malformed JSON", undefined, { status: [400, 401], codes: ["UNAUTHENTICATED", "BAD_REQUEST"] }, "{nope"),
    withAuth("the right key", `Bearer ${key}`, OK),
    withAuth("the right key, lower-case scheme", `bearer ${key}`, { status: [200, 401], maybeCodes: ["UNAUTHENTICATED"] }),
    { group: "auth", name: "GET /healthz without a key", send: (s) => httpFetch(`${s.base}/healthz`), expect: { status: [200] } },
    // Node keeps the first of duplicate Authorization headers and drops the rest.
    { group: "auth", name: "two Authorization headers, the right key first (raw)", send: (s) => rawHttp(s.port, [`POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${key}\r\nAuthorization: Bearer wrong\r\nContent-Length: ${q.length}\r\nConnection: close\r\n\r\n${q}`]), expect: { status: [200, 400, 401], maybeCodes: ["UNAUTHENTICATED", "BAD_REQUEST"], rawOk: true } },
    { group: "auth", name: "two Authorization headers, a wrong key first (raw)", send: (s) => rawHttp(s.port, [`POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer wrong\r\nAuthorization: Bearer ${key}\r\nContent-Length: ${q.length}\r\nConnection: close\r\n\r\n${q}`]), expect: { status: [400, 401], codes: ["UNAUTHENTICATED", "BAD_REQUEST"], rawOk: true } },
    { group: "auth", name: "Authorization with a control character (raw)", send: (s) => rawHttp(s.port, [`POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer a\u0001b\r\nContent-Length: ${q.length}\r\nConnection: close\r\n\r\n${q}`]), expect: { status: [400, 401], rawOk: true } },
  ];
  return { cases: list, note: `${list.length} cases with MARQUEE_AUTH=on and a key from npm run keys -- create` };
}

async function runCases(list: Case[], server: ServerProcess, verbose: boolean, outcomes: Outcome[]): Promise<boolean> {
  for (const c of list) {
    const a = await c.send(server);
    const problems = judge(c, a);
    if (server.exit) problems.push(`SERVER EXITED ${JSON.stringify(server.exit)}`);
    outcomes.push({ c, a, problems });
    if (verbose || problems.length > 0) {
      process.stdout.write(`${problems.length ? "FAIL" : "ok  "} [${c.group}] ${c.name}: ${a.status ?? a.failure} ${a.ms.toFixed(0)} ms ${short(a.body, 160)}${problems.length ? `\n      -> ${problems.join("; ")}` : ""}\n`);
    }
    if (server.exit) return false;
  }
  return true;
}

async function main(): Promise<boolean> {
  const only = arg("only", "");
  const verbose = flag("verbose");
  const allowKnown = flag("allow-known");
  const chosen = only ? cases.filter((c) => c.group === only) : cases;
  const started = new Date();
  process.stdout.write(`hostile: ${chosen.length} cases (plus auth); ${started.toISOString()}; load average ${loadAverage()}\n`);
  const db = await createScratchDb("marquee_hostile");
  if (!flag("keep-db")) onCleanup(() => db.drop());
  process.stdout.write(`scratch database ${db.name}\n`);
  const server = await startServer({ DATABASE_URL: db.url, MARQUEE_AUTH: "off" }, "hostile");
  const readyMs = await waitReady(server);
  process.stdout.write(`server pid ${server.pid} ready in ${(readyMs / 1000).toFixed(1)} s on port ${server.port}; log ${server.logFile}\n`);

  const outcomes: Outcome[] = [];
  let crashed = !(await runCases(chosen, server, verbose, outcomes));

  // The auth cases need a second server with MARQUEE_AUTH=on on the same database.
  const auth = only && only !== "auth" ? { cases: [], note: "skipped (--only)" } : await authCases(db.url);
  let authServer: ServerProcess | undefined;
  if (auth.cases.length > 0) {
    authServer = await startServer({ DATABASE_URL: db.url, MARQUEE_AUTH: "on" }, "hostile-auth");
    await waitReadyAuth(authServer);
    if (!(await runCases(auth.cases, authServer, verbose, outcomes))) crashed = true;
  }

  // Afterwards: alive, healthy, ready, and serving a real query.
  const after: [string, boolean, string][] = [];
  const health = await httpFetch(`${server.base}/healthz`);
  after.push(["/healthz 200", health.status === 200, `${health.status} ${short(health.body, 60)}`]);
  const ready = await httpFetch(`${server.base}/readyz`);
  after.push(["/readyz 200", ready.status === 200, `${ready.status}`]);
  const real = await postGraphql(server.url, { query: '{ recommendations(userId: "demo-user-001", first: 5) { rank item { id title } } }' });
  const realBody = parseJson(real.body) as { data?: { recommendations?: unknown[] } } | undefined;
  after.push(["real recommendations query", real.status === 200 && (realBody?.data?.recommendations?.length ?? 0) === 5, `${real.status} ${real.ms.toFixed(0)} ms`]);
  after.push(["server process alive", server.exit === null, server.exit ? JSON.stringify(server.exit) : `pid ${server.pid}`]);
  if (authServer) after.push(["auth server process alive", authServer.exit === null, authServer.exit ? JSON.stringify(authServer.exit) : `pid ${authServer.pid}`]);
  const logText = [server, authServer].filter(Boolean).map((s) => fs.readFileSync(s!.logFile, "utf8")).join("\n");
  const errorLines = logText.split("\n").filter((l) => /"unexpected error"|request failed|request handling failed|unhandled rejection|uncaught/i.test(l) && !DOCUMENTED_LOG.test(l));
  const unknownLines = errorLines.filter((l) => !KNOWN_LOG.test(l));
  after.push(["no unexpected errors in the server log", unknownLines.length === 0 && (allowKnown || errorLines.length === 0),
    `${errorLines.length} lines (${errorLines.length - unknownLines.length} from known bugs)`]);

  // Summary.
  const groups = [...new Set(outcomes.map((o) => o.c.group))];
  const keyOf = (o: Outcome) => `[${o.c.group}] ${o.c.name}`;
  const rows = groups.map((g) => {
    const os = outcomes.filter((o) => o.c.group === g);
    const statuses = new Map<string, number>();
    for (const o of os) statuses.set(String(o.a.status ?? "none"), (statuses.get(String(o.a.status ?? "none")) ?? 0) + 1);
    return [g, os.length, os.filter((o) => o.problems.length === 0).length, os.filter((o) => o.problems.length > 0).length,
      [...statuses].sort().map(([st, n]) => `${st}×${n}`).join(" "), Math.round(Math.max(...os.map((o) => o.a.ms)))];
  });
  const failed = outcomes.filter((o) => o.problems.length > 0);
  const known = failed.filter((o) => KNOWN[keyOf(o)] !== undefined);
  const unknown = failed.filter((o) => KNOWN[keyOf(o)] === undefined);
  const ms = outcomes.map((o) => o.a.ms).sort((a, b) => a - b);
  const fivexx = outcomes.filter((o) => (o.a.status ?? 0) >= 500);
  const internal = outcomes.filter((o) => errorCodes(parseJson(o.a.body)).includes("INTERNAL_SERVER_ERROR"));
  const uncoded = outcomes.filter((o) => errorCodes(parseJson(o.a.body)).includes(undefined));
  process.stdout.write(`\n${table(rows, ["group", "cases", "passed", "failed", "statuses", "max ms"])}\n`);
  process.stdout.write(`\ntotal ${outcomes.length} requests: ${outcomes.length - failed.length} passed, ${failed.length} failed (${known.length} known bugs, ${unknown.length} new)\n`);
  process.stdout.write(`server crashes: ${crashed ? "YES" : "0"}; 5xx answers: ${fivexx.length}; answers with INTERNAL_SERVER_ERROR: ${internal.length}; errors without extensions.code: ${uncoded.length}\n`);
  process.stdout.write(`latency p50 ${ms[Math.floor(ms.length / 2)].toFixed(0)} ms, p99 ${ms[Math.floor(ms.length * 0.99)].toFixed(0)} ms, max ${ms[ms.length - 1].toFixed(0)} ms; load average ${loadAverage()}\n`);
  process.stdout.write(`\n${table(after.map(([n, ok, d]) => [n, ok ? "ok" : "FAIL", d]), ["after the run", "result", "detail"])}\n`);
  process.stdout.write(`auth cases: ${auth.note}\n`);
  if (known.length > 0) {
    process.stdout.write(`\nknown bugs (reported; ${allowKnown ? "not counted: --allow-known" : "counted as failures; --allow-known to leave them out"}):\n`);
    for (const o of known) process.stdout.write(`- ${keyOf(o)}: ${KNOWN[keyOf(o)]}\n    answer: ${o.a.status ?? o.a.failure} ${short(o.a.body, 220)}\n`);
  }
  if (unknown.length > 0) {
    process.stdout.write("\nfailures:\n");
    for (const o of unknown) process.stdout.write(`- ${keyOf(o)}: ${o.problems.join("; ")}\n    answer: ${o.a.status ?? o.a.failure} ${short(o.a.body, 300)}\n`);
  }
  if (errorLines.length > 0) process.stdout.write(`\nserver log error lines:\n${errorLines.slice(0, 30).map((l) => `  ${short(l, 300)}`).join("\n")}\n`);
  await authServer?.stop();
  await server.stop();
  const pass = !crashed && unknown.length === 0 && (allowKnown || known.length === 0) && after.every(([, ok]) => ok);
  process.stdout.write(`\nhostile: ${pass ? "PASS" : "FAIL"}\n`);
  return pass;
}

// With auth on /readyz may itself need no key; fall back to /healthz.
async function waitReadyAuth(s: ServerProcess): Promise<void> {
  try {
    await waitReady(s, 120_000);
  } catch (error) {
    if (s.exit) throw error;
  }
}

void spawnSync;
void cleanup;
runMain(main);
