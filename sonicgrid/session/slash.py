"""Slash commands inside a chat: /undo /budget /play /save /history /help (/quit is the loop's)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from sonicgrid.session.messages import last_ok

HELP = (
    "/undo (forget the last clip), /budget (compute spent), /play (play the last clip, or print its path), "
    "/save [NAME] (copy the last clip into the output dir), /history, /help, /quit"
)
PLAYERS: tuple[tuple[str, list[str]], ...] = (
    ("ffplay", ["-nodisp", "-autoexit", "-loglevel", "quiet"]),
    ("paplay", []),
    ("aplay", ["-q"]),
    ("afplay", []),
    ("play", ["-q"]),
)


def player() -> list[str] | None:
    for name, args in PLAYERS:
        exe = shutil.which(name)
        if exe:
            return [exe, *args]
    return None


def run(text: str, turns: list[dict], ctx) -> dict:
    """A state update with the reply; {"forget": True} asks the thread to drop the newest turn."""
    name, _, arg = text[1:].partition(" ")
    fn = COMMANDS.get(name.lower())
    if fn is None:
        return {"reply": f"unknown command /{name}: try {HELP}"}
    return fn(arg.strip(), list(turns), ctx)


def undo(_arg: str, turns: list[dict], ctx) -> dict:
    if not turns:
        return {"reply": "nothing to undo"}
    gone = turns.pop()
    msg = f"undid turn {gone['n']} ({gone['text']!r})"
    if gone.get("picked"):  # a variation (or an earlier clip) picked: made with its run, it stays in the library
        what = "take" if gone.get("picked_from") == "conversation" else "variation"
        msg += f": {what} {gone['picked']} ({gone['clip_id']}) is no longer the one gone on with"
    elif gone.get("remix"):  # a re-mix made no library clip: the clip it re-mixed stays, as it was
        msg += f": the re-mix {Path(gone['path']).name} is set aside (its file stays)"
    elif gone.get("clip_id"):
        from sonicgrid.graph.run import services_for

        services_for(ctx.settings).library.remove(gone["clip_id"])
        msg += f": {gone['clip_id']} is out of the library (its files stay in {Path(gone['path']).parent})"
    now = last_ok(turns)
    msg += f"; now on {now['clip_id']} ({now['text']!r})" if now else "; the session is empty again"
    return {"forget": True, "reply": msg}


def budget(_arg: str, turns: list[dict], ctx) -> dict:
    per = ctx.settings.budget_s
    spent = sum(t.get("spent_s") or 0.0 for t in turns)
    lines = [f"budget {per:g}s of compute per request; this session spent {spent:.2f}s over {len(turns)} turns"]
    lines += [
        f"  turn {t['n']}: {t.get('spent_s', 0):.2f}s of {t.get('budget_s') or per:g}s ({t['text']!r})" for t in turns
    ]
    return {"reply": "\n".join(lines)}


def _clip(arg: str, turns: list[dict]) -> dict | None:
    """The last clip; with `previous` ("let's hear the previous one") the one before it (the last clip's re-mixes
    are the same clip)."""
    last = last_ok(turns)
    if arg != "previous" or last is None:
        return last
    return last_ok([t for t in turns if t.get("clip_id") != last.get("clip_id")])


def play(arg: str, turns: list[dict], ctx) -> dict:
    t = _clip(arg, turns)
    if t is None:
        return {"reply": "nothing to play yet" if arg != "previous" else "there is no clip before the last one"}
    cmd = player()
    if cmd is None:
        return {"reply": f"no audio player found (ffplay, paplay, aplay, afplay, play): the clip is {t['path']}"}
    try:
        subprocess.run([*cmd, t["path"]], check=False, timeout=max(30.0, 2 * (t.get("duration_s") or 0)))
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"reply": f"could not play with {cmd[0]} ({exc}): the clip is {t['path']}"}
    return {"reply": f"played {t['path']} with {Path(cmd[0]).name}"}


def save(arg: str, turns: list[dict], ctx) -> dict:
    t = _clip(arg, turns)
    arg = "" if arg == "previous" else arg
    if t is None:
        return {"reply": "nothing to save yet"}
    remixed = f"-{Path(t['path']).stem}" if t.get("remix") else ""  # a re-mix is saved beside, not over, its clip
    name = Path(arg).name if arg else f"{t['clip_id']}{remixed}"
    dest = Path(ctx.out) / (name if name.endswith(".wav") else f"{name}.wav")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(t["path"], dest)
    side = Path(t["path"]).with_suffix(".json")
    if side.is_file():
        shutil.copyfile(side, dest.with_suffix(".json"))
    what = f"{t['clip_id']} ({Path(t['path']).stem.replace('-', ' ')})" if remixed else t["clip_id"]
    return {"reply": f"saved {what} to {dest}"}


def history(_arg: str, turns: list[dict], ctx) -> dict:
    if not turns:
        return {"reply": "no turns yet"}
    return {"reply": "\n".join(f"{t['n']}. {t['text']!r} -> {t.get('clip_id') or t.get('message')}" for t in turns)}


def help_(_arg: str, turns: list[dict], ctx) -> dict:
    return {"reply": HELP}


COMMANDS = {"undo": undo, "budget": budget, "play": play, "save": save, "history": history, "help": help_}
