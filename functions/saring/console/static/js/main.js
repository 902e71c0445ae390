// Sign-in, navigation and routing (#/view/param). Each view module renders into <main>.
import { forgetKey, gql, loadConfig, probeCapabilities, storedKey, storeKey, Unauthenticated } from "./api.js";
import { alertBox, describe, field, h, showFieldErrors } from "./dom.js";
import { currentLanguage, setLanguage, t } from "./i18n.js";
import { renderAppeals } from "./views/appeals.js";
import { renderCompliance } from "./views/compliance.js";
import { renderIssue } from "./views/issue.js";
import { renderDisputes, renderOrder, renderOrders } from "./views/orders.js";
import { renderTargets } from "./views/targets.js";

const VIEWS = {
  REGULATOR: [
    { route: "compliance", label: "nav.compliance", render: renderCompliance },
    { route: "orders", label: "nav.orders", render: renderOrders },
    { route: "order", render: renderOrder },
    { route: "issue", label: "nav.issue", render: renderIssue },
    { route: "disputes", label: "nav.disputes", render: renderDisputes },
    { route: "appeals", label: "nav.appeals", render: renderAppeals, needs: (caps) => caps.appeals && caps.decideAppeal },
  ],
  PLATFORM: [
    { route: "targets", label: "nav.targets", render: renderTargets },
    { route: "order", render: renderOrder },
    { route: "compliance", label: "nav.compliance", render: renderCompliance },
    { route: "appeals", label: "nav.appeals", render: renderAppeals, needs: (caps) => caps.appeals && caps.decideAppeal },
  ],
};

const view = document.getElementById("view");
let session = null; // {me, caps}
let notice = null; // one message carried to the next view (after sign-in, a redirect)

const ME = "{ me { role name platform agency } }";

async function signIn(key) {
  const { me } = await gql(ME, {}, key);
  storeKey(key);
  const caps = await probeCapabilities();
  session = { me, caps };
}

function signOut(message) {
  forgetKey();
  session = null;
  notice = message || null;
  if (location.hash) location.hash = "";
  else render();
}

function chrome() {
  document.title = t("app.title");
  document.getElementById("lang").textContent = t("lang.switch");
  const logout = document.getElementById("logout");
  logout.textContent = t("logout");
  logout.hidden = !session;
  const who = document.getElementById("who");
  who.textContent = session
    ? (session.me.role === "REGULATOR"
      ? t("who.regulator", { agency: session.me.agency })
      : t("who.platform", { platform: session.me.platform }))
    : "";
  const nav = document.getElementById("nav");
  nav.replaceChildren();
  if (!session) return;
  const current = route().name;
  for (const item of views()) {
    if (!item.label) continue;
    nav.append(h("a", {
      href: `#/${item.route}`,
      "aria-current": item.route === current || (current === "order" && item.route === "orders") ? "page" : null,
    }, t(item.label)));
  }
}

function views() {
  return VIEWS[session.me.role].filter((item) => !item.needs || item.needs(session.caps));
}

function route() {
  const [name, ...rest] = location.hash.replace(/^#\/?/, "").split("/");
  return { name, param: rest.length ? decodeURIComponent(rest.join("/")) : null };
}

function renderLogin() {
  const input = h("input", { type: "password", autocomplete: "off", spellcheck: "false", placeholder: "srg_…" });
  const form = h("form", { class: "card login", novalidate: true },
    h("h1", {}, t("login.title")),
    notice ? alertBox("info", notice) : null,
    field(t("login.key"), input, "key"),
    h("p", { class: "hint" }, t("login.hint")),
    h("button", { class: "primary", type: "submit" }, t("login.submit")));
  notice = null;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (!key) {
      showFieldErrors(form, { key: t("login.empty") });
      return;
    }
    const button = form.querySelector("button");
    button.disabled = true;
    try {
      await signIn(key);
      go(`#/${views()[0].route}`);
    } catch (error) {
      showFieldErrors(form, {
        key: error instanceof Unauthenticated ? t("login.refused") : t("login.unreachable", { detail: error.message }),
      });
    } finally {
      button.disabled = false;
    }
  });
  view.replaceChildren(form);
  input.focus();
}

let rendering = 0;

async function render() {
  const ticket = ++rendering;
  chrome();
  if (!session) {
    renderLogin();
    return;
  }
  const { name, param } = route();
  const item = views().find((candidate) => candidate.route === name);
  if (!item) {
    location.hash = `#/${views()[0].route}`;
    return;
  }
  view.replaceChildren(h("p", { class: "muted" }, t("loading")));
  const container = h("div", { "data-view": item.route });
  const carried = notice;
  notice = null;
  try {
    await item.render(container, { ...session, param, notice: carried, go, refresh: render });
  } catch (error) {
    if (error instanceof Unauthenticated) {
      signOut(t("session.expired"));
      return;
    }
    container.replaceChildren(alertBox("error", describe(error)));
  }
  if (ticket === rendering) view.replaceChildren(container);
}

/** Moves to another view, with a message for it to show once. */
function go(hash, message) {
  notice = message || null;
  if (location.hash === hash) render();
  else location.hash = hash;
}

async function start() {
  setLanguage(currentLanguage());
  document.getElementById("lang").addEventListener("click", () => {
    setLanguage(currentLanguage() === "id" ? "en" : "id");
    render();
  });
  document.getElementById("logout").addEventListener("click", () => signOut());
  window.addEventListener("hashchange", render);
  try {
    await loadConfig();
  } catch (error) {
    view.replaceChildren(alertBox("error", t("login.unreachable", { detail: error.message })));
    return;
  }
  const key = storedKey();
  if (key) {
    try {
      await signIn(key);
    } catch (error) {
      forgetKey();
      notice = error instanceof Unauthenticated ? t("session.expired") : describe(error);
    }
  }
  render();
}

start();
