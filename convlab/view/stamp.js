// ---------------------------------------------------------------- the "stamp" kind: a transposed convolution
//
// Step i is input value i: it stamps value × kernel into the (uncropped) output at (row·stride, col·stride); the
// output shows the running sums after each stamp (the last one is convlab's result).

class Stamp extends Lesson {
  get legendWindow() { return "where this value stamps"; }
  get legendPad() { return "cropped by the padding"; }
  get legendCurrent() { return "the value stamping now"; }

  build() {
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
      this.addWindow(grid, { badges: true });
      this.outputs.push(grid);
    }
    this.fillStage(stage, [[...this.inputs, ...this.kernels], [], this.outputs]);
    this.root.appendChild(this.newDetail(true));
  }

  render(i) {
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
      this.showKernel(this.kernels[c], o, ((o * C + c) * KH) * KW,
        `${p.names.w}${O > 1 ? `[${o}]` : ""}${C > 1 ? ` channel ${c}` : ""}`);
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
}
