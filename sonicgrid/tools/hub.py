"""Where real model weights come from, which device and dtype they run on, and one load per process.

Lookup order for a model (first hit wins):
  1. its own env var (e.g. SONICGRID_MUSICGEN_PATH) pointing at a local directory;
  2. the settings' models_dir (SONICGRID_MODELS_DIR)/<local name> (or /<hub id with '/' as '--'>);
  3. the user's Hugging Face cache (a complete snapshot, never a download);
  4. only with the settings' allow_download (SONICGRID_ALLOW_DOWNLOAD=1 or --allow-download): the hub id
     itself, fetched by the library.
Nothing here ever downloads unless the user asked for it. A tool in a run gets the run's Settings from
the registry (`configure`); a tool used on its own reads them from the environment.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from sonicgrid.config import Settings
from sonicgrid.errors import ModelUnavailable, UserError
from sonicgrid.tools.base import CostModel, Tool


@dataclass(frozen=True)
class ModelSpec:
    """A model a tool can use: its hub id, local directory name, env var, and files that prove it is there."""

    hub_id: str
    local_name: str
    env_var: str
    required: tuple[str, ...] = ("config.json",)
    packages: tuple[str, ...] = ("transformers",)


@dataclass(frozen=True)
class Located:
    source: str | None  # a local directory, or the hub id when downloading is allowed; None: absent
    where: str  # human-readable: "env SONICGRID_X_PATH: /p", "models dir: /p", "HF cache: /p", or why absent
    local_files_only: bool = True

    @property
    def found(self) -> bool:
        return self.source is not None


def missing_packages(spec: ModelSpec) -> list[str]:
    return [p for p in spec.packages if importlib.util.find_spec(p) is None]


def _complete(d: Path, required: tuple[str, ...]) -> bool:
    return d.is_dir() and all(any(d.glob(r)) for r in required)


def _hf_cache_dir(spec: ModelSpec) -> Path | None:
    """A complete snapshot of the model in the Hugging Face cache, found without any network call."""
    try:
        from huggingface_hub.constants import HF_HUB_CACHE
    except ImportError:
        return None
    repo = Path(os.environ.get("HF_HUB_CACHE", HF_HUB_CACHE)) / ("models--" + spec.hub_id.replace("/", "--"))
    snaps = repo / "snapshots"
    if not snaps.is_dir():
        return None
    ref = repo / "refs" / "main"
    order = []
    if ref.is_file():
        order.append(snaps / ref.read_text().strip())
    order += sorted(snaps.iterdir(), key=lambda p: -p.stat().st_mtime)
    for d in order:
        if _complete(d, spec.required):
            return d
    return None


def locate(spec: ModelSpec, settings: Settings | None = None) -> Located:
    """Where the model is (or why it is absent) under these settings (None: read from the environment)."""
    s = settings if settings is not None else Settings()
    missing = missing_packages(spec)
    if missing:
        return Located(None, f"needs {', '.join(missing)}: pip install 'sonicgrid[models]'")
    env = os.environ.get(spec.env_var)
    if env:
        p = Path(env).expanduser()
        if _complete(p, spec.required):
            return Located(str(p), f"{spec.env_var}: {p}")
        return Located(None, f"{spec.env_var}={p} lacks {', '.join(spec.required)}")
    if s.models_dir:
        for name in (spec.local_name, spec.hub_id.replace("/", "--"), spec.hub_id.split("/")[-1]):
            p = Path(s.models_dir).expanduser() / name
            if _complete(p, spec.required):
                return Located(str(p), f"models dir: {p}")
    cached = _hf_cache_dir(spec)
    if cached is not None:
        return Located(str(cached), f"HF cache: {cached}")
    if s.allow_download:
        return Located(spec.hub_id, f"download allowed: {spec.hub_id}", local_files_only=False)
    hint = f"put it in $SONICGRID_MODELS_DIR/{spec.local_name}, set {spec.env_var}, or run with --allow-download"
    return Located(None, f"absent ({spec.hub_id}): {hint}")


def device() -> str:
    """SONICGRID_DEVICE if set, else cuda, then mps, then cpu."""
    want = os.environ.get("SONICGRID_DEVICE", "auto").lower()
    if want != "auto":
        return want
    try:
        import torch
    except ImportError:
        return "cpu"
    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def dtype(dev: str | None = None):
    """SONICGRID_DTYPE (float32|float16|bfloat16) if set, else float16 on cuda, float32 elsewhere."""
    import torch

    name = os.environ.get("SONICGRID_DTYPE", "auto").lower()
    if name == "auto":
        name = "float16" if (dev or device()) == "cuda" else "float32"
    return {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[name]


_LOADED: dict[tuple, Any] = {}
_LOCK = threading.Lock()


def load_once(key: tuple, loader: Callable[[], Any]) -> Any:
    """One load per process for each (model, source, device, dtype) key; failures become ModelUnavailable."""
    with _LOCK:
        if key not in _LOADED:
            try:
                _LOADED[key] = loader()
            except ModelUnavailable:
                raise
            except (OSError, ValueError, KeyError, RuntimeError, ImportError) as exc:
                raise ModelUnavailable(f"cannot load {key[0]} from {key[1]}: {str(exc).splitlines()[0][:300]}") from exc
        return _LOADED[key]


def loaded() -> list[tuple]:
    return list(_LOADED)


def forget() -> None:
    """Drop every loaded model (tests; freeing memory)."""
    with _LOCK:
        _LOADED.clear()


class RealModelTool(Tool):
    """Base of adapters of real models: availability from `locate`, per-device cost, lazy shared load.

    Subclasses set `spec` and `costs` ({"cpu": CostModel, "cuda": ..., "mps": ...}) and implement `_load(src, lf)`.
    """

    spec: ModelSpec
    costs: ClassVar[dict[str, CostModel]]
    embedded = False
    settings: Settings | None = None  # the run's (the registry sets it); None: read from the environment

    def configure(self, settings: Settings) -> None:
        self.settings = settings

    def located(self) -> Located:
        return locate(self.spec, self.settings)

    def available(self) -> tuple[bool, str]:
        loc = self.located()
        return loc.found, loc.where

    def cost_table(self) -> dict[str, CostModel]:
        """Cost model per device (the class's `costs`, unless an adapter's depend on its variant)."""
        return self.costs

    @property
    def cost(self) -> CostModel:
        table = self.cost_table()
        return table.get(device(), table["cpu"])

    def model(self):
        loc = self.located()
        if not loc.found:
            raise ModelUnavailable(f"{self.name}: {loc.where}")
        dev = device()
        return load_once(
            (self.spec.hub_id, loc.source, dev, str(dtype(dev))),
            lambda: self._load(loc.source, loc.local_files_only, dev),
        )

    def _load(self, src: str, local_files_only: bool, dev: str):  # pragma: no cover - abstract
        raise NotImplementedError

    def describe(self) -> dict:
        d = super().describe()
        d["model"] = self.spec.hub_id
        d["device"] = device()
        return d


def decode_threads(current: int, env_var: str = "SONICGRID_MUSICGEN_THREADS") -> int:
    """Intra-op CPU threads for the token-by-token decode: `env_var` if set, else `current`
    capped at the cores other processes leave free (1-minute load average, this process counted once), at
    least 1. Each decode step is ~300 small ops (8-row matmuls); torch's OpenMP threads spin at a barrier
    after each one, so with more threads than free cores every op waits for a descheduled thread: on the
    2-core dev machine at load ~6, 2 threads took 79 s for 0.5 s of audio and 1 thread 8.8 s (docs/models.md).
    Riffusion's UNet uses it too (its big convolutions lose less: 35 s vs 23 s a step)."""
    env = os.environ.get(env_var, "").strip()
    if env:
        if not env.isdigit() or int(env) < 1:
            raise UserError(f"{env_var} must be a whole number >= 1, not {env!r}")
        return int(env)
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # not on every platform
        return current
    free = (os.cpu_count() or 1) - load + 1.0
    return max(1, min(current, int(free)))


@contextmanager
def torch_threads(n: int):
    """torch's intra-op thread count set to `n` for the block, restored after (it is process-wide)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
