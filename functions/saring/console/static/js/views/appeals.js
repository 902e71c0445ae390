// A seller's appeals, with a form for each open one the signed-in caller decides: a platform
// its own review strikes, an agency the strikes its orders caused.
import { gql, platforms } from "../api.js";
import { alertBox, badge, field, h } from "../dom.js";
import { formatDateTime, t } from "../i18n.js";
import { inlineForm } from "./common.js";

let sellerId = "";
let chosenPlatform = "";

export async function renderAppeals(container, session) {
  const regulator = session.me.role === "REGULATOR";
  container.append(h("h1", {}, t("appeals.title")));
  if (session.notice) container.append(alertBox("ok", session.notice));
  const input = h("input", { type: "text", value: sellerId, autocomplete: "off" });
  const platformSelect = regulator
    ? h("select", {}, platforms().map((name) => h("option", { value: name, selected: name === chosenPlatform }, name)))
    : null;
  container.append(h("form", {
    class: "card row", onsubmit: (event) => {
      event.preventDefault();
      sellerId = input.value.trim();
      if (platformSelect) chosenPlatform = platformSelect.value;
      session.refresh();
    },
  }, platformSelect ? field(t("issue.platform"), platformSelect, "platform") : null,
  field(t("appeals.seller"), input, "sellerId"),
  h("div", { style: "flex:0 0 auto;align-self:end" }, h("button", { class: "secondary", type: "submit" }, t("appeals.show")))));
  if (!sellerId) return;

  const data = await gql(`query Appeals($platform: String!, $sellerId: ID!) { seller(platform: $platform, sellerId: $sellerId) {
    appeals(first: 50) { edges { node { id strikeId strikeSource orderReference statement status filedAt dueAt overdue decider decidedAt decisionNote } } } } }`,
  { platform: regulator ? chosenPlatform || platforms()[0] : session.me.platform, sellerId });
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
  const me = session.me.role === "REGULATOR" ? `regulator:${session.me.agency}` : `platform:${session.me.platform}`;
  if (appeal.decider !== me) return t("appeals.decidedBy", { decider: appeal.decider });
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
