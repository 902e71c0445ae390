// Compliance: every platform's figures for the regulator, the platform's own for a platform.
import { ApiError, gql, platforms } from "../api.js";
import { barChart } from "../charts.js";
import { alertBox, h } from "../dom.js";
import { formatNumber, formatPercent, t } from "../i18n.js";

const PERIODS = [7, 30, 90, 365];
let period = 30;

const FIGURES = "received removed notFound disputed pending overdue onTimeRate medianHoursToRemoval p90HoursToRemoval";

function query(names, caps) {
  const extra = [
    caps.complianceWithdrawn ? "withdrawn" : "",
    caps.complianceNotices ? "noticesSt1 noticesSt2 noticesSt3" : "",
    caps.complianceAppeals ? "overdueAppeals" : "",
  ].join(" ");
  const declared = names.map((_, i) => `$p${i}: String!`).join(", ");
  const fields = names.map((_, i) =>
    `p${i}: compliance(platform: $p${i}, since: $since, until: $until) { ${FIGURES} ${extra} }`).join("\n");
  return `query Compliance($since: DateTime!, $until: DateTime!, ${declared}) {\n${fields}\n}`;
}

export async function renderCompliance(container, session) {
  const { me, caps } = session;
  const names = me.role === "REGULATOR" ? platforms() : [me.platform];
  const until = new Date();
  const since = new Date(until.getTime() - period * 86400000);
  const variables = { since: since.toISOString(), until: until.toISOString() };
  names.forEach((name, i) => { variables[`p${i}`] = name; });

  const select = h("select", {
    "aria-label": t("period"),
    onchange: (event) => { period = Number(event.target.value); session.refresh(); },
  }, PERIODS.map((days) => h("option", { value: days, selected: days === period }, t(`period.${days}`))));
  const title = me.role === "REGULATOR" ? t("compliance.title") : t("compliance.own", { platform: me.platform });
  container.append(h("div", { class: "row" }, h("h1", {}, title), h("div", { style: "flex:0 0 14rem" }, select)));

  let data;
  try {
    data = await gql(query(names, caps), variables);
  } catch (error) {
    // A platform reading its own figures needs a server that allows it.
    if (error instanceof ApiError && error.code === "FORBIDDEN" && me.role === "PLATFORM") {
      container.append(alertBox("info", t("unavailable", { what: "compliance" })));
      return;
    }
    throw error;
  }
  const rows = names.map((name, i) => ({ platform: name, ...data[`p${i}`] }));
  if (rows.every((row) => row.received === 0)) container.append(alertBox("info", t("compliance.empty")));

  const charts = h("div", { class: "grid" },
    barChart({
      title: t("compliance.onTimeRate"), testId: "chart-on-time",
      rows: rows.map((row) => ({ label: row.platform, values: [row.onTimeRate === null ? null : row.onTimeRate] })),
      series: [{ name: t("compliance.onTime"), color: "#0b6e4f" }],
      format: formatPercent, max: 1,
    }),
    barChart({
      title: t("compliance.targets"), testId: "chart-overdue",
      rows: rows.map((row) => ({ label: row.platform, values: [row.pending, row.overdue] })),
      series: [{ name: t("compliance.pending"), color: "#e0a100" }, { name: t("compliance.overdue"), color: "#b3261e" }],
      format: (value) => formatNumber(value),
    }),
    barChart({
      title: t("compliance.timeToRemoval"), testId: "chart-time",
      rows: rows.map((row) => ({ label: row.platform, values: [row.medianHoursToRemoval, row.p90HoursToRemoval] })),
      series: [{ name: "median", color: "#3f6fb5" }, { name: "p90", color: "#9bb5de" }],
      format: (value) => `${formatNumber(value, 1)} h`,
    }),
    caps.complianceNotices
      ? barChart({
        title: t("compliance.notices"), testId: "chart-notices", stacked: true,
        rows: rows.map((row) => ({ label: row.platform, values: [row.noticesSt1, row.noticesSt2, row.noticesSt3] })),
        series: [{ name: "ST1", color: "#e0a100" }, { name: "ST2", color: "#d86a00" }, { name: "ST3", color: "#b3261e" }],
        format: (value) => formatNumber(value),
      })
      : h("div", { class: "card" }, h("h2", {}, t("compliance.notices")), alertBox("info", t("unavailable", { what: "notices" }))));
  container.append(charts);

  const columns = [
    ["received", formatNumber], ["removed", formatNumber], ["notFound", formatNumber], ["disputed", formatNumber],
    ["pending", formatNumber], ["overdue", formatNumber], ["onTimeRate", formatPercent],
    ["medianHoursToRemoval", (v) => formatNumber(v, 1)], ["p90HoursToRemoval", (v) => formatNumber(v, 1)],
  ];
  const headings = {
    received: "compliance.received", removed: "compliance.removed", notFound: "compliance.notFound",
    disputed: "compliance.disputed", pending: "compliance.pending", overdue: "compliance.overdue",
    onTimeRate: "compliance.onTimeRate", medianHoursToRemoval: "compliance.median", p90HoursToRemoval: "compliance.p90",
  };
  if (caps.complianceWithdrawn) {
    columns.splice(5, 0, ["withdrawn", formatNumber]);
    headings.withdrawn = "compliance.withdrawn";
  }
  if (caps.complianceNotices) {
    columns.push(["notices", (counts) => counts.map((count) => formatNumber(count)).join(" / ")]);
    headings.notices = "compliance.noticesColumn";
    for (const row of rows) row.notices = [row.noticesSt1, row.noticesSt2, row.noticesSt3];
  }
  if (caps.complianceAppeals) {
    columns.push(["overdueAppeals", formatNumber]);
    headings.overdueAppeals = "compliance.overdueAppeals";
  }
  container.append(h("section", { class: "card" },
    h("h2", {}, t("compliance.table")),
    h("table", { "data-testid": "compliance-table" },
      h("thead", {}, h("tr", {}, h("th", {}, t("compliance.platform")),
        columns.map(([name]) => h("th", { class: "num" }, t(headings[name]))))),
      h("tbody", {}, rows.map((row) => h("tr", { "data-platform": row.platform },
        h("th", { scope: "row" }, row.platform),
        columns.map(([name, format]) => h("td", { class: "num", "data-figure": name }, format(row[name])))))))));
}
