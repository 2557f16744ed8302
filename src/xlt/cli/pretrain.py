"""``xlt pretrain``: MLM / causal-LM (continued) pretraining, or a LoRA language adapter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from xlt.cli.common import FormatOption, OutputFormat, SetOption, config_from_cli, emit_json, stdout_console
from xlt.cli.options import config_options
from xlt.finetuning.pretrain import PretrainConfig


def register(app: typer.Typer) -> None:
    @app.command("pretrain")
    @config_options(
        PretrainConfig,
        names={"corpora": ("--corpus",), "output_dir": ("--out", "-o")},
        aliases={"output_dir": ("--output-dir",)},
        panel="Pretraining options (PretrainConfig; a nested lora.* is set with --set)",
    )
    def pretrain_cmd(
        config: Path | None = typer.Option(
            None, "--config", "-c", help="PRETRAIN.yaml (see docs/finetuning.md)."
        ),
        sets: list[str] = SetOption,
        fmt: OutputFormat = FormatOption,
        options: dict[str, Any] | None = None,
    ) -> None:
        """Pretrain a model (from scratch or continued) with MLM or causal LM on text corpora.

        A corpus given with --corpus may be `shared:REL` (under the shared data root).
        """
        from xlt.finetuning.pretrain import pretrain

        cfg = config_from_cli(PretrainConfig, config_file=config, sets=sets, flags=options)
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
