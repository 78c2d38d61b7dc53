"""docs/architecture.md draws the graph the code compiles, not a hand copy."""

from __future__ import annotations

from pathlib import Path

from sonicgrid.graph import draw

DOC = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def test_architecture_doc_shows_the_compiled_graph():
    drawn = draw.mermaid()
    assert draw.current(DOC.read_text()) == drawn.strip("\n"), "stale graph in docs/architecture.md: run `make docs`"
    for node in ("intake", "plan", "cell", "finish", "recall", "decide", "cost_guard", "gatekeep", "continuity"):
        assert f"{node}({node})" in drawn
    # the conditional edges are labelled with the decision they encode
    for edge in ("regenerate", "good_enough", "revise", "fits", "nothing_affordable"):
        assert edge in drawn


def test_splice_replaces_only_the_block():
    doc = f"head\n{draw.BEGIN}\nold\n{draw.END}\ntail\n"
    out = draw.splice(doc, "new\n")
    assert out.startswith("head\n") and out.endswith(f"{draw.END}\ntail\n")
    assert draw.current(out) == "new"
