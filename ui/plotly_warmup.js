// Plotly's code loaded while the reader is still on a page without charts (st.components.v2:
// runs in the page, mounted once per run by ui/warmup.py; nothing is drawn).
//
// Streamlit fetches and evaluates its Plotly chunk (about 4.7 MB) the first time a chart is
// drawn, so the session's first chart page paid for it (the lesson, opened from the landing
// page: 1.5 s). Here the same module is imported once per document when the browser is idle:
// a module is evaluated once per URL, so Streamlit's own import later finds it ready.
//
// data: {chunk}: the chunk's file name, next to Streamlit's main script (static/js/).

export default function ({ data }) {
  const chunk = data && data.chunk;
  if (!chunk || window.__lstmPlotlyWarm) return;
  const main = document.querySelector("script[type='module'][src*='/static/js/index.']");
  if (!main) return;
  window.__lstmPlotlyWarm = true;
  const url = new URL(chunk, main.src).href;
  const load = () => import(url).catch(() => {}); // a failure only means no head start
  if ("requestIdleCallback" in window) window.requestIdleCallback(load, { timeout: 5000 });
  else window.setTimeout(load, 1000);
}
