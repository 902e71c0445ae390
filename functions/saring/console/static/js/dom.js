// Builds elements from data. Text always goes in as text, never as HTML: values come from
// sellers and agencies.
import { ApiError, Unauthenticated } from "./api.js";
import { t } from "./i18n.js";

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "value") element.value = value;
    // Through the CSSOM: the content security policy refuses inline style attributes.
    else if (name === "style") element.style.cssText = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

export function alertBox(kind, text) {
  return h("div", { class: `alert ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

/** The message an error shows; a refused key ends the session (the caller redirects). */
export function describe(error) {
  if (error instanceof Unauthenticated) return t("session.expired");
  if (error instanceof ApiError) return t("error.generic", { message: error.message });
  return t("error.generic", { message: error.message || String(error) });
}

export function badge(kind, text) {
  return h("span", { class: `badge ${kind}` }, text);
}

/** Marks the input `field` names, with the message under it; clears every earlier mark. */
export function showFieldErrors(form, errors) {
  for (const element of form.querySelectorAll("[aria-invalid]")) element.removeAttribute("aria-invalid");
  for (const element of form.querySelectorAll(".field-error")) {
    element.textContent = "";
    element.hidden = true;
  }
  for (const [field, message] of Object.entries(errors)) {
    const input = form.querySelector(`[data-field="${field}"]`);
    const slot = form.querySelector(`[data-error-for="${field}"]`);
    if (input) input.setAttribute("aria-invalid", "true");
    if (slot) {
      slot.textContent = slot.textContent ? `${slot.textContent}\n${message}` : message;
      slot.hidden = false;
    }
  }
}

export function field(labelText, input, name, hint) {
  const id = `f-${name}`;
  input.id = id;
  input.dataset.field = name;
  input.setAttribute("aria-describedby", `${id}-error`);
  return h("div", {},
    h("label", { for: id }, labelText, hint ? h("span", { class: "hint" }, " · ", hint) : null),
    input,
    h("div", { class: "field-error", id: `${id}-error`, "data-error-for": name, hidden: true, role: "alert" }));
}
