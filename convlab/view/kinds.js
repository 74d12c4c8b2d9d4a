// ---------------------------------------------------------------- the kinds, in one table, and the entry point

// A document's "kind" (payload.schema.json) -> the class that builds and draws it (one file each).
const KINDS = Object.freeze({
  conv: Conv,            // sliding.js: a convolution trace (1D or 2D, groups, linked matrix panels)
  pool: Pool,            // sliding.js: a pooling trace (max: ★ the argmax)
  windows: Windows,      // sliding.js: where the windows fall (the padding lesson)
  stamp: Stamp,          // stamp.js: a transposed convolution, stamp by stamp
  links: Links,          // links.js: entries that are sums of products of other grids (the backward pass)
  conv3d: Volume,        // volume.js: a 3D convolution, slice by slice
  unit: Unit,            // unit.js: one unit of a real network
});

export function lessonView(component) {
  const { data, parentElement, setStateValue } = component;
  const payload = decode(data);
  let view = VIEWS.get(parentElement);
  if (!view) {
    view = new View(parentElement);
    VIEWS.set(parentElement, view);
  }
  view.report = setStateValue;
  if (!payload) return undefined;
  const token = view.update(payload);
  return () => {
    // Streamlit calls the cleanup of the latest mount when the element goes away
    if (view.token === token) view.destroy();
  };
}

// for the unit tests (tests/js/view.test.mjs)
export { KINDS };
