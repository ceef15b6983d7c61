// The cell figure's stepping, seen from outside the figure (st.components.v2, runs in the page).
//
// 1. Every frame the figure steps to (Plotly's buttons, slider, or the keys below; play: the frame
//    where it stops) is reported to Python as the state value "frame" (debounced), so the shared
//    selection and the URL follow the figure: copying the URL reproduces the frame on screen.
// 2. Keys step the figure by pressing its own buttons (so a key step is exactly a button step):
//    → / ← one stage, Shift+→ / Shift+← one timestep, Space play / pause.
//    Keys typed into a field, a slider, a select or a menu are left alone.
// 3. A step that interrupts the previous one is not an error: the rejection Plotly leaves behind
//    for our figure's interrupted animation is caught, and only that one (see owe / claim below).
//
// Plotly's public API only: gd.on / gd.removeListener and the events plotly_animatingframe,
// plotly_animated, plotly_animationinterrupted (plotly.js "Animations" and "Events" docs).
// No timer: a MutationObserver notices when Streamlit replaces the figure's DOM node (a rerun
// that changes the figure remounts the chart: a new graph div, without our listeners).
//
// data: {chart: the st.plotly_chart key, debounce_ms, buttons: {prev_t, prev, next, next_t,
// play, pause} → index of that button in the figure's button row}.

const TYPING = "input, textarea, select, [contenteditable='true'], [role='slider'], " +
  "[role='combobox'], [role='listbox'], [role='option'], [role='radio'], [role='tab'], " +
  "[role='spinbutton'], [role='menu'], [role='menuitem']";
const PRESSABLE = "button, a, summary, [role='button'], [role='switch'], [role='checkbox']";
const FOREVER = 1e8; // a step's last frame lasts "forever" (see viz/cell_diagram.py STEP_ARGS)
const CLAIM_MS = 1000; // an interruption's rejection reaches the page right after it (one task)

export default function ({ parentElement, data, setStateValue }) {
  const doc = parentElement.ownerDocument || document;
  const view = doc.defaultView || window;
  const { chart, debounce_ms: debounceMs, buttons } = data;
  let gd = null; // the figure (Plotly graph div) we listen to
  let timer = null;
  let playing = false;
  let shown = null; // the last frame shown

  const figure = () => doc.querySelector(`.st-key-${chart} .js-plotly-plot`);

  const report = (name) => {
    clearTimeout(timer);
    timer = setTimeout(() => setStateValue("frame", name), debounceMs);
  };

  // Plotly's own buttons and slider start their animations through a private helper
  // (Plots.executeAPICommand) that hands the animation's promise to nobody. A step interrupts
  // the previous step (whose last frame lasts "forever"), and Plotly then rejects that promise
  // with no reason ("immediate" mode: "Promises for existing Plotly.animate calls are rejected
  // and a plotly_animationinterrupted event is emitted"): an uncaught rejection. Plotly offers no
  // public way to reach that promise, so its rejection is recognised instead: Plotly rejects it,
  // then emits plotly_animationinterrupted on the figure, synchronously; the browser reports the
  // unhandled rejection right after. Each such event from OUR figure owes one rejection whose
  // reason is undefined, claimed within CLAIM_MS; every other rejection is left to the browser.
  let owed = 0;
  let owedUntil = 0;
  const owe = () => {
    owed += 1;
    owedUntil = performance.now() + CLAIM_MS;
  };
  const claim = (e) => {
    if (performance.now() > owedUntil) owed = 0;
    if (owed > 0 && e.reason === undefined) {
      owed -= 1;
      e.preventDefault();
    }
  };

  const onFrame = (e) => {
    if (!e || !e.name) return; // the empty lead-in frame of a step's frame list
    const ms = e.animation && e.animation.frame ? e.animation.frame.duration : 0;
    playing = ms > 0 && ms < FOREVER;
    shown = e.name;
    if (!playing) report(e.name);
  };
  const onStop = () => {
    if (playing && shown) report(shown); // while playing, only where it stops is reported
    playing = false;
  };
  const onInterrupted = () => {
    owe();
    onStop();
  };
  const HANDLERS = [
    ["plotly_animatingframe", onFrame],
    ["plotly_animated", onStop],
    ["plotly_animationinterrupted", onInterrupted],
  ];

  const detach = () => {
    if (gd && typeof gd.removeListener === "function") {
      for (const [event, fn] of HANDLERS) gd.removeListener(event, fn);
    }
    gd = null;
  };
  const attach = (next) => {
    detach(); // ours only: other listeners on the figure (Streamlit's) are left alone
    if (!next || typeof next.on !== "function") return; // not plotted yet: a later mutation
    gd = next;
    shown = null;
    for (const [event, fn] of HANDLERS) gd.on(event, fn);
  };

  // A plot drawn from scratch into a div (Plotly.newPlot) first drops every listener of that
  // div, then adds a new svg.main-svg: listen again even if the div is the same.
  const drawnAgain = (records) => records.some((r) => Array.prototype.some.call(
    r.addedNodes, (n) => n.nodeType === 1 && n.matches("svg.main-svg")));
  const sync = (records) => {
    const next = figure();
    if (next !== gd || (gd && drawnAgain(records))) attach(next);
  };
  // The page's main area holds this component and the chart; the chart may appear after us
  // (it is drawn further down the page) and is remounted when a rerun changes the figure.
  const observer = new MutationObserver(sync);
  observer.observe(doc.querySelector("[data-testid='stMain']") || doc.body,
    { childList: true, subtree: true });

  const press = (name) => {
    const target = figure();
    const button = target && target.querySelectorAll("g.updatemenu-button")[buttons[name]];
    if (!button) return false;
    button.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    return true;
  };

  const onKey = (e) => {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return;
    const target = e.target instanceof Element ? e.target : null;
    if (target && target.closest(TYPING)) return;
    let name = null;
    if (e.key === "ArrowRight") name = e.shiftKey ? "next_t" : "next";
    else if (e.key === "ArrowLeft") name = e.shiftKey ? "prev_t" : "prev";
    else if (e.key === " " && !(target && target.closest(PRESSABLE))) {
      name = playing ? "pause" : "play";
    }
    if (name && press(name)) e.preventDefault();
  };

  sync([]);
  doc.addEventListener("keydown", onKey);
  view.addEventListener("unhandledrejection", claim);
  return () => {
    observer.disconnect();
    detach();
    clearTimeout(timer);
    doc.removeEventListener("keydown", onKey);
    view.removeEventListener("unhandledrejection", claim);
  };
}
