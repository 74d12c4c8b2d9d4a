// ---------------------------------------------------------------- the "unit" kind: one unit of a real network
//
// A conv unit: one step per input channel c (the window of map c × the filter's channel c = the products, summed to
// s_c), then z = s_0 + … + b, then the activation a. A pool unit: one step per window cell (the max or the mean so
// far), then its value. The maps of the layer before are drawn small with the window outlined (click one to step
// to its channel). Cells: the window data-cell="input", the filter's channel "kernel", the products "product",
// the channel sums "sum", the bias "bias", z (or the pool value) "output", a "activation".

// an operator and the panel after it, kept on one line when the stage wraps (no arrow pointing at nothing)
function opWith(op, node) {
  const pair = el("span", "lv-pair");
  pair.append(el("span", "lv-op", op), node);
  return pair;
}

class Unit extends Lesson {
  get legendCurrent() { return "the value computed now"; }
  get keysHint() { return "click a map to step to its channel"; }

  build() {
    const p = this.p;
    const [, KH, KW] = p.x.s;
    const conv = p.mode === "conv";
    Object.assign(this, { KH, KW, C: p.x.s[0] });
    this.n = p.n;
    this.root.appendChild(this.unitThumbs());
    const stage = el("div", "lv-stage lv-unit");
    const grid = (role, title, values) => {
      const g = new Grid(KH, KW, { role, values: values || new Array(KH * KW).fill(0), lim: values ? maxAbs(values) : 0,
                                   texts: new Array(KH * KW).fill("") });
      g.panel = panelEl(title);
      g.panel.appendChild(g.wrap);
      return g;
    };
    this.unitWindow = grid("input", "", p.x.v);
    stage.appendChild(this.unitWindow.panel);
    this.unitGrids = [this.unitWindow];
    if (conv) {
      this.unitFilter = grid("kernel", "", p.w.v);
      this.unitProduct = grid("product", "products");
      this.unitProduct.lim = maxAbs(p.x.v) * maxAbs(p.w.v);
      this.channelSum = el("div", "lv-cell lv-chip lv-big");
      this.channelSum.dataset.cell = "sum";
      stage.append(opWith(TIMES, this.unitFilter.panel), opWith("=", this.unitProduct.panel),
                   opWith("→", this.channelSum));
      this.unitGrids.push(this.unitFilter, this.unitProduct);
    } else {
      this.result = el("div", "lv-cell lv-chip lv-big");
      this.result.dataset.cell = "output";
      stage.append(opWith("→", this.result));
    }
    this.root.appendChild(stage);
    if (conv) this.root.appendChild(this.unitChain());
    this.root.appendChild(this.newDetail(true));
  }

  unitThumbs() {
    // the maps of the layer before, small, the unit's window outlined on each
    const p = this.p;
    const [C, H, W] = p.maps.s;
    const box = el("div", "lv-thumbs");
    box.appendChild(el("div", "lv-thumbs-title", `${p.title}, computed from ${p.before}: ` +
      (p.mode === "conv" ? `its window on each of the ${C} input map${C > 1 ? "s" : ""} (click one)` : "its window")));
    const line = el("div", "lv-thumbrow");
    this.mapThumbs = [];
    for (let c = 0; c < C; c++) {
      const vals = p.maps.v.slice(c * H * W, (c + 1) * H * W);
      const g = new Grid(H, W, { role: "map", values: vals, texts: vals.map(show), lim: p.lim, g: p.channels[c],
                                 onClick: p.mode === "conv" ? () => this.go(c) : undefined });
      g.panel = panelEl(`map ${p.channels[c]}`);
      g.panel.classList.add("lv-thumb");
      if (p.mode === "conv") g.wrap.classList.add("lv-pickable");
      g.panel.appendChild(g.wrap);
      this.addWindow(g);
      line.appendChild(g.panel);
      this.mapThumbs.push(g);
    }
    box.appendChild(line);
    this.thumbRows.push({ grids: this.mapThumbs, max: 6 });
    return box;
  }

  unitChain() {
    // z = s_0 + s_1 + … + b, then the activation: each value appears once its step is reached
    const p = this.p;
    const chain = el("div", "lv-chain");
    const chip = (role, g) => {
      const c = el("span", "lv-cell lv-chip");
      c.dataset.cell = role;
      if (g !== undefined) c.dataset.g = String(g);
      return c;
    };
    chain.appendChild(el("span", "lv-chain-label", `${p.names.y} =`));
    this.sumChips = p.sums.map((_, c) => {
      const s = chip("sum", c);
      s.title = `s${c}: the sum over input map ${c}`;
      if (c > 0) chain.appendChild(el("span", "lv-op", "+"));
      chain.appendChild(s);
      return s;
    });
    this.biasChip = chip("bias");
    this.zChip = chip("output");
    chain.append(el("span", "lv-op", "+"), this.biasChip, el("span", "lv-op", "="), this.zChip);
    if (p.act) {
      this.actChip = chip("activation");
      chain.append(el("span", "lv-op", `→ ${p.act}`), this.actChip);
    }
    return chain;
  }

  layoutKind(width, minFont) {
    // big cells: the grids are small (a kernel's size); every number fits at minFont or more
    const chars = Math.max(this.chars, this.prodChars);
    const comfy = Math.ceil(Math.max(minFont / 0.42, (minFont * 0.62 * chars) / 0.94)) + 2;
    const cell = clamp(Math.min(comfy, Math.floor((width - 40) / this.KW)), 24, this.projector ? 140 : 110);
    for (const g of this.unitGrids) g.size(cell, minFont, chars);
  }

  render(i) {
    const p = this.p;
    const { KH, KW } = this;
    const n = KH * KW;
    const [top, left] = p.box;
    for (const g of this.mapThumbs) this.placeWindow(g, top, left, [], 1, 1, KH, KW);
    if (p.mode !== "conv") {
      this.renderPoolUnit(i);
      return;
    }
    const C = this.C;
    const c = Math.min(i, C - 1);
    const channel = i < C;
    this.mapThumbs.forEach((g, k) => g.panel.classList.toggle("lv-inwindow", channel && k === c));
    const xs = p.x.v.slice(c * n, (c + 1) * n), ws = p.w.v.slice(c * n, (c + 1) * n);
    const prods = xs.map((x, k) => ws[k] * x);
    xs.forEach((v, k) => this.unitWindow.setText(k, show(v), v));
    ws.forEach((v, k) => this.unitFilter.setText(k, show(v), v));
    prods.forEach((v, k) => this.unitProduct.setText(k, show(v), v));
    for (const g of [this.unitWindow, this.unitFilter]) {
      g.setActive(channel ? [...Array(n).keys()] : []);
      g.cells.forEach((cell) => { cell.dataset.g = String(c); });
    }
    this.unitWindow.panel.firstChild.textContent = `${p.names.x}: window on map ${c}`;
    this.unitFilter.panel.firstChild.textContent = `${p.names.w}: filter ${p.unit[0]}, channel ${c}`;
    this.channelSum.textContent = `s${c} = ${show(p.sums[c])}`;
    this.sumChips.forEach((chip, k) => {
      chip.textContent = k <= i ? show(p.sums[k]) : "…";
      chip.dataset.active = String(k === i || i === C);
    });
    this.biasChip.textContent = i >= C ? `${p.names.b} = ${show(p.bias)}` : p.names.b;
    this.zChip.textContent = i >= C ? show(p.value) : "?";
    this.zChip.dataset.active = String(i === C);
    this.zChip.dataset.current = String(i === C);
    if (this.actChip) {
      this.actChip.textContent = i > C ? show(p.activated) : "?";
      this.actChip.dataset.active = String(i === C + 1);
      this.actChip.dataset.current = String(i === C + 1);
    }
    const [k, r, q] = p.unit;
    const idx = this.indexText([k, r, q]);
    const words = xs.map((x, t) => `${show(ws[t])}${TIMES}${factor(x)}`);
    if (channel) {
      this.headline.textContent = `map ${c}: window ${TIMES} filter channel ${c}, summed: s${c} = ${show(p.sums[c])}`;
      this.setLines([`s${c} = ${words.length <= 16 ? sumText(words) : `the ${words.length} products`} = ${show(p.sums[c])}`]);
    } else if (i === C) {
      this.headline.textContent = `${p.names.y}${idx} = s0 + … + s${C - 1} + ${p.names.b} = ${show(p.value)}`;
      this.setLines([`${p.names.y}${idx} = ${sumText([...p.sums, p.bias].map(show))} = ${show(p.value)}`,
                     `torch computes ${show(p.torch)}`]);
    } else {
      this.headline.textContent = `a${idx} = ${p.act}(${show(p.value)}) = ${show(p.activated)}`;
      this.setLines([`torch computes ${show(p.torch_activated)}`]);
    }
  }

  renderPoolUnit(i) {
    const p = this.p;
    const n = this.KH * this.KW;
    const seen = p.x.v.slice(0, Math.min(i + 1, n));
    const so = p.mode === "max" ? Math.max(...seen) : seen.reduce((a, b) => a + b, 0) / seen.length;
    p.x.v.forEach((v, k) => this.unitWindow.setText(k, show(v), v));
    this.unitWindow.setActive([...Array(Math.min(i + 1, n)).keys()]);
    const best = p.x.v.indexOf(Math.max(...p.x.v));
    this.unitWindow.setMarks(i >= n ? (p.mode === "max" ? [best] : []) : [i], i >= n ? "data-max" : "data-current");
    this.unitWindow.panel.firstChild.textContent = `${p.names.x}: window on map ${p.unit[0]}`;
    const what = p.mode === "max" ? "max" : "mean";
    const idx = this.indexText(p.unit);
    this.result.textContent = i >= n ? `${what} = ${show(p.value)}` : `${what} so far = ${show(so)}`;
    this.result.dataset.active = String(i >= n);
    if (i < n) {
      this.headline.textContent = `cell ${Math.floor(i / this.KW)}, ${i % this.KW} of the window: ${show(p.x.v[i])}`;
      this.setLines([`${what} of the first ${i + 1}: ${what}(${seen.map(show).join(", ")}) = ${show(so)}`]);
    } else {
      this.headline.textContent = `y${idx} = ${what}(${p.x.v.map(show).join(", ")}) = ${show(p.value)}`;
      this.setLines([`torch computes ${show(p.torch)}`]);
    }
  }
}
