"""Which langchain-core chat model is the brain: the embedded judge, a completions server, or any
chat model named in the settings (SONICGRID_LLM_PROVIDER, SONICGRID_LLM_KWARGS as JSON)."""

from __future__ import annotations

import importlib
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel

from sonicgrid.config import Settings
from sonicgrid.errors import ModelUnavailable, UserError

OPENAI = "langchain_openai:ChatOpenAI"


def provider(settings: Settings) -> str:
    p = (settings.llm_provider or "auto").strip()
    if p == "auto":
        return "server" if settings.llm_server_url else "local"
    return p


def chat_model(settings: Settings) -> BaseChatModel:
    """The configured chat model; ModelUnavailable when it cannot be built (auto then falls back to rules)."""
    p = provider(settings)
    kwargs = dict(settings.llm_kwargs)
    if p == "local":
        return _local(settings)
    if p == "server":
        if not settings.llm_server_url:
            raise UserError(
                "SONICGRID_LLM_PROVIDER=server needs SONICGRID_LLM_SERVER_URL (an OpenAI-compatible server)"
            )
        from sonicgrid.llm.server import ServerLLM

        return ServerLLM(settings.llm_server_url, timeout=settings.llm_timeout_s, **kwargs)
    if p == "openai":
        p = OPENAI
        if settings.llm_server_url:  # an OpenAI-compatible server spoken to through its chat API
            kwargs.setdefault("base_url", settings.llm_server_url.rstrip("/") + "/v1")
            kwargs.setdefault("api_key", "none")
        kwargs.setdefault("timeout", settings.llm_timeout_s)
        kwargs.setdefault("temperature", 0)
    return _imported(p, kwargs)


def _local(settings: Settings) -> BaseChatModel:
    from sonicgrid.llm.local import LocalLLM
    from sonicgrid.llm.locate import model_path, packaged_lora

    path = model_path(settings.llm_model_path)
    lora = settings.llm_lora_path or (packaged_lora() if settings.llm_model_path is None else None)
    if lora is not None and not lora.is_file():
        raise UserError(f"LoRA adapter not found: {lora}")
    return LocalLLM.shared(path, lora, settings.llm_threads)


def _imported(path: str, kwargs: dict[str, Any]) -> BaseChatModel:
    """'package.module:Class' (or 'package.module.Class') -> Class(**kwargs), a langchain-core chat model."""
    mod_name, _, cls_name = path.partition(":") if ":" in path else path.rpartition(".")
    if not mod_name or not cls_name:
        raise UserError(f"LLM provider {path!r}: use local, server, openai or package.module:ChatModelClass")
    try:
        cls = getattr(importlib.import_module(mod_name), cls_name)
    except ImportError as exc:
        raise ModelUnavailable(f"LLM provider {path}: cannot import {mod_name} ({exc.name or exc})") from exc
    except AttributeError as exc:
        raise UserError(f"LLM provider {path}: {mod_name} has no {cls_name}") from exc
    if not (isinstance(cls, type) and issubclass(cls, BaseChatModel)):
        raise UserError(f"LLM provider {path} is not a langchain-core chat model (BaseChatModel)")
    try:
        return cls(**kwargs)
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelUnavailable(f"LLM provider {path}: cannot build it ({first[:200]})") from exc
