// Leaving the page: what our components report after a click on a link to another page of the app (st.page_link,
// the top menu, a sidebar link). Inlined before a component's own module by ui/leaving.py (no import between
// components' modules: each is its own blob), so every copy shares one listener and one state on window.
//
// Streamlit's browser side sends every report with the page it shows until the new page's run reaches it (its
// page hash), and the server runs the page of the newest request. A report made in between (the browser's keeper,
// drawn as the old page's run went on; a lesson view's step) ran the old page again and the click was lost: the
// teacher who opened the live dashboard while /teacher was still drawing stayed on /teacher. So from such a click
// our components report nothing until the address shows another page (Streamlit changes it when the new page's
// run starts): a keeper's report is made again on the next page (ui.keeper.keep_unsaved), a step goes with its page.
// After LEAVE_MS the page reports again: a navigation that never came (a lost connection) must not mute it for good.

const LEAVE_MS = 30000;

function leavingState() {
  if (!window.__convlabLeaving) {
    const state = { from: null, at: 0 };
    document.addEventListener("click", (e) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;   // a new tab or window
      const link = e.composedPath().find((n) => n instanceof Element && n.matches("a[href]"));
      if (!link || link.hasAttribute("download") || (link.target && link.target !== "_self")) return;
      const to = new URL(link.href, location.href);
      if (to.origin !== location.origin || to.pathname === location.pathname) return;   // this page, or another site
      state.from = location.pathname;
      state.at = performance.now();
    }, true);
    window.__convlabLeaving = state;
  }
  return window.__convlabLeaving;
}

function leaving() {
  const state = leavingState();
  return state.from === location.pathname && performance.now() - state.at < LEAVE_MS;
}

// The component's arguments with setStateValue and setTriggerValue that drop a report while the page is being left.
// eslint-disable-next-line no-unused-vars -- called by the module ui/leaving.py puts after this file
function stayingOnly(component) {
  leavingState();
  const only = (send) => send && ((...args) => (leaving() ? undefined : send(...args)));
  return { ...component, setStateValue: only(component.setStateValue), setTriggerValue: only(component.setTriggerValue) };
}
