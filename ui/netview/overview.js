// The network overview (CNN Explainer's first screen): every layer's maps in columns, then the softmax bars.
// Data from ui/netview/__init__.py::overview_payload. A click on a map sends the unit under the pointer
// (trigger "unit": {layer, map, row, col}); a click on the bars sends trigger "softmax". Nothing here
// computes a number: every value shown comes from the server, which checked it against torch.

// the theme's colours (convlab.figures.theme.css_variables, in this component's CSS): DIVERGING and the marks
const THEME = { neg: [67, 147, 195], zero: [247, 247, 247], pos: [214, 96, 77], window: "#e66101", ink: "#111111" };

function readTheme(root) {
  const css = getComputedStyle(root);
  const hex = (name) => {
    const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(css.getPropertyValue(name).trim());
    return m ? [1, 2, 3].map((k) => parseInt(m[k], 16)) : null;
  };
  for (const [key, name] of [["neg", "--cl-div-neg"], ["zero", "--cl-div-zero"], ["pos", "--cl-div-pos"]]) {
    THEME[key] = hex(name) || THEME[key];
  }
  for (const [key, name] of [["window", "--cl-window"], ["ink", "--cl-ink"]]) {
    THEME[key] = css.getPropertyValue(name).trim() || THEME[key];
  }
}

function decode(b64) {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new Float32Array(bytes.buffer);
}

function colour(v, lim, grey) {
  if (grey) { const g = Math.round(255 * Math.min(1, Math.max(0, v))); return [g, g, g]; }
  const t = lim > 0 ? Math.max(-1, Math.min(1, v / lim)) : 0;
  const end = t < 0 ? THEME.neg : THEME.pos, a = Math.abs(t);
  return THEME.zero.map((w, i) => Math.round(w + (end[i] - w) * a));
}

function drawTile(canvas, tile, lim, grey, marks) {
  const { h, w } = tile, values = tile.values;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(w, h);
  for (let i = 0; i < h * w; i++) {
    const [r, g, b] = colour(values[i], lim, grey);
    img.data.set([r, g, b, 255], 4 * i);
  }
  const off = new OffscreenCanvas(w, h);
  off.getContext("2d").putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
  const sx = canvas.width / w, sy = canvas.height / h;
  for (const m of marks) {
    ctx.strokeStyle = m.colour;
    ctx.lineWidth = m.width;
    ctx.strokeRect(m.left * sx + 1, m.top * sy + 1, m.w * sx - 2, m.h * sy - 2);
  }
}

function pageTop(root, box) {
  // the overview's top as it is with the page scrolled to its start: the tiles' size must not depend on how far
  // the page happened to be scrolled when it drew (Streamlit scrolls inside its own container; the overview sits in
  // a shadow root)
  let top = box.top;                               // plus every scrolled ancestor's scroll, the document's too
  for (let node = root.parentNode || root.host; node; node = node.parentNode || node.host) {
    if (node.nodeType === 1) top += node.scrollTop;
  }
  return top;
}

function tileSize(data, root, perColumn) {
  // as large as fits: every column side by side in the width, the tallest column in the window's height below
  // the overview's top (the page above it stays as it is), within [18, max_tile] pixels
  const box = root.getBoundingClientRect();
  const width = Math.max(600, box.width || 1000);
  const top = pageTop(root, box);
  const cols = data.columns.reduce((n, c) => n + Math.ceil(c.maps.length / perColumn), 0);
  const layers = data.columns.length;              // each: 6 px padding and a 10 px gap; 5 px between its sub-columns
  const byWidth = (width - data.output_width - 16 - 16 * layers - 5 * (cols - layers)) / cols - 2;
  const tallest = Math.min(perColumn, Math.max(...data.columns.map((c) => c.maps.length)));
  const below = window.innerHeight - Math.max(0, top) - 24;
  const byHeight = (Math.max(300, below) - 30) / tallest - 7;
  return Math.max(18, Math.min(byWidth, byHeight, data.max_tile));
}

function layout(data, root) {
  // maps per column: the given number, or a half or a third of it when wrapping gives larger tiles (a wide,
  // low window such as a projector's)
  const options = [data.per_column, Math.ceil(data.per_column / 2), Math.ceil(data.per_column / 3)];
  let best = { size: 0, perColumn: data.per_column };
  for (const perColumn of options) {
    const size = Math.floor(tileSize(data, root, perColumn));
    if (size > best.size + 2) best = { size, perColumn };
  }
  // A low, wide window (a projector's 1280×720) leaves width over once the height has set the tiles' size (the
  // right third of the screen stood empty, issue 24): the input image takes up to 3 tiles' width of it, as long
  // as its column stays as low as the tallest one, and the class bars stretch over the rest (CSS: flex).
  const box = root.getBoundingClientRect();
  const width = Math.max(600, box.width || 1000);
  const cols = data.columns.reduce((n, c) => n + Math.ceil(c.maps.length / best.perColumn), 0);
  const used = data.output_width + 16 + 16 * data.columns.length + (best.size + 7) * cols;
  const input = data.columns[0].maps.length;
  const tallest = Math.min(best.perColumn, Math.max(...data.columns.map((c) => c.maps.length)));
  const room = Math.floor((width - used) / (best.size + 7));
  best.inputScale = clamp(1 + room, 1, Math.min(3, Math.floor(tallest / input)));
  return best;
}

function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }

function render(root, data, setTriggerValue) {
  root.replaceChildren();
  readTheme(root);
  root.style.setProperty("--font", `${data.font}px`);
  root.style.setProperty("--head", `${Math.max(0.8 * data.font, data.font >= 22 ? 18 : 0)}px`);   // 18 px on a projector
  const { size, perColumn, inputScale } = layout(data, root);
  const sel = data.selected;
  data.columns.forEach((col, n) => {
    const side = n === 0 ? Math.round(size * inputScale + 7 * (inputScale - 1)) : size;
    const box = document.createElement("div");
    box.className = "column" + (sel && sel.layer === col.layer ? " chosen" : "");
    box.dataset.layer = col.layer;
    const head = document.createElement("div");
    head.className = "head";
    head.textContent = col.title;
    head.title = col.subtitle;
    box.append(head);
    const grid = document.createElement("div");
    grid.className = "tiles";
    grid.style.gridTemplateRows = `repeat(${Math.min(col.maps.length, perColumn)}, auto)`;
    col.maps.forEach((tile, k) => {
      tile.values = tile.values || decode(tile.v);
      const c = document.createElement("canvas");
      const scale = Math.max(1, Math.round(side / Math.max(tile.h, tile.w)));
      c.width = tile.w * scale; c.height = tile.h * scale;
      c.style.width = `${side}px`; c.style.height = `${Math.round(side * tile.h / tile.w)}px`;
      c.dataset.testid = "overview-map";
      c.dataset.layer = col.layer; c.dataset.map = k; c.dataset.h = tile.h; c.dataset.w = tile.w;
      const marks = [];
      if (sel && sel.layer === col.layer && sel.map === k) {
        c.classList.add("chosen");
        marks.push({ top: sel.row, left: sel.col, h: 1, w: 1, colour: THEME.ink, width: 2 });
      }
      if (data.window && data.window.layer === col.layer && (data.window.maps === null || data.window.maps.includes(k))) {
        marks.push({ ...data.window, colour: THEME.window, width: 2 });
      }
      drawTile(c, tile, col.limit, col.grey, marks);
      const at = (e) => {
        const r = c.getBoundingClientRect();
        return [Math.min(tile.h - 1, Math.floor((e.clientY - r.top) / r.height * tile.h)),
                Math.min(tile.w - 1, Math.floor((e.clientX - r.left) / r.width * tile.w))];
      };
      c.addEventListener("mousemove", (e) => {
        const [i, j] = at(e);
        c.title = `${col.title}, map ${k}, row ${i}, column ${j}: ${tile.values[i * tile.w + j].toFixed(3)}`;
      });
      if (col.layer >= 0) {
        c.classList.add("clickable");
        c.addEventListener("click", (e) => {
          const [i, j] = at(e);
          setTriggerValue("unit", { layer: col.layer, map: k, row: i, col: j });
        });
      }
      grid.append(c);
    });
    box.append(grid);
    root.append(box);
  });
  root.append(outputColumn(data, setTriggerValue));
}

function outputColumn(data, setTriggerValue) {
  const box = document.createElement("div");
  box.className = "column output";
  box.style.width = `${data.output_width}px`;
  const head = document.createElement("div");
  head.className = "head";
  head.textContent = data.classifier;
  box.append(head);
  const best = data.probs.indexOf(Math.max(...data.probs));
  data.classes.forEach((name, i) => {
    const row = document.createElement("button");
    row.className = "bar" + (i === best ? " best" : "");
    row.dataset.testid = "softmax-bar";
    row.title = `logit ${data.logits[i].toFixed(3)} → softmax ${data.probs[i].toFixed(3)}: click for the softmax step by step`;
    const label = document.createElement("span");
    label.className = "label";
    label.textContent = name;
    const fill = document.createElement("span");
    fill.className = "fill";
    fill.style.width = `${Math.round(100 * data.probs[i])}%`;
    const value = document.createElement("span");
    value.className = "value";
    value.textContent = `${(100 * data.probs[i]).toFixed(1)}%`;
    row.append(label, fill, value);
    row.addEventListener("click", () => setTriggerValue("softmax", i));
    box.append(row);
  });
  return box;
}

export default function ({ parentElement, data, setTriggerValue }) {
  let root = parentElement.querySelector("[data-testid='network-overview']");
  if (!root) {
    root = document.createElement("div");
    root.dataset.testid = "network-overview";
    parentElement.append(root);
  }
  // Drawn again whenever the tiles' layout would come out otherwise: the overview's width changes, the window's
  // height, or the page above it grows or shrinks (a heading whose font came late, an element drawn after the
  // overview: under load the tiles were once drawn 35 px high for a page whose room was for 48, and stayed so)
  let drawn = "";
  const check = () => {
    const now = JSON.stringify(layout(data, root));
    if (now !== drawn) { drawn = now; render(root, data, setTriggerValue); }
  };
  check();
  if (root.observer) root.observer.disconnect();     // called again on every new payload: one observer only
  if (root.onResize) window.removeEventListener("resize", root.onResize);
  root.observer = new ResizeObserver(check);
  root.observer.observe(root);
  const page = document.querySelector("[data-testid='stMainBlockContainer']");
  if (page) root.observer.observe(page);
  root.onResize = check;
  window.addEventListener("resize", check);
  return () => { root.observer.disconnect(); window.removeEventListener("resize", check); };
}
