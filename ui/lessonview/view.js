// ConvLab's lesson view: every step, hover and click of the sliding-window lessons runs here, in the browser.
//
// Python sends one document per parameter set (ui/lessonview/payload.py) with the whole trace; this module
// replays it. The step goes back to Python as component state once the stepping pauses (one report, never
// one rerun per step), so the page's URL and exports carry it.
//
// Contract (tests and accessibility): the root has data-testid="lesson-view", is focusable and holds the
// current step in data-step; cells have data-cell ("input", "kernel", "output", "product", "matrix") and
// the cells of the current window data-active="true"; every cell holds its value as text; the buttons are
// labelled "Previous step", "Next step" and "Play" (a toggle: aria-pressed while playing).

const MINUS = "\u2212";
const TIMES = "\u00d7";
const VIEWS = new WeakMap();          // the component's parent element -> its View (one per mounted component)
const LIVE = new Set();               // every mounted view: the keys go to the one the student can see
let keyboardOwner = null;             // the view last touched: keys pressed outside any view go to it while it shows

// Keys pressed outside every view (after a click on the page background, the sidebar or a menu link; a presenter's
// clicker) step the view the student can see: the last touched one while any of it is on screen, else the one
// most on screen; a view scrolled off screen never moves. Typing in a box, a table or a menu is never taken.
const TYPING = "input, textarea, select, [contenteditable=''], [contenteditable='true'], [role='textbox'], " +
  "[role='combobox'], [role='listbox'], [role='option'], [role='slider'], [role='spinbutton'], [role='menu'], " +
  "[role='menuitem'], [role='grid'], [data-testid='stDataFrame'], [data-baseweb='select'], .gdg-input";

function onScreen(v) {
  const r = v.root.getBoundingClientRect();
  const h = Math.min(r.bottom, window.innerHeight) - Math.max(r.top, 0);
  const w = Math.min(r.right, window.innerWidth) - Math.max(r.left, 0);
  return h > 0 && w > 0 ? h * w : 0;
}

function viewForKeys() {
  const shown = [...LIVE].filter((v) => v.root.isConnected && onScreen(v) > 0);
  if (!shown.length) return null;
  if (keyboardOwner && shown.includes(keyboardOwner)) return keyboardOwner;
  return shown.reduce((a, b) => (onScreen(b) > onScreen(a) ? b : a));
}

// ---------------------------------------------------------------- numbers, as convlab/_format.py writes them

function roundDigits(digits, keep) {
  // round a decimal digit string to `keep` digits, half to even (Python's formatting of the exact binary value)
  const head = digits.slice(0, keep).split("").map(Number);
  const rest = digits.slice(keep);
  let up = false;
  if (rest.length && rest[0] !== "0") {
    if (rest[0] > "5") up = true;
    else if (rest[0] === "5") up = /[1-9]/.test(rest.slice(1)) || head[keep - 1] % 2 === 1;
    else up = false;
  }
  let carry = up ? 1 : 0;
  for (let i = keep - 1; i >= 0 && carry; i--) {
    head[i] += 1;
    carry = head[i] === 10 ? 1 : 0;
    if (carry) head[i] = 0;
  }
  return { digits: (carry ? "1" : "") + head.join("").slice(0, carry ? keep - 1 : keep), carry };
}

function gformat(v, precision) {
  // Python's format(v, ".{precision}g")
  const neg = v < 0;
  const exact = Math.abs(v).toExponential(99);            // exact decimal expansion of the double
  const [mant, expText] = exact.split("e");
  let exp = parseInt(expText, 10);
  const { digits, carry } = roundDigits(mant.replace(".", ""), precision);
  exp += carry;
  let text;
  if (exp >= -4 && exp < precision) {
    let whole, frac;
    if (exp >= 0) {
      whole = digits.slice(0, exp + 1);
      frac = digits.slice(exp + 1);
    } else {
      whole = "0";
      frac = "0".repeat(-exp - 1) + digits;
    }
    frac = frac.replace(/0+$/, "");
    text = frac ? `${whole}.${frac}` : whole;
  } else {
    let frac = digits.slice(1).replace(/0+$/, "");
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    text = `${digits[0]}${frac ? "." + frac : ""}e${exp < 0 ? "-" : "+"}${e}`;
  }
  return (neg ? "-" : "") + text;
}

export function num(v) {
  // 7 -> "7", 0.12345 -> "0.1235", -2 -> "-2": convlab's _format.num
  if (v === null || v === undefined) return "-inf";          // max-pool padding travels as null
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v === 0 ? 0 : v);
  return gformat(v, 4);
}

function show(v) {
  // a number as a student reads it: a true minus sign, ∞ for infinity
  return num(v).replace("-inf", `${MINUS}∞`).replace("inf", "∞").replace(/-/g, MINUS);
}

function factor(v) {
  // the right-hand operand of ×: negatives in parentheses
  const s = show(v);
  return s.startsWith(MINUS) ? `(${s})` : s;
}

function sumText(terms) {
  // ["3×1", "−2×5", "4×(−1)"] -> "3×1 − 2×5 + 4×(−1)"
  return terms.map((t, i) => (i === 0 ? t : t.startsWith(MINUS) ? ` ${MINUS} ${t.slice(1)}` : ` + ${t}`)).join("");
}

// ---------------------------------------------------------------- small helpers

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function decode(data) {
  if (data === null || data === undefined) return null;
  if (typeof data === "string") return JSON.parse(data);
  if (data instanceof ArrayBuffer) return JSON.parse(new TextDecoder().decode(new Uint8Array(data)));
  if (ArrayBuffer.isView(data)) return JSON.parse(new TextDecoder().decode(data));
  return data;
}

function at(a, i) {
  // value i of a flat array; null is max-pool padding (-inf)
  const v = a.v[i];
  return v === null ? -Infinity : v;
}

function unravel(i, shape) {
  const out = new Array(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    out[k] = i % shape[k];
    i = Math.floor(i / shape[k]);
  }
  return out;
}

function clamp(v, lo, hi) {
  return Math.max(lo, Math.min(hi, v));
}

function tint(v, lim) {
  // a light diverging background (blue below 0, red above) under dark text
  if (!Number.isFinite(v) || !lim) return "";
  const t = clamp(v / lim, -1, 1);
  const [r, g, b] = t >= 0 ? [255, 255 - 90 * t, 255 - 110 * t] : [255 + 110 * t, 255 + 50 * t, 255];
  return `rgb(${r | 0}, ${g | 0}, ${b | 0})`;
}

function maxAbs(values) {
  let m = 0;
  for (const v of values) if (v !== null && Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m;
}

// ---------------------------------------------------------------- one grid of cells

const CANVAS_CELLS = 4000;             // above this many cells a grid is drawn on a canvas (the Toeplitz matrix)

class Grid {
  // An H×W grid: DOM cells (each holds its value as text) or, when large, a canvas with a highlight layer.
  constructor(h, w, { role, label, values, texts, pad, dropped, onHover, onClick, lim, g }) {
    this.h = h;
    this.w = w;
    this.role = role;
    this.label = label || "";
    this.values = values || null;        // flat numbers (colours), may be null
    this.lim = lim ?? (values ? maxAbs(values) : 0);
    this.pad = pad || [0, 0, 0, 0];
    this.canvas = h * w > CANVAS_CELLS;
    this.wrap = el("div", "lv-gridwrap");
    this.active = [];
    this.marks = [];
    this.cell = 20;
    this.gap = 2;
    if (this.canvas) {
      this.base = el("canvas", "lv-canvas");
      this.top = el("canvas", "lv-canvas lv-canvas-top");
      this.wrap.append(this.base, this.top);
      this.texts = texts;
      this.hl = { cells: [], rows: [], cols: [], current: -1 };
      if (onHover || onClick) {
        const pick = (e) => {
          const r = this.top.getBoundingClientRect();
          const c = Math.floor((e.clientX - r.left) / (this.cell + this.gap));
          const q = Math.floor((e.clientY - r.top) / (this.cell + this.gap));
          return q >= 0 && q < this.h && c >= 0 && c < this.w ? q * this.w + c : -1;
        };
        if (onHover) this.top.addEventListener("mousemove", (e) => { const i = pick(e); if (i >= 0) onHover(i); });
        if (onClick) this.top.addEventListener("click", (e) => { const i = pick(e); if (i >= 0) onClick(i); });
      }
    } else {
      this.grid = el("div", "lv-grid");
      this.grid.style.gridTemplateColumns = `repeat(${w}, var(--cell))`;
      this.cells = new Array(h * w);
      const [pt, pb, pl, pr] = this.pad;
      const frag = document.createDocumentFragment();
      for (let i = 0; i < h * w; i++) {
        const r = Math.floor(i / w), c = i % w;
        const cell = el("div", "lv-cell", texts ? texts[i] : "");
        cell.dataset.cell = role;
        cell.dataset.g = g ?? 0;
        cell.dataset.r = r;
        cell.dataset.c = c;
        if (r < pt || r >= h - pb || c < pl || c >= w - pr) cell.classList.add("lv-pad");
        else if (dropped && (dropped.rows.includes(r) || dropped.cols.includes(c))) cell.classList.add("lv-dropped");
        if (this.values && !cell.classList.contains("lv-pad")) cell.style.background = tint(this.values[i], this.lim);
        frag.appendChild(cell);
        this.cells[i] = cell;
      }
      this.grid.appendChild(frag);
      this.wrap.appendChild(this.grid);
      if (onHover) this.grid.addEventListener("mouseover", (e) => {
        const i = this.indexOf(e.target);
        if (i >= 0) onHover(i);
      });
      if (onClick) this.grid.addEventListener("click", (e) => {
        const i = this.indexOf(e.target);
        if (i >= 0) onClick(i);
      });
    }
  }

  indexOf(target) {
    const cell = target.closest ? target.closest(".lv-cell") : null;
    if (!cell || cell.parentNode !== this.grid) return -1;
    return Number(cell.dataset.r) * this.w + Number(cell.dataset.c);
  }

  longest() {
    // characters of the longest text (for the font size)
    if (this.canvas) return this.texts ? Math.max(1, ...this.texts.map((t) => t.length)) : 1;
    let m = 1;
    for (const c of this.cells) m = Math.max(m, c.textContent.length);
    return m;
  }

  size(cell, minFont, maxChars) {
    // square cells of `cell` px; numbers only where they fit at minFont or more
    this.cell = cell;
    this.gap = cell >= 14 ? 2 : cell >= 6 ? 1 : 0;
    const chars = Math.max(maxChars ?? this.longest(), 1);
    const font = Math.floor(Math.min(cell * 0.42, (cell * 0.94) / (0.62 * chars)));
    this.font = font >= minFont ? font : 0;
    const width = this.w * cell + (this.w - 1) * this.gap;
    const height = this.h * cell + (this.h - 1) * this.gap;
    const badge = Math.floor(cell * 0.27);
    this.wrap.style.width = `${width}px`;
    this.wrap.style.height = `${height}px`;
    this.wrap.style.setProperty("--cell", `${cell}px`);
    this.wrap.style.setProperty("--font", `${this.font}px`);
    this.wrap.style.setProperty("--badge", `${badge}px`);
    this.wrap.classList.toggle("lv-nobadge", !this.badged || badge < minFont || this.font === 0);
    if (this.canvas) {
      this.paint();
    } else {
      this.grid.style.setProperty("--cell", `${cell}px`);
      this.grid.style.gap = `${this.gap}px`;
      this.grid.style.fontSize = `${this.font}px`;
      this.grid.classList.toggle("lv-nonum", this.font === 0);
    }
    return { width, height };
  }

  box(r, c) {
    return { x: c * (this.cell + this.gap), y: r * (this.cell + this.gap) };
  }

  setText(i, text, value) {
    if (this.canvas) {
      this.texts[i] = text;
      return;
    }
    const cell = this.cells[i];
    if (cell.textContent !== text) cell.textContent = text;
    if (value !== undefined && !cell.classList.contains("lv-pad")) cell.style.background = tint(value, this.lim);
  }

  setActive(list) {
    // the cells of the current window (flat indices)
    if (this.canvas) {
      this.hl.cells = list;
      this.paintTop();
      return;
    }
    for (const i of this.active) this.cells[i].removeAttribute("data-active");
    for (const i of list) this.cells[i].dataset.active = "true";
    this.active = list;
  }

  setMarks(list, attr) {
    // e.g. the current output cell (data-current), a pooling window's max (data-max)
    if (this.canvas) {
      this.hl.current = list.length ? list[0] : -1;
      this.paintTop();
      return;
    }
    for (const [i, a] of this.marks) this.cells[i].removeAttribute(a);
    this.marks = list.map((i) => [i, attr]);
    for (const i of list) this.cells[i].setAttribute(attr, "true");
  }

  setBands(rows, cols) {
    // whole rows / columns outlined (the Toeplitz row, the im2col column)
    if (this.canvas) {
      this.hl.rows = rows;
      this.hl.cols = cols;
      this.paintTop();
      return;
    }
    for (const c of this.bandCells || []) c.removeAttribute("data-band");
    this.bandCells = [];
    for (const r of rows) for (let c = 0; c < this.w; c++) this.bandCells.push(this.cells[r * this.w + c]);
    for (const c of cols) for (let r = 0; r < this.h; r++) this.bandCells.push(this.cells[r * this.w + c]);
    for (const c of this.bandCells) c.dataset.band = "true";
  }

  paint() {
    const dpr = window.devicePixelRatio || 1;
    const step = this.cell + this.gap;
    const width = this.w * step, height = this.h * step;
    for (const cv of [this.base, this.top]) {
      cv.width = Math.ceil(width * dpr);
      cv.height = Math.ceil(height * dpr);
      cv.style.width = `${width}px`;
      cv.style.height = `${height}px`;
    }
    const g = this.base.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, height);
    for (let i = 0; i < this.h * this.w; i++) {
      const r = Math.floor(i / this.w), c = i % this.w;
      const v = this.values ? this.values[i] : 0;
      g.fillStyle = v === 0 ? "#ffffff" : tint(v, this.lim) || "#ffffff";
      g.fillRect(c * step, r * step, this.cell, this.cell);
      if (this.font && this.texts) {
        g.fillStyle = "#111";
        g.font = `${this.font}px system-ui, sans-serif`;
        g.textAlign = "center";
        g.textBaseline = "middle";
        g.fillText(this.texts[i], c * step + this.cell / 2, r * step + this.cell / 2);
      }
    }
    this.paintTop();
  }

  paintTop() {
    const dpr = window.devicePixelRatio || 1;
    const step = this.cell + this.gap;
    const g = this.top.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, this.w * step, this.h * step);
    g.lineWidth = Math.max(1, Math.min(3, this.cell / 6));
    g.strokeStyle = "#2171b5";
    for (const r of this.hl.rows) g.strokeRect(0.5, r * step + 0.5, this.w * step - 1, this.cell);
    for (const c of this.hl.cols) g.strokeRect(c * step + 0.5, 0.5, this.cell, this.h * step - 1);
    g.fillStyle = "rgba(230, 97, 1, 0.85)";
    for (const i of this.hl.cells) g.fillRect((i % this.w) * step, Math.floor(i / this.w) * step, this.cell, this.cell);
    if (this.hl.current >= 0) {
      const i = this.hl.current;
      g.strokeStyle = "#111";
      g.strokeRect((i % this.w) * step, Math.floor(i / this.w) * step, this.cell, this.cell);
    }
  }
}

// ---------------------------------------------------------------- a titled panel around grids

function panelEl(title, note) {
  const p = el("figure", "lv-panel");
  const cap = el("figcaption", "lv-title", title);
  if (note) cap.appendChild(el("span", "lv-note", note));
  p.appendChild(cap);
  return p;
}

// ---------------------------------------------------------------- the view

const SPEEDS = [0.5, 1, 2, 4, 8];

class View {
  constructor(parent) {
    this.parent = parent;
    this.root = el("div", "lv");
    this.root.tabIndex = 0;
    this.root.dataset.testid = "lesson-view";
    this.root.setAttribute("role", "group");
    this.root.dataset.step = "0";
    parent.appendChild(this.root);
    this.token = 0;
    this.step = 0;
    this.shown = 0;
    this.timer = null;
    this.playing = false;
    this.reportTimer = null;
    this.onKey = (e) => this.key(e);
    this.onDocKey = (e) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.composedPath().some((n) => n instanceof Element && n.classList.contains("lv"))) return;  // a view's own
      const t = e.target;
      if (t && t.closest && t.closest(TYPING)) return;                       // typing is never taken
      if (viewForKeys() === this) this.key(e);
    };
    this.root.addEventListener("keydown", this.onKey);
    document.addEventListener("keydown", this.onDocKey);
    this.onDocPointer = (e) => {
      const path = e.composedPath();
      if (path.includes(this.root)) return;
      // a link that leaves the page: no step report (its rerun of this page raced the link's page switch and won,
      // issue 22); the step it was on is dropped with the page
      if (path.some((n) => n instanceof Element && n.matches("a[href]"))) { clearTimeout(this.reportTimer); return; }
      this.flushReport();
    };
    document.addEventListener("pointerdown", this.onDocPointer, true);
    this.root.addEventListener("focusin", () => { keyboardOwner = this; });
    this.root.addEventListener("pointerdown", () => { keyboardOwner = this; });
    if (!keyboardOwner || !keyboardOwner.root.isConnected) keyboardOwner = this;
    LIVE.add(this);
    this.resize = new ResizeObserver(() => this.layout());
    this.resize.observe(this.root);
  }

  destroy() {
    this.stop(false);
    clearTimeout(this.reportTimer);
    this.resize.disconnect();
    document.removeEventListener("keydown", this.onDocKey);
    document.removeEventListener("pointerdown", this.onDocPointer, true);
    if (keyboardOwner === this) keyboardOwner = null;
    LIVE.delete(this);
    this.root.remove();
    VIEWS.delete(this.parent);
  }

  update(p) {
    this.token += 1;
    const fresh = !this.p || this.p.id !== p.id;
    this.speed = SPEEDS.includes(p.speed) ? p.speed : 1;
    const projector = !!p.projector;
    const relayout = projector !== this.projector;
    this.projector = projector;
    this.root.classList.toggle("lv-projector", projector);
    if (fresh) {
      const wasPlaying = this.playing;
      this.stop(false);
      this.p = p;
      this.build();
      this.step = clamp(p.step | 0, 0, this.n - 1);
      this.root.dataset.step = String(this.step);
      this.reported = p.step;
      this.render(this.step);
      if (wasPlaying && this.step < this.n - 1) this.play();
    } else if (p.step !== this.given && p.step !== this.reported) {
      this.go(p.step);                                  // Python moved the step (not an echo of our report)
    }
    this.given = p.step;
    if (this.speedSelect) this.speedSelect.value = String(this.speed);
    if (fresh || relayout) this.layout();
    return this.token;
  }

  // ---- building
  build() {
    const p = this.p;
    this.root.textContent = "";
    this.lines = [];
    this.root.setAttribute("aria-label", p.aria || "Lesson view: step through it with the arrow keys");
    this.kind = p.kind;
    this.chars = 1;
    for (const a of [p.x, p.w, p.y]) if (a && a.v) for (const v of a.v) this.chars = Math.max(this.chars, show(v).length);
    this.prodChars = p.w ? show(-maxAbs(p.x.v) * maxAbs(p.w.v)).length : 1;     // the longest product, about
    this.thumbRows = [];
    [this.inputs, this.kernels, this.outputs, this.productGrids, this.linkRows] = [[], [], [], [], []];
    this.links = null;
    if (p.kind === "links") this.buildLinksKind();
    else if (p.kind === "stamp") this.buildStamp();
    else if (p.kind === "conv3d") this.buildVolume();          // volume.js
    else if (p.kind === "unit") this.buildUnit();              // unit.js
    else this.buildSliding();
    this.root.prepend(this.buildBar());
    if (p.links) this.buildLinks(p.links);
    this.root.appendChild(this.legend());
    this.scrub.max = String(this.n - 1);
  }

  buildBar() {
    const bar = el("div", "lv-bar");
    const button = (text, label, fn) => {
      const b = el("button", "lv-btn", text);
      b.type = "button";
      b.setAttribute("aria-label", label);
      b.title = label;
      b.addEventListener("click", () => { keyboardOwner = this; fn(); });
      bar.appendChild(b);
      return b;
    };
    button("|◀", "First step", () => this.go(0));
    button("◀", "Previous step", () => this.go(this.step - 1));
    this.playButton = button("▶ Play", "Play", () => (this.playing ? this.stop(true) : this.play()));
    this.playButton.setAttribute("aria-pressed", "false");
    this.playButton.classList.add("lv-play");
    button("▶", "Next step", () => this.go(this.step + 1));
    button("▶|", "Last step", () => this.go(this.n - 1));
    this.scrub = el("input", "lv-scrub");
    this.scrub.type = "range";
    this.scrub.min = "0";
    this.scrub.step = "1";
    this.scrub.setAttribute("aria-label", "Step");
    this.scrub.addEventListener("input", () => this.go(Number(this.scrub.value)));
    bar.appendChild(this.scrub);
    this.counter = el("span", "lv-counter");
    bar.appendChild(this.counter);
    const speed = el("label", "lv-speed", "speed ");
    this.speedSelect = el("select");
    this.speedSelect.setAttribute("aria-label", "Speed (steps per second)");
    for (const s of SPEEDS) {
      const o = el("option", "", `${s} / s`);
      o.value = String(s);
      this.speedSelect.appendChild(o);
    }
    this.speedSelect.value = String(this.speed);
    this.speedSelect.addEventListener("change", () => {
      this.speed = Number(this.speedSelect.value);
      if (this.playing) { this.stop(false); this.play(); }
      this.send({ speed: this.speed });
    });
    speed.appendChild(this.speedSelect);
    bar.appendChild(speed);
    return bar;
  }

  legend() {
    const p = this.p;
    const items = [];
    if (p.kind !== "links") items.push(["lv-key-window", p.kind === "stamp" ? "where this value stamps" : "the window"]);
    if (p.kind === "conv3d") items.push(["lv-key-window", "▸ the slices the kernel lies on now"]);
    if (p.pad && p.pad.some((v) => v > 0)) items.push(["lv-key-pad", p.kind === "stamp" ? "cropped by the padding" : "padding"]);
    if (p.dropped && Object.values(p.dropped).some((list) => list.length)) items.push(["lv-key-dropped", "✕ never read by any window"]);
    if (p.kind === "pool" && p.mode === "max") items.push(["lv-key-max", "★ the window's max"]);
    if (p.groups > 1) items.push(["lv-key-unread", "faded, “not read by this filter”: channels outside its group"]);
    items.push(["lv-key-current", { stamp: "the value stamping now", links: "the entry explained",
                                    unit: "the value computed now" }[p.kind] || "the current output"]);
    if (p.kind === "links") items.unshift(["lv-key-window", "the numbers it is made of"]);
    const box = el("div", "lv-legend");
    for (const [cls, text] of items) {
      const item = el("span", "lv-legend-item");
      item.append(el("span", `lv-swatch ${cls}`), el("span", "", text));
      box.appendChild(item);
    }
    const keys = el("span", "lv-keys", "keys: ← → step · space play/pause · Home / End · " +
                    (p.kind === "unit" ? "click a map to step to its channel" : "click or hover an output"));
    box.appendChild(keys);
    return box;
  }

  // ---- the sliding kinds: conv, pool, windows
  buildSliding() {
    const p = this.p;
    const [C, H, W] = p.x.s;
    const [G, OH, OW] = p.y.s;
    const [KH, KW] = p.k;
    this.C = C; this.H = H; this.W = W; this.G = G; this.OH = OH; this.OW = OW; this.KH = KH; this.KW = KW;
    this.nGroups = p.groups || 1;                      // conv: filter g reads the CG channels of its group only
    this.CG = p.w ? p.w.s[1] : C;
    this.n = G * OH * OW;
    const stage = el("div", "lv-stage");
    const names = p.names;
    const titles = p.titles || {};
    const padded = p.pad.some((v) => v > 0);
    // inputs
    this.inputs = [];
    const xLim = maxAbs(p.x.v);
    const padText = p.kind === "pool" && p.mode === "max" ? `${MINUS}∞` : p.kind === "windows" ? "" : "0";
    for (let c = 0; c < C; c++) {
      const vals = p.x.v.slice(c * H * W, (c + 1) * H * W);
      const [pt, pb, pl, pr] = p.pad;
      const texts = vals.map((v, i) => {
        const r = Math.floor(i / W), q = i % W;
        const isPad = r < pt || r >= H - pb || q < pl || q >= W - pr;
        return isPad ? padText : p.kind === "windows" ? String(v) : show(v);
      });
      const grid = new Grid(H, W, { role: "input", values: p.kind === "windows" ? null : vals, texts, pad: p.pad,
                                    dropped: p.dropped, lim: xLim, g: c });
      grid.channel = c;
      const title = (titles.x || (p.kind === "windows" ? "input" : names.x)) + (C > 1 ? ` channel ${c}` : "") +
        (padded ? " (padded)" : "");
      const panel = panelEl(title);
      if (this.nGroups > 1) {
        panel.dataset.channel = String(c);
        grid.unread = el("span", "lv-unread-note", " — not read by this filter");
        panel.firstChild.appendChild(grid.unread);
      }
      panel.appendChild(grid.wrap);
      grid.panel = panel;
      this.addWindow(grid);
      this.inputs.push(grid);
    }
    // kernels (conv): the current filter's, one per input channel it reads
    this.kernels = [];
    if (p.kind === "conv") {
      const wLim = maxAbs(p.w.v);
      for (let c = 0; c < this.CG; c++) {
        const grid = new Grid(KH, KW, { role: "kernel", values: new Array(KH * KW).fill(0),
                                        texts: new Array(KH * KW).fill(""), lim: wLim, g: c });
        const panel = panelEl("");
        panel.appendChild(grid.wrap);
        grid.panel = panel;
        this.kernels.push(grid);
      }
    }
    // outputs
    this.outputs = [];
    const yLim = p.y.v ? maxAbs(p.y.v) : 0;
    for (let g = 0; g < G; g++) {
      const texts = new Array(OH * OW).fill("");
      const grid = new Grid(OH, OW, { role: "output", values: null, texts, lim: yLim, g,
                                      onHover: (i) => this.preview(g * OH * OW + i),
                                      onClick: (i) => this.go(g * OH * OW + i) });
      grid.wrap.addEventListener("mouseleave", () => this.preview(-1));
      const what = p.kind === "pool" ? "channel" : "filter";
      const title = (titles.y || names.y) + (G > 1 ? ` ${what} ${g}` : "");
      const panel = panelEl(title, ` ${OH} × ${OW}`);
      panel.appendChild(grid.wrap);
      grid.panel = panel;
      this.outputs.push(grid);
    }
    this.revealed = -1;
    this.fillStage(stage, [this.inputs, this.kernels, this.outputs]);
    this.buildDetail();
  }

  fillStage(stage, groups) {
    // panels in role groups (inputs, kernels, outputs) with a line break between groups that layout() may use
    this.groups = groups.filter((g) => g.length);
    this.breaks = [];
    this.groups.forEach((group, k) => {
      if (k > 0) {
        const br = el("div", "lv-break");
        stage.appendChild(br);
        this.breaks.push(br);
      }
      for (const grid of group) stage.appendChild(grid.panel);
    });
    this.root.appendChild(stage);
    this.stage = stage;
  }

  stageCell(width, minFont, maxCell) {
    // the largest readable cell size: all panels in one row, else inputs above the rest, else one row per role,
    // else the smallest cell that still shows numbers (the panels of a role wrap)
    const fit = (grids) => {
      const cols = grids.reduce((s, g) => s + g.w, 0);
      const extra = grids.reduce((s, g) => s + 2 * g.w + (g.under ? 60 : 0), 0) + 28 * (grids.length - 1);
      return Math.floor((width - extra) / cols);
    };
    const comfy = Math.ceil(Math.max(minFont / 0.42, minFont * 0.66 * this.chars));
    const groups = this.groups;
    const all = groups.flat();
    const options = [[fit(all), []]];
    if (groups.length > 1) options.push([Math.min(fit(groups[0]), fit(groups.slice(1).flat())), [0]]);
    if (groups.length > 2) options.push([Math.min(...groups.map(fit)), [0, 1]]);
    let chosen = options.find(([cell]) => cell >= comfy);
    if (!chosen) {
      const widest = Math.min(...all.map((g) => fit([g])));
      chosen = [Math.min(comfy, widest), this.breaks.map((_, k) => k)];
    }
    this.breaks.forEach((br, k) => { br.style.display = chosen[1].includes(k) ? "block" : "none"; });
    return clamp(Math.min(chosen[0], maxCell), 4, maxCell);
  }

  addWindow(grid) {
    // the window outline and, for conv, the kernel laid over it (one badge per tap); 1D: rows under the input
    const win = el("div", "lv-window");
    win.setAttribute("aria-hidden", "true");
    grid.wrap.appendChild(win);
    grid.window = win;
    grid.badges = [];
    if (!["conv", "conv3d", "stamp"].includes(this.p.kind) || grid.role !== "input" && this.p.kind !== "stamp") return;
    const { KH, KW } = this.p.kind === "stamp" ? { KH: this.p.k[0], KW: this.p.k[1] } : this;
    for (let i = 0; i < KH * KW; i++) {
      const b = el("span", this.p.dims === 1 ? "lv-under" : "lv-badge");
      if (this.p.dims !== 1) b.appendChild(el("span", "lv-pill"));
      grid.badged = this.p.dims !== 1;
      grid.wrap.appendChild(b);
      grid.badges.push(b);
      if (this.p.dims === 1 && this.p.kind === "conv") {
        if (i === 0) {
          grid.wrap.classList.add("lv-rows3");
          grid.wrap.append(el("span", "lv-rowlabel lv-rowlabel-w", this.p.names.w),
                           el("span", "lv-rowlabel lv-rowlabel-p", `${this.p.names.w}${TIMES}${this.p.names.x}`));
        }
        const prod = el("span", "lv-under lv-under-prod");
        prod.dataset.cell = "product";
        grid.wrap.appendChild(prod);
        (grid.under = grid.under || []).push(prod);
      }
    }
  }

  buildDetail() {
    const p = this.p;
    const detail = this.newDetail();
    this.productGrids = [];
    if (p.kind === "conv" && p.dims === 2) {
      const row = el("div", "lv-products");
      for (let c = 0; c < this.CG; c++) {
        const grid = new Grid(this.KH, this.KW, { role: "product", values: new Array(this.KH * this.KW).fill(0),
                                                  texts: new Array(this.KH * this.KW).fill(""), g: c });
        const panel = panelEl(this.C > 1 ? `products, channel ${c}` : `products ${p.names.w} ${TIMES} window`);
        panel.appendChild(grid.wrap);
        grid.sum = el("div", "lv-sum");
        panel.appendChild(grid.sum);
        grid.panel = panel;
        this.productGrids.push(grid);
        row.appendChild(panel);
      }
      detail.appendChild(row);
    }
    this.exprBox = el("div", "lv-expr");
    detail.appendChild(this.exprBox);
    this.root.appendChild(detail);
  }

  // ---- stamps (transposed convolution)
  buildStamp() {
    const p = this.p;
    const [O, IH, IW] = p.x.s;
    const [, C, KH, KW] = p.w.s;
    const [, HF, WF] = p.y.s;
    Object.assign(this, { O, IH, IW, C, KH, KW, HF, WF });
    this.n = O * IH * IW;
    const stage = el("div", "lv-stage");
    const names = p.names;
    this.inputs = [];
    const xLim = maxAbs(p.x.v);
    for (let o = 0; o < O; o++) {
      const vals = p.x.v.slice(o * IH * IW, (o + 1) * IH * IW);
      const grid = new Grid(IH, IW, { role: "input", values: vals, texts: vals.map(show), lim: xLim, g: o,
                                      onHover: (i) => this.preview(o * IH * IW + i),
                                      onClick: (i) => this.go(o * IH * IW + i) });
      grid.wrap.addEventListener("mouseleave", () => this.preview(-1));
      const panel = panelEl((p.titles && p.titles.x) || names.x + (O > 1 ? ` ${o}` : ""));
      panel.appendChild(grid.wrap);
      grid.panel = panel;
      this.inputs.push(grid);
    }
    this.kernels = [];
    const wLim = maxAbs(p.w.v);
    for (let c = 0; c < C; c++) {
      const grid = new Grid(KH, KW, { role: "kernel", values: new Array(KH * KW).fill(0),
                                      texts: new Array(KH * KW).fill(""), lim: wLim, g: c });
      const panel = panelEl("");
      panel.appendChild(grid.wrap);
      grid.panel = panel;
      this.kernels.push(grid);
    }
    // running sums after every stamp, in stamp order (the last one is convlab's result)
    const size = C * HF * WF;
    this.partial = [];
    let acc = new Float64Array(size);
    const [sh, sw] = p.s, [dh, dw] = p.d;
    for (let i = 0; i < this.n; i++) {
      const [o, r, q] = unravel(i, [O, IH, IW]);
      const v = p.x.v[i];
      acc = Float64Array.from(acc);
      for (let c = 0; c < C; c++)
        for (let a = 0; a < KH; a++)
          for (let b = 0; b < KW; b++)
            acc[(c * HF + r * sh + a * dh) * WF + q * sw + b * dw] += v * p.w.v[((o * C + c) * KH + a) * KW + b];
      this.partial.push(acc);
    }
    this.partial[this.n - 1] = Float64Array.from(p.y.v);
    this.outputs = [];
    const yLim = maxAbs(p.y.v);
    for (let c = 0; c < C; c++) {
      const grid = new Grid(HF, WF, { role: "output", values: new Array(HF * WF).fill(0),
                                      texts: new Array(HF * WF).fill(""), pad: p.pad, lim: yLim, g: c });
      const title = ((p.titles && p.titles.y) || names.y) + (C > 1 ? ` channel ${c}` : "");
      const panel = panelEl(title, p.pad.some((v) => v > 0) ? " (before cropping)" : "");
      panel.appendChild(grid.wrap);
      grid.panel = panel;
      this.addWindow(grid);
      this.outputs.push(grid);
    }
    this.fillStage(stage, [[...this.inputs, ...this.kernels], [], this.outputs]);
    this.root.appendChild(this.newDetail(true));
  }

  // ---- linked matrix panels (the matrix page) and the "links" kind (the backward pass)
  buildPanels(spec, out) {
    // out: the panel whose cells are the steps (data-cell="output"); spec.pick: other panels whose cells pick a
    // step too, by their flat index ("flat") or by their row ("row", e.g. a row of the Toeplitz matrix)
    const box = el("div", "lv-links");
    const byId = {};
    const picks = { ...(spec.pick || {}), ...(out ? { [out]: "flat" } : {}) };
    for (const sp of spec.panels) {
      const [G, H, W] = sp.a.s;
      const lim = maxAbs(sp.a.v);
      const grids = [];
      const how = picks[sp.id];
      for (let g = 0; g < G; g++) {
        const vals = sp.a.v.slice(g * H * W, (g + 1) * H * W);
        const toStep = (i) => (how === "row" ? Math.floor(i / W) : g * H * W + i);
        const onPick = how ? { onHover: (i) => this.preview(toStep(i)), onClick: (i) => this.go(toStep(i)) } : {};
        const grid = new Grid(H, W, { role: out === sp.id ? "output" : "matrix", values: vals,
                                      texts: vals.map(show), lim, pad: sp.pad, g, ...onPick });
        grid.wrap.dataset.panel = sp.id;
        if (how) grid.wrap.addEventListener("mouseleave", () => this.preview(-1));
        if (how) grid.wrap.classList.add("lv-pickable");
        const panel = panelEl(sp.labels ? sp.labels[g] : sp.title, G > 1 || sp.labels ? "" : ` ${H} × ${W}`);
        panel.appendChild(grid.wrap);
        grid.panel = panel;
        grids.push(grid);
      }
      byId[sp.id] = { spec: sp, grids, H, W };
    }
    this.panels = byId;
    this.linkRows = [];
    const place = (info, row, col, lead) => {
      const slot = el("div", "lv-falk-slot");
      slot.style.gridRow = String(row);
      slot.style.gridColumn = String(col);
      if (lead) slot.appendChild(el("span", "lv-op", lead));
      for (const g of info.grids) slot.appendChild(g.panel);
      return slot;
    };
    for (const row of spec.rows) {
      if (row.falk) {
        // a matrix product laid out so that the lit row of A meets the lit column of B at C (Falk's scheme);
        // bt: B is drawn as a row above A's columns (x above the columns of T it multiplies)
        const [a, b, c] = row.falk.map((id) => byId[id]);
        const block = el("div", "lv-falk");
        if (row.caption) block.appendChild(el("div", "lv-falk-caption", row.caption));
        block.appendChild(place(b, 2, row.bt ? 1 : 2));
        block.appendChild(place(a, 3, 1));
        block.appendChild(place(c, 3, 2));
        const members = [a, b, c];
        if (row.plus) {
          block.appendChild(place(byId[row.plus], 3, 3, "+"));
          members.push(byId[row.plus]);
        }
        box.appendChild(block);
        this.linkRows.push({ line: block, members, falk: row, a, b, c, plus: row.plus ? byId[row.plus] : null });
        continue;
      }
      const line = el("div", "lv-eq");
      const members = [];
      for (const item of row) {
        if (byId[item]) {
          const group = el("div", "lv-group");
          for (const g of byId[item].grids) group.appendChild(g.panel);
          line.appendChild(group);
          members.push(byId[item]);
        } else {
          line.appendChild(el("span", "lv-op", item));
        }
      }
      box.appendChild(line);
      this.linkRows.push({ line, members });
    }
    return box;
  }

  buildLinks(spec) {
    this.links = spec;
    const box = this.buildPanels(spec, null);
    box.prepend(el("div", "lv-links-title", spec.title || ""));
    this.root.appendChild(box);
  }

  buildLinksKind() {
    const p = this.p;
    this.n = p.values.length;
    this.root.appendChild(this.buildPanels(p, p.out));
    this.root.appendChild(this.newDetail(true));
  }

  // the detail under the grids: the headline (read out when it changes), and with `expr` the written-out lines after it
  newDetail(expr = false) {
    const detail = el("div", "lv-detail");
    this.headline = el("div", "lv-headline");
    this.headline.setAttribute("aria-live", "polite");
    detail.appendChild(this.headline);
    if (expr) {
      this.exprBox = el("div", "lv-expr");
      detail.appendChild(this.exprBox);
    }
    return detail;
  }

  // ---- sizes
  layout() {
    if (!this.p) return;
    const width = Math.max(200, this.root.clientWidth - 8);
    const maxCell = this.projector ? 80 : 56;
    const minFont = this.projector ? 18 : 12;
    const stageGrids = [...(this.inputs || []), ...(this.kernels || []), ...(this.outputs || [])];
    if (stageGrids.length) {
      const cell = this.stageCell(width, minFont, maxCell);
      const chars = this.chars;
      for (const g of stageGrids) g.size(cell, minFont, chars);
      for (const g of this.inputs || []) {
        if (!g.under) continue;                  // 1D conv: the kernel and the products ride under the input
        const rows = 3 * cell + 2 * g.gap + 16;
        g.wrap.style.height = `${rows}px`;
      }
      for (const g of this.productGrids || []) g.size(Math.max(cell, this.projector ? 64 : 44), minFont, this.prodChars);
      this.cell = cell;
      this.minFont = minFont;
    }
    for (const row of this.thumbRows) {
      // small grids, colours only (the volume's slices, a layer's maps): one row if it fits, else they wrap;
      // their numbers are in the big grids, so screen readers skip them
      const cols = row.grids.reduce((s, g) => s + g.w, 0);
      const cell = clamp(Math.floor((width - 16 * row.grids.length) / cols), 3, row.max || 12);
      for (const g of row.grids) {
        g.size(cell, Infinity, 1);
        g.wrap.setAttribute("aria-hidden", "true");
      }
    }
    if (this.kind === "unit") this.layoutUnit(width, minFont);
    const comfyL = Math.ceil(minFont / 0.42) + 4;
    const capH = this.projector ? 1100 : 800;
    for (const row of this.linkRows || []) {
      const grids = row.members.flatMap((m) => m.grids);
      let cols, height;
      if (row.falk) {
        const wide = (info) => info.grids.reduce((s, g) => s + g.w, 0);
        cols = (row.falk.bt ? Math.max(wide(row.a), wide(row.b)) : wide(row.a)) + wide(row.c) +
          (row.plus ? wide(row.plus) + 1.5 : 0);
        height = Math.max(...row.b.grids.map((g) => g.h)) + Math.max(...row.a.grids.map((g) => g.h));
      } else {
        cols = grids.reduce((s, g) => s + g.w, 0) + grids.length * 0.4 + row.line.querySelectorAll(".lv-op").length;
        height = Math.max(...grids.map((g) => g.h));
      }
      let cell = Math.floor((width - 60) / (cols * 1.06));
      cell = Math.min(cell, maxCell);
      if (height * cell > capH) cell = Math.max(Math.floor(capH / height), Math.min(cell, comfyL));
      cell = clamp(cell, 2, maxCell);
      const chars = Math.max(...grids.map((g) => g.longest()));
      for (const g of grids) g.size(cell, minFont, chars);
    }
    this.render(this.shown);
  }

  // ---- stepping
  go(i) {
    if (!this.n) return;
    const step = clamp(i | 0, 0, this.n - 1);
    if (this.playing && step !== this.step + 1) this.stop(false);
    this.step = step;
    this.root.dataset.step = String(step);
    this.render(step);
    this.scheduleReport();
  }

  preview(i) {
    // hover: show another step without moving the current one
    if (this.playing) return;
    this.render(i >= 0 ? i : this.step);
  }

  play() {
    if (this.step >= this.n - 1) this.go(0);
    this.playing = true;
    this.playButton.setAttribute("aria-pressed", "true");
    this.playButton.textContent = "⏸ Pause";
    const tick = () => {
      if (!this.playing) return;
      if (this.step >= this.n - 1) { this.stop(true); return; }
      this.step += 1;
      this.root.dataset.step = String(this.step);
      this.render(this.step);
      if (this.step >= this.n - 1) this.stop(true);                    // the end: stop there, report once
      else this.timer = setTimeout(tick, 1000 / this.speed);
    };
    this.timer = setTimeout(tick, 1000 / this.speed);
  }

  stop(report) {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.playing) {
      this.playing = false;
      this.playButton.setAttribute("aria-pressed", "false");
      this.playButton.textContent = "▶ Play";
    }
    if (report) this.scheduleReport();
  }

  scheduleReport() {
    // the step goes back to Python once the stepping pauses: one report, not one rerun per step
    clearTimeout(this.reportTimer);
    this.reportTimer = setTimeout(() => this.flushReport(), 900);
  }

  flushReport() {
    // report the step now (also when the pointer goes down anywhere else on the page: a click that leaves the
    // page's view, e.g. "Back to the overview", must not lose the step it was on)
    clearTimeout(this.reportTimer);
    if (this.playing || this.step === this.reported) return;
    this.reported = this.step;
    this.send({ step: this.step });
  }

  send(values) {
    if (!this.report) return;
    for (const [k, v] of Object.entries(values)) this.report(k, v);
  }

  key(e) {
    const t = e.target;
    const control = t && t.closest && t.closest("button, select, input");
    if (control && (e.key === " " || e.key === "Enter")) return;          // the control's own action
    if (control && control.tagName === "INPUT" && e.key.startsWith("Arrow")) return;
    if (control && control.tagName === "SELECT") return;
    const moves = { ArrowRight: 1, ArrowDown: 0, PageDown: 1, ArrowLeft: -1, PageUp: -1 };
    if (e.key in moves && moves[e.key]) this.go(this.step + moves[e.key]);
    else if (e.key === "Home") this.go(0);
    else if (e.key === "End") this.go(this.n - 1);
    else if (e.key === " " || e.key === "k") { if (this.playing) this.stop(true); else this.play(); }
    else return;
    keyboardOwner = this;
    e.preventDefault();
  }

  // ---- drawing one step
  render(i) {
    if (!this.n) return;
    i = clamp(i, 0, this.n - 1);
    this.shown = i;
    this.scrub.value = String(this.step);
    this.counter.textContent = `step ${this.step + 1} of ${this.n}`;
    if (this.kind === "links") this.renderLinksKind(i);
    else if (this.kind === "stamp") this.renderStamp(i);
    else if (this.kind === "conv3d") this.renderVolume(i);
    else if (this.kind === "unit") this.renderUnit(i);
    else this.renderSliding(i);
    if (this.links) this.renderLinks(i);
  }

  indexText(parts) {
    return `[${parts.join(", ")}]`;
  }

  outIndex(g, r, q) {
    const ix = this.p.ix;
    const parts = [];
    if (ix.includes("g")) parts.push(g);
    if (ix.includes("r")) parts.push(r);
    parts.push(q);
    return this.indexText(parts);
  }

  placeWindow(grid, r0, c0, taps, dh, dw, kh, kw) {
    // move the outline over rows r0.., cols c0.. (in cells) and light the taps
    const a = grid.box(r0, c0);
    const spanH = (kh - 1) * dh + 1, spanW = (kw - 1) * dw + 1;
    const win = grid.window;
    win.style.display = "block";
    win.style.transform = `translate(${a.x - 3}px, ${a.y - 3}px)`;
    win.style.width = `${spanW * grid.cell + (spanW - 1) * grid.gap + 6}px`;
    win.style.height = `${spanH * grid.cell + (spanH - 1) * grid.gap + 6}px`;
    win.classList.toggle("lv-dilated", dh > 1 || dw > 1);
    grid.wrap.classList.toggle("lv-dil", dh > 1 || dw > 1);
    grid.setActive(taps);
  }

  renderSliding(i) {
    const p = this.p;
    const { C, H, W, OH, OW, KH, KW } = this;
    const [g, r, q] = unravel(i, [this.G, OH, OW]);
    const [sh, sw] = p.s, [dh, dw] = p.d;
    const r0 = r * sh, c0 = q * sw;
    const transition = Math.min(220, 600 / this.speed);
    this.root.style.setProperty("--lv-move", `${this.playing ? transition : 160}ms`);
    // which input channels this step reads: its group's (conv; all of them without groups), its own (pool)
    const reads = p.kind === "pool" ? [g] : this.groupOf(g);
    const taps = [];
    for (let a = 0; a < KH; a++) for (let b = 0; b < KW; b++) taps.push([r0 + a * dh, c0 + b * dw]);
    for (const grid of this.inputs) {
      if (grid.unread) {
        const unread = !reads.includes(grid.channel);
        grid.panel.dataset.read = String(!unread);
        grid.panel.classList.toggle("lv-unread", unread);
        grid.unread.style.visibility = unread ? "" : "hidden";
      }
      if (!reads.includes(grid.channel)) {
        grid.window.style.display = "none";
        grid.setActive([]);
        grid.setMarks([], "data-max");
        for (const b of grid.badges) b.style.display = "none";
        for (const u of grid.under || []) u.style.display = "none";
        continue;
      }
      this.placeWindow(grid, r0, c0, taps.map(([rr, cc]) => rr * W + cc), dh, dw, KH, KW);
      if (p.kind === "conv") this.placeKernel(grid, g, taps);
      if (p.kind === "pool" && p.argmax) {
        const [ar, ac] = [p.argmax.v[2 * i], p.argmax.v[2 * i + 1]];
        grid.setMarks([ar * W + ac], "data-max");
      }
    }
    // kernels of this filter
    if (p.kind === "conv") {
      const CG = this.CG;
      for (let k = 0; k < CG; k++) {
        const grid = this.kernels[k];
        if (grid.filter !== g) {
          for (let t = 0; t < KH * KW; t++) {
            const v = p.w.v[((g * CG + k) * KH) * KW + t];
            grid.setText(t, show(v), v);
          }
          grid.filter = g;
          grid.panel.firstChild.textContent =
            `${p.names.w}${this.G > 1 ? `[${g}]` : ""}${C > 1 ? ` channel ${reads[k]}` : ""}${p.flip ? " (flipped)" : ""}`;
        }
      }
    }
    // outputs: revealed up to the current step, the shown one marked
    if (p.y.v) {
      const upto = Math.max(this.step, i);
      if (upto !== this.revealed) {
        const lo = Math.min(upto, this.revealed), hi = Math.max(upto, this.revealed);
        for (let k = Math.max(lo + 1, 0); k <= hi; k++) {
          const [gg, rr, qq] = unravel(k, [this.G, OH, OW]);
          const grid = this.outputs[gg];
          const v = p.y.v[k];
          if (k <= upto) grid.setText(rr * OW + qq, show(v), v);
          else grid.setText(rr * OW + qq, "", 0);
          if (k > upto) grid.cells[rr * OW + qq].style.background = "";
        }
        this.revealed = upto;
      }
    }
    this.outputs.forEach((grid, gg) => grid.setMarks(gg === g ? [r * OW + q] : [], "data-current"));
    this.describe(i, g, r, q, taps, reads);
  }

  groupOf(g) {
    // the input channels filter g reads: its group's CG channels (all C of them without groups)
    const first = Math.floor(g / (this.G / this.nGroups)) * this.CG;
    return Array.from({ length: this.CG }, (_, k) => first + k);
  }

  placeKernel(grid, g, taps) {
    // the kernel laid over the window: each tap's weight (2D: a corner badge "×w"; 1D: rows under the input)
    const p = this.p;
    const { CG, KH, KW } = this;
    const c = grid.channel - this.groupOf(g)[0];          // the filter's own channel index
    const dims1 = p.dims === 1;
    taps.forEach(([rr, cc], k) => {
      const wv = p.w.v[((g * CG + c) * KH) * KW + k];
      const box = grid.box(rr, cc);
      const badge = grid.badges[k];
      badge.style.display = "";
      if (dims1) {
        badge.textContent = show(wv);
        badge.style.transform = `translate(${box.x}px, ${grid.cell + grid.gap + 6}px)`;
        const xv = at(p.x, (c * this.H + rr) * this.W + cc);
        const prod = grid.under[k];
        prod.style.display = "";
        prod.textContent = show(wv * xv);
        prod.style.transform = `translate(${box.x}px, ${2 * (grid.cell + grid.gap) + 10}px)`;
      } else {
        badge.firstChild.textContent = `${TIMES}${show(wv)}`;
        badge.style.transform = `translate(${box.x}px, ${box.y}px)`;
      }
    });
  }

  describe(i, g, r, q, taps, reads) {
    const p = this.p;
    const n = p.names;
    const idx = this.outIndex(g, r, q);
    if (p.kind === "windows") {
      const cells = taps.map(([rr, cc]) => `(${rr - p.pad[0]}, ${cc - p.pad[2]})`);
      this.headline.textContent = `output${idx}: window at row ${taps[0][0] - p.pad[0]}, column ${taps[0][1] - p.pad[2]}`;
      this.setLines([`reads ${taps.length} cell${taps.length > 1 ? "s" : ""} (row, column; padding counts from ${MINUS}1): ` +
                     cells.slice(0, 24).join(" ") + (cells.length > 24 ? " …" : "")]);
      return;
    }
    const value = p.y.v[i];
    this.headline.textContent = `${n.y}${idx} = ${show(value)}`;
    if (p.kind === "pool") {
      const vals = taps.map(([rr, cc]) => at(p.x, (g * this.H + rr) * this.W + cc));
      const terms = vals.map(show);
      let line;
      if (p.mode === "max") {
        const am = p.argmax ? taps.findIndex(([rr, cc]) => rr === p.argmax.v[2 * i] && cc === p.argmax.v[2 * i + 1]) : -1;
        line = `max(${terms.map((t, k) => (k === am ? `${t}★` : t)).join(", ")}) = ${show(value)}`;
      } else {
        line = `(${sumText(terms)}) / ${terms.length} = ${show(value)}`;
      }
      const lines = [line];
      if (p.argmax && p.mode === "max") {
        lines.push(`the max sits at row ${p.argmax.v[2 * i] - p.pad[0]}, column ${p.argmax.v[2 * i + 1] - p.pad[2]} ★`);
      }
      this.setLines(lines);
      return;
    }
    // conv: products per channel, then the channel sums and the bias
    const { C, CG, KH, KW } = this;
    const lines = [];
    const sums = [];
    if (this.nGroups > 1) {
      const others = [...Array(C).keys()].filter((c) => !reads.includes(c));
      const which = (list) => `channel${list.length > 1 ? "s" : ""} ${list.join(", ")}`;
      lines.push(`filter ${g} reads ${which(reads)} (group ${Math.floor(reads[0] / CG)} of ${this.nGroups}); ` +
                 `${which(others)} ${others.length > 1 ? "are" : "is"} not read by this filter`);
    }
    reads.forEach((c, k) => {
      const prods = [];
      const words = [];
      taps.forEach(([rr, cc], t) => {
        const wv = p.w.v[((g * CG + k) * KH) * KW + t];
        const xv = at(p.x, (c * this.H + rr) * this.W + cc);
        prods.push(wv * xv);
        words.push(`${show(wv)}${TIMES}${factor(xv)}`);
      });
      const s = p.sums.v[i * CG + k];
      sums.push(s);
      const pg = this.productGrids[k];
      if (pg) {
        prods.forEach((v, t) => pg.setText(t, show(v), v));
        pg.lim = maxAbs(prods);
        pg.sum.textContent = `Σ = ${show(s)}`;
        if (C > 1) pg.panel.firstChild.textContent = `products, channel ${c}`;
      }
      const written = words.length <= 16 ? sumText(words) : `the ${words.length} products`;
      lines.push(`${C > 1 ? `channel ${c}: ` : ""}${written} = ${show(s)}`);
    });
    const b = p.bias ? p.bias[g] : null;
    if (CG > 1 || this.nGroups > 1 || (b !== null && b !== 0)) {
      const parts = sums.map(show);
      if (b !== null) parts.push(show(b));
      lines.push(`${n.y}${idx} = ${sumText(parts)}${b !== null ? ` (${CG > 1 ? "channel sums + " : "sum + "}bias)` : ""} = ${show(p.y.v[i])}`);
      this.setLines(lines);
    } else {
      this.headline.textContent = `${n.y}${idx} = ${lines[0]}`;      // one line says it all
      this.setLines([]);
    }
  }

  setLines(lines) {
    // update the written-out sums in place (no flicker)
    while (this.lines.length < lines.length) {
      const line = el("div", "lv-line");
      this.exprBox.appendChild(line);
      this.lines.push(line);
    }
    this.lines.forEach((line, k) => {
      const text = k < lines.length ? lines[k] : "";
      if (line.textContent !== text) line.textContent = text;
      line.style.display = k < lines.length ? "" : "none";
    });
  }

  renderStamp(i) {
    const p = this.p;
    const { O, IH, IW, C, KH, KW, HF, WF } = this;
    const [o, r, q] = unravel(i, [O, IH, IW]);
    const [sh, sw] = p.s, [dh, dw] = p.d;
    const v = p.x.v[i];
    this.root.style.setProperty("--lv-move", `${this.playing ? Math.min(220, 600 / this.speed) : 160}ms`);
    this.inputs.forEach((grid, oo) => {
      grid.setActive(oo === o ? [r * IW + q] : []);
      grid.setMarks(oo === o ? [r * IW + q] : [], "data-current");
    });
    for (let c = 0; c < C; c++) {
      const grid = this.kernels[c];
      if (grid.filter !== o) {
        for (let k = 0; k < KH * KW; k++) {
          const wv = p.w.v[((o * C + c) * KH) * KW + k];
          grid.setText(k, show(wv), wv);
        }
        grid.filter = o;
        grid.panel.firstChild.textContent = `${p.names.w}${O > 1 ? `[${o}]` : ""}${C > 1 ? ` channel ${c}` : ""}`;
      }
    }
    const sums = this.partial[i];
    const taps = [];
    for (let a = 0; a < KH; a++) for (let b = 0; b < KW; b++) taps.push([r * sh + a * dh, q * sw + b * dw]);
    this.outputs.forEach((grid, c) => {
      for (let k = 0; k < HF * WF; k++) {
        const s = sums[c * HF * WF + k];
        grid.setText(k, show(s), s);
      }
      this.placeWindow(grid, r * sh, q * sw, taps.map(([rr, cc]) => rr * WF + cc), dh, dw, KH, KW);
      taps.forEach(([rr, cc], k) => {
        const badge = grid.badges[k];
        const add = v * p.w.v[((o * C + c) * KH) * KW + k];
        const box = grid.box(rr, cc);
        badge.style.display = "";
        badge.firstChild.textContent = `+${factor(add)}`;
        badge.style.transform = `translate(${box.x}px, ${box.y}px)`;
      });
    });
    const idx = this.indexText(p.ix.includes("g") ? [o, r, q] : [r, q]);
    this.headline.textContent = `${p.names.x}${idx} = ${show(v)} stamps ${show(v)} ${TIMES} ${p.names.w}`;
    const lines = [`at rows ${r * sh - p.pad[0]}…${r * sh + (KH - 1) * dh - p.pad[0]}, columns ` +
                   `${q * sw - p.pad[2]}…${q * sw + (KW - 1) * dw - p.pad[2]} of the output` +
                   (p.pad.some((x) => x > 0) ? " (negative or past the end: cropped by the padding)" : "")];
    lines.push(i === this.n - 1 ? "every input has stamped: this is the result (overlaps add up)"
      : `step ${i + 1} of ${this.n}: the running sums of the first ${i + 1} stamps`);
    this.setLines(lines);
  }

  renderLinks(i) {
    const hl = this.links.hl[i] || {};
    for (const [id, info] of Object.entries(this.panels)) {
      const spec = hl[id] || {};
      const size = info.H * info.W;
      info.grids.forEach((grid, g) => {
        const pick = (list) => (list || []).filter((k) => Math.floor(k / size) === g).map((k) => k % size);
        grid.setActive(pick(spec.c));
        grid.setBands((spec.r || []).filter((k) => Math.floor(k / info.H) === g).map((k) => k % info.H),
                      (spec.k || []).filter((k) => Math.floor(k / info.W) === g).map((k) => k % info.W));
      });
    }
  }

  renderLinksKind(i) {
    const p = this.p;
    const hl = p.hl[i];
    for (const [id, info] of Object.entries(this.panels)) {
      const list = hl[id] || [];
      const size = info.H * info.W;
      info.grids.forEach((grid, g) => {
        grid.setActive(list.filter((k) => Math.floor(k / size) === g).map((k) => k % size));
        if (id === p.out) grid.setMarks(Math.floor(i / size) === g ? [i % size] : [], "data-current");
      });
    }
    const idx = this.indexText(unravel(i, p.shape));
    const value = p.values[i];
    const words = p.terms[i].map(([pa, ia, pb, ib]) => {
      const a = p.panels[pa].a.v[ia], b = p.panels[pb].a.v[ib];
      return `${show(a)}${TIMES}${factor(b)}`;
    });
    const nonzero = p.terms[i].filter(([pa, ia, pb, ib]) => p.panels[pa].a.v[ia] * p.panels[pb].a.v[ib] !== 0).length;
    const text = !words.length ? "0 (no window reaches this entry)"
      : words.length <= 20 ? `${sumText(words)} = ${show(value)}`
        : `the ${words.length} products (${nonzero} not zero) add up to ${show(value)}`;
    this.headline.textContent = `${p.label}${idx} = ${text}`;
    this.setLines([]);
  }
}

// ---------------------------------------------------------------- the component's entry point

export default function lessonView(component) {
  const { data, parentElement, setStateValue } = component;
  const payload = decode(data);
  let view = VIEWS.get(parentElement);
  if (!view) {
    view = new View(parentElement);
    VIEWS.set(parentElement, view);
  }
  view.report = setStateValue;
  if (!payload) return undefined;
  const token = view.update(payload);
  return () => {
    // Streamlit calls the cleanup of the latest mount when the element goes away
    if (view.token === token) view.destroy();
  };
}
