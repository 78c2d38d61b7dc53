"""Prompt templates, one file per agent, shipped as package data."""

from importlib.resources import files


def load(name: str) -> str:
    return files(__name__).joinpath(f"{name}.txt").read_text()


def fill(name: str, **values: str) -> str:
    text = load(name)
    for k, v in values.items():
        text = text.replace("{" + k + "}", v)
    return text
