// The cell figure's stepping, seen from outside the figure (st.components.v2, runs in the page).
//
// 1. Every frame the figure steps to (Plotly's buttons, slider, or the keys below; play: the frame
//    where it stops) is reported to Python as the state value "frame" (debounced), so the shared
//    selection and the URL follow the figure: copying the URL reproduces the frame on screen.
// 2. Keys step the figure by pressing its own buttons (so a key step is exactly a button step):
//    → / ← one stage, Shift+→ / Shift+← one timestep, Space play / pause.
//    Keys typed into a field, a slider, a select or a menu are left alone.
//
// data: {chart: the st.plotly_chart key, debounce_ms, buttons: {prev_t, prev, next, next_t,
// play, pause} → index of that button in the figure's button row}.

const TYPING = "input, textarea, select, [contenteditable='true'], [role='slider'], " +
  "[role='combobox'], [role='listbox'], [role='option'], [role='radio'], [role='tab'], " +
  "[role='spinbutton'], [role='menu'], [role='menuitem']";
const PRESSABLE = "button, a, summary, [role='button'], [role='switch'], [role='checkbox']";
const FOREVER = 1e8; // a step's last frame lasts "forever" (see viz/cell_diagram.py STEP_ARGS)

export default function ({ parentElement, data, setStateValue }) {
  const doc = parentElement.ownerDocument || document;
  const { chart, debounce_ms: debounceMs, buttons } = data;
  let emitter = null; // the Plotly event emitter we listen to (a redraw may replace it)
  let timer = null;
  let playing = false;

  const figure = () => doc.querySelector(`.st-key-${chart} .js-plotly-plot`);

  const report = (name) => {
    clearTimeout(timer);
    timer = setTimeout(() => setStateValue("frame", name), debounceMs);
  };

  const listen = () => {
    const gd = figure();
    if (!gd || typeof gd.on !== "function" || gd._ev === emitter) return;
    emitter = gd._ev;
    let shown = null; // the last frame shown
    const stopped = () => {
      if (playing && shown) report(shown); // while playing, only where it stops is reported
      playing = false;
    };
    gd.on("plotly_animatingframe", (e) => {
      if (!e || !e.name) return; // the empty lead-in frame of a step's frame list
      const ms = e.animation && e.animation.frame ? e.animation.frame.duration : 0;
      playing = ms > 0 && ms < FOREVER;
      shown = e.name;
      if (!playing) report(e.name);
    });
    gd.on("plotly_animated", stopped);
    gd.on("plotly_animationinterrupted", stopped);
  };

  const press = (name) => {
    const gd = figure();
    const button = gd && gd.querySelectorAll("g.updatemenu-button")[buttons[name]];
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

  // A step interrupts the previous step's last frame (it lasts "forever"); Plotly then rejects
  // that animation's promise with no reason, and nobody catches it. Only those are swallowed.
  const view = doc.defaultView || window;
  const onRejection = (e) => { if (e.reason === undefined) e.preventDefault(); };

  listen();
  const poll = setInterval(listen, 300);
  doc.addEventListener("keydown", onKey);
  view.addEventListener("unhandledrejection", onRejection);
  return () => {
    clearInterval(poll);
    clearTimeout(timer);
    doc.removeEventListener("keydown", onKey);
    view.removeEventListener("unhandledrejection", onRejection);
  };
}
