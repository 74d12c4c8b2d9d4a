// ---------------------------------------------------------------- linked panels, and the "links" kind
//
// Linked panels: grids of other arrays (matrices, gradients) laid out as equations or as matrix products (Falk's
// scheme: the lit row of A meets the lit column of B at C), lit for each step. The matrix page's conv document
// carries them (`links`); the "links" kind (the backward pass) is made of them: each step is one entry of a
// result, a sum of products of cells of the other panels.

class LinkedPanels {
  constructor(lesson, spec, out) {
    this.lesson = lesson;
    this.box = this.build(spec, out);
  }

  build(spec, out) {
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
        const onPick = how ? { onHover: (i) => this.lesson.preview(toStep(i)), onClick: (i) => this.lesson.go(toStep(i)) } : {};
        const grid = new Grid(H, W, { role: out === sp.id ? "output" : "matrix", values: vals,
                                      texts: vals.map(show), lim, pad: sp.pad, g, ...onPick });
        grid.wrap.dataset.panel = sp.id;
        if (how) grid.wrap.addEventListener("mouseleave", () => this.lesson.preview(-1));
        if (how) grid.wrap.classList.add("lv-pickable");
        // the size after the title, unless the title gives it already ("T (4×9)")
        const sized = G > 1 || sp.labels || (sp.title || "").includes(`(${H}×${W})`);
        const panel = panelEl(sp.labels ? sp.labels[g] : sp.title, sized ? "" : ` ${H} × ${W}`);
        panel.appendChild(grid.wrap);
        grid.panel = panel;
        grids.push(grid);
      }
      byId[sp.id] = { spec: sp, grids, H, W };
    }
    this.panels = byId;
    // the results (y, Y, dL/dW, ...): their lit entry is the one explained, outlined in the blue of "the current
    // output" as in the legend; the other panels' lit cells are what it is made of (orange)
    this.results = new Set([out, ...spec.rows.filter((row) => row.falk).map((row) => row.falk[2])].filter(Boolean));
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
        const block = el("div", row.bt ? "lv-falk lv-falk-bt" : "lv-falk");
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

  light(hl) {
    // a linked spec's highlights of one step: cells (c), whole rows (r) and columns (k), per panel, in flat indices
    for (const [id, info] of Object.entries(this.panels)) {
      const spec = hl[id] || {};
      const size = info.H * info.W;
      info.grids.forEach((grid, g) => {
        const pick = (list) => (list || []).filter((k) => Math.floor(k / size) === g).map((k) => k % size);
        if (this.results.has(id)) {
          grid.setActive([]);
          grid.setMarks(pick(spec.c), "data-current");
        } else {
          grid.setActive(pick(spec.c));
        }
        grid.setBands((spec.r || []).filter((k) => Math.floor(k / info.H) === g).map((k) => k % info.H),
                      (spec.k || []).filter((k) => Math.floor(k / info.W) === g).map((k) => k % info.W));
      });
    }
  }

  layout(width, minFont, maxCell) {
    const comfyL = Math.ceil(minFont / 0.42) + 4;
    const capH = this.lesson.projector ? 1100 : 800;
    for (const row of this.linkRows) {
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
  }
}

function addLinkedPanels(lesson, spec) {
  // a document's `links` (the matrix page): titled panels under the lesson, lit by spec.hl[step]
  const linked = new LinkedPanels(lesson, spec, null);
  linked.box.prepend(el("div", "lv-links-title", spec.title || ""));
  lesson.root.appendChild(linked.box);
  lesson.linked.push(linked);
  return linked;
}

class Links extends Lesson {
  // entries of a result, each a sum of products of other grids: step i is entry i of panel p.out
  get legendWindow() { return "the numbers it is made of"; }
  get legendCurrent() { return "the entry explained"; }

  build() {
    const p = this.p;
    this.n = p.values.length;
    const linked = new LinkedPanels(this, p, p.out);
    this.linked.push(linked);
    this.root.appendChild(linked.box);
    this.root.appendChild(this.newDetail(true));
  }

  arrange(side) {
    // side by side (a projector, View.fit): the equation (x and dL/dY → dL/dW) moves into the corner that the
    // matrix product leaves empty, left of its tall B and above its A, with the product's caption
    const rows = this.linked[0].linkRows;
    const falk = rows.find((row) => row.falk);
    const eqs = rows.filter((row) => !row.falk).map((row) => row.line);
    if (!falk || !eqs.length) return;
    if (!this.corner) this.corner = el("div", "lv-corner");
    const box = this.linked[0].box;
    const caption = falk.line.querySelector(".lv-falk-caption");
    if (side && this.corner.parentNode !== falk.line) {
      if (caption) this.corner.appendChild(caption);
      this.corner.append(...eqs);
      falk.line.appendChild(this.corner);
    } else if (!side && this.corner.parentNode === falk.line) {
      if (caption) falk.line.prepend(caption);
      box.prepend(...eqs);
      this.corner.remove();
    }
  }

  render(i) {
    const p = this.p;
    const hl = p.hl[i];
    for (const [id, info] of Object.entries(this.linked[0].panels)) {
      const list = hl[id] || [];
      const size = info.H * info.W;
      const results = this.linked[0].results;
      info.grids.forEach((grid, g) => {
        const lit = list.filter((k) => Math.floor(k / size) === g).map((k) => k % size);
        if (id === p.out) grid.setMarks(Math.floor(i / size) === g ? [i % size] : [], "data-current");
        else if (results.has(id)) grid.setMarks(lit, "data-current");
        grid.setActive(results.has(id) ? [] : lit);
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
