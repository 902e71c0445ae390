// Runs graphql-http's server audits (GraphQL over HTTP conformance) against a running server
// and prints the results as one JSON array on stdout.
//
//   node tests/conformance/audit.mjs <url>      (env: SARING_KEY, GRAPHQL_HTTP_MODULE)
//
// The audits send no Authorization header; a fetchFn wrapping global fetch adds the key to
// every request, so the audits reach the GraphQL layer instead of stopping at the 401.
import { pathToFileURL } from "node:url";

const url = process.argv[2];
const key = process.env.SARING_KEY;
const modulePath = process.env.GRAPHQL_HTTP_MODULE;
if (!url || !key || !modulePath) {
  console.error("usage: SARING_KEY=... GRAPHQL_HTTP_MODULE=<path to graphql-http> node audit.mjs <url>");
  process.exit(2);
}
const { auditServer } = await import(pathToFileURL(modulePath).href);

async function fetchWithKey(input, init = {}) {
  const headers = new Headers(init.headers ?? {});
  headers.set("authorization", `Bearer ${key}`);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn: fetchWithKey });
const out = [];
for (const result of results) {
  const entry = { id: result.id, name: result.name, status: result.status };
  if (result.status !== "ok") {
    entry.reason = result.reason;
    try {
      entry.responseStatus = result.response.status;
      entry.responseType = result.response.headers.get("content-type");
      entry.responseBody = (await result.response.text()).slice(0, 500);
    } catch {
      // the body may have been consumed by the audit already
    }
  }
  out.push(entry);
}
process.stdout.write(JSON.stringify(out));
