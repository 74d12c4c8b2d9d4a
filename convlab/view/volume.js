// ---------------------------------------------------------------- the "conv3d" kind: 3D convolution
//
// The padded volume (C, Dp, Hp, Wp) is drawn twice: every depth slice small (colours only), with the window
// outlined on the slices the kernel lies on now; and, with numbers, those KD slices themselves, each with its
// kernel depth slice laid over the window. The output plane of the current step fills in as it is computed;
// every output plane is drawn small as well (click or hover one of its cells). Step i is output element i in
// reading order: (filter, depth, row, column). Cells carry data-d (the padded depth of their slice) besides
// data-g (channel or filter), data-r and data-c.

class Volume extends Lesson {
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
    this.root.appendChild(this.volumeThumbs());
    const stage = el("div", "lv-stage");
    const spatialPad = [p.pad[2], p.pad[3], p.pad[4], p.pad[5]];
    const blank = (k) => ({ values: new Array(k).fill(0), texts: new Array(k).fill("") });
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
        const kern = new Grid(KH, KW, { role: "kernel", ...blank(KH * KW), lim: maxAbs(p.w.v), g: k });
        kern.cells.forEach((cell) => { cell.dataset.d = String(j); });
        kern.panel = panelEl("");
        kern.panel.appendChild(kern.wrap);
        this.kernels.push(kern);
      }
    }
    const out = new Grid(OH, OW, { role: "output", ...blank(OH * OW), lim: this.yLim,
                                   onHover: (i) => this.preview(this.planeStart + i),
                                   onClick: (i) => this.go(this.planeStart + i) });
    out.wrap.addEventListener("mouseleave", () => this.preview(-1));
    out.panel = panelEl(p.names.y, ` ${OH} × ${OW}`);
    out.panel.appendChild(out.wrap);
    this.outputs = [out];
    this.fillStage(stage, [this.inputs, this.kernels, this.outputs]);
    this.buildVolumeDetail();
  }

  volumeThumbs() {
    // every slice of the volume and every output plane, small: where the kernel is, and what is computed so far
    const p = this.p;
    const { C, D, H, W, O, OD, OH, OW } = this;
    const box = el("div", "lv-thumbs");
    const row = (title, grids) => {
      box.appendChild(el("div", "lv-thumbs-title", title));
      const line = el("div", "lv-thumbrow");
      for (const g of grids) line.appendChild(g.panel);
      box.appendChild(line);
      this.thumbRows.push({ grids });
    };
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
    row(`the volume, ${C > 1 ? "channel by channel and " : ""}slice by slice (the kernel's slices outlined)`,
        this.sliceThumbs);
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
    row(`${p.names.y}, plane by plane (click a cell to go there)`, this.planeThumbs);
    this.revealed = -1;
    return box;
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
      grid.panel.firstChild.textContent = `${p.names.w}${this.O > 1 ? `[${o}]` : ""}` +
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
    for (let k = 0; k < size; k++) {
      const v = p.y.v[this.planeStart + k];
      const done = this.planeStart + k <= upto;
      out.setText(k, done ? show(v) : "", done ? v : undefined);
      if (!done) out.cells[k].style.background = "";
      out.cells[k].dataset.g = String(o);
      out.cells[k].dataset.d = String(od);
    }
    out.setMarks([r * OW + q], "data-current");
    out.panel.firstChild.firstChild.textContent = `${p.names.y}${this.O > 1 ? ` filter ${o},` : ""} depth ${od}`;
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
        pg.panel.firstChild.textContent = `${C > 1 ? `channel ${c}, ` : ""}${p.names.w} slice ${j} ${TIMES} ${this.sliceName(d)}`;
        const written = words.length <= 16 ? sumText(words) : `the ${words.length} products`;
        lines.push(`${C > 1 ? `channel ${c}, ` : ""}${p.names.w} slice ${j} ${TIMES} ${this.sliceName(d)}: ${written} = ${show(s)}`);
      });
    });
    const b = p.bias ? p.bias[o] : null;
    const parts = sums.map(show);
    if (b !== null) parts.push(show(b));
    lines.push(`${p.names.y}${idx} = ${sumText(parts)} (the slices' sums${b !== null ? " + bias" : ""}) = ${show(value)}`);
    this.setLines(lines);
  }
}
