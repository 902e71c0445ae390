// A platform's pending targets, earliest deadline first: acknowledge as removed or not found,
// or dispute with a note.
import { gql } from "../api.js";
import { alertBox, describe, h } from "../dom.js";
import { t } from "../i18n.js";
import { inlineForm, targetFields, targetTable } from "./common.js";

const ACKNOWLEDGE = `mutation Acknowledge($input: AcknowledgeTakedownInput!) {
  acknowledgeTakedown(input: $input) { id state resolvedAt late } }`;

export async function renderTargets(container, session) {
  container.append(h("h1", {}, t("targets.title")));
  const messages = h("div");
  if (session.notice) messages.append(alertBox("ok", session.notice));
  container.append(messages);
  const body = h("div", { class: "card" });
  container.append(body);
  const targets = [];
  let after = null;
  // The pending targets of one platform are few; read them all, 100 a page.
  for (;;) {
    const data = await gql(`query Pending($after: String) { takedownTargets(state: PENDING, first: 100, after: $after) {
      edges { node { ${targetFields(session.caps)} } } pageInfo { hasNextPage endCursor } } }`, { after });
    targets.push(...data.takedownTargets.edges.map((edge) => edge.node));
    if (!data.takedownTargets.pageInfo.hasNextPage) break;
    after = data.takedownTargets.pageInfo.endCursor;
  }
  if (!targets.length) {
    body.append(alertBox("info", t("targets.empty")));
    return;
  }
  const columns = ["deadline", "state", "reference", "kind", "value", "seller"];
  if (session.caps.notices) columns.push("notices");
  body.append(targetTable(targets, columns, (target) => actions(target, session)));
}

function actions(target, session) {
  const slot = h("div");
  const done = (result) => session.go("#/targets", t("ack.done", { value: target.value, state: t(`state.${result.acknowledgeTakedown.state}`) }));
  const acknowledge = (state, note = null) => gql(ACKNOWLEDGE, { input: { targetId: target.id, state, note } });
  const buttons = h("div", { class: "actions" },
    h("button", { class: "primary", type: "button", "data-action": "REMOVED", onclick: oneShot(() => acknowledge("REMOVED").then(done), slot) }, t("ack.removed")),
    h("button", { class: "secondary", type: "button", "data-action": "NOT_FOUND", onclick: oneShot(() => acknowledge("NOT_FOUND").then(done), slot) }, t("ack.notFound")),
    h("button", {
      class: "secondary", type: "button", "data-action": "DISPUTED", onclick: () => {
        buttons.hidden = true;
        const note = h("textarea", { rows: 2 });
        slot.replaceChildren(inlineForm({
          inputs: [[t("ack.note"), note, "note"]],
          submitLabel: t("ack.sendDispute"),
          send: (values) => acknowledge("DISPUTED", values.note),
          onDone: done,
          onCancel: () => { slot.replaceChildren(); buttons.hidden = false; },
        }));
        note.focus();
      },
    }, t("ack.dispute")));
  return h("div", {}, buttons, slot);
}

/** A click handler that disables its button while the request runs and shows a failure. */
function oneShot(run, slot) {
  return async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      await run();
    } catch (error) {
      slot.replaceChildren(alertBox("error", describe(error)));
    } finally {
      button.disabled = false;
    }
  };
}
