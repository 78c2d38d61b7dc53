"""`sonicgrid library`: import, ls, search, show, rm, projects, verify, rebuild, export.

Every user-supplied string (prompts, file names, projects, tags) is printed through `esc`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sonicgrid.commands.common import console, out, print_json, quiet_libraries, settings, user_errors
from sonicgrid.commands.safe import esc
from sonicgrid.errors import UserError

app = typer.Typer(help="The clip library: everything SonicGrid made or imported.", no_args_is_help=True)


def _lib():
    quiet_libraries()
    s = settings()
    from sonicgrid.memory.library import ClipLibrary

    try:
        return ClipLibrary(s.library_dir, s.chroma_url, timeout_s=s.chroma_timeout_s)
    except UserError:
        raise
    except Exception as exc:  # server down, bad URL, unreadable store: one line, not a traceback
        where = s.chroma_url or s.library_dir
        raise UserError(f"cannot open the clip library at {where}: {str(exc).splitlines()[0][:160]}") from exc


def _bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _row(rec: dict) -> list[str]:
    m = rec["meta"]
    key = f"{m.get('key', '')} {m.get('mode', '')}".strip()
    tempo = f"{float(m['tempo_bpm']):.0f}" if m.get("tempo_bpm") else ""
    q = f"{float(m['quality']):.1f}" if m.get("quality") is not None else ""
    return [
        esc(rec["id"]),
        esc(m.get("mood", "")),
        esc(m.get("layer", "")),
        esc(key),
        tempo,
        f"{float(m.get('duration_s', 0)):.1f}s",
        q,
        esc(m.get("project", "") or ""),
        esc((m.get("prompt") or rec.get("text") or "")[:40]),
    ]


def _table(title: str, recs: list[dict], extra: str | None = None) -> Table:
    t = Table(title=title)
    for c in ("id", "mood", "layer", "key", "bpm", "length", "quality", "project", "prompt") + (
        (extra,) if extra else ()
    ):
        t.add_column(c)
    for r in recs:
        t.add_row(*_row(r), *([f"{r['score']:.2f}"] if extra else []))
    return t


def _added_table(added: list[dict]) -> Table:
    t = Table(title="imported: what the analysts heard")
    for c in ("file", "id", "mood", "key", "bpm", "quality"):
        t.add_column(c)
    for a in added:
        t.add_row(
            esc(Path(a["path"]).name),
            esc(a["id"]),
            esc(a["mood"]),
            esc(a["key"]),
            f"{a['tempo_bpm']:.0f}",
            f"{a['quality']:.1f}",
        )
    return t


@app.command("import")
def import_cmd(
    sources: list[Path] = typer.Argument(
        ..., help="WAV/FLAC/OGG/MP3/AIFF files, or folders of them (searched recursively)"
    ),
    project: str | None = typer.Option(None, "--project", help="Project the clips belong to"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Analyse and add existing audio files; other, corrupt, too long and NaN/Inf files are reported and skipped."""
    with user_errors():
        missing = [str(p) for p in sources if not p.exists()]
        if missing:
            raise UserError(f"no such file or folder: {', '.join(missing)}")
        lib = _lib()
        from sonicgrid.memory.maintenance import import_paths

        with _bar() as bar:
            task = bar.add_task("importing", total=None)
            rep = import_paths(
                lib,
                sources,
                project,
                progress=lambda name, n, tot: bar.update(task, completed=n, total=tot, description=esc(name[:30])),
                max_s=settings().import_max_s,
            )
        if as_json:
            print_json(rep)
            return
        if rep["added"]:
            console.print(_added_table(rep["added"]))
        bar_q = settings().quality_threshold
        for a in rep["added"]:
            if a["quality"] < bar_q:
                heard = f" (the critic heard it in: {esc(', '.join(a['heard']))})" if a["heard"] else ""
                console.print(
                    f"[yellow]below the quality bar {bar_q:g}[/] {esc(Path(a['path']).name)}: "
                    f"{a['quality']:.1f}/10{heard}; it is enhanced before any reuse, never reused as it is",
                    highlight=False,
                )
        for s in rep["skipped"]:
            console.print(f"[yellow]skipped[/] {esc(s['path'])}: {esc(s['reason'])}", highlight=False)
        for d in rep["duplicates"]:
            console.print(f"[dim]already in the library[/] {esc(d['path'])} ({esc(d['id'])})", highlight=False)
        out.print(f"added {len(rep['added'])}, skipped {len(rep['skipped'])}, duplicates {len(rep['duplicates'])}")


@app.command("ls")
def ls_cmd(
    project: str | None = typer.Option(None, "--project"),
    limit: int = typer.Option(50, "--limit", "-n"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List clips, newest first."""
    with user_errors():
        lib = _lib()
        recs = lib.all(where={"project": project} if project else None, limit=limit)
        if as_json:
            print_json([{"id": r["id"], "meta": r["meta"]} for r in recs])
            return
        out.print(_table(f"{len(recs)} of {lib.count()} clips", recs))
        _warn_if_index_lost(lib)


def _warn_if_index_lost(lib) -> None:
    """An emptied or replaced index must not pass for an empty library: say so when audio files outnumber it."""
    files = len(lib.store.all_digests())
    if files > lib.count():
        console.print(
            f"[yellow]warning:[/] {files} audio files but {lib.count()} records: the library index may have been "
            "lost or damaged; nothing was deleted. Run `sonicgrid library rebuild` to restore the records.",
            soft_wrap=True,
        )
    elif (n := lib.vectorless()) > 0:
        console.print(
            f"[yellow]note:[/] {n} clips have no {lib.audio_kind} audio vector yet (a library from before the music "
            "embedding, or musicnn missing): they are found by text and metadata, not by sound. "
            "`sonicgrid library rebuild` hears them once and adds it.",
            soft_wrap=True,
        )


@app.command("search")
def search_cmd(
    query: str = typer.Argument(..., help='What you are looking for, e.g. "dark pad"'),
    k: int = typer.Option(5, "-k", help="How many candidates"),
    layer: str | None = typer.Option(None, "--layer"),
    project: str | None = typer.Option(None, "--project"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Rank clips for a request by text + metadata compatibility, with the reasons."""
    with user_errors():
        from sonicgrid.agents.lexicon import parse

        fields, found = parse(query)  # only what the query names counts as metadata to match
        brief = {
            k2: fields[k2] for k2 in ("mood", "section", "key", "mode", "tempo_bpm") if k2 in found and fields.get(k2)
        }
        said = {k2: v for k2, v in (("layer", layer), ("project", project)) if v}
        where: dict[str, Any] | None = {"$and": [{a: b} for a, b in said.items()]} if len(said) > 1 else (said or None)
        recs = _lib().search(query, k=k, where=where, brief=brief or None)
        if as_json:
            print_json([{k2: r[k2] for k2 in ("id", "score", "components", "reasons", "meta")} for r in recs])
            return
        out.print(_table(f"best matches for {esc(repr(query))}", recs, extra="score"))
        for r in recs:
            out.print(f"[bold]{esc(r['id'])}[/] {r['score']:.2f}: " + esc("; ".join(r.get("reasons", []))))


@app.command("show")
def show_cmd(clip_id: str = typer.Argument(...)) -> None:
    """Everything the library knows about one clip."""
    with user_errors():
        lib = _lib()
        rec = lib.get(clip_id) or lib.get(f"clip_{clip_id}")
        if rec is None:
            raise UserError(f"no clip {clip_id} in the library (try: sonicgrid library ls)")
        print_json({"id": rec["id"], "path": rec["path"], "text": rec["text"], "meta": rec["meta"]})


@app.command("rm")
def rm_cmd(clip_id: str = typer.Argument(...)) -> None:
    """Remove a clip (its file goes too unless another record shares it)."""
    with user_errors():
        lib = _lib()
        if not (lib.remove(clip_id) or lib.remove(f"clip_{clip_id}")):
            raise UserError(f"no clip {clip_id} in the library")
        out.print(f"removed {esc(clip_id)}")


@app.command("projects")
def projects_cmd(as_json: bool = typer.Option(False, "--json")) -> None:
    """Projects (bodies of work) and their profile: key, tempo, mood, brightness."""
    with user_errors():
        from sonicgrid.memory.continuity import profile

        lib = _lib()
        rows = []
        for name, n in lib.projects().items():
            p = profile(lib.body(project=name))
            rows.append(
                {
                    "project": name,
                    "clips": n,
                    **{k: p.get(k) for k in ("key", "mode", "tempo_bpm", "mood", "centroid_hz")},
                }
            )
        if as_json:
            print_json(rows)
            return
        t = Table(title="projects")
        for c in ("project", "clips", "key", "tempo", "mood", "brightness"):
            t.add_column(c)
        for r in rows:
            t.add_row(
                esc(r["project"]),
                str(r["clips"]),
                esc(f"{r['key'] or ''} {r['mode'] or ''}"),
                esc(f"{r['tempo_bpm'] or ''}"),
                esc(r["mood"] or ""),
                esc(f"{r['centroid_hz'] or ''} Hz"),
            )
        out.print(t)


@app.command("verify")
def verify_cmd(
    check_only: bool = typer.Option(False, "--check", help="Report problems, repair nothing"),
    prune_orphans: bool = typer.Option(
        False, "--prune-orphans", help="Also DELETE audio files no record points at (never done otherwise)"
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Find (and repair) records without files, half-finished adds; report files without records (kept)."""
    with user_errors():
        if check_only and prune_orphans:
            raise UserError("--check repairs nothing: drop --prune-orphans, or --check")
        lib = _lib()
        with _bar() as bar:
            task = bar.add_task("verifying", total=None)
            rep = lib.verify(
                repair=not check_only,
                progress=lambda stage, n, tot: bar.update(task, completed=n, total=tot, description=stage),
                prune=prune_orphans,
            )
        if as_json:
            print_json(rep)
            if not rep["ok"]:
                raise typer.Exit(1)
            return
        verb = "repaired" if not check_only else "found"
        orphans = len(rep["orphan_file"])
        out.print(
            f"{rep['records']} records, {rep['files']} files; {verb}: "
            f"{len(rep['missing_file'])} records without a file, "
            f"{len(rep['orphan_vector'])} orphan audio vectors, {len(rep['missing_vector'])} missing audio vectors, "
            f"{len(rep['recovered']['rolled_back'])} half-finished adds rolled back; "
            + (
                f"{len(rep['vectorless'])} clips without a music vector (musicnn missing); "
                if rep["vectorless"]
                else ""
            )
            + f"{orphans} files without a record "
            + (f"deleted ({len(rep['pruned'])})" if prune_orphans else "kept")
        )
        if orphans and not prune_orphans:
            lost = "the library index looks lost or damaged. " if rep.get("index_lost") else ""
            console.print(
                f"[yellow]{lost}{orphans} audio files have no record and were NOT deleted:[/] "
                "`sonicgrid library rebuild` restores their records; `sonicgrid library verify --prune-orphans` "
                "deletes them.",
                soft_wrap=True,
            )
        if not rep["ok"]:
            raise typer.Exit(1)


def _open_or_set_aside():
    """The library; an embedded index too damaged to open is renamed aside (kept, never deleted) first."""
    try:
        return _lib()
    except UserError:
        s = settings()
        index = s.library_dir / "chroma"
        if s.chroma_url or not index.is_dir():
            raise
        import time

        aside = index.with_name(f"chroma.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        index.rename(aside)
        try:  # chromadb keeps the failed client per path in-process: forget it before opening afresh
            from chromadb.api.shared_system_client import SharedSystemClient

            SharedSystemClient.clear_system_cache()
        except (ImportError, AttributeError):
            pass
        console.print(f"[yellow]the damaged index was moved aside to[/] {esc(aside)}", highlight=False)
        return _lib()


@app.command("rebuild")
def rebuild_cmd(as_json: bool = typer.Option(False, "--json")) -> None:
    """Restore lost records from the audio files and their sidecars (adds only; never deletes)."""
    with user_errors():
        lib = _open_or_set_aside()
        with _bar() as bar:
            task = bar.add_task("rebuilding", total=None)
            rep = lib.rebuild(
                progress=lambda stage, n, tot: bar.update(task, completed=n, total=tot, description=stage)
            )
        if as_json:
            print_json(rep)
            return
        out.print(
            f"restored {len(rep['restored'])} records from sidecars, re-analysed {len(rep['reanalysed'])} audio files "
            f"without one; {rep['kept']} records were intact"
            + (f"; {len(rep['unreadable'])} unreadable sidecars kept as they are" if rep["unreadable"] else "")
            + (f"; {len(rep['missing_audio'])} sidecars whose audio is gone" if rep["missing_audio"] else "")
            + _vectors_line(rep["vectors"], rep["kind"])
        )


def _vectors_line(v: dict, kind: str) -> str:
    """What rebuild's vector pass did: a library from before gets its music vectors here."""
    out = f"; {len(v['filled'])} clips given a {kind} audio vector" if v["filled"] else ""
    if v["failed"]:
        out += f"; {len(v['failed'])} clips whose audio could not be heard for one"
    if v["unavailable"]:
        out += f"; {v['unavailable']} clips left without one (musicnn is not installed: they rank by text and metadata)"
    return out


@app.command("export")
def export_cmd(
    dest: Path = typer.Argument(..., help="Folder to write <id>.wav files and library.jsonl into"),
    project: str | None = typer.Option(None, "--project", help="Only this project's clips"),
    clips: list[str] | None = typer.Option(None, "--clip", help="Only this clip (repeat for more): clip_<id>"),
) -> None:
    """Copy clips and their metadata out of the library (all of them, a project's, or those named)."""
    with user_errors():
        from sonicgrid.memory.maintenance import export

        lib = _lib()
        unknown = [c for c in clips or [] if lib.get(c) is None]
        if unknown:
            raise UserError(f"no clip {', '.join(unknown)} in the library (try: sonicgrid library ls)")
        try:
            rep = export(lib, dest, where={"project": project} if project else None, ids=clips or None)
        except OSError as exc:
            raise UserError(f"cannot write to {dest}: {exc.strerror or exc}") from exc
        n = rep["exported"]
        out.print(f"exported {n} clip{'' if n == 1 else 's'} to {esc(rep['dest'])}")
