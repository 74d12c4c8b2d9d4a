// Unit tests of the lesson view's core and its table of kinds, in node (no browser): number formatting against
// Python's own (convlab._format.num, through tests/js/num_vectors.py) and every kind registered and answering.
// Run: node --test tests/js/   (tests/view/test_view_js.py runs it in the test command)
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import test from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PYTHON = process.env.PYTHON || path.join(ROOT, ".venv/bin/python");

// the module as convlab.view.view_js builds it: the files of JS_FILES, in order
const init = fs.readFileSync(path.join(ROOT, "convlab/view/__init__.py"), "utf8");
const names = [...(/JS_FILES = \(([^)]*)\)/.exec(init)[1]).matchAll(/"([^"]+)"/g)].map((m) => m[1]);
const source = names.map((f) => fs.readFileSync(path.join(ROOT, "convlab/view", f), "utf8")).join("\n");
const view = await import(`data:text/javascript;base64,${Buffer.from(source).toString("base64")}`);
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, "convlab/view/payload.schema.json"), "utf8"));

test("num writes every number as convlab's Python formatting does", () => {
  const out = execFileSync(PYTHON, [path.join(ROOT, "tests/js/num_vectors.py")], { cwd: ROOT, maxBuffer: 1 << 26,
    env: { ...process.env, PYTHONPATH: ROOT } });
  const vectors = JSON.parse(out);
  assert.ok(vectors.length > 3000);
  const wrong = vectors.filter(([v, text]) => view.num(v) !== text);
  assert.deepEqual(wrong.slice(0, 10).map(([v, text]) => [v, text, view.num(v)]), []);
});

test("show, factor and sumText write what a student reads", () => {
  assert.equal(view.show(-2), "\u22122");
  assert.equal(view.show(null), "\u2212\u221e");                 // max-pool padding travels as null
  assert.equal(view.show(Infinity), "\u221e");
  assert.equal(view.show(-0.000012345), "\u22121.234e\u221205");
  assert.equal(view.factor(-3), "(\u22123)");
  assert.equal(view.factor(2.5), "2.5");
  assert.equal(view.sumText(["3\u00d71", "\u22122\u00d75", "4\u00d7(\u22121)"]), "3\u00d71 \u2212 2\u00d75 + 4\u00d7(\u22121)");
});

test("the table has one class per kind of the schema, each a Lesson that builds and renders", () => {
  assert.deepEqual(Object.keys(view.KINDS).sort(), [...schema.properties.kind.enum].sort());
  assert.ok(Object.isFrozen(view.KINDS));
  for (const [kind, Kind] of Object.entries(view.KINDS)) {
    assert.ok(Kind.prototype instanceof view.Lesson, kind);
    assert.notEqual(Kind.prototype.build, view.Lesson.prototype.build, `${kind} builds`);
    assert.notEqual(Kind.prototype.render, view.Lesson.prototype.render, `${kind} renders`);
  }
});

const arr = (s, v) => ({ s, v });
const DOCS = {
  pool: { kind: "pool", dims: 2, names: { x: "X", w: "W", y: "Y", b: "b" }, x: arr([1, 2, 2], [1, 3, 4, 2]),
          pad: [0, 0, 0, 0], k: [2, 2], s: [2, 2], d: [1, 1], y: arr([1, 1, 1], [4]), mode: "max", ix: "rq",
          dropped: { rows: [], cols: [] }, argmax: arr([1, 1, 1, 2], [1, 0]) },
  stamp: { kind: "stamp", dims: 2, names: { x: "y", w: "K", y: "out", b: "" }, x: arr([1, 1, 1], [2]),
           w: arr([1, 1, 1, 1], [3]), k: [1, 1], s: [1, 1], d: [1, 1], pad: [1, 1, 1, 1], y: arr([1, 1, 1], [6]), ix: "rq" },
  links: { kind: "links", dims: 2, panels: [], rows: [], out: "dw", hl: [], terms: [], values: [1, 2], label: "dL/dW",
           shape: [2] },
};

test("each kind says what its marks mean (the legend comes from the kind, not from kind tests)", () => {
  const legend = (doc) => new view.KINDS[doc.kind]({ p: doc }).legendItems().map(([, text]) => text);
  assert.deepEqual(legend(DOCS.pool), ["the window", "\u2605 the window's max", "the current output"]);
  assert.deepEqual(legend({ ...DOCS.pool, mode: "avg" }), ["the window", "the current output"]);
  assert.deepEqual(legend(DOCS.stamp), ["where this value stamps", "cropped by the padding", "the value stamping now"]);
  assert.deepEqual(legend(DOCS.links), ["the numbers it is made of", "the entry explained"]);
  const unit = new view.KINDS.unit({ p: { kind: "unit", x: arr([1, 1, 1], [1]) } });
  assert.equal(unit.keysHint, "click a map to step to its channel");
});
