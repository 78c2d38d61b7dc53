"""Run the studio with uvicorn: bind first (so the printed URL is real, port 0 included), warm the
models in the background, serve until Ctrl-C."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from pathlib import Path

from sonicgrid.config import Settings
from sonicgrid.errors import UserError


def bind(host: str, port: int) -> socket.socket:
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(fam, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise UserError(f"cannot serve on {host}:{port}: {exc.strerror or exc} (try --port 0)") from exc
    sock.listen(64)
    sock.set_inheritable(True)
    return sock


def serve(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 7860,
    project: str | None = None,
    seed: int = 0,
    say: Callable[[str], None] = print,
) -> None:
    import uvicorn

    from sonicgrid.studio.app import create_app
    from sonicgrid.studio.hub import StudioHub

    hub = StudioHub(settings, Path(settings.out_dir), seed=seed, project=project)
    sock = bind(host, port)
    shown = sock.getsockname()
    url_host = f"[{shown[0]}]" if ":" in shown[0] else shown[0]
    say(f"SonicGrid Studio: http://{url_host}:{shown[1]}/  (Ctrl-C to stop)")
    threading.Thread(target=hub.warm, kwargs={"say": lambda m: say(f"[dim]{m}[/]")}, daemon=True).start()
    config = uvicorn.Config(create_app(hub), log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
