"""The clip library on Chroma: embedded PersistentClient, or a Chroma server when a URL is set.

Two collections share ids: `clips_text` (MiniLM embedding of brief + tags; the record of truth,
with metadata and the text) and the audio collection of the library's vector kind (vectors.py: the
msd-musicnn-200 music embedding in `clips_audio_msd200`; `clips_audio` is the dsp-33 one of a library from
before, left as it was). A clip whose vector of that kind cannot be had (musicnn missing) has no audio record.
Audio files live beside them in a content-addressed store, each record also as a JSON sidecar
(sidecars.py) so a lost index can be rebuilt (rebuild.py). Order of an add, under one writer lock:
intent -> file -> sidecar -> audio record -> text record -> intent removed. A crash anywhere in between is
rolled back the next time anyone takes the lock (see journal.py), so no record is left without its
file and no file without its record; `verify()` also repairs damage done from outside, but never
deletes an audio file unless asked to (prune).

A clip made by a run is keyed by its run id: adding it again (a resumed run re-doing `finish`) replaces
the same record instead of adding a second one.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sonicgrid.audio import Audio
from sonicgrid.crashpoints import crash_point
from sonicgrid.errors import UserError, disk_full
from sonicgrid.memory import search as ranking
from sonicgrid.memory import vectors
from sonicgrid.memory.journal import Journal
from sonicgrid.memory.records import flatten, unflatten
from sonicgrid.memory.sidecars import Sidecars
from sonicgrid.memory.store import AudioStore, digest_of

PAGE = 5000


def make_client(root: Path, url: str | None, timeout_s: float | None = None):
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False)
    if url:
        from sonicgrid.memory.remote import http_client

        if timeout_s is None:  # a caller without Settings gets the default deadline
            from sonicgrid.config import Settings as SonicGridSettings

            timeout_s = SonicGridSettings.model_fields["chroma_timeout_s"].default
        return http_client(url, settings, timeout_s)
    (root / "chroma").mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(root / "chroma"), settings=settings)


def run_clip_id(run_id: str, part: str = "") -> str:
    """The library id of a clip a run made: the same run (and part of it: a stem, a further variation)
    always maps to the same record, so a resumed finish replaces what a crashed one stored."""
    key = f"run:{run_id}" + (f":{part}" if part else "")
    return "clip_" + hashlib.sha256(key.encode()).hexdigest()[:12]


def _vec(x) -> list[float] | None:
    return None if x is None else [float(v) for v in x]


class ClipLibrary:
    def __init__(
        self,
        root: Path,
        url: str | None = None,
        collection_prefix: str = "clips",
        timeout_s: float | None = None,
        audio_kind: str = vectors.LIBRARY_KIND,
    ):
        self.root = Path(root)
        self.url = url
        self.audio_kind = audio_kind
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self.store = AudioStore(self.root)
            self.journal = Journal(self.root)
            self.sidecars = Sidecars(self.root)
        except OSError as exc:  # read-only data dir, a file in the way, disk full: one line
            raise UserError(f"cannot use the library folder {self.root}: {exc.strerror or exc}") from exc
        try:
            # under the journal's lock: two processes opening a fresh library at once (the worker and a command
            # that did not wait for it) would both run Chroma's schema migrations ("table collections already
            # exists")
            with self.journal.locked():
                self.client = make_client(self.root, url, timeout_s)
                cfg = {"hnsw": {"space": "cosine"}}
                self.text = self.client.get_or_create_collection(
                    f"{collection_prefix}_text", embedding_function=None, configuration=cfg
                )
                self.audio = self.client.get_or_create_collection(
                    vectors.collection_name(collection_prefix, audio_kind), embedding_function=None, configuration=cfg
                )
                self._recover()
        except UserError:
            raise
        except Exception as exc:  # server down or silent, damaged index file: one line, not a traceback
            where = url or self.root / "chroma"
            first = (str(exc).splitlines() or [type(exc).__name__])[0][:200]
            if not url and (
                "disk is full" in first or "No space left" in first or disk_full(exc, [self.root / "chroma"])
            ):
                raise UserError(
                    f"no space left on the disk of the clip library ({where}): free some space and run again "
                    "(nothing in the library was changed)"
                ) from exc
            raise UserError(
                f"cannot open the clip library at {where}: {type(exc).__name__}: {first}"
                + ("" if url else " (audio files are kept; `sonicgrid library rebuild` restores the index)")
            ) from exc

    # -- writing -------------------------------------------------------------------------
    def add(self, audio: Audio, meta: dict[str, Any], text: str, audio_vec: Any, text_vec: Any = None) -> str:
        return self.add_many([(audio, meta, text, audio_vec, text_vec)])[0]

    def add_many(self, items: list[tuple], progress: Callable[[int], None] | None = None) -> list[str]:
        """Add (audio, meta, text, audio_vec[, text_vec]) tuples; one lock and one Chroma batch each.

        `audio_vec` is a vectors.Vector, an analysis (its vectors by kind) or a bare list (kind by length);
        one of another kind than the library's, or none, is computed from the audio (None if it can't be)."""
        from sonicgrid.memory.embed import embed_texts

        rows = []
        need = [i for i, it in enumerate(items) if len(it) < 5 or it[4] is None]
        tvecs = embed_texts([items[i][2] for i in need]) if need else []  # outside the lock: slow part
        tv_by = dict(zip(need, tvecs))
        for i, it in enumerate(items):
            audio, meta, text = it[:3]
            avec = self._vector_for(audio, it[3])  # outside the lock too: musicnn may have to listen
            tvec = tv_by.get(i, it[4] if len(it) > 4 else None)
            known = meta.get("sha256")  # a rebuild re-adds a stored file under its own name
            digest = known if known and self.store.has(known) else digest_of(audio)
            cid = meta.get("id") or (
                run_clip_id(meta["run_id"]) if meta.get("run_id") else f"clip_{uuid.uuid4().hex[:12]}"
            )
            m = dict(
                meta,
                id=cid,
                sha256=digest,
                created=meta.get("created", time.time()),
                duration_s=round(audio.duration, 3),
            )
            rows.append((cid, digest, audio, flatten(m), text, avec, _vec(tvec)))
        with self.journal.locked():
            ids = [r[0] for r in rows]
            old = self.text.get(ids=ids, include=["metadatas"])  # a run's clip added again: replaced, not doubled
            replaced = {(m or {}).get("sha256") for m in old["metadatas"]} - {r[1] for r in rows}
            intent = self.journal.begin([(r[0], r[1], r[5] is not None) for r in rows])
            for cid, digest, audio, m, text, avec, _ in rows:
                self.store.put(audio, digest)  # file first: a record never points at nothing
                self.sidecars.write(cid, digest, m, text, avec, self.audio_kind)  # then the sidecar a rebuild reads
            crash_point("store:file")
            with_vec = [r for r in rows if r[5] is not None]
            if len(with_vec) < len(rows):  # a replaced clip's old vector goes with it
                self.audio.delete(ids=[r[0] for r in rows if r[5] is None])
            if with_vec:
                self.audio.upsert(
                    ids=[r[0] for r in with_vec],
                    embeddings=[r[5] for r in with_vec],
                    metadatas=[r[3] for r in with_vec],
                )
            crash_point("store:audio_record")
            # The text record is the clip's record of truth: written last.
            self.text.upsert(
                ids=ids, embeddings=[r[6] for r in rows], metadatas=[r[3] for r in rows], documents=[r[4] for r in rows]
            )
            crash_point("store:text_record")
            self.journal.done(intent)
            for digest in replaced:  # the replaced version's file, unless another record shares it
                if digest and not self.text.get(where={"sha256": digest}, include=[])["ids"]:
                    self.store.remove(digest)
        if progress:
            progress(len(rows))
        return [r[0] for r in rows]

    def _vector_for(self, audio: Audio, given: Any) -> list[float] | None:
        """The library kind's vector of a clip being added: the one given, else heard from the audio."""
        vec = vectors.coerce(given, self.audio_kind)
        if vec is None or vec.kind != self.audio_kind:
            vec = vectors.for_clip({}, self.audio_kind, audio)
        return None if vec is None else vec.values

    def remove(self, clip_id: str) -> bool:
        with self.journal.locked():
            r = self.text.get(ids=[clip_id], include=["metadatas"])
            if not r["ids"]:
                return False
            digest = r["metadatas"][0].get("sha256")
            self.text.delete(ids=[clip_id])  # record of truth first: a crash leaves only orphans verify() removes
            self.audio.delete(ids=[clip_id])
            self.sidecars.remove(clip_id)
            if digest and not self.text.get(where={"sha256": digest}, include=[])["ids"]:
                self.store.remove(digest)
            return True

    def _drop(self, clip_id: str, digest: str | None) -> None:
        self.text.delete(ids=[clip_id])
        self.audio.delete(ids=[clip_id])
        self.sidecars.remove(clip_id)
        if digest and not self.text.get(where={"sha256": digest}, include=[])["ids"]:
            self.store.remove(digest)

    def _recover(self) -> dict:
        """With the lock held: finish or roll back adds that a dead writer left half done."""
        done, rolled = [], []
        for intent in self.journal.pending():
            clips = intent.get("clips", [])
            ids = [c["id"] for c in clips]
            t = set(self.text.get(ids=ids, include=[])["ids"]) if ids else set()
            a = set(self.audio.get(ids=ids, include=[])["ids"]) if ids else set()
            for c in clips:
                if c["id"] in t and (c["id"] in a or not c.get("vector", True)) and self.store.has(c.get("sha256")):
                    done.append(c["id"])
                else:
                    self._drop(c["id"], c.get("sha256"))
                    rolled.append(c["id"])
            Journal.done(Path(intent["_path"]))
        for p in self.store.stale_temps():
            p.unlink(missing_ok=True)
        return {"completed": done, "rolled_back": rolled}

    # -- reading -------------------------------------------------------------------------
    def _record(self, clip_id: str, meta: dict, doc: str | None, score: float | None = None) -> dict:
        meta = unflatten(meta)
        return {
            "id": clip_id,
            "meta": meta,
            "text": doc,
            "score": score,
            "path": str(self.store.path_for(meta.get("sha256", ""))),
        }

    def get(self, clip_id: str) -> dict | None:
        r = self.text.get(ids=[clip_id], include=["metadatas", "documents"])
        if not r["ids"]:
            return None
        return self._record(r["ids"][0], r["metadatas"][0], r["documents"][0])

    def audio_vectors(self, ids: list[str]) -> dict[str, list[float]]:
        if not ids:
            return {}
        r = self.audio.get(ids=list(ids), include=["embeddings"])
        return {i: v for i, e in zip(r["ids"], r["embeddings"]) if (v := _vec(e)) is not None}

    def path_of(self, clip_id: str) -> str:
        """The stored file of a clip (KeyError when there is no such clip)."""
        rec = self.get(clip_id)
        if rec is None:
            raise KeyError(clip_id)
        return rec["path"]

    def load(self, clip_id: str) -> Audio:
        from sonicgrid.audio import read

        return read(self.path_of(clip_id))

    def count(self) -> int:
        return self.text.count()

    def _pages(self, col, where: dict | None, include: list[str], limit: int | None = None):
        offset = 0
        while True:
            n = PAGE if limit is None else min(PAGE, limit - offset)
            if n <= 0:
                return
            r = col.get(where=where, limit=n, offset=offset, include=include)
            yield r
            if len(r["ids"]) < n:
                return
            offset += n

    def all(self, where: dict | None = None, limit: int | None = None) -> list[dict]:
        """Records matching `where`, newest first (all of them are read, then `limit` newest kept)."""
        recs = []
        for r in self._pages(self.text, where, ["metadatas", "documents"]):
            recs += [self._record(i, m, d) for i, m, d in zip(r["ids"], r["metadatas"], r["documents"])]
        recs.sort(key=lambda x: x["meta"].get("created", 0), reverse=True)
        return recs[:limit] if limit else recs

    def last(self, where: dict | None = None) -> dict | None:
        recs = self.all(where=where, limit=1)
        return recs[0] if recs else None

    def body(self, project: str | None = None, session: str | None = None, limit: int = 200) -> list[dict]:
        """The body of work (a named project, else the session): metadata + audio vector (the library's kind,
        `embedding_kind`; None for a clip without one) per clip."""
        where = {"project": project} if project else ({"session": session} if session else None)
        if where is None:
            return []
        recs = self.all(where=where, limit=limit)
        vecs = self.audio_vectors([r["id"] for r in recs])
        return [dict(r["meta"], embedding=vecs.get(r["id"]), embedding_kind=self.audio_kind) for r in recs]

    def projects(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self._pages(self.text, None, ["metadatas"]):
            for m in r["metadatas"]:
                if m and m.get("project"):
                    out[m["project"]] = out.get(m["project"], 0) + 1
        return dict(sorted(out.items()))

    def search(
        self,
        text: str,
        k: int = 5,
        where: dict | None = None,
        audio_vec: Any = None,
        brief: dict | None = None,
        text_vec: list[float] | None = None,
        pool: int | None = None,
    ) -> list[dict]:
        """Candidates ranked by a combined score (text + audio + metadata), with components and reasons.

        `score` is the combined score; `components` holds text/audio/meta similarity 0..1. `audio_vec` (a
        vectors.Vector, an analysis or a bare list) is compared only when it is of the library's kind; a
        candidate without a vector of that kind ranks by text and metadata."""
        audio_vec = self._query_vector(audio_vec)
        if text_vec is None:
            from sonicgrid.memory.embed import embed_text

            text_vec = embed_text(text)
        size = pool or max(4 * k, 20)  # Chroma returns fewer when it holds fewer (count() costs ms at 100k)
        ids = self._text_ids(text_vec, size, where, k)
        if audio_vec is not None:
            more = self.audio.query(query_embeddings=[audio_vec], n_results=size, where=where, include=[])
            ids += [i for i in more["ids"][0] if i not in set(ids)]
        if not ids:
            return []
        t = self.text.get(ids=ids, include=["embeddings", "metadatas", "documents"])
        avecs = self.audio_vectors(t["ids"]) if audio_vec is not None else {}
        metas = [unflatten(m) for m in t["metadatas"]]
        ranked = ranking.rank(
            t["ids"],
            metas,
            list(t["embeddings"]),
            [avecs.get(i) for i in t["ids"]],
            text_query=text_vec,
            audio_query=audio_vec,
            brief=brief,
        )
        pos = {cid: j for j, cid in enumerate(t["ids"])}
        out = []
        for r in ranked[:k]:
            j = pos[r["id"]]
            rec = self._record(r["id"], t["metadatas"][j], t["documents"][j], score=r["score"])
            rec.update(components=r["components"], reasons=r["reasons"])
            out.append(rec)
        return out

    def _query_vector(self, given: Any) -> list[float] | None:
        vec = vectors.coerce(given, self.audio_kind)
        if vec is not None and vec.kind != self.audio_kind:
            vectors.note(f"a {vec.kind} query vector is not compared with the library's {self.audio_kind} ones")
            return None
        return None if vec is None else vec.values

    def vectorless(self) -> int:
        """How many clips have no vector of the library's kind (a library from before: `library rebuild`)."""
        return max(0, self.text.count() - self.audio.count())

    def _text_ids(self, text_vec: list[float], size: int, where: dict | None, k: int) -> list[str]:
        """Nearest ids by text. A simple equality filter is applied to a 5x wider unfiltered ANN pool
        first (Chroma's filtered query is a slow path at 100k clips), falling back to the filtered query
        when the pool holds fewer than k matches."""
        simple = where and all(not a.startswith("$") and not isinstance(b, dict) for a, b in where.items())
        if simple:
            r = self.text.query(query_embeddings=[text_vec], n_results=size * 5, include=["metadatas"])
            ids = [
                i
                for i, m in zip(r["ids"][0], r["metadatas"][0])
                if all((m or {}).get(a) == b for a, b in (where or {}).items())
            ][:size]
            if len(ids) >= k:
                return ids
        return list(self.text.query(query_embeddings=[text_vec], n_results=size, where=where, include=[])["ids"][0])

    # -- maintenance -----------------------------------------------------------------------
    def verify(
        self, repair: bool = True, progress: Callable[[str, int, int], None] | None = None, prune: bool = False
    ) -> dict:
        from sonicgrid.memory.maintenance import verify

        return verify(self, repair=repair, progress=progress, prune=prune)

    def rebuild(self, progress: Callable[[str, int, int], None] | None = None) -> dict:
        from sonicgrid.memory.rebuild import rebuild

        return rebuild(self, progress=progress)
