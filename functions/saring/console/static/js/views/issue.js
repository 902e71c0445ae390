// The issue-order form. Targets are pasted one per line; an error the API reports for
// `targets[i].…` is shown at the line it came from.
import { ApiError, gql, platforms } from "../api.js";
import { alertBox, describe, field, h, showFieldErrors } from "../dom.js";
import { t } from "../i18n.js";

const ISSUE = `mutation Issue($input: IssueTakedownInput!) {
  issueTakedown(input: $input) { id reference status targets { id state } } }`;

const URL_LINE = /^https?:\/\//i;

/** The pasted lines as targets, each with the line number it came from. */
export function parseTargets(text, platform, kind) {
  return text.split(/\r?\n/).map((raw, i) => ({ raw: raw.trim(), line: i + 1 }))
    .filter((item) => item.raw)
    .map((item) => ({
      line: item.line,
      raw: item.raw,
      target: { platform, kind: URL_LINE.test(item.raw) ? "URL" : kind, value: item.raw },
    }));
}

/** The form field an API error names, and the message to show there. */
export function placeError(error, parsed) {
  const name = error.extensions?.field;
  const match = /^targets\[(\d+)\](?:\.(\w+))?$/.exec(name || "");
  if (match) {
    const item = parsed[Number(match[1])];
    const message = item ? t("issue.line", { line: item.line, text: item.raw, message: error.message }) : error.message;
    return [match[2] === "platform" ? "platform" : "targets", message];
  }
  if (["reference", "legalBasis", "reason", "urgency", "targets"].includes(name)) return [name, error.message];
  return [null, error.message];
}

export async function renderIssue(container, session) {
  const inputs = {
    reference: h("input", { type: "text", autocomplete: "off" }),
    legalBasis: h("input", { type: "text", value: "Permendag 40/2022" }),
    reason: h("input", { type: "text" }),
    urgency: h("select", {}, ["STANDARD", "URGENT"].map((name) => h("option", { value: name }, t(`urgency.${name}`)))),
    platform: h("select", {}, platforms().map((name) => h("option", { value: name }, name))),
    kind: h("select", {}, ["LISTING", "SHOP", "ACCOUNT"].map((name) => h("option", { value: name }, t(`kind.${name}`)))),
    targets: h("textarea", { rows: 8, spellcheck: "false", placeholder: "https://…\nsp-12345" }),
  };
  const general = h("div");
  const form = h("form", { class: "card", novalidate: true, "data-testid": "issue-form" },
    field(t("issue.reference"), inputs.reference, "reference", t("issue.referenceHint")),
    h("div", { class: "row" },
      field(t("issue.legalBasis"), inputs.legalBasis, "legalBasis"),
      field(t("issue.urgency"), inputs.urgency, "urgency")),
    field(t("issue.reason"), inputs.reason, "reason"),
    h("div", { class: "row" },
      field(t("issue.platform"), inputs.platform, "platform"),
      field(t("issue.kind"), inputs.kind, "kind")),
    field(t("issue.targets"), inputs.targets, "targets", t("issue.targetsHint")),
    general,
    h("p", {}, h("button", { class: "primary", type: "submit" }, t("issue.submit"))));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    general.replaceChildren();
    showFieldErrors(form, {});
    const parsed = parseTargets(inputs.targets.value, inputs.platform.value, inputs.kind.value);
    if (!parsed.length) {
      showFieldErrors(form, { targets: t("issue.noTargets") });
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const data = await gql(ISSUE, {
        input: {
          reference: inputs.reference.value,
          legalBasis: inputs.legalBasis.value,
          reason: inputs.reason.value,
          urgency: inputs.urgency.value,
          targets: parsed.map((item) => item.target),
        },
      });
      const order = data.issueTakedown;
      session.go(`#/order/${encodeURIComponent(order.id)}`, t("issue.done", { reference: order.reference }));
    } catch (error) {
      if (!(error instanceof ApiError)) {
        general.append(alertBox("error", describe(error)));
        return;
      }
      const placed = {};
      for (const problem of error.errors) {
        const [name, message] = placeError(problem, parsed);
        if (name) placed[name] = placed[name] ? `${placed[name]}\n${message}` : message;
        else general.append(alertBox("error", describe(new ApiError([problem]))));
      }
      showFieldErrors(form, placed);
      form.querySelector("[aria-invalid=true]")?.focus();
    } finally {
      button.disabled = false;
    }
  });
  container.append(h("h1", {}, t("issue.title")), form);
}
