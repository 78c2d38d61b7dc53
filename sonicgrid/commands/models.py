"""`sonicgrid models`: every role -> model -> available? where from? device? est. cost per second of audio.
`sonicgrid models check NAME`: load that model and run a 1-second smoke inference."""

from __future__ import annotations

import time

import typer
from rich.table import Table

from sonicgrid.commands.common import out, quiet_libraries, settings, user_errors
from sonicgrid.errors import UserError

app = typer.Typer(help="List the tools and models SonicGrid can use, and check one.", invoke_without_command=True)


@app.callback()
def models(
    ctx: typer.Context,
    allow_download: bool = typer.Option(
        False, "--allow-download", help="let absent models be fetched from the Hugging Face hub"
    ),
) -> None:
    """Table of every tool: role, model, availability, where it comes from, device, cost per audio second."""
    ctx.obj = {"allow_download": allow_download}
    if ctx.invoked_subcommand:
        return
    quiet_libraries(offline=not allow_download)
    with user_errors():
        from sonicgrid.tools.registry import default_registry

        s = settings(allow_download=allow_download or None)
        reg = default_registry(s.sample_rate, s)
        t = Table(title="SonicGrid tools (first available per role wins)")
        for c in ("role", "tool", "model", "available", "where", "device", "s per audio s", "capabilities"):
            t.add_column(c, overflow="fold")
        for d in reg.describe():
            per = d["cost_per_audio_s"]
            cost = "-" if per == float("inf") else f"{per:.3f} + {d['overhead_s']:.1f}"
            t.add_row(
                d["role"],
                d["name"],
                d.get("model", "embedded" if d["embedded"] else "-"),
                "[green]yes[/]" if d["available"] else "[red]no[/]",
                d["where"],
                d["device"],
                cost,
                ", ".join(d["capabilities"]),
            )
        out.print(t)


def smoke(tool, seconds: float = 1.0) -> dict:
    """One real inference of about `seconds` of audio through the tool's run(); returns what came out."""
    import numpy as np

    from sonicgrid.audio import Audio
    from sonicgrid.tools.base import AudioRequest, Enhancer, Generator, GenRequest, Master, Vocoder, VocodeRequest

    sr = 44100
    t = np.arange(int(sr * seconds)) / sr
    probe = Audio((0.3 * np.sin(2 * np.pi * 220 * t) * (1 + 0.5 * np.sin(2 * np.pi * 2 * t))).astype(np.float32), sr)
    brief = {"prompt": "smoke test", "mood": "calm", "duration_s": seconds}
    t0 = time.perf_counter()
    if tool.role == "analyst":
        from sonicgrid.tools.analysts.base import AnalysisRequest

        res = tool.run(AnalysisRequest(audio=probe, brief=brief)).as_dict()
        res = {**res, **(res.get("mood") or {}), **res.get("extra", {}).get("aesthetics", {})}
        summary = {k: res[k] for k in ("tags", "valence", "arousal", "label", "axes", "score") if k in res}
        if "quality" in res:
            summary["score"] = res["quality"]["score"]
        got = None
    else:
        if isinstance(tool, Enhancer | Master):
            r = tool.run(AudioRequest(probe, brief))
        elif isinstance(tool, Vocoder):
            r = tool.run(VocodeRequest(audio=probe))
        elif isinstance(tool, Generator):
            params = {"steps": 5} if tool.name.startswith("riffusion") else {}
            r = tool.run(GenRequest('a calm test tone "hello"', brief, "harmony", "loop", seconds, 0, params))
        else:
            raise UserError(f"{tool.name}: no smoke test for role {tool.role}")
        got, summary = r.audio, {k: v for k, v in r.meta.items() if k in ("model", "mode", "skipped", "text")}
    wall = time.perf_counter() - t0
    info = {"tool": tool.name, "seconds": round(wall, 3), **summary}
    if got is not None:
        if not np.isfinite(got.samples).all():
            raise UserError(f"{tool.name}: output has NaN/inf samples")
        info.update(
            sr=got.sr,
            channels=got.channels,
            duration_s=round(got.duration, 3),
            peak=round(float(np.abs(got.samples).max()), 4),
        )
    return info


@app.command("check")
def check(ctx: typer.Context, name: str = typer.Argument(..., help="tool name from `sonicgrid models`")) -> None:
    """Load NAME and run a 1-second smoke inference; exit 2 with the reason if it is not available."""
    allow = bool((ctx.obj or {}).get("allow_download"))
    quiet_libraries(offline=not allow)
    with user_errors():
        from sonicgrid.tools.registry import default_registry

        s = settings(allow_download=allow or None)
        reg = default_registry(s.sample_rate, s)
        try:
            tool = reg.get(name)
        except KeyError as exc:
            raise UserError(str(exc.args[0])) from None
        ok, where = tool.available()
        if not ok:
            raise UserError(f"{name} is not available: {where}")
        info = smoke(tool)
        out.print(f"[green]ok[/] {name} ({where}): " + ", ".join(f"{k}={v}" for k, v in info.items() if k != "tool"))
