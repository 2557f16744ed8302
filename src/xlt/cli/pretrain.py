"""``xlt pretrain``: MLM / causal-LM (continued) pretraining, or a LoRA language adapter."""

from __future__ import annotations

from pathlib import Path

import typer

from xlt.cli.common import FormatOption, OutputFormat, SetOption, config_from_cli, emit_json, stdout_console


def register(app: typer.Typer) -> None:
    @app.command("pretrain")
    def pretrain_cmd(
        config: Path | None = typer.Option(
            None, "--config", "-c", help="PRETRAIN.yaml (see docs/finetuning.md)."
        ),
        corpus: list[str] = typer.Option(
            [], "--corpus", help="Text corpus (repeatable); `shared:REL` is under the shared data root."
        ),
        model: str | None = typer.Option(None, "--model", help="Hub id or path to continue pretraining."),
        objective: str | None = typer.Option(None, "--objective", help="mlm or clm."),
        max_steps: int | None = typer.Option(None, "--max-steps", help="Optimisation steps."),
        output_dir: str | None = typer.Option(None, "--output-dir", "-o", help="Where to save the model."),
        seed: int | None = typer.Option(None, "--seed", help="Random seed."),
        sets: list[str] = SetOption,
        fmt: OutputFormat = FormatOption,
    ) -> None:
        """Pretrain a model (from scratch or continued) with MLM or causal LM on text corpora."""
        from xlt.finetuning.pretrain import PretrainConfig, pretrain

        flags = {
            "model": model,
            "objective": objective,
            "max_steps": max_steps,
            "output_dir": output_dir,
            "seed": seed,
            "corpora": list(corpus) or None,
        }
        cfg = config_from_cli(PretrainConfig, config_file=config, sets=sets, flags=flags)
        result = pretrain(cfg)
        summary = {
            "output_dir": str(result.output_dir),
            "adapter": result.adapter,
            "steps": result.steps,
            "texts": result.n_texts,
            "train_tokens": result.train_tokens,
            "tokens_per_s": round(result.tokens_per_s, 1),
            "seconds": round(result.seconds, 1),
            "first_loss": result.losses[0][1] if result.losses else None,
            "last_loss": result.losses[-1][1] if result.losses else None,
            "losses": result.losses,
        }
        if fmt == OutputFormat.json:
            emit_json(summary)
            return
        console = stdout_console()
        kind = "LoRA adapter" if result.adapter else "model"
        console.print(f"saved {kind} to {result.output_dir}")
        console.print(
            f"{result.steps} steps on {result.n_texts} texts, {result.train_tokens} tokens "
            f"({result.tokens_per_s:.0f} tokens/s, {result.seconds:.1f} s)"
        )
        if result.losses:
            console.print(
                f"loss {result.losses[0][1]:.3f} (step {result.losses[0][0]}) -> "
                f"{result.losses[-1][1]:.3f} (step {result.losses[-1][0]})"
            )
