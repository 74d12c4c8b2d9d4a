// ---------------------------------------------------------------- the "conv3d" kind: 3D convolution
//
// The padded volume (C, Dp, Hp, Wp) is drawn twice: every depth slice small (colours only), with the window
// outlined on the slices the kernel lies on now; and, with numbers, those KD slices themselves, each with its
// kernel depth slice laid over the window. The output plane of the current step fills in as it is computed;
// every output plane is drawn small as well (click or hover one of its cells). Step i is output element i in
// reading order: (filter, depth, row, column). Cells carry data-d (the padded depth of their slice) besides
// data-g (channel or filter), data-r and data-c.
//
// On a projector (issue 24) the numbered slices are zoomed to the window: one column per slice the kernel lies
// on, its window (the numbers it reads), × the kernel's slice, = the products and their sum; beside them the
// small slices and planes and the output plane, and the written sum. Three whole slices at 18 px did not fit
// one 1280×720 screen.

// a projector's output plane larger than OUT_WHOLE × OUT_WHOLE, or taller than OUT_WHOLE_PX with its numbers at 18 px
// (the clip's 6 × 6 of small integers fits whole, the phantom's 6 × 6 of "−1.125" does not): only a window of it around
// the current output, as many rows and columns (3 to 5) as fit OUT_WINDOW_PX with its numbers at 18 px
const [OUT_WHOLE, OUT_WHOLE_PX, OUT_WINDOW_PX] = [6, [276, 380], 250];

// the smallest cell (px) that writes a number of `chars` characters at `minFont`
const cellFor = (chars, minFont) => Math.ceil(Math.max(minFont / 0.42, (minFont * 0.62 * chars) / 0.94)) + 1;
// a number's width in the characters of Grid.size (0.62 em each, any character): a digit or a minus sign is 0.5 em
// in the view's font (Source Sans), a point 0.25 em, with a tenth to spare for bold. The phantom's "−0.125" is 4.9
// such characters, not 6: its cells 59 px, not 73 (a projector's view of the phantom did not fit one screen).
const span = (text) => [...text].reduce((s, ch) => s + (/[0-9−+-]/.test(ch) ? 0.5 : /[.,]/.test(ch) ? 0.25 : 0.62), 0)
  * 1.1 / 0.62;
// the widest number of a flat array (its distinct values), in those characters
const charsOf = (a) => Math.max(1, ...[...new Set(a.v)].map((v) => span(show(v))));
// the widest product of a window and a kernel: every distinct input (and the padding's 0) times every distinct weight,
// where that is not too many to try; else about the largest in size (as the Lesson's prodChars)
function productChars(x, w) {
  const [xs, ws] = [[...new Set([0, ...x.v])], [...new Set(w.v)]];
  if (xs.length * ws.length > 50_000) return span(show(-maxAbs(x.v) * maxAbs(w.v))) + 1;
  let widest = 1;
  for (const a of xs) for (const b of ws) widest = Math.max(widest, span(show(a * b)));
  return widest;
}

// a grid's first values and texts: zeros, written once the view steps
const blank = (k) => ({ values: new Array(k).fill(0), texts: new Array(k).fill("") });

class Volume extends Lesson {
  get zoomsOnProjector() { return true; }
  get sides() { return [false]; }                 // a projector's zoomed columns are side by side already

  legendExtra() {
    return [["lv-key-window", "▸ the slices the kernel lies on now"]];
  }

  build() {
    const p = this.p;
    const [C, D, H, W] = p.x.s;
    const [O, OD, OH, OW] = p.y.s;
    const [KD, KH, KW] = p.k;
    Object.assign(this, { C, D, H, W, O, OD, OH, OW, KD, KH, KW, G: O, CG: p.w.s[1], nGroups: p.groups || 1 });
    this.n = O * OD * OH * OW;
    this.xLim = maxAbs(p.x.v);
    this.yLim = maxAbs(p.y.v);
    if (this.projector) { this.buildZoomed(); return; }
    this.root.appendChild(this.volumeThumbs());
    const stage = el("div", "lv-stage");
    const spatialPad = [p.pad[2], p.pad[3], p.pad[4], p.pad[5]];
    this.inputs = [];
    this.kernels = [];
    for (let k = 0; k < this.CG; k++) {
      for (let j = 0; j < KD; j++) {
        const grid = new Grid(H, W, { role: "input", ...blank(H * W), pad: spatialPad, dropped: p.dropped,
                                      lim: this.xLim, g: k });
        grid.panel = panelEl("");
        grid.panel.appendChild(grid.wrap);
        grid.slot = [k, j];
        this.addWindow(grid, { badges: true });
        this.inputs.push(grid);
        this.kernelSlice(k, j);
      }
    }
    this.outputs = [this.outputGrid()];
    this.fillStage(stage, [this.inputs, this.kernels, this.outputs]);
    this.buildVolumeDetail();
  }

  kernelSlice(k, j) {
    // the kernel's slice j (of group k), in a panel of its own, its cells tagged with their depth
    const kern = new Grid(this.KH, this.KW, { role: "kernel", ...blank(this.KH * this.KW), lim: maxAbs(this.p.w.v), g: k });
    kern.cells.forEach((cell) => { cell.dataset.d = String(j); });
    kern.panel = panelEl("");
    kern.panel.appendChild(kern.wrap);
    this.kernels.push(kern);
    return kern;
  }

  volumeThumbs() {
    // every slice of the volume and every output plane, small: where the kernel is, and what is computed so far
    const box = el("div", "lv-thumbs");
    box.append(this.sliceThumbRow(), this.planeThumbRow());
    this.revealed = -1;
    return box;
  }

  thumbRow(title, grids) {
    const block = el("div", "lv-thumbblock");
    block.appendChild(el("div", "lv-thumbs-title", title));
    const line = el("div", "lv-thumbrow");
    for (const g of grids) line.appendChild(g.panel);
    block.appendChild(line);
    this.thumbRows.push({ grids });
    return block;
  }

  sliceThumbRow() {
    const p = this.p;
    const { C, D, H, W } = this;
    const [pf] = p.pad;
    this.sliceThumbs = [];
    for (let c = 0; c < C; c++) {
      for (let d = 0; d < D; d++) {
        const vals = p.x.v.slice((c * D + d) * H * W, (c * D + d + 1) * H * W);
        const pad = this.isDepthPad(d) ? [H, 0, 0, 0] : [p.pad[2], p.pad[3], p.pad[4], p.pad[5]];
        const grid = new Grid(H, W, { role: "slice", values: vals, texts: vals.map(show), pad, lim: this.xLim, g: c });
        grid.cells.forEach((cell) => { cell.dataset.d = String(d); });
        const name = this.isDepthPad(d) ? "pad" : `slice ${d - pf}`;
        grid.panel = panelEl(`${C > 1 ? `ch ${c} ` : ""}${name}${p.dropped.depths.includes(d) ? " ✕" : ""}`);
        grid.panel.classList.add("lv-thumb");
        grid.panel.appendChild(grid.wrap);
        grid.channel = c;
        grid.depth = d;
        this.addWindow(grid);
        this.sliceThumbs.push(grid);
      }
    }
    const block = this.thumbRow(`the volume, ${C > 1 ? "channel by channel and " : ""}slice by slice (the kernel's ` +
                                "slices outlined)", this.sliceThumbs);
    this.sliceTitle = block.firstChild;
    return block;
  }

  planeThumbRow() {
    const p = this.p;
    const { O, OD, OH, OW } = this;
    this.planeThumbs = [];
    for (let o = 0; o < O; o++) {
      for (let d = 0; d < OD; d++) {
        const start = (o * OD + d) * OH * OW;
        const grid = new Grid(OH, OW, { role: "plane", values: null, texts: new Array(OH * OW).fill(""), lim: this.yLim,
                                        g: o, onHover: (i) => this.preview(start + i), onClick: (i) => this.go(start + i) });
        grid.cells.forEach((cell) => { cell.dataset.d = String(d); });
        grid.wrap.addEventListener("mouseleave", () => this.preview(-1));
        grid.wrap.classList.add("lv-pickable");
        grid.panel = panelEl(`${O > 1 ? `filter ${o}, ` : ""}depth ${d}`);
        grid.panel.classList.add("lv-thumb");
        grid.panel.appendChild(grid.wrap);
        this.planeThumbs.push(grid);
      }
    }
    // (a projector: the short title, beside the output plane; the keys' line says what a click does)
    return this.thumbRow(`${p.names.y}, plane by plane${this.projector ? "" : " (click a cell to go there)"}`,
                         this.planeThumbs);
  }

  outputGrid() {
    const p = this.p;
    const { OH, OW } = this;
    // a projector: a plane of more than OUT_WHOLE rows or columns shows the OUT_WINDOW × OUT_WINDOW window around
    // the current output (renderPlanes moves it), as the columns show the kernel's window: at the largest volume the
    // whole 12×12 plane at 18 px made the view 1155 px tall. Its cells carry their places in the plane (data-r,
    // data-c, the accessible name); hover and click map a cell back through the window.
    const [wide, tall] = [cellFor(charsOf(p.y), 18) + 2, cellFor(1, 18) + 2];       // its cells at the least (layout)
    const big = this.projector && (OH > OUT_WHOLE || OW > OUT_WHOLE || OH * tall > OUT_WHOLE_PX[0]
                                   || OW * wide > OUT_WHOLE_PX[1]);
    const side = clamp(Math.floor(OUT_WINDOW_PX / wide), 3, 5);
    const [h, w] = big ? [Math.min(OH, side), Math.min(OW, side)] : [OH, OW];
    this.outWindow = h < OH || w < OW ? { h, w, r0: 0, c0: 0 } : null;
    const at = (i) => (this.outWindow ? (this.outWindow.r0 + Math.floor(i / w)) * OW + this.outWindow.c0 + (i % w) : i);
    const out = new Grid(h, w, { role: "output", values: null, texts: new Array(h * w).fill(""), lim: this.yLim,
                                 onHover: (i) => this.preview(this.planeStart + at(i)),
                                 onClick: (i) => this.go(this.planeStart + at(i)) });
    if (this.outWindow) out.indexOf = (target) => out.cells.indexOf(target.closest ? target.closest(".lv-cell") : null);
    out.wrap.addEventListener("mouseleave", () => this.preview(-1));
    out.panel = panelEl(p.names.y, ` ${OH} × ${OW}`);
    // a window's rows and columns on a line of their own: "Y depth 0, rows 0–3, columns 0–3 of 12 × 12" in the
    // window's width took three lines on a projector
    if (this.outWindow) out.panel.firstChild.appendChild(el("span", "lv-vol-window"));
    out.panel.appendChild(out.wrap);
    return out;
  }

  buildZoomed() {
    // a projector: one column per slice the kernel lies on (its window zoomed, × the kernel's slice, = the products
    // and Σ); beside them the small slices (their title says where the window is), the output plane with the small
    // planes, and the written sum
    const p = this.p;
    const { KD, KH, KW, CG } = this;
    this.spanH = (KH - 1) * p.d[1] + 1;
    this.spanW = (KW - 1) * p.d[2] + 1;
    const box = el("div", "lv-vol");
    this.columns = el("div", "lv-vol-cols");
    for (let k = 0; k < CG; k++) {
      for (let j = 0; j < KD; j++) {
        const col = el("div", "lv-vol-col");
        const x = new Grid(this.spanH, this.spanW, { role: "input", ...blank(this.spanH * this.spanW), lim: this.xLim, g: k });
        x.panel = panelEl("");
        x.panel.appendChild(x.wrap);
        x.slot = [k, j];
        this.addWindow(x);
        this.inputs.push(x);
        const kern = this.kernelSlice(k, j);
        const prod = new Grid(KH, KW, { role: "product", ...blank(KH * KW), g: k });
        prod.panel = panelEl("= products");
        prod.panel.appendChild(prod.wrap);
        prod.sum = el("div", "lv-sum");
        prod.panel.appendChild(prod.sum);
        this.productGrids.push(prod);
        col.append(x.panel, kern.panel, prod.panel);
        this.columns.appendChild(col);
      }
    }
    const side = el("div", "lv-vol-side");
    side.appendChild(this.sliceThumbRow());
    const out = this.outputGrid();
    this.outputs = [out];
    const outRow = el("div", "lv-vol-out");
    outRow.append(out.panel, this.planeThumbRow());
    side.appendChild(outRow);
    this.revealed = -1;
    const detail = this.newDetail(true);
    side.appendChild(detail);
    box.append(this.columns, side);
    this.root.appendChild(box);
  }

  layout(width, minFont, maxCell) {
    // a projector's zoomed columns (View.fit picks maxCell): the columns and the output plane at one cell size, as
    // large as the width allows; the small grids in what is left beside the columns
    if (!this.projector) { super.layout(width, minFont, maxCell); return; }
    const n = this.inputs.length;
    const colCells = this.inputs.reduce((s, g) => s + Math.max(g.w, this.KW), 0);
    const outW = this.outputs[0].w;             // the output plane's columns shown (a window on a large one)
    const fitW = Math.floor((width - 32 - 28 * (n - 1) - 28 - 2 * (colCells + 2 * outW)) / (colCells + outW));
    const cell = clamp(Math.min(maxCell, fitW), 4, maxCell);
    // Never smaller than the numbers need (View.fit shrinks maxCell until the view fits the screen): a column's three
    // grids (the window, the kernel's slice, the products) as wide as its widest number needs, so that their cells
    // line up, and the output plane as wide as its own; every cell at least as high as 18 px needs, but no higher
    // than `cell`. The phantom's "−0.125" in square cells made its columns 854 px tall.
    const [xChars, wChars, yChars] = [charsOf(this.p.x), charsOf(this.p.w), charsOf(this.p.y)];
    const prodChars = this.prodSpan ??= productChars(this.p.x, this.p.w);
    const needs = (chars) => cellFor(chars, minFont);
    const tall = Math.max(cell, needs(1));
    const colW = Math.max(cell, needs(Math.max(xChars, wChars, prodChars)));
    for (const g of this.inputs) g.size(colW, minFont, xChars, tall);
    for (const g of this.kernels) g.size(colW, minFont, wChars, tall);
    for (const g of this.productGrids) g.size(colW, minFont, prodChars, tall);
    const outCell = Math.max(cell, needs(yChars));
    for (const g of this.outputs) g.size(outCell, minFont, yChars, tall);
    this.cell = cell;
    this.minFont = minFont;
    const left = colCells * (colW + 2) + 28 * (n - 1);
    const room = Math.max(120, width - left - 32);
    const thumbs = (grids, w) => {
      const cols = grids.reduce((s, g) => s + g.w, 0);
      const c = clamp(Math.floor((w - 16 * grids.length) / cols), 3, 12);
      for (const g of grids) {
        g.size(c, Infinity, 1);
        g.wrap.setAttribute("aria-hidden", "true");
      }
    };
    thumbs(this.sliceThumbs, room);
    thumbs(this.planeThumbs, Math.max(120, room - outW * (outCell + 2) - 28));
  }

  isDepthPad(d) {
    return d < this.p.pad[0] || d >= this.D - this.p.pad[1];
  }

  buildVolumeDetail() {
    const p = this.p;
    const detail = this.newDetail();
    const row = el("div", "lv-products");
    this.productGrids = [];
    for (let k = 0; k < this.CG * this.KD; k++) {
      const grid = new Grid(this.KH, this.KW, { role: "product", values: new Array(this.KH * this.KW).fill(0),
                                                texts: new Array(this.KH * this.KW).fill(""), g: k });
      grid.panel = panelEl(`products ${p.names.w} ${TIMES} window`);
      grid.panel.appendChild(grid.wrap);
      grid.sum = el("div", "lv-sum");
      grid.panel.appendChild(grid.sum);
      this.productGrids.push(grid);
      row.appendChild(grid.panel);
    }
    detail.appendChild(row);
    this.exprBox = el("div", "lv-expr");
    detail.appendChild(this.exprBox);
    this.root.appendChild(detail);
  }

  sliceName(d) {
    const real = d - this.p.pad[0];
    return this.isDepthPad(d) ? `padding (slice ${show(real)})` : `slice ${real}`;
  }

  fillSlot(grid, c, d, j) {
    // an input slot shows slice d of channel c (every cell's text, colour, padding and data-d)
    const p = this.p;
    const { H, W } = this;
    const [pt, pb, pl, pr] = [p.pad[2], p.pad[3], p.pad[4], p.pad[5]];
    const depthPad = this.isDepthPad(d);
    grid.cells.forEach((cell, i) => {
      const r = Math.floor(i / W), q = i % W;
      const pad = depthPad || r < pt || r >= H - pb || q < pl || q >= W - pr;
      const v = p.x.v[((c * this.D + d) * H + r) * W + q];
      cell.classList.toggle("lv-pad", pad);
      cell.classList.toggle("lv-dropped", !pad && (p.dropped.rows.includes(r) || p.dropped.cols.includes(q)));
      cell.textContent = pad ? "0" : show(v);
      cell.style.background = pad ? "" : tint(v, this.xLim);
      cell.dataset.g = String(c);
      cell.dataset.d = String(d);
    });
    grid.channel = c;
    grid.shows = `${c}/${d}`;
    grid.panel.firstChild.textContent = `${p.names.x}${this.C > 1 ? ` channel ${c},` : ""} ${this.sliceName(d)}` +
      ` · ${p.names.w} slice ${j}`;
  }

  fillZoom(grid, c, d, r0, c0) {
    // a projector's input slot: the window on slice d of channel c, the cells it spans from (r0, c0), with their
    // places in the slice (data-r, data-c, data-d: each cell's accessible name says where it is)
    const p = this.p;
    const { H, W } = this;
    const [pt, pb, pl, pr] = [p.pad[2], p.pad[3], p.pad[4], p.pad[5]];
    const depthPad = this.isDepthPad(d);
    grid.cells.forEach((cell, i) => {
      const r = r0 + Math.floor(i / grid.w), q = c0 + (i % grid.w);
      const pad = depthPad || r < pt || r >= H - pb || q < pl || q >= W - pr;
      const v = p.x.v[((c * this.D + d) * H + r) * W + q];
      cell.classList.toggle("lv-pad", pad);
      cell.classList.toggle("lv-dropped", !pad && (p.dropped.rows.includes(r) || p.dropped.cols.includes(q)));
      Object.assign(cell.dataset, { g: String(c), d: String(d), r: String(r), c: String(q) });
      const text = pad ? "0" : show(v);
      cell.textContent = text;
      cell.setAttribute("aria-label", `x[${c}, ${d}, ${r}, ${q}] = ${text}`);
      cell.style.background = pad ? "" : tint(v, this.xLim);
    });
    grid.channel = c;
    grid.shows = `${c}/${d}/${r0}/${c0}`;
    const rows = `${r0}–${r0 + grid.h - 1}`, cols = `${c0}–${c0 + grid.w - 1}`;
    const name = depthPad ? "padding" : this.sliceName(d);       // a column's title on one line, as its grids'
    grid.panel.firstChild.textContent = `${p.names.x}${this.C > 1 ? ` channel ${c},` : ""} ${name}`;
    grid.panel.title = `rows ${rows}, columns ${cols}`;
  }

  render(i) {
    const p = this.p;
    const { KD, KH, KW, OD, OH, OW, CG } = this;
    const [o, od, r, q] = unravel(i, [this.O, OD, OH, OW]);
    const [sd, sh, sw] = p.s, [dd, dh, dw] = p.d;
    const r0 = r * sh, c0 = q * sw;
    this.root.style.setProperty("--lv-move", `${this.playing ? Math.min(220, 600 / this.speed) : 160}ms`);
    const reads = this.groupOf(o);
    const depths = Array.from({ length: KD }, (_, j) => od * sd + j * dd);
    const taps = [];
    for (let a = 0; a < KH; a++) for (let b = 0; b < KW; b++) taps.push([r0 + a * dh, c0 + b * dw]);
    const flat = taps.map(([rr, cc]) => rr * this.W + cc);
    this.inputs.forEach((grid) => {
      const [k, j] = grid.slot;
      if (this.columns) {                       // a projector: the slot is the window itself
        if (grid.shows !== `${reads[k]}/${depths[j]}/${r0}/${c0}`) this.fillZoom(grid, reads[k], depths[j], r0, c0);
        this.placeWindow(grid, 0, 0, taps.map(([rr, cc]) => (rr - r0) * grid.w + cc - c0), dh, dw, KH, KW);
        return;
      }
      if (grid.shows !== `${reads[k]}/${depths[j]}`) this.fillSlot(grid, reads[k], depths[j], j);
      this.placeWindow(grid, r0, c0, flat, dh, dw, KH, KW);
      taps.forEach(([rr, cc], t) => {
        const box = grid.box(rr, cc);
        const badge = grid.badges[t];
        badge.style.display = "";
        badge.firstChild.textContent = `${TIMES}${show(p.w.v[(((o * CG + k) * KD + j) * KH) * KW + t])}`;
        badge.style.transform = `translate(${box.x}px, ${box.y}px)`;
      });
    });
    this.kernels.forEach((grid, s) => {
      if (grid.filter === o) return;
      const [k, j] = [Math.floor(s / KD), s % KD];
      for (let t = 0; t < KH * KW; t++) {
        const v = p.w.v[(((o * CG + k) * KD + j) * KH) * KW + t];
        grid.setText(t, show(v), v);
      }
      grid.filter = o;
      grid.panel.firstChild.textContent = `${this.columns ? `${TIMES} ` : ""}${p.names.w}${this.O > 1 ? `[${o}]` : ""}` +
        `${this.C > 1 ? ` channel ${reads[k]},` : ""} slice ${j}`;
    });
    for (const grid of this.sliceThumbs) {
      const inside = reads.includes(grid.channel) && depths.includes(grid.depth);
      grid.panel.classList.toggle("lv-inwindow", inside);
      if (inside) this.placeWindow(grid, r0, c0, [], dh, dw, KH, KW);
      else grid.window.style.display = "none";
    }
    this.renderPlanes(i, o, od, r, q);
    this.describeVolume(i, o, od, r, q, reads, depths, taps);
  }

  renderPlanes(i, o, od, r, q) {
    // the current output plane (outputs so far, the current one marked) and every plane small
    const p = this.p;
    const { OD, OH, OW } = this;
    const size = OH * OW;
    const upto = Math.max(this.step, i);
    const plane = o * OD + od;
    this.planeStart = plane * size;
    const out = this.outputs[0];
    const win = this.outWindow;
    // a projector's window on a large plane moves only when the output shown leaves it (centred on it then): a
    // hovered cell, always inside, never moves it from under the mouse
    if (win && (r < win.r0 || r >= win.r0 + win.h || q < win.c0 || q >= win.c0 + win.w)) {
      win.r0 = clamp(r - Math.floor(win.h / 2), 0, OH - win.h);
      win.c0 = clamp(q - Math.floor(win.w / 2), 0, OW - win.w);
    }
    const [h, w, r0, c0] = win ? [win.h, win.w, win.r0, win.c0] : [OH, OW, 0, 0];
    for (let k = 0; k < h * w; k++) {
      const [rr, cc] = [r0 + Math.floor(k / w), c0 + (k % w)];
      const v = p.y.v[this.planeStart + rr * OW + cc];
      const done = this.planeStart + rr * OW + cc <= upto;
      const cell = out.cells[k];
      Object.assign(cell.dataset, { g: String(o), d: String(od), r: String(rr), c: String(cc) });
      out.setText(k, done ? show(v) : "", done ? v : undefined);
      if (!done) cell.style.background = "";
      // (the grid relabels a cell whose text changes; one whose text stays, as the window moves, is relabelled here)
      if (win) cell.setAttribute("aria-label", `y[${rr}, ${cc}] = ${done ? show(v) : "not yet computed"}`);
    }
    out.setMarks([(r - r0) * w + q - c0], "data-current");
    out.panel.firstChild.firstChild.textContent = `${p.names.y}${this.O > 1 ? ` filter ${o},` : ""} depth ${od}`;
    if (win) out.panel.querySelector(".lv-vol-window").textContent = `rows ${r0}–${r0 + h - 1}, columns ${c0}–${c0 + w - 1}`;
    if (upto !== this.revealed) {
      const lo = Math.min(upto, this.revealed), hi = Math.max(upto, this.revealed);
      for (let k = Math.max(lo + 1, 0); k <= hi; k++) {
        const grid = this.planeThumbs[Math.floor(k / size)];
        const v = p.y.v[k];
        grid.setText(k % size, k <= upto ? show(v) : "", k <= upto ? v : undefined);
        if (k > upto) grid.cells[k % size].style.background = "";
      }
      this.revealed = upto;
    }
    this.planeThumbs.forEach((grid, k) => {
      grid.setMarks(k === plane ? [r * OW + q] : [], "data-current");
      grid.panel.classList.toggle("lv-inwindow", k === plane);
    });
  }

  describeVolume(i, o, od, r, q, reads, depths, taps) {
    const p = this.p;
    const { C, CG, KD, KH, KW, H, W } = this;
    const idx = this.indexText([...(p.ix.includes("g") ? [o] : []), od, r, q]);
    const value = p.y.v[i];
    this.headline.textContent = `${p.names.y}${idx} = ${show(value)}`;
    const lines = [];
    if (this.nGroups > 1) lines.push(`filter ${o} reads channel${reads.length > 1 ? "s" : ""} ${reads.join(", ")}`);
    const sums = [];
    reads.forEach((c, k) => {
      depths.forEach((d, j) => {
        const words = [];
        const prods = taps.map(([rr, cc], t) => {
          const wv = p.w.v[(((o * CG + k) * KD + j) * KH) * KW + t];
          const xv = p.x.v[((c * this.D + d) * H + rr) * W + cc];
          words.push(`${show(wv)}${TIMES}${factor(xv)}`);
          return wv * xv;
        });
        const s = p.sums.v[(i * CG + k) * KD + j];
        sums.push(s);
        const pg = this.productGrids[k * KD + j];
        prods.forEach((v, t) => pg.setText(t, show(v), v));
        pg.lim = maxAbs(prods);
        pg.sum.textContent = `Σ = ${show(s)}`;
        if (this.columns) return;             // a projector: the column says which slices, its Σ the sum
        pg.panel.firstChild.textContent = `${C > 1 ? `channel ${c}, ` : ""}${p.names.w} slice ${j} ${TIMES} ${this.sliceName(d)}`;
        const written = words.length <= 16 ? sumText(words) : `the ${words.length} products`;
        lines.push(`${C > 1 ? `channel ${c}, ` : ""}${p.names.w} slice ${j} ${TIMES} ${this.sliceName(d)}: ${written} = ${show(s)}`);
      });
    });
    const b = p.bias ? p.bias[o] : null;
    const parts = sums.map(show);
    if (b !== null) parts.push(show(b));
    if (this.columns) {
      // a projector: each column writes out its slice's products and their Σ; the headline adds the Σs up
      const [h, w] = [this.inputs[0].h, this.inputs[0].w];
      this.headline.textContent = `${p.names.y}${idx} = ${sumText(parts)} = ${show(value)}`;
      this.sliceTitle.textContent = `the window on the volume: rows ${taps[0][0]}–${taps[0][0] + h - 1}, ` +
        `columns ${taps[0][1]}–${taps[0][1] + w - 1}`;
      this.setLines([...lines.slice(0, this.nGroups > 1 ? 1 : 0), ...(b !== null ? ["the last term is the bias"] : [])]);
      return;
    }
    lines.push(`${p.names.y}${idx} = ${sumText(parts)} (the slices' sums${b !== null ? " + bias" : ""}) = ${show(value)}`);
    this.setLines(lines);
  }
}
