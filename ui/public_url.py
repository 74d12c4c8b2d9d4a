"""The address students' links and QR codes point at.

CONVLAB_PUBLIC_URL (e.g. https://convlab.school.example or http://192.168.1.20:8501) is the app's address as
students reach it; without it, the address this page was opened at. A page opened at localhost would hand out
links no phone can open: the teacher page warns and offers this machine's network address, the one
`streamlit run` prints as "Network URL".
"""

from __future__ import annotations

import logging
import os
from urllib.parse import urlencode, urlsplit

import streamlit as st

__all__ = ["app_base", "page_url", "public_page_url", "is_local", "network_base", "localhost_warning"]

log = logging.getLogger("convlab.app")
_LOCAL = ("localhost", "::1", "0.0.0.0")


def _configured() -> str:
    """CONVLAB_PUBLIC_URL without its trailing slash, or "" (unset or not an http(s) address: logged)."""
    raw = os.environ.get("CONVLAB_PUBLIC_URL", "").strip().rstrip("/")
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        log.warning("CONVLAB_PUBLIC_URL=%r is not an http(s) address like https://convlab.school.example; "
                    "links use the address the page was opened at", raw)
        return ""
    return raw


def page_url() -> str:
    """This page's own address without its query, as the browser opened it ("http://host:port/conv2d")."""
    return (st.context.url or "").split("?", 1)[0]


def app_base() -> str:
    """The app's address for links: CONVLAB_PUBLIC_URL, else the address this page was opened at (with any base
    path), "http://host:port"."""
    return _configured() or page_url().rsplit("/", 1)[0]


def public_page_url() -> str:
    """This page's address for a shared link: under CONVLAB_PUBLIC_URL when it is set."""
    return f"{app_base()}/{page_url().rsplit('/', 1)[-1]}" if _configured() else page_url()


def is_local(url: str) -> bool:
    """Whether `url` names this machine only (localhost, 127.x, ::1), which no other device can open.

    >>> is_local("http://localhost:8501"), is_local("http://127.0.0.1:8501/x"), is_local("http://10.0.0.5:8501")
    (True, True, False)
    """
    host = (urlsplit(url).hostname or "").lower()
    return host in _LOCAL or host.startswith("127.")


def network_base(url: str) -> str | None:
    """`url`'s base with this machine's network address instead of localhost (what `streamlit run` prints as the
    Network URL); None when the machine has no address but localhost."""
    from streamlit import net_util

    ip = net_util.get_internal_ip()
    if not ip or ip.startswith("127."):
        return None
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme or 'http'}://{ip}{port}{parts.path.rsplit('/', 1)[0]}"


def localhost_warning(where: str = "below", compact: bool = False) -> None:
    """On a page opened at localhost without CONVLAB_PUBLIC_URL: say that the links and QR codes (`where`: "below"
    or "above" the warning) will not open on the students' devices, and offer this page at the network address.
    Compact: one line that says so, the details and the button folded under it (the class dashboard on a projector,
    where the full warning pushed the QR code off the first screen)."""
    if _configured() or not is_local(page_url()):
        return
    other = network_base(page_url())
    here = page_url().rsplit("/", 1)[-1]
    query = urlencode({k: st.query_params.get(k) for k in st.query_params.keys()})
    host = urlsplit(page_url()).hostname
    box = (st.expander(f"**Phones cannot open this link** ({host})", icon=":material/wifi_off:")
           if compact else st.container(border=True))
    with box:
        st.warning(f"This page is open at **{host}** (localhost), so the student links and QR codes {where} point at "
                   "this machine only: no phone or other computer can open them. " +
                   (f"Open ConvLab at this machine's network address, **{other}**, or set `CONVLAB_PUBLIC_URL` to the "
                    "address students use (see the README)." if other else
                    "This machine has no network address other than localhost: set `CONVLAB_PUBLIC_URL` to the "
                    "address students use (see the README)."), icon=":material/wifi_off:")
        if other:
            st.link_button(f"Open this page at {other}", f"{other}/{here}" + (f"?{query}" if query else ""),
                           icon=":material/open_in_new:")
