"""`sonicgrid llm`: build the judge's training data, train the LoRA adapter, measure brains."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from sonicgrid.commands.common import console, out, print_json, quiet_libraries, user_errors
from sonicgrid.errors import ModelUnavailable, UserError

app = typer.Typer(help="The embedded judge: training data, LoRA training, evaluation.", no_args_is_help=True)

DEFAULT_OUT = Path("build/judge")


@app.command("data")
def data_cmd(
    out_dir: Path = typer.Option(DEFAULT_OUT, "--out", help="where to write train/heldout jsonl"),
    n_agent: int = typer.Option(1000, help="evidence samples per agent"),
    n_intake: int = typer.Option(900, help="training requests"),
    seed: int = typer.Option(None, help="data seed (default: the shipped adapter's)"),
) -> None:
    """Write the synthetic training and held-out examples as JSON lines."""
    from sonicgrid.llm.train import dataset

    d = dataset.build(n_agent, n_intake, seed if seed is not None else dataset.SEED)
    out_dir.mkdir(parents=True, exist_ok=True)
    for split, exs in d.items():
        dataset.write_jsonl(exs, out_dir / f"{split}.jsonl")
        out.print(f"{split}: {len(exs)} examples -> {out_dir / f'{split}.jsonl'}")


@app.command("train")
def train_cmd(
    out_dir: Path = typer.Option(DEFAULT_OUT, "--out", help="working directory for data and adapter"),
    max_minutes: float | None = typer.Option(None, help="stop training after this long and save"),
    steps: int | None = typer.Option(900, help="optimizer steps (0: --epochs passes over the data)"),
    epochs: float = typer.Option(1.0, help="passes over the training data when --steps is 0"),
    batch: int = typer.Option(8),
    lr: float = typer.Option(1e-3),
    rank: int = typer.Option(8),
    top_layers: int = typer.Option(8, help="LoRA on the last N decoder layers"),
    threads: int = typer.Option(2, help="torch CPU threads"),
    n_agent: int = typer.Option(1000, help="randomised judgments per agent"),
    n_intake: int = typer.Option(900, help="generated requests for intake"),
    limit: int | None = typer.Option(None, help="train on the first N examples only (smoke runs)"),
    balance: bool = typer.Option(
        True, help="repeat each agent's rare choices (enhance, revise, ...) up to two thirds of a fair share"
    ),
    seed: int = typer.Option(0, help="training seed (order of examples, LoRA init)"),
    install: bool = typer.Option(False, help="copy the adapter into the package (sonicgrid/llm/adapters/)"),
) -> None:
    """Reproduce the shipped adapter: data -> base GGUF in transformers -> LoRA -> GGUF adapter.

    The defaults are the shipped run (~17 min on 2 CPU cores). Smoke run: --limit 40 --steps 5."""
    quiet_libraries()
    with user_errors():
        from sonicgrid.llm.train import pipeline
        from sonicgrid.llm.train.lora import TrainConfig

        cfg = TrainConfig(
            rank=rank,
            alpha=2.0 * rank,
            top_layers=top_layers,
            lr=lr,
            batch=batch,
            epochs=epochs,
            max_steps=steps or None,
            max_minutes=max_minutes,
            threads=threads,
            seed=seed,
        )
        try:
            report, _, _ = pipeline.run(
                out_dir,
                cfg,
                n_agent=n_agent,
                n_intake=n_intake,
                limit_train=limit,
                install=install,
                balance=balance,
                log=lambda m: console.print(m, highlight=False),
            )
        except ModelUnavailable as exc:
            raise UserError(str(exc)) from exc
        print_json({k: report[k] for k in ("steps_done", "final_loss", "train_seconds", "adapter")})


@app.command("eval")
def eval_cmd(
    brains: str = typer.Option("rules,base,tuned", help="comma list of rules, base, tuned"),
    adapter: Path | None = typer.Option(None, help="GGUF LoRA (default: the shipped one)"),
    per_agent: int = typer.Option(40, help="held-out examples per agent"),
    intake_n: int = typer.Option(120, help="held-out intake requests"),
    only: str | None = typer.Option(None, help="comma list of agents (intake, decision, ...)"),
    threads: int = typer.Option(2),
    json_out: Path | None = typer.Option(None, "--json"),
) -> None:
    """Accuracy of each brain on the held-out split (labels: rules decisions; intake: true fields)."""
    quiet_libraries()
    with user_errors():
        from sonicgrid.llm.train import dataset, evaluate

        d = dataset.build()
        results = {}
        for kind in [b.strip() for b in brains.split(",") if b.strip()]:
            if kind not in ("rules", "base", "tuned"):
                raise UserError(f"unknown brain {kind!r}: use rules, base or tuned")
            try:
                brain = None if kind == "rules" else evaluate.make_llm_brain(kind, adapter, threads)
            except (ModelUnavailable, FileNotFoundError) as exc:
                raise UserError(str(exc)) from exc
            agents = tuple(a.strip() for a in only.split(",")) if only else None
            results[kind] = evaluate.evaluate(d["heldout"], brain, per_agent, intake_n, agents)
        results["ceiling"] = evaluate.ceiling(d["train"] + d["heldout"])
        t = Table(title="held-out accuracy")
        t.add_column("field / agent")
        for kind in results:
            if kind != "ceiling":
                t.add_column(kind)
        rows = sorted({k for r in results.values() if "accuracy" in r for k in r["accuracy"]})
        for k in rows:
            t.add_row(k, *[_fmt(results[b]["accuracy"].get(k)) for b in results if b != "ceiling"])
        t.add_row(
            "latency ms (median)",
            *[str(results[b].get("latency_ms", {}).get("median", "-")) for b in results if b != "ceiling"],
        )
        out.print(t)
        if json_out:
            json_out.write_text(json.dumps(results, indent=1))


def _fmt(x) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"
