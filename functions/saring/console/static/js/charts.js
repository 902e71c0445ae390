// Horizontal bar charts drawn as SVG: one row per platform, one bar per series (grouped) or
// one bar split by series (stacked). Missing values (null) draw no bar and print "—".
import { h } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes = {}, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/**
 * rows: [{label, values: [number|null, ...]}]; series: [{name, color}];
 * format(value) -> text; max: the axis end (default: the largest value or sum).
 */
export function barChart({ title, rows, series, format, max, stacked = false, testId }) {
  const labelWidth = 110;
  const valueWidth = 70;
  const width = 560;
  const barHeight = stacked ? 18 : 12;
  const gap = stacked ? 10 : 4;
  const rowHeight = stacked ? barHeight + gap : series.length * (barHeight + 2) + gap + 4;
  const height = Math.max(rows.length, 1) * rowHeight + 6;
  const plotWidth = width - labelWidth - valueWidth;
  const totals = rows.map((row) => stacked
    ? row.values.reduce((sum, value) => sum + (value ?? 0), 0)
    : Math.max(0, ...row.values.map((value) => value ?? 0)));
  const axisEnd = max ?? Math.max(1, ...totals);
  const scale = (value) => (Math.max(0, value) / axisEnd) * plotWidth;

  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title });
  rows.forEach((row, i) => {
    const top = i * rowHeight + 3;
    chart.append(svg("text", {
      x: labelWidth - 8, y: top + (rowHeight - gap) / 2 + 4, "text-anchor": "end",
      "font-size": 12, fill: "#1d2330",
    }, row.label));
    chart.append(svg("line", {
      x1: labelWidth, x2: labelWidth, y1: top - 2, y2: top + rowHeight - gap + 2, stroke: "#b8bfcc",
    }));
    if (stacked) {
      let x = labelWidth;
      row.values.forEach((value, s) => {
        if (!value) return;
        const w = scale(value);
        const bar = svg("rect", { x, y: top, width: w, height: barHeight, fill: series[s].color, rx: 2 });
        bar.append(svg("title", {}, `${row.label} · ${series[s].name}: ${format(value)}`));
        chart.append(bar);
        x += w;
      });
      chart.append(svg("text", {
        x: labelWidth + scale(totals[i]) + 6, y: top + barHeight - 4, "font-size": 11, fill: "#5b6475",
      }, row.values.every((value) => value === null) ? "—" : format(totals[i])));
    } else {
      row.values.forEach((value, s) => {
        const y = top + s * (barHeight + 2);
        const w = value === null ? 0 : scale(value);
        if (w > 0) {
          const bar = svg("rect", { x: labelWidth, y, width: w, height: barHeight, fill: series[s].color, rx: 2 });
          bar.append(svg("title", {}, `${row.label} · ${series[s].name}: ${format(value)}`));
          chart.append(bar);
        }
        chart.append(svg("text", {
          x: labelWidth + w + 6, y: y + barHeight - 2, "font-size": 11, fill: "#5b6475",
        }, value === null ? "—" : format(value)));
      });
    }
  });

  const legend = series.length > 1
    ? h("div", { class: "legend" }, series.map((item) =>
      h("span", {}, h("span", { class: "swatch", style: `background:${item.color}` }), item.name)))
    : null;
  return h("figure", { class: "card chart", "data-testid": testId },
    h("h2", {}, title), chart, legend);
}
