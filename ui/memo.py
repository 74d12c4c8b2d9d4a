"""Work that does not depend on the student, done once for every session of the server: bundled model × image ×
parameters → maps, explanations, feature maps, figures.

`shared(fn)` wraps a function in a cache keyed by the *content* of its arguments: arrays and tensors by a SHA-256
of their bytes (with dtype and shape), torch modules by a SHA-256 of their weights and their structure (so a
student's model that is trained further gets new entries, and two sessions' identical bundled models share
them), everything else by value. Never by id() or by a sample of the data, so nothing collides across users.
The cache is bounded twice: at most `entries` results per function and at most `megabytes` of arrays in them
(least recently used first out). Results are shared read-only by every session: a page must never change them.

Concurrent callers with the same arguments wait for the first one's result (30 students opening the same page
at once compute it once). ConvlabError (bad input) and every other exception are raised to each caller and
never cached.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import sys
import threading
from collections import OrderedDict

import numpy as np

__all__ = ["shared", "content_key", "Unhashable", "CACHES", "figure", "last_figure", "peek", "keep", "by_key", "Keyed"]


class Unhashable(TypeError):
    """An argument this module cannot key by content (the call then runs uncached)."""


@dataclasses.dataclass(frozen=True, eq=False)
class Keyed:
    """An argument keyed by a content key its caller already holds (a photo by its sample name or its upload's
    SHA-256): hashing a large photo again on every rerun costs more than the figure lookup it serves. shared and
    figure pass the value itself to the function."""

    value: object
    key: str


def by_key(value, key: str) -> Keyed:
    """value, keyed in shared and figure by key (which must name its content, e.g. a SHA-256 of it) instead of by its
    own content.

    >>> content_key(by_key(np.zeros(3), "sample:a")) == content_key(by_key(np.ones(3), "sample:a"))
    True
    """
    return Keyed(value, str(key))


def _unwrap(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    return (tuple(a.value if isinstance(a, Keyed) else a for a in args),
            {k: v.value if isinstance(v, Keyed) else v for k, v in kwargs.items()})


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.hexdigest()


def _module_key(m) -> tuple:
    import torch
    h = hashlib.sha256(repr(m).encode())
    h.update(str(m.training).encode())
    for name, t in list(m.state_dict().items()):
        h.update(name.encode())
        h.update(str((t.dtype, tuple(t.shape), t.device.type)).encode())
        h.update(t.detach().to("cpu").contiguous().view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    return ("module", type(m).__name__, h.hexdigest())


def content_key(obj) -> object:
    """A hashable key equal for equal content. Unhashable for what it cannot read by content.

    >>> content_key(np.zeros(3)) == content_key(np.zeros(3)), content_key(np.zeros(3)) == content_key(np.zeros(4))
    (True, False)
    >>> content_key((1, "a", None, 2.5))
    ('tuple', (('int', 1), ('str', 'a'), ('NoneType', None), ('float', 2.5)))
    """
    if obj is None or isinstance(obj, (bool, int, float, str, bytes, complex)):
        return (type(obj).__name__, obj)
    if isinstance(obj, Keyed):
        return ("keyed", obj.key)
    if isinstance(obj, np.generic):
        return (type(obj).__name__, obj.item())
    if isinstance(obj, np.ndarray):
        if obj.dtype == object:
            raise Unhashable("an object array")
        return ("ndarray", obj.dtype.str, obj.shape, _digest(np.ascontiguousarray(obj).tobytes()))
    if isinstance(obj, (tuple, list)):
        return (type(obj).__name__, tuple(content_key(v) for v in obj))
    if isinstance(obj, dict):
        return ("dict", tuple(sorted((content_key(k), content_key(v)) for k, v in obj.items())))
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return (type(obj).__qualname__, tuple((f.name, content_key(getattr(obj, f.name)))
                                              for f in dataclasses.fields(obj)))
    torch = sys.modules.get("torch")
    if torch is not None:
        if isinstance(obj, torch.Tensor):
            return ("tensor", str(obj.dtype), tuple(obj.shape),
                    _digest(obj.detach().to("cpu").contiguous().view(torch.uint8).numpy().tobytes()))
        if isinstance(obj, torch.nn.Module):
            return _module_key(obj)
    raise Unhashable(f"cannot key a {type(obj).__name__} by content")


def _size(obj, seen=None) -> int:
    """Bytes held by arrays in a result (nested containers and dataclasses opened), plus a small constant each."""
    if isinstance(obj, np.ndarray):
        return obj.nbytes + 100
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(obj, torch.Tensor):
        return obj.element_size() * obj.numel() + 100
    if isinstance(obj, (bytes, str)):
        return len(obj) + 50
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, dict):
        return 100 + sum(_size(k, seen) + _size(v, seen) for k, v in obj.items())
    if isinstance(obj, (tuple, list, set, frozenset)):
        return 100 + sum(_size(v, seen) for v in obj)
    fields = getattr(obj, "__dict__", None)
    if isinstance(fields, dict):
        return 100 + sum(_size(v, seen) for v in fields.values())
    return 100


class _Cache:
    def __init__(self, name: str, entries: int, megabytes: float):
        self.name, self.entries, self.limit = name, entries, int(megabytes * 2**20)
        self.store: OrderedDict = OrderedDict()         # key -> (value, bytes)
        self.bytes = 0
        self.lock = threading.Lock()
        self.pending: dict = {}                         # key -> Event of the call computing it
        self.hits = self.misses = 0

    def get(self, key):
        with self.lock:
            if key in self.store:
                self.store.move_to_end(key)
                self.hits += 1
                return True, self.store[key][0]
        return False, None

    def put(self, key, value, size: int | None = None) -> None:
        size = _size(value) if size is None else size
        if size > self.limit:
            return
        with self.lock:
            if key in self.store:
                self.bytes -= self.store.pop(key)[1]
            self.store[key] = (value, size)
            self.bytes += size
            while len(self.store) > self.entries or self.bytes > self.limit:
                _, (_, freed) = self.store.popitem(last=False)
                self.bytes -= freed

    def clear(self) -> None:
        with self.lock:
            self.store.clear()
            self.bytes = 0


CACHES: dict[str, _Cache] = {}


def shared(fn=None, *, entries: int = 32, megabytes: float = 64):
    """Decorator: cache fn's results by the content of its arguments, for every session (see the module's text).
    fn.cache is the cache (hits, misses, bytes, clear())."""
    if fn is None:
        return functools.partial(shared, entries=entries, megabytes=megabytes)
    name = f"{fn.__module__}.{fn.__qualname__}"
    if fn.__module__ == "__main__":                 # a page: Streamlit runs its file as __main__ on every rerun
        name = f"{fn.__code__.co_filename}:{fn.__qualname__}"
    cache = CACHES.get(name)
    if cache is None or "<locals>" in fn.__qualname__:
        # a module-level function decorated again (a page's script runs again on every rerun) keeps its cache:
        # a new one each time would never be hit
        cache = CACHES[name] = _Cache(fn.__qualname__, entries, megabytes)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            key = (content_key(args), content_key(kwargs))
        except Unhashable:
            args, kwargs = _unwrap(args, kwargs)
            return fn(*args, **kwargs)
        args, kwargs = _unwrap(args, kwargs)
        while True:
            found, value = cache.get(key)
            if found:
                return value
            with cache.lock:
                event = cache.pending.get(key)
                mine = event is None
                if mine:
                    event = cache.pending[key] = threading.Event()
                    cache.misses += 1
            if mine:
                break
            event.wait(120)          # another session computes it; then look again (or compute, if it failed)
        try:
            value = fn(*args, **kwargs)
            cache.put(key, value)
            return value
        finally:
            with cache.lock:
                cache.pending.pop(key, None)
            event.set()

    wrapper.cache = cache
    return wrapper


def peek(fn, *args, **kwargs) -> tuple[bool, object]:
    """(found, value) of a shared function's cached result for these arguments, without computing it."""
    try:
        return fn.cache.get((content_key(args), content_key(kwargs)))
    except Unhashable:
        return False, None


def keep(fn, value, *args, **kwargs) -> None:
    """Put a result computed elsewhere (e.g. by a pool job) into fn's shared cache, as if fn had returned it."""
    try:
        fn.cache.put((content_key(args), content_key(kwargs)), value)
    except Unhashable:
        pass


_FIGURES = CACHES["ui.memo.figure"] = _Cache("figure", 256, 96)


def figure(builder, *args, **kwargs):
    """builder(*args, **kwargs) (a Plotly figure or its plain dict spec) as a frozen Plotly figure
    (ui.widgets.frozen_figure), built once per content of the
    arguments for every session: the same figure object for every page that draws the same data."""
    from ui.widgets import frozen_figure

    @functools.wraps(builder)
    def build(*a, **k):
        a, k = _unwrap(a, k)
        return frozen_figure(builder(*a, **k))
    build.cache = _FIGURES
    try:
        key = (builder.__module__, builder.__qualname__, content_key(args), content_key(kwargs))
    except Unhashable:
        return build(*args, **kwargs)
    found, value = _FIGURES.get(key)
    if found:
        return value
    value = build(*args, **kwargs)
    _FIGURES.put(key, value, _size(value._frozen_dict))
    return value


def last_figure(slot: str, builder, *args, **kwargs):
    """builder(*args, **kwargs) as a frozen figure, rebuilt only when the content of its arguments changed since this
    session's last call for `slot`. For a live view redrawn every second (an experiment's curves): most polls see
    the same records, and one figure per session and slot is kept in the session, never in the shared cache (a
    class's ever-growing curves would push out the default views that every student shares)."""
    import streamlit as st

    from ui.widgets import frozen_figure
    try:
        key = (builder.__module__, builder.__qualname__, content_key(args), content_key(kwargs))
    except Unhashable:
        key = None
    args, kwargs = _unwrap(args, kwargs)
    if key is None:
        return frozen_figure(builder(*args, **kwargs))
    kept = st.session_state.get(f"_last_figure.{slot}")
    if kept is not None and kept[0] == key:
        return kept[1]
    fig = frozen_figure(builder(*args, **kwargs))
    st.session_state[f"_last_figure.{slot}"] = (key, fig)
    return fig
