"""`sonicgrid remix RUN_ID "drums louder"`: stem edits on a made clip, without regenerating."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from sonicgrid.commands.common import out, print_json, quiet_libraries, settings, user_errors


def command(
    clip: str = typer.Argument(..., help="A run id (printed by make, or in `sonicgrid library ls`) or a clip folder"),
    edits: str | None = typer.Argument(
        None,
        help='What to change, in words: "drums louder", "mute the pad", "solo the bass", "remove the drums", '
        '"texture a bit quieter", "bring back the drums", "reset"; the whole mix: "make it louder", "more reverb", '
        '"drier", "punchier"; several at once: "drums louder, mute the pad"',
    ),
    variation: int = typer.Option(1, "--variation", "-v", help="Which ranked variation to re-mix (1 = the best)"),
    out_dir: Path | None = typer.Option(None, "--out", "-o", help="Output directory the run id is under [./out]"),
    list_only: bool = typer.Option(False, "--list", help="Only list the clip's stems and their current levels"),
    as_json: bool = typer.Option(False, "--json", help="Print a machine-readable summary"),
) -> None:
    """Re-mix a clip from its stored stems (stems/<section>-<layer>.wav) and master it again:
    nothing is regenerated, so it takes a fraction of a second.

    Examples:
      sonicgrid remix 20261125-182359-1439c6 "drums louder"
      sonicgrid remix 20261125-182359-1439c6 "mute the pad, bass a bit louder"
      sonicgrid remix out/20261125-182359-1439c6 "solo the drums"
      sonicgrid remix 20261125-182359-1439c6 --list

    Each remix is written to RUN_DIR/remixes/remix-N.wav (+ .json with the recipe); the next edit
    starts from the latest remix, "reset" goes back to the original mix. The whole mix: "make it
    louder" / "quieter" move the master's loudness target (2 LU a step, -24 to -8 LUFS), "more
    reverb" / "drier" scale the reverb and delay sends, "punchier" puts the drums 3 dB hotter. Layer words: drums/beat
    (rhythm), chords/keys/bass/piano (harmony), pad/drone/strings (atmosphere), texture/vinyl/noise
    (texture), voice."""
    quiet_libraries()
    with user_errors():
        from sonicgrid.errors import UserError
        from sonicgrid.session import remix as rm

        s = settings(out_dir=out_dir)
        folder = rm.clip_dir(clip, Path(s.out_dir), s.traces_dir)
        if variation > 1:
            folder = folder / "variations" / f"v{variation}"
            if not (folder / "clip.json").is_file():
                raise UserError(f"this run has no variation {variation}")
        if list_only or not edits:
            if not list_only:
                raise UserError(f'say what to change, e.g. sonicgrid remix {clip} "drums louder" (or --list)')
            _, recipe, _, latest = rm.current(folder)
            _print_stems(recipe, f"{folder} ({latest.name if latest else 'original mix'})", as_json)
            return
        res = rm.remix(folder, edits, s)
        if as_json:
            print_json(res)
            return
        _print_stems(res["stems"], f"{escape(edits)!r} -> {res['path']}", False)
        m = res["mix"]
        out.print(
            f"[bold green]remix[/] {res['path']}  {res['seconds']:.2f}s  "
            f"{res['mastering']['lufs_out']:.1f} LUFS  edits: {escape('; '.join(res['edits']))}"
            + (f"  drums vs rest {m['drums_vs_rest_db']:+.1f} dB" if "drums_vs_rest_db" in m else "")
            + (f"  ({escape(whole)})" if (whole := rm.describe_finish(res)) else ""),
            highlight=False,
        )


def _print_stems(stems: list[dict], title: str, as_json: bool) -> None:
    if as_json:
        print_json(stems)
        return
    t = Table(title=title)
    for col in ("stem", "layer", "start s", "gain dB", "pan", "width", "state"):
        t.add_column(col)
    for r in stems:
        state = "muted" if r.get("mute") else ("solo" if r.get("solo") else "on")
        t.add_row(
            escape(r["name"]),
            r["layer"],
            f"{float(r['start_s']):.2f}",
            f"{float(r.get('gain_db', 0)):+.1f}",
            f"{float(r.get('pan') or 0):+.2f}",
            f"{float(r.get('width') or 1):.2f}",
            state,
        )
    out.print(t)
