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
    this.unitStage = stage;
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
      this.sumPair = opWith("→", this.channelSum);
      stage.append(opWith(TIMES, this.unitFilter.panel), opWith("=", this.unitProduct.panel), this.sumPair);
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
    if (this.channelSum) this.placeSum(this.projector);
    if (this.projector && this.channelSum) {
      this.fitScreen(width, minFont);
      return;
    }
    const chars = Math.max(this.chars, this.prodChars);
    const comfy = Math.ceil(Math.max(minFont / 0.42, (minFont * 0.62 * chars) / 0.94)) + 2;
    const cell = clamp(Math.min(comfy, Math.floor((width - 40) / this.KW)), 24, this.projector ? 140 : 110);
    for (const g of this.unitGrids) g.size(cell, minFont, chars);
  }

  fitScreen(width, minFont) {
    // a conv unit on a projector (1280×720, issue 24): the maps, window × filter = products side by side, z's
    // chain and the headline on one screen. The cells are as small as their widest number allows at minFont
    // (measured in the view's font, not counted in characters: "−0.003117" is narrower than nine digits), the
    // maps are pictures of 3 px a cell (their numbers are in the grids), and the channel's sum sits in the
    // products' title, not on a line of its own.
    const em = this.widestEm();
    const chars = (em * 1.03) / 0.62;                  // Grid.size's measure: 0.62 em a character, 3 % to spare
    const need = Math.ceil((minFont * 0.62 * chars) / 0.94) + 2;
    const byWidth = Math.floor((width - 3 * 4 - 2 * (2 * 14 + 24)) / (3 * this.KW));
    const cell = clamp(Math.max(need, Math.min(byWidth, 72)), 24, 140);
    for (const g of this.unitGrids) g.size(cell, minFont, chars);
    this.unitStage.style.gap = "8px 14px";
    for (const pair of this.unitStage.querySelectorAll(".lv-pair")) pair.style.gap = "14px";
    const [, H, W] = this.p.maps.s;
    const thumb = clamp(Math.floor(56 / Math.max(H, W)), 1, 6);
    for (const g of this.mapThumbs) if (g.cell > thumb) g.size(thumb, Infinity, 1);
    // the page says above the view what the unit is computed from; z's chain at 20 px (not 24) keeps to two lines
    this.root.querySelector(".lv-thumbs-title").style.display = "none";
    for (const chip of this.root.querySelectorAll(".lv-chain .lv-chip")) chip.style.fontSize = "20px";
  }

  placeSum(inTitle) {
    // the channel's sum "→ s3 = 0": after the products on the stage, or in the products' title (projector)
    const title = this.unitProduct.panel.firstChild;
    if (inTitle && this.sumPair.parentNode !== title) {
      title.append(this.sumPair);
      Object.assign(this.sumPair.style, { display: "inline-flex", gap: "10px", marginLeft: "14px" });
      Object.assign(this.channelSum.style, { fontSize: "22px", padding: "2px 10px", minHeight: "0" });
    } else if (!inTitle && this.sumPair.parentNode !== this.unitStage) {
      this.unitStage.append(this.sumPair);
      this.sumPair.removeAttribute("style");
      this.channelSum.removeAttribute("style");
      this.unitStage.style.gap = "";
      this.root.querySelector(".lv-thumbs-title").style.display = "";
      for (const chip of this.root.querySelectorAll(".lv-chain .lv-chip")) chip.style.fontSize = "";
      for (const pair of this.unitStage.querySelectorAll(".lv-pair")) pair.style.gap = "";
    }
  }

  widestEm() {
    // the widest text of the three grids (every channel's window, filter and products), in em of the view's font
    if (this.em) return this.em;
    const p = this.p;
    const texts = new Set([...p.x.v, ...p.w.v, ...p.x.v.map((x, k) => x * p.w.v[k])].map(show));
    const probe = el("span");
    probe.style.cssText = "position:absolute;visibility:hidden;white-space:nowrap;font-size:100px";
    this.root.appendChild(probe);
    let widest = 0;
    for (const t of texts) {
      probe.textContent = t;
      widest = Math.max(widest, probe.getBoundingClientRect().width / 100);
    }
    probe.remove();
    this.em = widest || 1;
    return this.em;
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
