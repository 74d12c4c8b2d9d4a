// One unit's computation, step by step, in the browser (the lesson-view contract of shared/DESIGN.md:
// root data-testid="lesson-view" with data-step; cells with data-cell and data-active; buttons
// "Previous step", "Next step", "Play"; every value readable as text). Data from
// ui/netview/__init__.py::unit_payload. Conv: one step per input channel (window × filter channel =
// products, summed), then the sum of the channel sums plus the bias, then the activation. Pool: one
// step per window cell, then the result. Steps run here, with no rerun.

const BLUE = [67, 147, 195], WHITE = [247, 247, 247], RED = [214, 96, 77];

function fmt(v) {
  // 4 significant digits and no trailing zeros, as convlab/_format.py's num writes them in the formula
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

function tint(v, lim) {
  const t = lim > 0 ? Math.max(-1, Math.min(1, v / lim)) : 0;
  const end = t < 0 ? BLUE : RED, a = Math.abs(t);
  const [r, g, b] = WHITE.map((w, i) => Math.round(w + (end[i] - w) * a));
  return `rgb(${r},${g},${b})`;
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function grid(values, rows, cols, cell, lim, active, label) {
  const box = el("div", "gridbox");
  box.append(el("div", "caption", label));
  const g = el("div", "grid");
  g.style.gridTemplateColumns = `repeat(${cols}, auto)`;
  for (let i = 0; i < rows * cols; i++) {
    const c = el("div", "cell", fmt(values[i]));
    c.dataset.cell = cell;
    c.dataset.row = Math.floor(i / cols);
    c.dataset.col = i % cols;
    c.style.background = tint(values[i], lim);
    if (active(i)) c.dataset.active = "true";
    g.append(c);
  }
  box.append(g);
  return box;
}

function miniMap(map, win, chosen) {
  const canvas = el("canvas", "mini" + (chosen ? " chosen" : ""));
  const scale = Math.max(1, Math.round(64 / Math.max(map.h, map.w)));
  canvas.width = map.w * scale; canvas.height = map.h * scale;
  const ctx = canvas.getContext("2d");
  for (let i = 0; i < map.h; i++) for (let j = 0; j < map.w; j++) {
    ctx.fillStyle = tint(map.values[i * map.w + j], map.limit);
    ctx.fillRect(j * scale, i * scale, scale, scale);
  }
  ctx.strokeStyle = "#e66101"; ctx.lineWidth = 2;
  ctx.strokeRect(win.left * scale + 1, win.top * scale + 1, win.w * scale - 2, win.h * scale - 2);
  return canvas;
}

function decode(b64) {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new Float32Array(bytes.buffer);
}

function convStep(body, d, step) {
  const C = d.channels, n = d.kh * d.kw, c = Math.min(step, C - 1), k = c * n;
  const strip = el("div", "strip");
  strip.append(el("div", "caption", `${d.before_label}: the ${C} input map(s), the window outlined`));
  const maps = el("div", "maps");
  d.maps.forEach((m, i) => {
    m.values = m.values || decode(m.v);
    const fig = el("figure", "mapfig");
    fig.append(miniMap(m, d.box, step < C && i === c), el("figcaption", "", `${i}`));
    maps.append(fig);
  });
  strip.append(maps);
  body.append(strip);
  const row = el("div", "row");
  const perChannel = step < C;
  const on = () => perChannel;
  const lim = Math.max(...d.window.map(Math.abs), 1e-9), wl = Math.max(...d.weight.map(Math.abs), 1e-9);
  const pl = Math.max(...d.products.map(Math.abs), 1e-9);
  row.append(grid(d.window.slice(k, k + n), d.kh, d.kw, "input", lim, on, `input map ${c}, window`),
             el("div", "op", "×"),
             grid(d.weight.slice(k, k + n), d.kh, d.kw, "kernel", wl, on, `filter ${d.map}, channel ${c}`),
             el("div", "op", "="),
             grid(d.products.slice(k, k + n), d.kh, d.kw, "product", pl, () => false, "products"),
             el("div", "op", "→"));
  const s = el("div", "sumbox");
  s.append(el("div", "caption", "channel sum"), el("div", "big", `s${c} = ${fmt(d.sums[c])}`));
  row.append(s);
  body.append(row);
  const sums = el("div", "sums");
  sums.append(el("span", "caption", "z = "));
  d.sums.forEach((v, i) => {
    const cell = el("span", "cell sum", i <= step ? fmt(v) : "·");
    cell.dataset.cell = "sum";
    cell.title = `s${i}: the sum for input channel ${i}`;
    if (i === step || step === C) cell.dataset.active = "true";
    sums.append(cell, el("span", "plus", "+"));
  });
  const bias = el("span", "cell bias", step >= C ? `b = ${fmt(d.bias)}` : "b");
  bias.title = `bias of filter ${d.map}`;
  const out = el("span", "cell out", step >= C ? fmt(d.value) : "?");
  out.dataset.cell = "output";
  if (step === C) out.dataset.active = "true";
  sums.append(bias, el("span", "plus", "="), out);
  if (d.activation) {
    const act = el("span", "cell out", step > C ? fmt(d.activated) : "?");
    act.dataset.cell = "activation";
    if (step === C + 1) act.dataset.active = "true";
    sums.append(el("span", "plus", `→ ${d.activation}`), act);
  }
  body.append(sums);
}

function poolStep(body, d, step) {
  const n = d.kh * d.kw;
  const m = d.maps[0];
  m.values = m.values || decode(m.v);
  const strip = el("div", "strip");
  strip.append(el("div", "caption", `${d.before_label}, map ${d.map}: the window outlined`), miniMap(m, d.box, true));
  body.append(strip);
  const seen = d.window.slice(0, Math.min(step + 1, n));
  const lim = Math.max(...d.window.map(Math.abs), 1e-9);
  const row = el("div", "row");
  row.append(grid(d.window, d.kh, d.kw, "input", lim, (i) => i <= step, `window of map ${d.map}`), el("div", "op", "→"));
  const sofar = d.mode === "max" ? Math.max(...seen) : seen.reduce((a, b) => a + b, 0) / seen.length;
  const s = el("div", "sumbox");
  const out = el("div", "big cell out", step >= n ? `${d.mode} = ${fmt(d.value)}` : `${d.mode} so far = ${fmt(sofar)}`);
  out.dataset.cell = "output";
  if (step >= n) out.dataset.active = "true";
  s.append(el("div", "caption", d.mode === "max" ? "the largest value" : "the mean"), out);
  row.append(s);
  body.append(row);
}

function render(root, d, state) {
  const steps = d.steps.length;
  state.step = Math.max(0, Math.min(state.step, steps - 1));
  root.dataset.step = state.step;
  root.replaceChildren();
  const bar = el("div", "controls");
  const prev = el("button", "", "◀"), play = el("button", "", state.timer ? "❚❚" : "▶"), next = el("button", "", "▶|");
  prev.setAttribute("aria-label", "Previous step");
  play.setAttribute("aria-label", "Play");
  next.setAttribute("aria-label", "Next step");
  prev.onclick = () => { stop(state); state.step = Math.max(0, state.step - 1); render(root, d, state); };
  next.onclick = () => { stop(state); state.step = Math.min(steps - 1, state.step + 1); render(root, d, state); };
  play.onclick = () => {
    if (state.timer) { stop(state); render(root, d, state); return; }
    if (state.step >= steps - 1) state.step = 0;
    state.timer = setInterval(() => {
      if (state.step >= steps - 1) { stop(state); } else { state.step += 1; }
      render(root, d, state);
    }, d.interval_ms);
    render(root, d, state);
  };
  const text = el("div", "steptext", `Step ${state.step + 1} of ${steps}: ${d.steps[state.step]}`);
  text.dataset.testid = "lesson-step-text";
  bar.append(prev, play, next, text);
  root.append(bar);
  const body = el("div", "body");
  (d.kind === "conv" ? convStep : poolStep)(body, d, state.step);
  root.append(body);
}

function stop(state) {
  if (state.timer) clearInterval(state.timer);
  state.timer = null;
}

export default function ({ parentElement, data }) {
  let root = parentElement.querySelector("[data-testid='lesson-view']");
  if (!root) {
    root = el("div", "lesson");
    root.dataset.testid = "lesson-view";
    root.tabIndex = 0;
    parentElement.append(root);
  }
  const state = root.state || (root.state = { step: 0, timer: null, id: null });
  if (state.id !== data.id) { stop(state); state.step = 0; state.id = data.id; }   // a new unit starts at step 1
  root.style.setProperty("--font", `${data.font}px`);
  root.onkeydown = (e) => {
    if (e.key === "ArrowRight") { stop(state); state.step += 1; render(root, data, state); e.preventDefault(); }
    if (e.key === "ArrowLeft") { stop(state); state.step -= 1; render(root, data, state); e.preventDefault(); }
  };
  render(root, data, state);
  return () => stop(state);
}
