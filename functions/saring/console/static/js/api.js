// The GraphQL API, reached with the key the user pasted. The key lives in sessionStorage only:
// gone when the tab closes, never in localStorage or a cookie.
const KEY_SLOT = "saring.apiKey";

let config = null;

export async function loadConfig() {
  if (!config) {
    const response = await fetch("config.json", { cache: "no-store" });
    if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
    config = await response.json();
  }
  return config;
}

export function platforms() {
  return config ? config.platforms : [];
}

export function storedKey() {
  return sessionStorage.getItem(KEY_SLOT);
}

export function storeKey(key) {
  sessionStorage.setItem(KEY_SLOT, key);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY_SLOT);
}

/** The key was refused (HTTP 401): unknown, revoked or expired. */
export class Unauthenticated extends Error {}

/** GraphQL answered with errors; `field` is the input field the first one names, if any. */
export class ApiError extends Error {
  constructor(errors, data) {
    super(errors.map((error) => error.message).join("; "));
    this.errors = errors;
    this.data = data;
  }

  get code() {
    return this.errors[0]?.extensions?.code;
  }

  get field() {
    return this.errors[0]?.extensions?.field;
  }

  /**
   * Whether the server refused the document before running any of it (it does not validate:
   * a field, argument, type or input field the server does not know). Execution errors carry
   * a path; these do not, and come without data.
   */
  get unsupported() {
    return !this.data && this.errors.every((error) => !error.path);
  }
}

export async function gql(query, variables = {}, key = storedKey()) {
  const { graphql } = await loadConfig();
  const response = await fetch(graphql, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
    credentials: "omit",
  });
  if (response.status === 401) throw new Unauthenticated(response.statusText);
  let body;
  try {
    body = await response.json();
  } catch {
    throw new Error(`HTTP ${response.status}`);
  }
  if (body.errors && body.errors.length) throw new ApiError(body.errors, body.data);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return body.data;
}

// What this server supports beyond the first release's schema. Each probe names the operation
// under @include(if: false): the server validates it (an unknown field or type fails) and runs
// nothing. Introspection may be off in a deployment, so the console does not rely on it.
const PROBES = {
  orderList: "query($x: Boolean! = false) { takedownOrders(first: 1) @include(if: $x) { edges { cursor } } }",
  withdraw: "mutation($x: Boolean! = false) { withdrawTakedown(input: {orderId: \"-\", reason: \"-\"}) @include(if: $x) { id } }",
  resolveDispute: "mutation($x: Boolean! = false) { resolveDispute(input: {targetId: \"-\", resolution: UPHELD, note: \"-\"}) @include(if: $x) { id } }",
  notices: "query($x: Boolean! = false) { takedownTargets(first: 1) @include(if: $x) { edges { node { notices { level issuedAt } } } } }",
  complianceNotices: "query($x: Boolean! = false) { compliance(platform: \"-\", since: \"2026-01-01T00:00:00Z\", until: \"2026-01-02T00:00:00Z\") @include(if: $x) { noticesSt1 noticesSt2 noticesSt3 } }",
  complianceWithdrawn: "query($x: Boolean! = false) { compliance(platform: \"-\", since: \"2026-01-01T00:00:00Z\", until: \"2026-01-02T00:00:00Z\") @include(if: $x) { withdrawn } }",
  complianceAppeals: "query($x: Boolean! = false) { compliance(platform: \"-\", since: \"2026-01-01T00:00:00Z\", until: \"2026-01-02T00:00:00Z\") @include(if: $x) { overdueAppeals } }",
  appeals: "query($x: Boolean! = false) { seller(platform: \"-\", sellerId: \"-\") @include(if: $x) { appeals(first: 1) { edges { node { id } } } } }",
  decideAppeal: "mutation($x: Boolean! = false) { decideAppeal(input: {appealId: \"-\", decision: UPHELD, note: \"-\"}) @include(if: $x) { id } }",
};

export async function probeCapabilities() {
  const names = Object.keys(PROBES);
  const answers = await Promise.all(names.map(async (name) => {
    try {
      await gql(PROBES[name]);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.unsupported) return false;
      throw error;
    }
  }));
  return Object.fromEntries(names.map((name, i) => [name, answers[i]]));
}
