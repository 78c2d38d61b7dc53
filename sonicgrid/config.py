"""Settings: defaults that need no flags, overridable with SONICGRID_* environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SONICGRID_", extra="ignore")

    data_dir: Path = Field(
        default_factory=lambda: Path.home() / ".sonicgrid", description="library, checkpoints and traces live here"
    )
    out_dir: Path = Field(default=Path("out"), description="where clips are written")
    brain: Literal["auto", "rules", "llm"] = Field(
        default="auto", description="auto: the embedded LLM judge when it loads, else rules; rules: deterministic"
    )
    budget_s: float = Field(
        default=60.0, gt=0, allow_inf_nan=False, description="compute budget per request, seconds (finite)"
    )
    max_retries: int = Field(default=2, ge=0, le=5, description="regenerations per cell")
    max_revisions: int = Field(default=1, ge=0, le=3, description="continuity revisions per cell")
    quality_threshold: float = Field(default=5.0, ge=1, le=10, description="gatekeeper pass mark /10")
    reuse_threshold: float = Field(default=0.80, ge=0, le=1, description="similarity to reuse a clip")
    approve_over_s: float | None = Field(
        default=None, ge=0, description="ask a human before a job estimated above this (seconds)"
    )
    target_lufs: float = -14.0
    true_peak_dbfs: float = -1.0
    sample_rate: int = 44100
    llm_model_path: Path | None = Field(default=None, description="GGUF path; default: packaged Gemma 3 270M")
    llm_lora_path: Path | None = None
    llm_server_url: str | None = Field(default=None, description="OpenAI-compatible server base URL")
    llm_threads: int = 2
    llm_provider: str = Field(
        default="auto",
        description="the brain's chat model: local (the embedded llama.cpp judge), server (llm_server_url's "
        "completions), openai (langchain-openai ChatOpenAI), or any langchain-core chat model class as "
        "'package.module:Class'; auto: server when llm_server_url is set, else local",
    )
    llm_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="keyword arguments for that chat model (JSON in SONICGRID_LLM_KWARGS)"
    )
    llm_output: Literal["json_schema", "json_mode", "function_calling", "text"] = Field(
        default="json_schema",
        description="how a chat model named by llm_provider keeps to the answer's schema (its with_structured_output "
        "method; text: parse the JSON from its reply)",
    )
    llm_timeout_s: float = Field(
        default=30.0,
        gt=0,
        allow_inf_nan=False,
        description="overall deadline of one call to an LLM outside this process, seconds",
    )
    checkpoint_url: str | None = Field(
        default=None, description="postgresql://... : LangGraph's Postgres checkpointer; default: SQLite files"
    )
    chroma_url: str | None = Field(default=None, description="Chroma server URL; default: embedded")
    finish_vocoder: bool = Field(default=False, description="re-synthesise the mix with a neural vocoder (BigVGAN)")
    models_dir: Path | None = None
    soundfont: Path | None = Field(
        default=None, description="a General MIDI .sf2 to play (default: Debian FluidR3_GM if installed, else packaged)"
    )
    allow_download: bool = False
    # Hardening (docs/RELIABILITY.md): every run and every external call is bounded in time.
    run_deadline_s: float = Field(
        default=1800.0, gt=0, allow_inf_nan=False, description="wall-clock limit for one run, seconds"
    )
    chroma_timeout_s: float = Field(
        default=10.0, gt=0, allow_inf_nan=False, description="overall deadline for one Chroma server call, seconds"
    )
    import_max_s: float = Field(
        default=600.0, gt=0, allow_inf_nan=False, description="longest audio file `library import` accepts, seconds"
    )
    worker: Literal["auto", "use", "off"] = Field(
        default="auto",
        description="the warm worker (sonicgrid/worker): auto (use it; a batch command that finds none starts "
        "one and hands over once it serves), use (only when one runs), off; "
        "read by the CLI's first lines, before Settings exist",
    )
    worker_socket: Path | None = Field(default=None, description="the worker's Unix socket [default: per install]")
    crash_at: str | None = Field(
        default=None, description="test hook: SIGKILL at this point (sonicgrid/crashpoints.py)"
    )

    @property
    def library_dir(self) -> Path:
        return self.data_dir / "library"

    @property
    def checkpoint_path(self) -> Path:
        return self.data_dir / "checkpoints.sqlite"

    @property
    def traces_dir(self) -> Path:
        return self.data_dir / "traces"
