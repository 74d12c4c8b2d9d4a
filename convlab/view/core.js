// ConvLab's lesson view, the core: number formatting, the grid of cells, the colours, the base of every lesson
// kind, and the View (controls, keyboard, stepping, reporting the step). The kinds (one file each: links.js,
// sliding.js, stamp.js, volume.js, unit.js) build and draw a document; kinds.js registers them in one table and
// holds the entry point. The files are concatenated into one ES module (convlab.view.view_js), no build step.
//
// Python sends one document per parameter set (convlab/view/payload.py, described by payload.schema.json) with
// the whole trace; the view replays it. The step goes back to the host (setStateValue) once the stepping pauses
// (one report, never one per step), so the app's URL and exports, or a notebook's trait, carry it.
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


// ---------------------------------------------------------------- numbers, as convlab/_core/format.py writes them
// (tests/js/core.test.mjs checks them against Python's own formatting)

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

function num(v) {
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


// ---------------------------------------------------------------- colours, from convlab.figures.theme (CSS variables)

// The theme's colours reach the view as CSS variables on .lv (convlab.figures.theme.css_variables, prepended to
// view.css): cells, outlines and canvases all read them here, so one place (the theme) sets every colour.
const PALETTE = { neg: [145, 205, 255], pos: [255, 165, 145], window: "#e66101", current: "#2171b5",
                  ink: "#111111", active: "rgba(230, 97, 1, 0.85)" };

function rgbOf(text) {
  // "#rrggbb" -> [r, g, b]
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text.trim());
  return m ? [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)] : null;
}

function readPalette(root) {
  // the theme's values, where the page has them (the view's CSS always does)
  const css = getComputedStyle(root);
  const get = (name) => css.getPropertyValue(name).trim();
  const neg = rgbOf(get("--cl-cell-neg")), pos = rgbOf(get("--cl-cell-pos"));
  if (neg) PALETTE.neg = neg;
  if (pos) PALETTE.pos = pos;
  for (const [key, name] of [["window", "--cl-window"], ["current", "--cl-current"], ["ink", "--cl-ink"],
                             ["active", "--cl-active"]]) {
    if (get(name)) PALETTE[key] = get(name);
  }
}

function tint(v, lim) {
  // a light diverging background (the theme's cell colours: blue below 0, red above, white at 0) under dark text
  if (!Number.isFinite(v) || !lim) return "";
  const t = clamp(v / lim, -1, 1);
  const end = t >= 0 ? PALETTE.pos : PALETTE.neg, a = Math.abs(t);
  const [r, g, b] = end.map((e) => 255 + (e - 255) * a);
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
    this.tall = 20;                      // a cell's height: `cell` but where size() is given a lower one
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
      // each cell's accessible name, "x[1, 2] = 3", kept up to date as its text changes (issue 24)
      const name = this.label || { input: "x", kernel: "w", output: "y", product: "w×x" }[role] || role;
      const label = (cell) => cell.setAttribute("aria-label", `${name}[${g != null ? `${g}, ` : ""}${cell.dataset.r}, `
        + `${cell.dataset.c}] = ${cell.textContent || "not yet computed"}`);
      this.cells.forEach((cell) => { cell.setAttribute("role", "img"); label(cell); });
      new MutationObserver((changes) => new Set(changes.map((m) => (m.target.nodeType === 1 ? m.target
        : m.target.parentElement)?.closest(".lv-cell"))).forEach((cell) => cell && label(cell)))
        .observe(this.grid, { childList: true, characterData: true, subtree: true });
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

  size(cell, minFont, maxChars, tall) {
    // cells of `cell` px, square or (`tall`, a DOM grid's only) lower than wide: a projector's 3D columns give a wide
    // number ("−0.125") its width without the height; numbers only where they fit at minFont or more
    this.cell = cell;
    this.tall = this.canvas ? cell : Math.min(tall ?? cell, cell);
    this.gap = cell >= 14 ? 2 : cell >= 6 ? 1 : 0;
    const chars = Math.max(maxChars ?? this.longest(), 1);
    const font = Math.floor(Math.min(this.tall * 0.42, (cell * 0.94) / (0.62 * chars)));
    this.font = font >= minFont ? font : 0;
    const width = this.w * cell + (this.w - 1) * this.gap;
    const height = this.h * this.tall + (this.h - 1) * this.gap;
    const badge = Math.floor(cell * 0.27);
    this.wrap.style.width = `${width}px`;
    this.wrap.style.height = `${height}px`;
    this.wrap.style.setProperty("--cell", `${cell}px`);
    this.wrap.style.setProperty("--cell-h", `${this.tall}px`);
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
    return { x: c * (this.cell + this.gap), y: r * (this.tall + this.gap) };
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
        g.fillStyle = PALETTE.ink;
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
    g.strokeStyle = PALETTE.current;
    for (const r of this.hl.rows) g.strokeRect(0.5, r * step + 0.5, this.w * step - 1, this.cell);
    for (const c of this.hl.cols) g.strokeRect(c * step + 0.5, 0.5, this.cell, this.h * step - 1);
    g.fillStyle = PALETTE.active;
    for (const i of this.hl.cells) g.fillRect((i % this.w) * step, Math.floor(i / this.w) * step, this.cell, this.cell);
    if (this.hl.current >= 0) {
      const i = this.hl.current;
      g.strokeStyle = PALETTE.ink;
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


// ---------------------------------------------------------------- the base of every lesson kind

// A kind (kinds.js's table) builds the grids of one document into the view's root and draws any step i of it.
// It owns what it builds (its grids, its headline and written lines); the View owns the controls and the step.
class Lesson {
  constructor(view) {
    this.view = view;
    this.p = view.p;
    this.n = 0;                                   // the number of steps (set by build)
    this.lines = [];
    this.thumbRows = [];                          // rows of small grids, colours only
    this.linked = [];                             // LinkedPanels (links.js) drawn under the stage
    [this.inputs, this.kernels, this.outputs, this.productGrids] = [[], [], [], []];
    const p = this.p;
    this.chars = 1;
    for (const a of [p.x, p.w, p.y]) if (a && a.v) for (const v of a.v) this.chars = Math.max(this.chars, show(v).length);
    this.prodChars = p.w ? show(-maxAbs(p.x.v) * maxAbs(p.w.v)).length : 1;     // the longest product, about
  }

  // the View's state, read by the kinds
  get root() { return this.view.root; }
  get step() { return this.view.step; }
  get playing() { return this.view.playing; }
  get speed() { return this.view.speed; }
  get projector() { return this.view.projector; }
  go(i) { this.view.go(i); }
  preview(i) { this.view.preview(i); }

  // ---- what a kind provides
  build() {}                                      // build the grids into this.root; set this.n
  render() {}                                     // draw step i
  layoutKind() {}                                 // sizes of the kind's own grids (after the stage's)
  arrange() {}                                    // move parts for the side-by-side layout (View.fit) or back
  get sides() { return [false, true]; }           // the layouts View.fit tries: one column, side by side (or a
                                                  // kind's own, passed to its arrange())
  get zoomsOnProjector() { return false; }        // build() differs on a projector (built again on a switch)

  // the legend: what each mark means for this kind
  get legendWindow() { return "the window"; }
  get legendPad() { return "padding"; }
  get legendCurrent() { return "the current output"; }
  get keysHint() { return "click or hover an output"; }
  legendExtra() { return []; }
  legendMarks() { return []; }

  legendItems() {
    const p = this.p;
    const items = [];
    if (this.legendWindow) items.push(["lv-key-window", this.legendWindow]);
    items.push(...this.legendExtra());
    if (p.pad && p.pad.some((v) => v > 0)) items.push(["lv-key-pad", this.legendPad]);
    if (p.dropped && Object.values(p.dropped).some((list) => list.length)) items.push(["lv-key-dropped", "✕ never read by any window"]);
    items.push(...this.legendMarks());
    if (p.groups > 1) items.push(["lv-key-unread", "faded, “not read by this filter”: channels outside its group"]);
    items.push(["lv-key-current", this.legendCurrent]);
    return items;
  }

  // ---- shared by the kinds
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

  addWindow(grid, { badges = false, under = false } = {}) {
    // the window outline and, with badges, the kernel laid over it (one badge per tap); under: 1D conv, the kernel
    // and the products in rows under the input
    const win = el("div", "lv-window");
    win.setAttribute("aria-hidden", "true");
    grid.wrap.appendChild(win);
    grid.window = win;
    grid.badges = [];
    if (!badges) return;
    const { KH, KW } = this;
    for (let i = 0; i < KH * KW; i++) {
      const b = el("span", this.p.dims === 1 ? "lv-under" : "lv-badge");
      if (this.p.dims !== 1) b.appendChild(el("span", "lv-pill"));
      grid.badged = this.p.dims !== 1;
      grid.wrap.appendChild(b);
      grid.badges.push(b);
      if (this.p.dims === 1 && under) {
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
    win.style.height = `${spanH * grid.tall + (spanH - 1) * grid.gap + 6}px`;
    win.classList.toggle("lv-dilated", dh > 1 || dw > 1);
    grid.wrap.classList.toggle("lv-dil", dh > 1 || dw > 1);
    grid.setActive(taps);
  }

  showKernel(grid, f, first, title) {
    // a kernel panel shows filter f: its KH·KW weights from p.w.v[first ..] and its title (redrawn only on a change)
    if (grid.filter === f) return;
    for (let t = 0; t < this.KH * this.KW; t++) {
      const v = this.p.w.v[first + t];
      grid.setText(t, show(v), v);
    }
    grid.filter = f;
    grid.panel.firstChild.textContent = title;
  }

  groupOf(g) {
    // the input channels filter g reads: its group's CG channels (all C of them without groups)
    const first = Math.floor(g / (this.G / this.nGroups)) * this.CG;
    return Array.from({ length: this.CG }, (_, k) => first + k);
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

  layout(width, minFont, maxCell) {
    // the stage (inputs, kernels, outputs) at the largest readable cell, the rows of small grids, the kind's own
    // grids, then the linked panels
    const stageGrids = [...this.inputs, ...this.kernels, ...this.outputs];
    if (stageGrids.length) {
      const cell = this.stageCell(width, minFont, maxCell);
      const chars = this.chars;
      for (const g of stageGrids) g.size(cell, minFont, chars);
      for (const g of this.inputs) {
        if (!g.under) continue;                  // 1D conv: the kernel and the products ride under the input
        const rows = 3 * cell + 2 * g.gap + 16;
        g.wrap.style.height = `${rows}px`;
      }
      // the products at the stage's cell, or larger where theirs need it to keep their numbers (a projector's 18 px)
      const prodCell = this.projector ? Math.ceil(Math.max(minFont / 0.42, minFont * 0.66 * this.prodChars)) + 1 : 44;
      for (const g of this.productGrids) g.size(Math.max(cell, prodCell), minFont, this.prodChars);
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
    this.layoutKind(width, minFont, maxCell);
    for (const linked of this.linked) linked.layout(width, minFont, maxCell);
  }
}

// ---------------------------------------------------------------- the view: controls, keyboard, stepping

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
      // the top menu's group button opens the drop-down the link is in: no report now either (its timer goes on)
      if (path.some((n) => n instanceof Element && n.matches("[data-testid='stTopNavSection']"))) return;
      this.flushReport();
    };
    document.addEventListener("pointerdown", this.onDocPointer, true);
    this.root.addEventListener("focusin", () => { keyboardOwner = this; });
    this.root.addEventListener("pointerdown", () => { keyboardOwner = this; });
    if (!keyboardOwner || !keyboardOwner.root.isConnected) keyboardOwner = this;
    LIVE.add(this);
    // laid out again when its width changes (not its height: fit() changes that), and on a projector when the
    // window's height does (full screen on and off: the room fit() measured is another)
    this.resize = new ResizeObserver(() => { if (this.root.clientWidth !== this.laidWidth) this.layout(); });
    this.resize.observe(this.root);
    this.onWindow = () => { if (this.projector && window.innerHeight !== this.laidHeight) this.layout(); };
    window.addEventListener("resize", this.onWindow);
  }


  destroy() {
    this.stop(false);
    clearTimeout(this.reportTimer);
    this.resize.disconnect();
    window.removeEventListener("resize", this.onWindow);
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
    if (fresh || (relayout && this.lesson && this.lesson.zoomsOnProjector)) {
      // a new document, or a kind drawn differently on a projector (volume.js): built again at the same step
      const wasPlaying = this.playing;
      this.stop(false);
      this.p = p;
      this.build();
      this.step = clamp((fresh ? p.step : this.step) | 0, 0, this.n - 1);
      this.root.dataset.step = String(this.step);
      if (fresh) this.reported = p.step;
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

  get n() {
    return this.lesson ? this.lesson.n : 0;
  }

  // ---- building: the kind's grids (kinds.js's table), the controls above them, the legend below
  build() {
    const p = this.p;
    this.root.textContent = "";
    this.root.setAttribute("aria-label", p.aria || "Lesson view: step through it with the arrow keys");
    readPalette(this.root);
    const Kind = KINDS[p.kind];
    if (!Kind) throw new Error(`the lesson view has no kind "${p.kind}"`);
    this.lesson = new Kind(this);
    this.lesson.build();
    this.root.prepend(this.buildBar());
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
    this.counter.setAttribute("aria-live", "polite");          // the current step, read out with the sum below
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
    const box = el("div", "lv-legend");
    for (const [cls, text] of this.lesson.legendItems()) {
      const item = el("span", "lv-legend-item");
      item.append(el("span", `lv-swatch ${cls}`), el("span", "", text));
      box.appendChild(item);
    }
    box.appendChild(el("span", "lv-keys", `keys: ← → step · space play/pause · Home / End · ${this.lesson.keysHint}`));
    return box;
  }

  // ---- sizes
  layout() {
    if (!this.p) return;
    this.laidWidth = this.root.clientWidth;
    this.laidHeight = window.innerHeight;
    const width = Math.max(200, this.root.clientWidth - 8);
    const [minFont, maxCell] = this.projector ? [18, 80] : [12, 56];
    this.root.classList.remove("lv-side");
    this.lesson.arrange(false);
    this.lesson.layout(width, minFont, maxCell);
    if (this.projector) this.fit(width, minFont, maxCell);
    this.render(this.shown);
  }

  height() {
    // from the controls to the lowest grid, headline or written-out line: what a step explains (not the legend)
    const parts = [...this.root.querySelectorAll(".lv-bar, .lv-gridwrap, .lv-headline, .lv-line, .lv-sum, .lv-links")]
      .filter((e) => e.checkVisibility()).map((e) => e.getBoundingClientRect()).filter((b) => b.width && b.height);
    return parts.length ? Math.max(...parts.map((b) => b.bottom)) - Math.min(...parts.map((b) => b.top)) : 0;
  }

  fit(width, minFont, maxCell) {
    // A projector (issue 24): the view fits the screen below the app's menu at 1280×720, so a teacher steps through
    // it without scrolling. The largest cells at which it fits, in one column or with its parts side by side
    // (.lv-side: the written-out sum beside the grids, the matrix products beside each other); never so small that
    // a grid loses its numbers (18 px). Where nothing fits, the shortest of these.
    this.render(this.shown);                              // the written-out lines of this step, to measure
    const menu = document.querySelector("header[data-testid='stHeader']");
    const room = window.innerHeight - (menu ? menu.getBoundingClientRect().height : 0) - 8;
    const blank = () => [...this.root.querySelectorAll(".lv-nonum")].filter((g) => !g.closest(".lv-thumb")).length;
    const numbered = blank();
    let best = { h: this.height(), cell: maxCell, side: false };
    if (best.h <= room) return;
    for (let cell = maxCell; cell >= 24; cell -= 4) {
      for (const side of this.lesson.sides) {
        if (cell === maxCell && !side) continue;
        this.root.classList.toggle("lv-side", !!side);
        this.lesson.arrange(side);
        this.lesson.layout(width, minFont, cell);
        if (blank() > numbered) continue;                 // too small for its numbers
        const h = this.height();
        if (h <= room) return;
        if (h < best.h) best = { h, cell, side };
      }
    }
    this.root.classList.toggle("lv-side", !!best.side);
    this.lesson.arrange(best.side);
    this.lesson.layout(width, minFont, best.cell);
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

  // ---- keyboard: every key the view answers is handled here, in one place
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
    this.lesson.render(i);
  }
}

// for the unit tests (tests/js/view.test.mjs): the formatting and the base every kind extends
export { Lesson, factor, num, show, sumText };
