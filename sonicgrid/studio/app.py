"""The studio's web app: a Starlette app with a JSON API, one Server-Sent-Events stream per tab, and a
static page (sonicgrid/studio/static). Why not Gradio: docs/studio.md."""

from __future__ import annotations

import asyncio
import json
from importlib import resources

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from sonicgrid.errors import UserError
from sonicgrid.studio import views
from sonicgrid.studio.hub import Listener, StudioHub

FILTERS = ("project", "layer", "mood")


def _error(exc: Exception, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=status)


def create_app(hub: StudioHub) -> Starlette:
    static = resources.files("sonicgrid.studio") / "static"

    def index(request: Request) -> Response:
        return HTMLResponse((static / "index.html").read_text(encoding="utf-8"))

    def new_session(request: Request) -> Response:
        return JSONResponse(hub.session().view())

    def get_session(request: Request) -> Response:
        try:
            return JSONResponse(hub.session(request.path_params["sid"]).view())
        except UserError as exc:
            return _error(exc, 404)

    async def send(request: Request) -> Response:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return _error(ValueError('send JSON: {"text": ...}'))
        try:
            sess = await asyncio.to_thread(hub.session, request.path_params["sid"])
            sess.send(str(body.get("text", "")))
        except UserError as exc:
            return _error(exc, 409)
        return JSONResponse({"accepted": True}, status_code=202)

    async def events(request: Request) -> Response:
        from sse_starlette.sse import EventSourceResponse

        try:
            sess = await asyncio.to_thread(hub.session, request.path_params["sid"])
        except UserError as exc:
            return _error(exc, 404)
        lis = Listener(asyncio.get_running_loop())
        sess.listeners.append(lis)

        async def stream():
            try:
                yield {"event": "hello", "data": json.dumps({"session": sess.id, "busy": sess.busy})}
                while True:
                    ev = await lis.queue.get()
                    yield {"event": ev["type"], "data": json.dumps(ev, default=str)}
            finally:
                if lis in sess.listeners:
                    sess.listeners.remove(lis)

        return EventSourceResponse(stream(), ping=10)

    def run_file(request: Request) -> Response:
        p = views.run_file(request.path_params["run_id"], request.path_params["path"], hub.settings)
        if p is None:
            return _error(FileNotFoundError("no such file in that run"), 404)
        return FileResponse(p, media_type="audio/wav")

    def report(request: Request) -> Response:
        from sonicgrid.trace import report as trace_report

        t = views.trace_of(request.path_params["run_id"], hub.settings)
        if t is None:
            return HTMLResponse("<p>no such run</p>", status_code=404)
        return HTMLResponse(trace_report.build(t))

    def library(request: Request) -> Response:
        from sonicgrid.graph.run import services_for

        q = request.query_params
        lib = services_for(hub.settings).library
        conds = [{k: q[k]} for k in ("project", "mood") if q.get(k)]
        where = None if not conds else (conds[0] if len(conds) == 1 else {"$and": conds})
        limit = max(1, min(200, int(q.get("limit") or 50)))
        layer = q.get("layer")  # a clip of several layers has them all: filtered here, not by equality
        pool = limit * 5 if layer else limit
        text = (q.get("q") or "").strip()
        recs = lib.search(text, k=pool, where=where) if text else lib.all(where=where, limit=pool)
        if layer:
            recs = [r for r in recs if layer in views.layers_of(r.get("meta") or {})][:limit]
        return JSONResponse({"clips": [views.library_view(r) for r in recs], "count": lib.count()})

    def facets(request: Request) -> Response:
        from sonicgrid.graph.run import services_for

        lib = services_for(hub.settings).library
        values: dict[str, set] = {k: set() for k in FILTERS}
        for r in lib.all(limit=5000):
            m = r["meta"]
            values["layer"].update(views.layers_of(m))
            for k in ("project", "mood"):
                if m.get(k):
                    values[k].add(str(m[k]))
        return JSONResponse({k: sorted(v) for k, v in values.items()})

    def library_audio(request: Request) -> Response:
        from sonicgrid.graph.run import services_for

        rec = services_for(hub.settings).library.get(request.path_params["clip_id"])
        if rec is None:
            return _error(FileNotFoundError("no such clip"), 404)
        return FileResponse(rec["path"], media_type="audio/wav")

    routes = [
        Route("/", index),
        Route("/api/sessions", new_session, methods=["POST"]),
        Route("/api/sessions/{sid}", get_session),
        Route("/api/sessions/{sid}/send", send, methods=["POST"]),
        Route("/api/sessions/{sid}/events", events),
        Route("/api/runs/{run_id}/files/{path:path}", run_file),
        Route("/runs/{run_id}/report", report),
        Route("/api/library", library),
        Route("/api/library/facets", facets),
        Route("/api/library/{clip_id}/audio", library_audio),
        Mount("/static", StaticFiles(directory=str(static)), name="static"),
    ]
    return Starlette(routes=routes)
