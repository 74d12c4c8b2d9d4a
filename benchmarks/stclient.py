"""A headless Streamlit client that speaks the browser's protocol: protobuf BackMsg/ForwardMsg over the
WebSocket at /_stcore/stream, the XSRF cookie, file uploads over HTTP PUT, and fragment auto-reruns.

It is what the load test and the two-session isolation test drive. One StClient is one browser tab:

    async with StClient("http://127.0.0.1:8501") as tab:
        await tab.open("conv2d")                        # latency of the first run, in seconds
        await tab.set("c2_stride", 2)                   # a widget, found by its key
        await tab.upload("fm_upload", "cat.png", png_bytes)
        await tab.click("tr_start")
        tab.fill("class_nickname", "Ada"); await tab.submit("class_join")    # a form: fields, then its button
        await tab.set_state("c2_view", step=4)          # a custom component's state (the lesson view's step)
        tab.text()                                      # what the page shows (markdown, alerts, headings)

Widgets are found by the `key=` the app gave them (Streamlit puts the key at the end of the widget id).
Every wait is bounded; a run that does not finish in `timeout` seconds raises TimeoutError.
"""

from __future__ import annotations

import asyncio
import http.cookies
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileUploaderState, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED = ForwardMsg.ScriptFinishedStatus


@dataclass
class Run:
    """What one script run sent: the elements by delta path, errors, and when it finished."""
    started: float
    elements: dict = field(default_factory=dict)     # delta path -> (type, proto)
    errors: list = field(default_factory=list)
    status: int | None = None
    finished: float | None = None


class StClient:
    def __init__(self, base: str, timeout: float = 60.0, name: str = ""):
        self.base, self.timeout, self.name = base.rstrip("/"), timeout, name
        self.session_id = ""
        self.page = ""
        self.page_hash = ""
        self.query = ""
        self.widgets: dict[str, tuple[str, object]] = {}     # widget id -> (type, proto)
        self.states: dict[str, WidgetState] = {}             # what this tab has set, sent with every rerun
        self.run: Run | None = None                          # the latest full run
        self.fragment_runs: list[float] = []                 # latency of each fragment auto-rerun
        self.errors: list[str] = []                          # exceptions and error boxes seen, ever
        self._fragments: dict[str, float] = {}               # fragment id -> interval (auto-rerun)
        self._fragment_sent: dict[str, float] = {}
        self._pending_fragment: float | None = None
        self._fragment_run = False                           # the server's run in flight is a fragment's
        self._file_urls: dict[str, asyncio.Future] = {}
        self._finished = asyncio.Event()
        self._changed = asyncio.Event()                      # set after every message from the server
        self.busy = False                                    # a run (ours, a fragment's or the app's own) in flight
        self._ws = None
        self._tasks: list[asyncio.Task] = []
        self._cookie = ""
        self.cookies: dict[str, str] = {}
        self.upstream = ""                                   # the replica, where a load balancer says (X-Upstream)
        self.closed = False
        self._running = False                                # a full run (ours or the app's own st.rerun) is going

    # ---- connection
    async def __aenter__(self) -> StClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def connect(self) -> None:
        def health() -> tuple[dict, str]:
            with urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=self.timeout) as r:
                cookies = http.cookies.SimpleCookie()
                for header in r.headers.get_all("Set-Cookie") or []:
                    cookies.load(header)
                return {k: m.value for k, m in cookies.items()}, r.headers.get("X-Upstream", "")

        # every cookie the server (or a load balancer's sticky-session cookie) set is sent back, as a browser does
        self.cookies, self.upstream = await asyncio.to_thread(health)
        self._cookie = self.cookies.get("_streamlit_xsrf", "")
        ws_url = "ws" + self.base[4:] + "/_stcore/stream"
        protocols = ["streamlit"] + ([self._cookie] if self._cookie else [])
        headers = {"Origin": self.base}
        if self.cookies:
            headers["Cookie"] = self._cookie_header()
        self._ws = await asyncio.wait_for(
            websockets.connect(ws_url, subprotocols=protocols, additional_headers=headers, max_size=None,
                               open_timeout=self.timeout), self.timeout)
        self._tasks = [asyncio.create_task(self._reader()), asyncio.create_task(self._auto_reruns())]

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    async def close(self) -> None:
        """Like closing the tab: the socket goes away without a goodbye."""
        self.closed = True
        for t in self._tasks:
            t.cancel()
        if self._ws is not None:
            await self._ws.close()

    # ---- what the server sends
    async def _reader(self) -> None:
        try:
            async for data in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                self._handle(msg)
                self._changed.set()
        except (websockets.ConnectionClosed, asyncio.CancelledError):
            pass
        finally:
            self.closed = True
            self._finished.set()
            self._changed.set()

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.busy = True
            ns = msg.new_session
            if ns.initialize.session_id:
                self.session_id = ns.initialize.session_id
            self.page_hash = ns.page_script_hash
            self._fragment_run = bool(msg.metadata.run.fragment_ids)
            if not self._fragment_run:              # a full run (also one the app asked for with st.rerun)
                self._fragments.clear()             # registers its fragments again
                self._running = True
        elif kind == "delta":
            self._delta(msg)
        elif kind == "auto_rerun":
            self._fragments[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                self._fragments.pop(fid, None)
        elif kind == "script_finished":
            status = msg.script_finished
            if status in (FINISHED.FINISHED_SUCCESSFULLY, FINISHED.FINISHED_WITH_COMPILE_ERROR):
                self._running = False               # (a run cut short for a rerun is followed by that rerun)
            self.busy = status == FINISHED.FINISHED_EARLY_FOR_RERUN     # a rerun follows at once
            if status == FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY or self._fragment_run:
                # a fragment's run, also one cut short by our full rerun (sent while it ran): never the end of
                # the full run we wait for (taking it for that returned an open() before the page was drawn)
                if status == FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY and self._pending_fragment is not None:
                    self.fragment_runs.append(time.perf_counter() - self._pending_fragment)
                self._pending_fragment = None
                self._fragment_run = False
            elif self.run is not None and self.run.finished is None:
                self.run.status, self.run.finished = status, time.perf_counter()
                self._finished.set()
            else:                                   # a fragment run cut short (e.g. it asked for a full rerun)
                self._pending_fragment = None
        elif kind == "file_urls_response":
            fut = self._file_urls.pop(msg.file_urls_response.response_id, None)
            if fut is not None and not fut.done():
                fut.set_result(msg.file_urls_response)
        elif kind == "navigation":                  # st.navigation says which page this run is
            self.page_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":           # the app wrote st.query_params: the browser's URL changes
            self.query = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            self._error(f"page not found: {msg.page_not_found.page_name}")

    def _delta(self, msg: ForwardMsg) -> None:
        delta = msg.delta
        if delta.WhichOneof("type") != "new_element":
            return
        el = delta.new_element
        kind = el.WhichOneof("type")
        proto = getattr(el, kind)
        path = tuple(msg.metadata.delta_path)
        if self.run is not None:
            self.run.elements[path] = (kind, proto)
        widget_id = getattr(proto, "id", "") if kind not in ("markdown", "heading", "alert", "code") else ""
        if widget_id:
            self.widgets[widget_id] = (kind, proto)
        if kind == "exception":
            self._error(f"exception: {proto.type}: {proto.message}")
        elif kind == "alert" and proto.format == Alert.ERROR:
            self._error(f"error box: {proto.body}")

    def _error(self, text: str) -> None:
        self.errors.append(text)
        if self.run is not None:
            self.run.errors.append(text)

    # ---- what the tab sends
    def _client_state(self, fragment: str = ""):
        back = BackMsg()
        cs = back.rerun_script
        cs.query_string = self.query
        cs.page_name = self.page
        cs.page_script_hash = self.page_hash
        cs.widget_states.widgets.extend(self.states.values())
        if fragment:
            cs.fragment_id, cs.is_auto_rerun = fragment, True
        return back

    async def _send(self, back: BackMsg) -> None:
        await self._ws.send(back.SerializeToString())

    async def rerun(self) -> float:
        """Send the tab's widget states, wait for the full run to finish; return its latency (s)."""
        if self.closed:
            raise ConnectionError(f"{self.name}: the connection is closed")
        self.run = Run(time.perf_counter())
        self._finished.clear()
        await self._send(self._client_state())
        for state in list(self.states.values()):      # triggers (buttons) fire once, as in the browser
            if state.WhichOneof("value") in ("trigger_value", "string_trigger_value", "json_trigger_value"):
                self.states.pop(state.id, None)
        try:
            await asyncio.wait_for(self._finished.wait(), self.timeout)
        except TimeoutError:
            raise TimeoutError(f"{self.name}: no answer from the server in {self.timeout:.0f} s") from None
        if self.run.finished is None:
            raise ConnectionError(f"{self.name}: the connection closed during a run")
        return self.run.finished - self.run.started

    async def open(self, page: str = "", query: str = "") -> float:
        """Go to a page (its url path; "" is the home page), as a click in the menu does."""
        self.page, self.query, self.page_hash = page, query, ""
        self.states.clear()
        self.widgets.clear()
        return await self.rerun()

    async def _auto_reruns(self) -> None:
        """Fragments with run_every: rerun them at their interval while no full run is in flight."""
        try:
            while True:
                await asyncio.sleep(0.05)
                now = time.perf_counter()
                busy = self.run is not None and self.run.finished is None
                if self._pending_fragment is not None and now - self._pending_fragment > self.timeout:
                    self._pending_fragment = None     # never answered: poll again, as the browser's timer does
                if busy or self._pending_fragment is not None or self.closed:
                    continue
                for fid, interval in list(self._fragments.items()):
                    if now - self._fragment_sent.get(fid, 0.0) >= interval:
                        self._fragment_sent[fid] = now
                        self._pending_fragment = now
                        await self._send(self._client_state(fragment=fid))
                        break
        except (asyncio.CancelledError, websockets.ConnectionClosed):
            pass

    @property
    def polling(self) -> bool:
        return bool(self._fragments)

    @property
    def idle(self) -> bool:
        """No full run going: also the app's own rerun (st.rerun) after ours has finished."""
        return not self._running

    async def wait_for(self, predicate, timeout: float | None = None) -> None:
        """Wait until predicate() holds, checking it after every message from the server (no polling interval);
        after `timeout` seconds (default: the tab's) raise TimeoutError with what the page shows."""
        loop = asyncio.get_running_loop()
        end = loop.time() + (self.timeout if timeout is None else timeout)
        while not predicate():
            if self.closed:
                raise ConnectionError(f"{self.name}: the connection closed while waiting")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), max(0.0, end - loop.time()))
            except TimeoutError:
                raise TimeoutError(f"{self.name}: still waiting after {timeout or self.timeout:.0f} s; "
                                   f"the page shows: {self.text()[-500:]!r}") from None

    # ---- widgets
    def widget_id(self, key: str) -> str:
        for wid in self.widgets:
            if wid == key or wid.endswith("-" + key):
                return wid
        raise KeyError(f"{self.name}: no widget with key {key!r} on page {self.page!r}")

    def fill(self, key: str, value) -> None:
        """Give a widget a value without a rerun, as typing into a form's field does (the form's submit sends it)."""
        wid = self.widget_id(key)
        kind, proto = self.widgets[wid]
        state = WidgetState(id=wid)
        if kind == "number_input":
            state.double_value = float(value)
        elif kind in ("checkbox",):
            state.bool_value = bool(value)
        elif kind == "slider":
            state.double_array_value.data.extend([float(value)])
        else:                                   # selectbox, radio, text_input, text_area: the label
            state.string_value = str(value)
        self.states[wid] = state

    async def set(self, key: str, value) -> float:
        """Give a widget a value (number, text, bool, or an option's label) and rerun."""
        self.fill(key, value)
        return await self.rerun()

    async def submit(self, form: str) -> float:
        """Press the submit button of the form with this key (its fields go with it)."""
        for wid, (kind, proto) in self.widgets.items():
            if kind == "button" and proto.is_form_submitter and proto.form_id.endswith(form):
                self.states[wid] = WidgetState(id=wid, trigger_value=True)
                return await self.rerun()
        raise KeyError(f"{self.name}: no form {form!r} with a submit button on page {self.page!r}")

    async def set_state(self, key: str, **values) -> float:
        """What a custom component (v2) does with setStateValue, e.g. the lesson view reporting its step once the
        stepping pauses: its state, merged with what the tab sent before, as one JSON widget value; one rerun."""
        import json

        wid = self.widget_id(key)
        old = self.states.get(wid)
        state = json.loads(old.json_value) if old is not None and old.WhichOneof("value") == "json_value" else {}
        self.states[wid] = WidgetState(id=wid, json_value=json.dumps({**state, **values}))
        return await self.rerun()

    async def trigger(self, key: str, event: str, value) -> float:
        """What a custom component (v2) does with setTriggerValue(event, value), e.g. a click on a map of the
        explorer's overview: the event fires once, in one rerun."""
        import json

        from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX
        tid = f"{STREAMLIT_INTERNAL_KEY_PREFIX}_{self.widget_id(key)}__events"
        self.states[tid] = WidgetState(id=tid, json_trigger_value=json.dumps([{"event": event, "value": value}]))
        return await self.rerun()

    async def click(self, key: str) -> float:
        wid = self.widget_id(key)
        self.states[wid] = WidgetState(id=wid, trigger_value=True)
        return await self.rerun()

    async def upload(self, key: str, name: str, data: bytes, mime: str = "application/octet-stream") -> float:
        """What the browser does for st.file_uploader: ask for URLs, PUT the file, then set the widget."""
        wid = self.widget_id(key)
        request_id = uuid.uuid4().hex
        fut = asyncio.get_running_loop().create_future()
        self._file_urls[request_id] = fut
        back = BackMsg()
        back.file_urls_request.request_id = request_id
        back.file_urls_request.file_names.append(name)
        back.file_urls_request.session_id = self.session_id
        await self._send(back)
        response = await asyncio.wait_for(fut, self.timeout)
        if response.error_msg:
            raise ConnectionError(f"{self.name}: upload refused: {response.error_msg}")
        urls = response.file_urls[0]
        status = await asyncio.to_thread(self._put, urls.upload_url, name, data, mime)
        if status >= 400:
            raise ConnectionError(f"{self.name}: upload answered HTTP {status}")
        info = UploadedFileInfo(name=name, size=len(data), file_id=urls.file_id, file_urls=urls)
        self.states[wid] = WidgetState(id=wid, file_uploader_state_value=FileUploaderState(uploaded_file_info=[info]))
        return await self.rerun()

    def _put(self, url: str, name: str, data: bytes, mime: str) -> int:
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                f"Content-Type: {mime}\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        full = url if url.startswith("http") else self.base + "/" + url.lstrip("/")
        req = urllib.request.Request(full, data=body, method="PUT", headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", "X-Xsrftoken": self._cookie,
            "Cookie": self._cookie_header(), "Origin": self.base})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as r:
                return r.status
        except urllib.error.HTTPError as err:
            return err.code

    # ---- what the page shows
    def texts(self) -> list[str]:
        """Markdown, headings, alerts, captions and code of the latest full run, in page order."""
        out = []
        if self.run is None:
            return out
        for path in sorted(self.run.elements):
            kind, proto = self.run.elements[path]
            if kind in ("markdown", "heading", "code"):
                out.append(proto.body if kind != "code" else proto.code_text)
            elif kind == "alert":
                out.append(proto.body)
        return out

    def text(self) -> str:
        return "\n".join(self.texts())


def query(**params) -> str:
    return urllib.parse.urlencode(params)
