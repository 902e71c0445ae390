// A regulator's orders: the list, one order with its targets, withdrawal, disputes to resolve.
import { ApiError, gql } from "../api.js";
import { alertBox, badge, h } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { inlineForm, targetFields, targetTable } from "./common.js";

const PAGE = 20;
const STATUSES = ["ISSUING", "ISSUED", "WITHDRAWN"];
const ORDER_FIELDS = "id reference legalBasis reason agency urgency issuedAt deadline status targetCount";

function openById() {
  const input = h("input", { type: "text", "aria-label": t("orders.open") });
  return h("form", {
    class: "card row", onsubmit: (event) => {
      event.preventDefault();
      if (input.value.trim()) location.hash = `#/order/${encodeURIComponent(input.value.trim())}`;
    },
  }, h("div", {}, h("label", {}, t("orders.open")), input),
  h("div", { style: "flex:0 0 auto;align-self:end" }, h("button", { class: "secondary", type: "submit" }, t("orders.openButton"))));
}

const filters = { reference: "", status: "" };

export async function renderOrders(container, session) {
  container.append(h("h1", {}, t("orders.title")));
  if (session.notice) container.append(alertBox("ok", session.notice));
  if (!session.caps.orderList) {
    container.append(alertBox("info", t("unavailable", { what: "takedownOrders" })), openById());
    return;
  }
  const reference = h("input", { type: "text", value: filters.reference, "aria-label": t("orders.filterReference"), placeholder: t("orders.filterReference") });
  const status = h("select", { "aria-label": t("orders.status") },
    h("option", { value: "" }, t("orders.filterStatus")),
    STATUSES.map((name) => h("option", { value: name, selected: filters.status === name }, t(`status.${name}`))));
  container.append(h("form", {
    class: "row", onsubmit: (event) => {
      event.preventDefault();
      filters.reference = reference.value.trim();
      filters.status = status.value;
      session.refresh();
    },
  }, reference, status, h("div", { style: "flex:0 0 auto" }, h("button", { class: "secondary", type: "submit" }, t("orders.filter")))));

  const body = h("tbody");
  const table = h("table", { "data-testid": "orders" },
    h("thead", {}, h("tr", {},
      ["orders.reference", "orders.issuedAt", "orders.deadline", "orders.urgency", "orders.status", "orders.targets"]
        .map((key) => h("th", {}, t(key))))),
    body);
  const pager = h("div", { class: "pager" });
  container.append(h("div", { class: "card" }, table, pager));

  const load = async (after) => {
    const data = await gql(`query Orders($first: Int, $after: String, $reference: String, $status: OrderStatus) {
      takedownOrders(first: $first, after: $after, reference: $reference, status: $status) {
        edges { cursor node { ${ORDER_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
    { first: PAGE, after, reference: filters.reference || null, status: filters.status || null });
    const page = data.takedownOrders;
    for (const { node } of page.edges) {
      body.append(h("tr", { "data-order": node.id },
        h("td", {}, h("a", { href: `#/order/${encodeURIComponent(node.id)}` }, node.reference)),
        h("td", {}, formatDateTime(node.issuedAt)),
        h("td", {}, formatDateTime(node.deadline)),
        h("td", {}, t(`urgency.${node.urgency}`)),
        h("td", {}, badge(node.status, t(`status.${node.status}`))),
        h("td", { class: "num" }, node.targetCount)));
    }
    if (!body.children.length) body.append(h("tr", {}, h("td", { colspan: 6, class: "muted" }, t("orders.empty"))));
    pager.replaceChildren(page.pageInfo.hasNextPage
      ? h("button", { class: "secondary", type: "button", onclick: () => load(page.pageInfo.endCursor) }, t("orders.more"))
      : "");
  };
  await load(null);
  container.append(openById());
}

export async function renderOrder(container, session) {
  const { caps, me } = session;
  let order;
  try {
    const withdrawal = caps.withdraw ? " withdrawnAt withdrawReason" : "";
    const data = await gql(`query Order($id: ID!) { takedownOrder(id: $id) { ${ORDER_FIELDS}${withdrawal} targets { ${targetFields(caps)} } } }`,
      { id: session.param });
    order = data.takedownOrder;
  } catch (error) {
    if (!(error instanceof ApiError && error.code === "NOT_FOUND")) throw error;
  }
  container.append(h("p", {}, me.role === "REGULATOR"
    ? h("a", { href: "#/orders" }, t("order.back"))
    : h("a", { href: "#/targets" }, t("order.backTargets"))));
  if (!order) {
    container.append(alertBox("error", t("order.notFound")));
    return;
  }
  container.append(h("h1", {}, t("order.title", { reference: order.reference })));
  if (session.notice) container.append(alertBox("ok", session.notice));
  container.append(h("section", { class: "card" }, h("dl", { class: "facts" },
    h("dt", {}, t("orders.status")), h("dd", { "data-testid": "order-status" }, badge(order.status, t(`status.${order.status}`))),
    h("dt", {}, t("order.agency")), h("dd", {}, order.agency),
    h("dt", {}, t("order.legalBasis")), h("dd", {}, order.legalBasis),
    h("dt", {}, t("order.reason")), h("dd", {}, order.reason),
    h("dt", {}, t("orders.urgency")), h("dd", {}, t(`urgency.${order.urgency}`)),
    h("dt", {}, t("orders.issuedAt")), h("dd", {}, formatDateTime(order.issuedAt)),
    h("dt", {}, t("orders.deadline")), h("dd", {}, formatDateTime(order.deadline)),
    h("dt", {}, t("orders.targets")), h("dd", {}, `${order.targets.length} / ${order.targetCount}`),
    order.withdrawnAt ? [h("dt", {}, t("order.withdrawnAt")), h("dd", {}, formatDateTime(order.withdrawnAt))] : null,
    order.withdrawReason ? [h("dt", {}, t("order.withdrawReason")), h("dd", {}, order.withdrawReason)] : null)));

  const columns = ["platform", "kind", "value", "seller", "state", "deadline", "resolvedAt", "note"];
  if (caps.resolveDispute) columns.push("resolution");
  if (caps.notices) columns.push("notices");
  const regulator = me.role === "REGULATOR";
  container.append(h("section", { class: "card" },
    h("h2", {}, t("orders.targets")),
    targetTable(order.targets, columns, regulator && caps.resolveDispute
      ? (target) => target.state === "DISPUTED" ? resolveButton(target, session) : null
      : null)));

  if (regulator && caps.withdraw && order.status === "ISSUED" && order.agency === me.agency) {
    const slot = h("div");
    const open = h("button", {
      class: "danger", type: "button", onclick: () => {
        open.hidden = true;
        const reason = h("textarea", { rows: 2 });
        slot.replaceChildren(inlineForm({
          inputs: [[t("order.withdrawReason"), reason, "reason"]],
          submitLabel: t("order.withdrawConfirm"),
          danger: true,
          send: ({ reason: text }) => gql(`mutation Withdraw($input: WithdrawTakedownInput!) {
            withdrawTakedown(input: $input) { id status } }`, { input: { orderId: order.id, reason: text } }),
          onDone: () => session.go(`#/order/${encodeURIComponent(order.id)}`, t("order.withdrawn")),
          onCancel: () => { slot.replaceChildren(); open.hidden = false; },
        }));
        reason.focus();
      },
    }, t("order.withdraw"));
    container.append(h("section", { class: "card" }, open, slot));
  }
}

function resolveButton(target, session) {
  const slot = h("div");
  const open = h("button", {
    class: "secondary", type: "button", onclick: () => {
      open.hidden = true;
      const resolution = h("select", {}, ["UPHELD", "WITHDRAWN"].map((name) => h("option", { value: name }, t(`disputes.${name}`))));
      const note = h("textarea", { rows: 2 });
      slot.replaceChildren(inlineForm({
        inputs: [[t("disputes.resolution"), resolution, "resolution"], [t("disputes.note"), note, "note"]],
        submitLabel: t("disputes.resolve"),
        send: (values) => gql(`mutation Resolve($input: ResolveDisputeInput!) {
          resolveDispute(input: $input) { id state deadline } }`, { input: { targetId: target.id, ...values } }),
        onDone: () => session.go(location.hash, t("disputes.done")),
        onCancel: () => { slot.replaceChildren(); open.hidden = false; },
      }));
    },
  }, t("disputes.resolve"));
  return h("div", {}, open, slot);
}

export async function renderDisputes(container, session) {
  container.append(h("h1", {}, t("disputes.title")));
  if (session.notice) container.append(alertBox("ok", session.notice));
  if (!session.caps.resolveDispute) container.append(alertBox("info", t("unavailable", { what: "resolveDispute" })));
  const data = await gql(`query Disputes { takedownTargets(state: DISPUTED, first: 100) { edges { node { ${targetFields(session.caps)} } } } }`);
  const targets = data.takedownTargets.edges.map((edge) => edge.node);
  if (!targets.length) {
    container.append(alertBox("info", t("disputes.empty")));
    return;
  }
  container.append(h("div", { class: "card" }, targetTable(targets,
    ["reference", "platform", "value", "seller", "note", "deadline"],
    session.caps.resolveDispute ? (target) => resolveButton(target, session) : null)));
}
