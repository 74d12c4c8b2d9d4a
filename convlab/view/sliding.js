// ---------------------------------------------------------------- the sliding kinds: "conv", "pool", "windows"
//
// A window slides over the (padded) input: step i is output element i in reading order, (g, r, q). Conv lays the
// kernel over the window (badges in 2D, rows under the input in 1D) and writes the products and sums; pool marks
// the window's max (★) or writes its mean; windows only shows where the windows fall (how many read each cell).

class Sliding extends Lesson {
  // what the kinds differ in (overridden below)
  get padText() { return "0"; }
  get coloured() { return true; }                 // input cells tinted by value
  get inputName() { return this.p.names.x; }
  get outputWord() { return "filter"; }           // "filter g" or "channel g" under each output
  get badges() { return false; }                  // the kernel laid over the window
  cellText(v) { return show(v); }
  reads(g) { return [g]; }                        // the input channels step g reads
  buildKernels() { return []; }
  renderKernels() {}
  onWindow() {}                                   // marks on an input grid the window is on

  build() {
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
    const padText = this.padText;
    for (let c = 0; c < C; c++) {
      const vals = p.x.v.slice(c * H * W, (c + 1) * H * W);
      const [pt, pb, pl, pr] = p.pad;
      const texts = vals.map((v, i) => {
        const r = Math.floor(i / W), q = i % W;
        const isPad = r < pt || r >= H - pb || q < pl || q >= W - pr;
        return isPad ? padText : this.cellText(v);
      });
      const grid = new Grid(H, W, { role: "input", values: this.coloured ? vals : null, texts, pad: p.pad,
                                    dropped: p.dropped, lim: xLim, g: c });
      grid.channel = c;
      const title = (titles.x || this.inputName) + (C > 1 ? ` channel ${c}` : "") +
        (padded ? " (padded)" : "");
      const panel = panelEl(title);
      if (this.nGroups > 1) {
        panel.dataset.channel = String(c);
        grid.unread = el("span", "lv-unread-note", " — not read by this filter");
        panel.firstChild.appendChild(grid.unread);
      }
      panel.appendChild(grid.wrap);
      grid.panel = panel;
      this.addWindow(grid, { badges: this.badges, under: this.badges });
      this.inputs.push(grid);
    }
    this.kernels = this.buildKernels();
    // outputs
    this.outputs = [];
    const yLim = p.y.v ? maxAbs(p.y.v) : 0;
    for (let g = 0; g < G; g++) {
      const texts = new Array(OH * OW).fill("");
      const grid = new Grid(OH, OW, { role: "output", values: null, texts, lim: yLim, g,
                                      onHover: (i) => this.preview(g * OH * OW + i),
                                      onClick: (i) => this.go(g * OH * OW + i) });
      grid.wrap.addEventListener("mouseleave", () => this.preview(-1));
      const title = (titles.y || names.y) + (G > 1 ? ` ${this.outputWord} ${g}` : "");
      const panel = panelEl(title, ` ${OH} × ${OW}`);
      panel.appendChild(grid.wrap);
      grid.panel = panel;
      this.outputs.push(grid);
    }
    this.revealed = -1;
    this.fillStage(stage, [this.inputs, this.kernels, this.outputs]);
    this.buildDetail();
    if (p.links) this.matrix = addLinkedPanels(this, p.links);      // the matrix page: T and X̂, lit per step
  }

  buildDetail() {
    const detail = this.newDetail();
    this.productGrids = this.buildProducts(detail);
    this.exprBox = el("div", "lv-expr");
    detail.appendChild(this.exprBox);
    this.root.appendChild(detail);
  }

  buildProducts() {
    return [];
  }

  render(i) {
    const p = this.p;
    const { W, OH, OW, KH, KW } = this;
    const [g, r, q] = unravel(i, [this.G, OH, OW]);
    const [sh, sw] = p.s, [dh, dw] = p.d;
    const r0 = r * sh, c0 = q * sw;
    const transition = Math.min(220, 600 / this.speed);
    this.root.style.setProperty("--lv-move", `${this.playing ? transition : 160}ms`);
    // which input channels this step reads: its group's (conv; all of them without groups), its own (pool)
    const reads = this.reads(g);
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
      this.onWindow(grid, i, g, taps);
    }
    this.renderKernels(g, reads);
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
    if (this.matrix) this.matrix.light(this.p.links.hl[i] || {});
  }

  describe(i, g, r, q, taps, reads) {
    const p = this.p;
    const n = p.names;
    const idx = this.outIndex(g, r, q);
    const value = p.y.v[i];
    this.headline.textContent = `${n.y}${idx} = ${show(value)}`;
    this.describeValue(i, g, r, q, taps, reads, idx, value);
  }
}

class Conv extends Sliding {
  get badges() { return true; }

  reads(g) {
    // its group's channels (all of them without groups)
    return this.groupOf(g);
  }

  buildKernels() {
    // the current filter's kernel, one grid per input channel it reads
    const p = this.p;
    const { KH, KW } = this;
    const wLim = maxAbs(p.w.v);
    const kernels = [];
    for (let c = 0; c < this.CG; c++) {
      const grid = new Grid(KH, KW, { role: "kernel", values: new Array(KH * KW).fill(0),
                                      texts: new Array(KH * KW).fill(""), lim: wLim, g: c });
      const panel = panelEl("");
      panel.appendChild(grid.wrap);
      grid.panel = panel;
      kernels.push(grid);
    }
    return kernels;
  }

  get sides() {
    // several channels' products (groups, /variants): also with the products in the row of the kernels and outputs
    // and the written sums under them, the width of the view (beside the grids, each channel's sum took four lines)
    return this.productGrids.length > 1 ? [false, true, "products"] : [false, true];
  }

  arrange(side) {
    if (!this.productRow) return;
    if (side === "products" && this.productRow.parentNode !== this.stage) {
      this.stage.appendChild(this.productRow);
    } else if (side !== "products" && this.productRow.parentNode === this.stage) {
      this.productRow.parentNode.removeChild(this.productRow);
      this.headline.after(this.productRow);
    }
    this.root.classList.toggle("lv-wide-sums", side === "products");
  }

  buildProducts(detail) {
    // 2D: each channel's products, tap by tap, and their sum (1D writes them under the input)
    const p = this.p;
    if (p.dims !== 2) return [];
    const grids = [];
    const row = el("div", "lv-products");
    this.productRow = row;
    for (let c = 0; c < this.CG; c++) {
      const grid = new Grid(this.KH, this.KW, { role: "product", values: new Array(this.KH * this.KW).fill(0),
                                                texts: new Array(this.KH * this.KW).fill(""), g: c });
      const panel = panelEl(this.C > 1 ? `products, channel ${c}` : `products ${p.names.w} ${TIMES} window`);
      panel.appendChild(grid.wrap);
      grid.sum = el("div", "lv-sum");
      panel.appendChild(grid.sum);
      grid.panel = panel;
      grids.push(grid);
      row.appendChild(panel);
    }
    detail.appendChild(row);
    return grids;
  }

  onWindow(grid, i, g, taps) {
    this.placeKernel(grid, g, taps);
  }

  renderKernels(g, reads) {
    const p = this.p;
    const { C, KH, KW } = this;
    const CG = this.CG;
    for (let k = 0; k < CG; k++) {
      this.showKernel(this.kernels[k], g, ((g * CG + k) * KH) * KW,
        `${p.names.w}${this.G > 1 ? `[${g}]` : ""}${C > 1 ? ` channel ${reads[k]}` : ""}${p.flip ? " (flipped)" : ""}`);
    }
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

  describeValue(i, g, r, q, taps, reads, idx) {
    const p = this.p;
    const n = p.names;
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
      if (this.projector && this.productGrids.length > 1) {
        // a projector: the channels' sums added up in the headline, beside their written-out lines (issue 24); which
        // channels the filter reads is on the grids themselves (the others faded, "not read by this filter")
        this.headline.textContent = `${n.y}${idx} = ${sumText(parts)}${b !== null ? " (+ bias)" : ""} = ${show(p.y.v[i])}`;
        this.setLines(lines.slice(this.nGroups > 1 ? 1 : 0));
        return;
      }
      lines.push(`${n.y}${idx} = ${sumText(parts)}${b !== null ? ` (${CG > 1 ? "channel sums + " : "sum + "}bias)` : ""} = ${show(p.y.v[i])}`);
      this.setLines(lines);
    } else {
      this.headline.textContent = `${n.y}${idx} = ${lines[0]}`;      // one line says it all
      this.setLines([]);
    }
  }
}

class Pool extends Sliding {
  get padText() { return this.p.mode === "max" ? `${MINUS}∞` : "0"; }
  get outputWord() { return "channel"; }

  legendMarks() {
    return this.p.mode === "max" ? [["lv-key-max", "★ the window's max"]] : [];
  }

  onWindow(grid, i) {
    const p = this.p;
    if (!p.argmax) return;
    const [ar, ac] = [p.argmax.v[2 * i], p.argmax.v[2 * i + 1]];
    grid.setMarks([ar * this.W + ac], "data-max");
  }

  describeValue(i, g, r, q, taps, reads, idx, value) {
    const p = this.p;
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
  }
}

class Windows extends Sliding {
  get padText() { return ""; }
  get coloured() { return false; }
  get inputName() { return "input"; }
  cellText(v) { return String(v); }
  reads(g) { return this.groupOf(g); }

  describe(i, g, r, q, taps) {
    const p = this.p;
    const idx = this.outIndex(g, r, q);
    const cells = taps.map(([rr, cc]) => `(${rr - p.pad[0]}, ${cc - p.pad[2]})`);
    this.headline.textContent = `output${idx}: window at row ${taps[0][0] - p.pad[0]}, column ${taps[0][1] - p.pad[2]}`;
    this.setLines([`reads ${taps.length} cell${taps.length > 1 ? "s" : ""} (row, column; padding counts from ${MINUS}1): ` +
                   cells.slice(0, 24).join(" ") + (cells.length > 24 ? " …" : "")]);
  }
}
