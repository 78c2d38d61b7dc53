"""`trace report RUN`: one self-contained HTML page (no network, no scripts needed): the node
timeline, every verdict, waveform + spectrogram + player of every candidate clip, and the scores
that decided."""

from __future__ import annotations

import base64
import json
import re
from html import escape
from pathlib import Path

from sonicgrid.trace import images
from sonicgrid.trace.tree import COLOR

_CAND = re.compile(r"cell(\d+)_try(\d+)_rev(\d+)\.wav$")
CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d1d24;max-width:1100px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;
vertical-align:top}th{background:#f5f5f8}.bar{background:#5c7cfa;height:12px;border-radius:2px}
.choice{font-weight:600}.green{color:#2b8a3e}.yellow{color:#b7791f}.red{color:#c92a2a}.cyan{color:#1971c2}
.white{color:#333}.clip{border:1px solid #e3e3ea;border-radius:6px;padding:10px;margin:10px 0}
.clip img{display:block;width:100%;max-width:640px;margin:4px 0}code,pre{font-size:12px;background:#f7f7f9}
pre{white-space:pre-wrap;margin:0}.muted{color:#777}
"""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _timeline(t: dict) -> str:
    rows = t.get("timings", [])
    top = max([x["ms"] for x in rows] + [1.0])
    out = ["<table class='timeline'><tr><th>node</th><th>cell</th><th>ms</th><th style='width:55%'></th></tr>"]
    for x in rows:
        w = max(0.5, 100.0 * x["ms"] / top)
        out.append(
            f"<tr class='node'><td>{escape(x['node'])}</td><td>{'' if x.get('cell') is None else x['cell']}"
            f"</td><td>{x['ms']:.1f}</td><td><div class='bar' style='width:{w:.1f}%'></div></td></tr>"
        )
    return "".join(out) + "</table>"


def _verdicts(t: dict) -> str:
    out = [
        "<table class='verdicts'><tr><th>#</th><th>agent</th><th>cell</th><th>attempt</th><th>choice</th>"
        "<th>conf</th><th>brain</th><th>reason</th><th>evidence</th></tr>"
    ]
    for i, v in enumerate(t.get("verdicts", [])):
        c = COLOR.get(v["choice"], "white")
        ev = escape(json.dumps(v.get("evidence") or {}, indent=1, default=str))
        over = f"<br><span class='red'>overridden: {escape(v['overridden'])}</span>" if v.get("overridden") else ""
        out.append(
            f"<tr class='verdict' data-agent='{escape(v['agent'])}' data-choice='{escape(v['choice'])}'>"
            f"<td>{i + 1}</td><td>{escape(v['agent'])}</td><td>{'' if v.get('cell') is None else v['cell']}</td>"
            f"<td>{v.get('attempt', 0)}</td><td class='choice {c}'>{escape(v['choice'])}</td>"
            f"<td>{v['confidence']:.2f}</td><td>{escape(str(v.get('brain')))}</td>"
            f"<td>{escape(v['reason'])}{over}</td><td><details><summary>evidence</summary><pre>{ev}</pre>"
            f"</details></td></tr>"
        )
    return "".join(out) + "</table>"


def _gates_by_cell(t: dict) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for v in t.get("verdicts", []):
        if v["agent"] == "gatekeeper" and v.get("cell") is not None:
            out.setdefault(v["cell"], []).append(v)
    return out


def _scores(v: dict | None) -> str:
    if v is None:
        return "<p class='muted'>no gatekeeper verdict for this candidate</p>"
    ev = v.get("evidence") or {}
    comps = "".join(
        f"<tr><td>{escape(k)}</td><td>{c.get('value')}</td><td>{escape(str(c.get('measured', '')))}</td>"
        f"<td>{c.get('weight', '')}</td></tr>"
        for k, c in (ev.get("components") or {}).items()
    )
    c = COLOR.get(v["choice"], "white")
    return (
        f"{_two_judgments(ev)}<p>score <b>{ev.get('score')}</b> / bar {ev.get('threshold')} -> gatekeeper "
        f"<span class='choice {c}'>{escape(v['choice'])}</span>: {escape(v['reason'])}</p>"
        f"<table class='scores'><tr><th>component</th><th>value</th><th>measured</th><th>weight</th></tr>{comps}</table>"
    )


def _two_judgments(ev: dict) -> str:
    """The gatekeeper's two questions: is this good audio (the critic) and does it honour the brief."""
    critic = ev.get("critic") or {}
    brief = ev.get("brief") or {}
    if critic:
        audio = f"good audio? critic P(good) <b>{escape(str(critic.get('p_good')))}</b> -> {escape(str(critic.get('score')))}/10"
        if critic.get("limits"):
            audio += f" (hard limit: {escape(', '.join(str(x) for x in critic['limits']))})"
    else:
        audio = f"good audio? DSP score {escape(str(ev.get('audio_score', ev.get('score'))))}/10"
    checks = brief.get("checks") or {}
    said = "; ".join(
        f"{k} {'ok' if c.get('ok') else ('VIOLATED' if c.get('ok') is False else 'not judged')} "
        f"(asked {c.get('asked')}, heard {c.get('heard')})"
        for k, c in checks.items()
    )
    honours = "violates the brief" if brief.get("violations") else "honours the brief"
    return f"<p class='judgments'>{audio}<br>{escape(honours)}: {escape(said or 'nothing to check')}</p>"


def _clip_block(title: str, path: Path, scores_html: str) -> str:
    from sonicgrid import audio as aio

    if not path.is_file():
        return f"<div class='clip'><h3>{escape(title)}</h3><p class='muted'>audio not found: {escape(str(path))}</p>{scores_html}</div>"
    a = aio.read(path)
    return (
        f"<div class='clip candidate'><h3>{escape(title)} <span class='muted'>{a.duration:.2f}s, {escape(path.name)}"
        f"</span></h3><img alt='waveform of {escape(path.name)}' src='data:image/png;base64,{_b64(images.waveform(a.samples))}'>"
        f"<img alt='spectrogram of {escape(path.name)}' src='data:image/png;base64,"
        f"{_b64(images.spectrogram(a.samples, a.sr))}'>"
        f"<audio controls preload='none' src='data:audio/wav;base64,{_b64(images.small_wav(a.samples, a.sr))}'></audio>"
        f"{scores_html}</div>"
    )


def candidates(t: dict) -> list[tuple[str, Path, dict | None]]:
    """(title, wav, the gatekeeper verdict that judged it) for every candidate, in loop order."""
    run_dir = Path(t.get("run_dir") or "")
    found = []
    for p in (run_dir / "candidates").glob("*.wav") if t.get("run_dir") else []:
        m = _CAND.search(p.name)
        if m:
            found.append((int(m.group(1)), int(m.group(3)), int(m.group(2)), p))
    found.sort()
    gates = _gates_by_cell(t)
    out: list[tuple[str, Path, dict | None]] = []
    seen: dict[int, int] = {}
    for cell, rev, tr, p in found:
        k = seen.get(cell, 0)
        seen[cell] = k + 1
        g = gates.get(cell, [])
        title = f"cell {cell} candidate: attempt {tr}" + (f", revision {rev}" if rev else "")
        out.append((title, p, g[k] if k < len(g) else None))
    return out


def build(t: dict) -> str:
    res = t.get("result") or {}
    b = t.get("brief") or {}
    brief_rows = "".join(
        f"<tr><td>{escape(k)}</td><td>{escape(json.dumps(v, default=str))}</td></tr>" for k, v in b.items()
    )
    blocks = [_clip_block(title, p, _scores(v)) for title, p, v in candidates(t)]
    if res.get("status") == "ok" and res.get("path"):
        blocks.append(
            _clip_block(
                "final clip (mixed + mastered)",
                Path(res["path"]),
                f"<p>final score <b>{res.get('score')}</b>, {escape(str(res.get('clip_id')))}</p>",
            )
        )
    status = (
        f"{escape(str(res.get('clip_id')))}, score {res.get('score')}"
        if res.get("status") == "ok"
        else escape(str(res.get("message")))
    )
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
        f"<title>SonicGrid trace {escape(t['run_id'])}</title><style>{CSS}</style></head><body>"
        f"<h1>Run {escape(t['run_id'])}: {escape(repr(t.get('request', '')))}</h1>"
        f"<p id='result'>result: <b>{escape(str(res.get('status')))}</b> {status}; wall {t.get('wall_s', 0):.2f}s, "
        f"compute {t.get('spent_s', 0):.3f}s of {t.get('budget_s', 0):g}s budget; brain "
        f"{escape(str((t.get('models') or {}).get('brain')))}</p>"
        f"<h2>Brief</h2><table class='brief'>{brief_rows}</table>"
        f"<h2>Timeline of nodes</h2>{_timeline(t)}"
        f"<h2>Verdicts ({len(t.get('verdicts', []))})</h2>{_verdicts(t)}"
        f"<h2>Candidates and the scores that decided</h2>{''.join(blocks) or '<p>no audio</p>'}"
        f"</body></html>"
    )


def write(t: dict, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(build(t), encoding="utf-8")
    return path
