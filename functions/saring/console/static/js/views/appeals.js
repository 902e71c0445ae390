// A platform's appeals: a seller's appeals, open ones with a form to decide them.
import { gql } from "../api.js";
import { alertBox, badge, field, h } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { inlineForm } from "./common.js";

let sellerId = "";

export async function renderAppeals(container, session) {
  container.append(h("h1", {}, t("appeals.title")));
  if (session.notice) container.append(alertBox("ok", session.notice));
  const input = h("input", { type: "text", value: sellerId, autocomplete: "off" });
  container.append(h("form", {
    class: "card row", onsubmit: (event) => {
      event.preventDefault();
      sellerId = input.value.trim();
      session.refresh();
    },
  }, field(t("appeals.seller"), input, "sellerId"),
  h("div", { style: "flex:0 0 auto;align-self:end" }, h("button", { class: "secondary", type: "submit" }, t("appeals.show")))));
  if (!sellerId) return;

  const data = await gql(`query Appeals($platform: String!, $sellerId: ID!) { seller(platform: $platform, sellerId: $sellerId) {
    appeals(first: 50) { edges { node { id strikeId strikeSource orderReference statement status filedAt dueAt overdue decider decidedAt decisionNote } } } } }`,
  { platform: session.me.platform, sellerId });
  const appeals = data.seller ? data.seller.appeals.edges.map((edge) => edge.node) : [];
  if (!appeals.length) {
    container.append(alertBox("info", t("appeals.empty")));
    return;
  }
  container.append(h("div", { class: "card" }, h("table", { "data-testid": "appeals" },
    h("thead", {}, h("tr", {}, ["appeals.strike", "appeals.statement", "appeals.filedAt", "appeals.dueAt", "appeals.status"].map((key) => h("th", {}, t(key))), h("th"))),
    h("tbody", {}, appeals.map((appeal) => h("tr", { "data-appeal": appeal.id, "data-status": appeal.status },
      h("td", {}, h("div", { class: "mono" }, appeal.strikeId),
        h("div", { class: "hint" }, t(`strikeSource.${appeal.strikeSource}`), appeal.orderReference ? ` · ${appeal.orderReference}` : "")),
      h("td", {}, appeal.statement),
      h("td", {}, formatDateTime(appeal.filedAt)),
      h("td", {}, formatDateTime(appeal.dueAt)),
      h("td", {}, badge(appeal.status, t(`appealStatus.${appeal.status}`)), appeal.overdue ? [" ", badge("overdue", t("appeals.overdue"))] : null),
      h("td", {}, decision(appeal, session))))))));
}

/** The form for an open appeal this platform decides; who decides the others, or the outcome. */
function decision(appeal, session) {
  if (appeal.status !== "OPEN") {
    return [formatDateTime(appeal.decidedAt), appeal.decisionNote ? h("div", {}, appeal.decisionNote) : null];
  }
  if (appeal.decider !== `platform:${session.me.platform}`) return t("appeals.decidedBy", { decider: appeal.decider });
  return decideForm(appeal, session);
}

function decideForm(appeal, session) {
  const decision = h("select", {}, ["UPHELD", "REVOKED"].map((name) => h("option", { value: name }, t(`appeals.${name}`))));
  const note = h("textarea", { rows: 2 });
  return inlineForm({
    inputs: [[t("appeals.decision"), decision, "decision"], [t("appeals.note"), note, "note"]],
    submitLabel: t("appeals.decide"),
    send: (values) => gql(`mutation Decide($input: DecideAppealInput!) { decideAppeal(input: $input) { id status } }`,
      { input: { appealId: appeal.id, ...values } }),
    onDone: () => session.go("#/appeals", t("appeals.done")),
  });
}
