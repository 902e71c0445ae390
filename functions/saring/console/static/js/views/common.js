// Pieces several views share: the target table, the fields a target query selects, inline forms.
import { ApiError } from "../api.js";
import { alertBox, badge, describe, field, h, showFieldErrors } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";

export function targetFields(caps) {
  return `id orderId reference platform kind value sellerId state note deadline resolvedAt late overdue${caps.notices ? " notices { level issuedAt }" : ""}${caps.resolveDispute ? " disputeResolution resolutionNote" : ""}`;
}

export function stateBadges(target) {
  return [
    badge(target.state, t(`state.${target.state}`)),
    target.overdue ? [" ", badge("overdue", t("target.overdue"))] : null,
    target.late ? [" ", badge("overdue", t("target.late"))] : null,
  ];
}

export function noticeBadges(target) {
  if (!target.notices) return null;
  if (!target.notices.length) return t("none");
  return target.notices.map((notice) =>
    h("span", { title: formatDateTime(notice.issuedAt) }, badge(notice.level, notice.level), " "));
}

/** columns: names among reference, platform, kind, value, seller, state, deadline, resolvedAt, notices, note. */
export function targetTable(targets, columns, actions) {
  const cells = {
    reference: (target) => h("a", { href: `#/order/${encodeURIComponent(target.orderId)}` }, target.reference),
    platform: (target) => target.platform,
    kind: (target) => target.kind,
    value: (target) => h("span", { class: "mono" }, target.value),
    seller: (target) => target.sellerId ? h("span", { class: "mono" }, target.sellerId) : t("none"),
    state: stateBadges,
    deadline: (target) => formatDateTime(target.deadline),
    resolvedAt: (target) => formatDateTime(target.resolvedAt),
    notices: noticeBadges,
    note: (target) => target.note || t("none"),
    resolution: (target) => target.disputeResolution
      ? [t(`disputes.resolution.${target.disputeResolution}`), target.resolutionNote ? h("div", { class: "hint" }, target.resolutionNote) : null]
      : t("none"),
  };
  const headings = {
    reference: "target.reference", platform: "target.platform", kind: "target.kind", value: "target.value",
    seller: "target.seller", state: "target.state", deadline: "target.deadline", resolvedAt: "target.resolvedAt",
    notices: "target.notices", note: "target.note", resolution: "target.resolution",
  };
  return h("table", { "data-testid": "targets" },
    h("thead", {}, h("tr", {}, columns.map((name) => h("th", {}, t(headings[name]))), actions ? h("th", {}) : null)),
    h("tbody", {}, targets.map((target) => h("tr", { "data-target": target.id, "data-value": target.value, "data-state": target.state },
      columns.map((name) => h("td", { "data-column": name }, cells[name](target))),
      actions ? h("td", { class: "actions-cell" }, actions(target)) : null))));
}

/**
 * A small form that sends one mutation: `inputs` are [label, element, fieldName]; `send(values)`
 * returns a promise; errors naming a field are shown at that field, others above the button.
 */
export function inlineForm({ inputs, submitLabel, send, onDone, onCancel, danger = false }) {
  const general = h("div");
  const form = h("form", { class: "inline-form", novalidate: true },
    inputs.map(([label, element, name]) => field(label, element, name)),
    general,
    h("div", { class: "actions" },
      h("button", { type: "submit", class: danger ? "danger" : "primary" }, submitLabel),
      onCancel ? h("button", { type: "button", class: "secondary", onclick: onCancel }, t("ack.cancel")) : null));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    general.replaceChildren();
    showFieldErrors(form, {});
    const values = Object.fromEntries(inputs.map(([, element, name]) => [name, element.value]));
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const result = await send(values);
      onDone(result);
    } catch (error) {
      if (error instanceof ApiError && error.field && form.querySelector(`[data-field="${error.field}"]`)) {
        showFieldErrors(form, { [error.field]: error.message });
      } else {
        general.replaceChildren(alertBox("error", describe(error)));
      }
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
