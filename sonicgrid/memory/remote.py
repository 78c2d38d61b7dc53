"""A Chroma server client with an overall deadline on every call.

chromadb's HTTP client waits without limit (a server that accepts the connection and never answers, or
trickles, hangs the caller forever). Every call here runs in a daemon thread and is abandoned, with a
one-line UserError, when it has not returned within the deadline (Settings.chroma_timeout_s).
"""

from __future__ import annotations

import threading
from typing import Any

from sonicgrid.errors import UserError


def bounded_call(fn, timeout_s: float, what: str):
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the caller's thread
            box["error"] = exc

    t = threading.Thread(target=work, daemon=True, name="chroma-call")
    t.start()
    t.join(timeout_s)
    if t.is_alive():
        raise UserError(f"{what} did not answer within {timeout_s:g} s (deadline: SONICGRID_CHROMA_TIMEOUT_S)")
    if "error" in box:
        raise box["error"]
    return box.get("value")


class Bounded:
    """Proxy: every method call of the wrapped object has a deadline; collections it returns are wrapped too."""

    def __init__(self, target, timeout_s: float, what: str):
        self._target, self._timeout, self._what = target, timeout_s, what

    def __getattr__(self, name: str):
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            value = bounded_call(lambda: attr(*args, **kwargs), self._timeout, self._what)
            if type(value).__name__ == "Collection":
                return Bounded(value, self._timeout, self._what)
            return value

        return call


def http_client(url: str, settings, timeout_s: float):
    from urllib.parse import urlparse

    import chromadb

    u = urlparse(url if "://" in url else f"http://{url}")
    what = f"the Chroma server at {url}"
    client = bounded_call(
        lambda: chromadb.HttpClient(
            host=u.hostname or "localhost", port=u.port or 8000, ssl=u.scheme == "https", settings=settings
        ),
        timeout_s,
        what,
    )
    return Bounded(client, timeout_s, what)
