// What a keyboard cannot reach, made reachable (st.components.v2: runs in the page, mounted once
// by ui/a11y.py). Nothing is drawn; a MutationObserver follows the page as Streamlit redraws it.
//
// 1. A region that scrolls (an equation wider than its column, a figure's sideways scroller on a
//    narrow screen) and holds nothing focusable gets tabindex="0", role="region" and a name, so
//    the keyboard can focus it and scroll it with the arrow keys (WCAG 2.1.1; axe-core rule
//    scrollable-region-focusable). It loses them again when it no longer scrolls.
// 2. The buttons inside a Plotly figure (g.updatemenu-button, SVG) become buttons for the
//    keyboard: tabindex="0", role="button", their label as the name; Enter or Space clicks;
//    a focused one is scrolled wholly into view.
//
// 3. A code block (viz/html_blocks.py code_html: div.code-snippet-box > pre.code-snippet) gets
//    a copy button, as st.code has: it copies the code's text and says so for a moment.
//
// 0. The page's stylesheet (ui/a11y.py CSS) is added to the document's head once, with an id.
//
// data: {css, style_id, scroll_label, equation_label, copy_label, copied_label}.

const REGIONS = ".katex-display, [class*='st-key-a11y_scroll_']";
const FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]:not([tabindex='-1'])";

export default function ({ data }) {
  const doc = document;
  const { css, style_id: styleId, scroll_label: scrollLabel, equation_label: equationLabel } = data;
  const { copy_label: copyLabel, copied_label: copiedLabel } = data;
  let style = doc.getElementById(styleId);
  if (!style) {
    style = doc.createElement("style");
    style.id = styleId;
    doc.head.appendChild(style);
  }
  if (style.textContent !== css) style.textContent = css;
  let queued = false;

  const scrolls = (el) => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;

  const regions = () => {
    for (const el of doc.querySelectorAll(REGIONS)) {
      const ours = el.hasAttribute("data-a11y-region");
      const need = scrolls(el) && el.querySelector(FOCUSABLE) === null;
      if (need && !ours) {
        el.setAttribute("data-a11y-region", "");
        el.setAttribute("tabindex", "0");
        el.setAttribute("role", "region");
        el.setAttribute("aria-label", el.matches(".katex-display") ? equationLabel : scrollLabel);
      } else if (!need && ours) {
        for (const a of ["data-a11y-region", "tabindex", "role", "aria-label"]) el.removeAttribute(a);
      }
    }
  };

  const buttons = () => {
    for (const g of doc.querySelectorAll("g.updatemenu-button:not([tabindex])")) {
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "button");
      g.setAttribute("aria-label", (g.textContent || "").trim());
    }
  };

  const copy = async (code, button) => {
    const text = code.textContent;
    let done = false;
    try {
      await navigator.clipboard.writeText(text);
      done = true;
    } catch (e) {
      // no clipboard API (a page served over plain http from another machine): copy a selection
      const range = doc.createRange();
      range.selectNodeContents(code);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      done = doc.execCommand("copy");
      selection.removeAllRanges();
    }
    if (done) {
      button.textContent = copiedLabel;
      window.setTimeout(() => (button.textContent = copyLabel), 1500);
    }
  };

  const copyButtons = () => {
    for (const box of doc.querySelectorAll(".code-snippet-box:not(:has(> .code-copy))")) {
      const code = box.querySelector("pre > code");
      if (!code) continue;
      const button = doc.createElement("button");
      button.type = "button";
      button.className = "code-copy";
      button.textContent = copyLabel;
      button.addEventListener("click", () => copy(code, button));
      box.appendChild(button);
    }
  };

  const update = () => {
    queued = false;
    regions();
    buttons();
    copyButtons();
  };
  // Once the page is quiet, not in every frame of a redraw: reading a region's scroll size
  // makes the browser lay out the page there and then (a page switch spent 10–15 % more time
  // when this ran per animation frame).
  const later = window.requestIdleCallback
    ? (f) => window.requestIdleCallback(f, { timeout: 300 })
    : (f) => window.setTimeout(f, 100);
  const queue = () => {
    if (!queued) {
      queued = true;
      later(update);
    }
  };

  const onKey = (e) => {
    const g = e.target instanceof Element ? e.target.closest("g.updatemenu-button") : null;
    if (!g || (e.key !== "Enter" && e.key !== " ")) return;
    e.preventDefault();
    e.stopPropagation(); // the cell stepper's Space (play / pause) must not fire as well
    g.dispatchEvent(new MouseEvent("click", { bubbles: true }));
  };

  // Chromium scrolls a focused SVG button only until part of it shows: bring all of it into view
  // (the cell figure's buttons sit in a sideways scroller on a phone).
  const onFocus = (e) => {
    const g = e.target instanceof Element ? e.target.closest("g.updatemenu-button") : null;
    if (g) g.scrollIntoView({ block: "nearest", inline: "nearest" });
  };

  const observer = new MutationObserver(queue);
  observer.observe(doc.body, { childList: true, subtree: true });
  window.addEventListener("resize", queue);
  doc.addEventListener("keydown", onKey, true);
  doc.addEventListener("focusin", onFocus);
  update();
  return () => {
    observer.disconnect();
    window.removeEventListener("resize", queue);
    doc.removeEventListener("keydown", onKey, true);
    doc.removeEventListener("focusin", onFocus);
  };
}
