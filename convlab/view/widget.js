// The notebook widget's entry point (anywidget; appended to the view's module by convlab.show): the same view as
// the app, with its step synced both ways with the Python widget's `step` trait.

function renderLesson({ model, el }) {
  const host = document.createElement("div");
  host.className = "lv-host";
  // JupyterLab's shortcuts (arrows, space in command mode) stay out of the view: its keys step the lesson
  host.setAttribute("data-lm-suppress-shortcuts", "true");
  el.appendChild(host);
  let doc = JSON.parse(model.get("document"));
  const report = (name, value) => {
    if (name !== "step" || model.get("step") === value) return;
    model.set("step", value);
    model.save_changes();
  };
  let cleanup = null;
  const mount = () => {
    cleanup = lessonView({ data: { ...doc, step: model.get("step"), speed: 1, projector: false },
                           parentElement: host, setStateValue: report });
  };
  mount();
  const onDocument = () => {
    doc = JSON.parse(model.get("document"));
    mount();
  };
  model.on("change:document", onDocument);
  model.on("change:step", mount);                  // Python moved the step (an echo of our own report is ignored)
  return () => {
    model.off("change:document", onDocument);
    model.off("change:step", mount);
    if (cleanup) cleanup();
  };
}

export default { render: renderLesson };
